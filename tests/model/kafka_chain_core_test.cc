// KafkaChainCore (model/orderer/kafka_chain_core.h): Fabric's Kafka chain turning the
// consumed partition into blocks, one case per rule of fabric-semantics.md §5.2–§5.5, and
// the property the rules exist for: OSNs fed the same partition — one of them restarted
// from its last block's metadata — write the same blocks.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "model/orderer/kafka_chain_core.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

using Core = KafkaChainCore;

// A REGULAR message wrapping an envelope of `bytes` payload bytes named `name`.
::orderer::KafkaMessage regular(const std::string& name, size_t bytes = 10, int64_t original_offset = 0,
                                ::orderer::KafkaMessageRegular::Class cls = ::orderer::KafkaMessageRegular::NORMAL) {
  common::Envelope env;
  env.set_payload(name + std::string(bytes > name.size() ? bytes - name.size() : 0, '.'));
  ::orderer::KafkaMessage m;
  m.mutable_regular()->set_payload(protoutil::marshal(env));
  m.mutable_regular()->set_class_(cls);
  m.mutable_regular()->set_original_offset(original_offset);
  return m;
}
::orderer::KafkaMessage ttc(uint64_t block) {
  ::orderer::KafkaMessage m;
  m.mutable_time_to_cut()->set_block_number(block);
  return m;
}
::orderer::KafkaMessage connect() {
  ::orderer::KafkaMessage m;
  m.mutable_connect();
  return m;
}

BatchSettings settings(uint32_t count = 3, uint32_t preferred = 1000) {
  BatchSettings s;
  s.size.max_message_count = count;
  s.size.preferred_max_bytes = preferred;
  return s;
}

std::vector<std::string> names(const Batch& b) {
  std::vector<std::string> out;
  for (const auto& e : b) out.push_back(e.payload().substr(0, e.payload().find('.')));
  return out;
}

TEST(KafkaChainCore, ANewChannelConsumesFromTheOldestOffsetAndARestartAfterTheLastOffsetPersisted) {
  const BatchSettings s = settings();
  EXPECT_EQ(Core(&s, std::nullopt, 1).start_offset(), Core::kOffsetOldest);
  ::orderer::KafkaMetadata m;
  m.set_last_offset_persisted(7);
  const Core restarted(&s, m, 5);
  EXPECT_EQ(restarted.start_offset(), 8);
  EXPECT_EQ(restarted.last_cut_block_number(), 4u);
}

TEST(KafkaChainCore, EachRuleOfProcessingRegularAndTimeToCutMessages) {
  struct Consumed {
    int64_t offset;
    ::orderer::KafkaMessage msg;
  };
  struct Case {
    const char* name;
    BatchSettings batch;
    std::vector<Consumed> stream;
    // Of the last message's step:
    std::vector<std::vector<std::string>> blocks;
    std::vector<int64_t> persisted;  // LastOffsetPersisted per block
    Core::Timer timer;
    bool error;
  };
  const Case cases[] = {
      {"AFirstPendingMessageStartsTheTimer", settings(), {{0, regular("a")}}, {}, {}, Core::Timer::kStart, false},
      {"ABatchReachingTheCountIsABlockPersistingItsOffsetAndStopsTheTimer",
       settings(2),
       {{0, regular("a")}, {1, regular("b")}},
       {{"a", "b"}},
       {1},
       Core::Timer::kStop,
       false},
      {"AnOverflowCutPersistsTheOffsetBeforeItsMessageAndKeepsTheTimer",
       settings(10, 25),
       {{0, regular("a", 20)}, {1, regular("b", 20)}},
       {{"a"}},
       {0},
       Core::Timer::kLeave,
       false},
      {"AnOversizedMessageBehindAPendingBatchMakesTwoBlocks",
       settings(10, 25),
       {{0, regular("a", 20)}, {1, regular("big", 40)}},
       {{"a"}, {"big"}},
       {0, 1},
       Core::Timer::kStop,
       false},
      {"TheNextBlocksTimeToCutCutsThePendingBatch",
       settings(),
       {{0, regular("a")}, {1, ttc(1)}},
       {{"a"}},
       {1},
       Core::Timer::kStop,
       false},
      {"AStaleTimeToCutIsIgnored",
       settings(1),
       {{0, regular("a")}, {1, regular("b")}, {2, ttc(1)}},
       {},
       {},
       Core::Timer::kLeave,
       false},
      {"ALargerTimeToCutStopsProcessing", settings(), {{0, regular("a")}, {1, ttc(3)}}, {}, {}, Core::Timer::kLeave, true},
      {"TheRightTimeToCutWithNothingPendingStopsProcessing", settings(), {{0, ttc(1)}}, {}, {}, Core::Timer::kLeave, true},
      {"AResubmittedCopyAlreadyProcessedIsDiscarded",
       settings(1),
       {{0, regular("a", 10, 5)}, {1, regular("a-again", 10, 5)}},
       {},
       {},
       Core::Timer::kLeave,
       false},
      {"ConnectIsIgnored", settings(), {{0, connect()}}, {}, {}, Core::Timer::kLeave, false},
  };
  for (const Case& c : cases) {
    Core core(&c.batch, std::nullopt, 1);
    Core::Step step;
    for (const Consumed& m : c.stream) step = core.consume(m.offset, m.msg);
    ASSERT_EQ(step.blocks.size(), c.blocks.size()) << c.name;
    for (size_t i = 0; i < c.blocks.size(); ++i) {
      EXPECT_EQ(names(step.blocks[i].batch), c.blocks[i]) << c.name;
      EXPECT_EQ(step.blocks[i].metadata.last_offset_persisted(), c.persisted[i]) << c.name;
    }
    EXPECT_EQ(step.timer, c.timer) << c.name;
    EXPECT_EQ(!step.error.empty(), c.error) << c.name;
    EXPECT_EQ(core.stopped(), c.error) << c.name;
  }
}

TEST(KafkaChainCore, LastOriginalOffsetProcessedFollowsFabricsRuleAndATimeToCutBlockOmitsTheResubmittedOffset) {
  const BatchSettings s = settings(10, 25);
  Core core(&s, std::nullopt, 1);
  // A re-submitted copy (original offset 3) is pending; an overflow cut writes the block
  // before it with the old value; the cut by TIMETOCUT carries the new one.
  EXPECT_TRUE(core.consume(10, regular("a", 20)).blocks.empty());
  Core::Step overflow = core.consume(11, regular("b", 20, 3));
  ASSERT_EQ(overflow.blocks.size(), 1u);
  EXPECT_EQ(overflow.blocks[0].metadata.last_original_offset_processed(), 0);
  Core::Step cut = core.consume(12, ttc(2));
  ASSERT_EQ(cut.blocks.size(), 1u);
  EXPECT_EQ(cut.blocks[0].metadata.last_offset_persisted(), 12);
  EXPECT_EQ(cut.blocks[0].metadata.last_original_offset_processed(), 0) << "not yet: b was pending";
  EXPECT_EQ(cut.blocks[0].metadata.last_resubmitted_config_offset(), 0);
  // The copy's original offset is taken when a message is committed without a cut.
  core.consume(13, regular("c", 5, 9));
  EXPECT_EQ(core.offsets().last_original_offset_processed(), 9);
}

TEST(KafkaChainCore, TheTimerFiringAsksForTheNextBlocksTimeToCutOnce) {
  const BatchSettings s = settings();
  Core core(&s, std::nullopt, 3);
  core.consume(0, regular("a"));
  ASSERT_TRUE(core.timer_running());
  const Core::Step fired = core.timer_fired();
  EXPECT_EQ(fired.post_time_to_cut, std::optional<uint64_t>(3));
  EXPECT_FALSE(core.timer_running());
  EXPECT_FALSE(core.timer_fired().post_time_to_cut.has_value());
}

// Two OSNs consume one partition: each posts a TIMETOCUT when its timer fires, so the
// partition holds duplicates; B restarts from its last block and consumes again from
// start_offset(). Both write the same blocks.
TEST(KafkaChainCore, OsnsFedOnePartitionWriteTheSameBlocksAlsoAcrossARestart) {
  const BatchSettings s = settings(3, 1000);
  std::vector<::orderer::KafkaMessage> partition = {
      regular("t0"), regular("t1"), ttc(1), ttc(1), regular("t2"), regular("t3"), regular("t4"),
      regular("t5"), connect(),     ttc(3), regular("t6"), ttc(3),   ttc(4),        regular("t7")};
  auto run = [&](Core& core, int64_t from, int64_t until, std::vector<Core::Block>& out) {
    for (int64_t o = std::max<int64_t>(from, 0); o < until; ++o)
      for (auto& b : core.consume(o, partition[o]).blocks) out.push_back(std::move(b));
  };
  std::vector<Core::Block> a_blocks;
  Core a(&s, std::nullopt, 1);
  run(a, a.start_offset(), static_cast<int64_t>(partition.size()), a_blocks);

  std::vector<Core::Block> b_blocks;
  Core b(&s, std::nullopt, 1);
  run(b, b.start_offset(), 6, b_blocks);  // t2 and t3 pending at the crash
  ASSERT_FALSE(b_blocks.empty());
  Core b2(&s, b_blocks.back().metadata, 1 + b_blocks.size());
  run(b2, b2.start_offset(), static_cast<int64_t>(partition.size()), b_blocks);

  ASSERT_EQ(a_blocks.size(), b_blocks.size());
  for (size_t i = 0; i < a_blocks.size(); ++i) {
    EXPECT_EQ(names(a_blocks[i].batch), names(b_blocks[i].batch)) << "block " << i + 1;
    EXPECT_EQ(a_blocks[i].metadata.SerializeAsString(), b_blocks[i].metadata.SerializeAsString()) << "block " << i + 1;
  }
  EXPECT_EQ(names(a_blocks[0].batch), (std::vector<std::string>{"t0", "t1"}));
  EXPECT_EQ(names(a_blocks[1].batch), (std::vector<std::string>{"t2", "t3", "t4"}));
}

}  // namespace
}  // namespace fabsim::orderer
