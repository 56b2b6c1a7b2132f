// PartitionLog (model/kafka/partition_log.h): segments on a host's Env, recovery of a torn
// tail, truncation at batch starts, the flush policy under power loss, and the leader
// epoch cache's answers (kafka-semantics.md §6.4, §6.5).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/storage.h"
#include "model/kafka/partition_log.h"

namespace fabsim::kafka {
namespace {

std::vector<std::string> recs(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back("r" + std::to_string(i));
  return out;
}

std::vector<std::string> all(const PartitionLog& log) {
  std::vector<std::string> out;
  auto b = log.read(0, UINT64_MAX, log.log_end_offset());
  EXPECT_TRUE(b.is_ok());
  for (const auto& batch : b.value())
    for (const auto& r : batch.records()) out.push_back(r);
  return out;
}

TEST(PartitionLog, AppendsAssignOffsetsFromTheLogEndAndReadReturnsWholeBatches) {
  DurableStore store;
  PartitionLog log(store.env(), "l", {});
  ASSERT_TRUE(log.open().is_ok());
  ASSERT_EQ(log.append(0, recs(0, 3)).value().base, 0);
  ASSERT_EQ(log.append(0, recs(3, 5)).value().base, 3);
  EXPECT_EQ(log.log_end_offset(), 5);
  auto b = log.read(4, UINT64_MAX, 5);  // offset 4 lies in the batch starting at 3
  ASSERT_TRUE(b.is_ok());
  ASSERT_EQ(b.value().size(), 1u);
  EXPECT_EQ(b.value()[0].base_offset(), 3);
  // A limit below a batch's end leaves the batch out (consumers read below the HW).
  EXPECT_TRUE(log.read(0, UINT64_MAX, 2).value().empty());
}

TEST(PartitionLog, TruncationInsideABatchCutsAtTheBatchStart) {
  DurableStore store;
  PartitionLog log(store.env(), "l", {});
  ASSERT_TRUE(log.open().is_ok());
  ASSERT_TRUE(log.append(0, recs(0, 11)).is_ok());
  ASSERT_TRUE(log.append(0, recs(11, 21)).is_ok());
  ASSERT_TRUE(log.truncate_to(16).is_ok());
  EXPECT_EQ(log.log_end_offset(), 11);
  EXPECT_EQ(all(log), recs(0, 11));
  ASSERT_EQ(log.append(1, recs(100, 102)).value().base, 11);  // appends continue at the cut
}

TEST(PartitionLog, AReopenedLogHoldsWhatWasWrittenAndTruncated) {
  DurableStore store;
  {
    PartitionLog log(store.env(), "l", {});
    ASSERT_TRUE(log.open().is_ok());
    ASSERT_TRUE(log.append(0, recs(0, 2)).is_ok());
    ASSERT_TRUE(log.append(1, recs(2, 4)).is_ok());
    ASSERT_TRUE(log.truncate_to(2).is_ok());
    ASSERT_TRUE(log.append(2, recs(10, 11)).is_ok());
  }
  PartitionLog again(store.env(), "l", {});
  ASSERT_TRUE(again.open().is_ok());
  EXPECT_EQ(all(again), (std::vector<std::string>{"r0", "r1", "r10"}));
  EXPECT_EQ(again.epochs(), (std::vector<std::pair<int32_t, int64_t>>{{0, 0}, {2, 2}}));
}

TEST(PartitionLog, PowerLossKeepsOnlyWhatTheFlushPolicySynced) {
  struct Case {
    const char* name;
    uint64_t flush_interval_messages;
    std::vector<std::string> survives;
  };
  const Case cases[] = {
      {"KafkasDefaultNeverSyncsSoEverythingIsLost", UINT64_MAX, {}},
      {"FlushEveryMessageKeepsEverything", 1, recs(0, 4)},
      {"FlushEveryThreeKeepsTheFirstBatchesUpToTheSync", 3, recs(0, 3)},
  };
  for (const Case& c : cases) {
    DurableStore store;
    LogConfig cfg;
    cfg.flush_interval_messages = c.flush_interval_messages;
    {
      PartitionLog log(store.env(), "l", cfg);
      ASSERT_TRUE(log.open().is_ok());
      for (int i = 0; i < 4; ++i) ASSERT_TRUE(log.append(0, recs(i, i + 1)).is_ok());
    }
    ASSERT_TRUE(store.power_loss().is_ok());
    PartitionLog after(store.env(), "l", cfg);
    ASSERT_TRUE(after.open().is_ok()) << c.name;
    EXPECT_EQ(all(after), c.survives) << c.name;
  }
}

TEST(PartitionLog, ASegmentRollSyncsTheFullSegment) {
  DurableStore store;
  LogConfig cfg;
  cfg.segment_bytes = 64;
  {
    PartitionLog log(store.env(), "l", cfg);
    ASSERT_TRUE(log.open().is_ok());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(log.append(0, {std::string(20, 'a' + i)}).is_ok());
  }
  ASSERT_TRUE(store.power_loss().is_ok());
  PartitionLog after(store.env(), "l", cfg);
  ASSERT_TRUE(after.open().is_ok());
  // Batches of 28 bytes: two per segment; rolls at offsets 2 and 4 synced [0, 4).
  EXPECT_EQ(after.log_end_offset(), 4);
}

TEST(PartitionLog, AFollowerAppendThatDoesNotStartAtTheLogEndIsRefused) {
  DurableStore store;
  PartitionLog log(store.env(), "l", {});
  ASSERT_TRUE(log.open().is_ok());
  ASSERT_TRUE(log.append(0, recs(0, 16)).is_ok());
  RecordBatch b;
  b.set_base_offset(11);
  b.set_leader_epoch(0);
  b.add_records("x");
  auto r = log.append_as_follower(b);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("out of order offsets"), std::string::npos);
  EXPECT_EQ(log.log_end_offset(), 16);
}

// KAFKA-6361's logs: A holds epoch 1 at [0, 21) and epoch 3 from 21; B holds epoch 1 at
// [0, 11) and epoch 2 at [11, 16).
TEST(PartitionLog, OffsetsForLeaderEpochAnswersAsKafka10And20Do) {
  DurableStore store;
  PartitionLog a(store.env(), "a", {});
  ASSERT_TRUE(a.open().is_ok());
  ASSERT_TRUE(a.append(1, recs(0, 11)).is_ok());
  ASSERT_TRUE(a.append(1, recs(11, 21)).is_ok());
  ASSERT_TRUE(a.append(3, recs(21, 31)).is_ok());
  struct Case {
    const char* name;
    int32_t asked;
    int64_t v0;
    std::pair<int32_t, int64_t> v1;
  };
  const Case cases[] = {
      {"TheLatestEpochEndsAtTheLogEnd", 3, 31, {3, 31}},
      {"AnEpochItNeverHadEndsWhereTheNextBegins", 2, 21, {1, 21}},
      {"AnOlderEpochEndsWhereTheNextBegins", 1, 21, {1, 21}},
      {"AnEpochBelowTheFirstIsUndefined", 0, kUndefinedOffset, {kUndefinedEpoch, kUndefinedOffset}},
      {"AnEpochAboveTheLatestIsUndefined", 4, kUndefinedOffset, {kUndefinedEpoch, kUndefinedOffset}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(a.end_offset_for_v0(c.asked), c.v0) << c.name;
    EXPECT_EQ(a.end_offset_for_v1(c.asked), c.v1) << c.name;
  }
  PartitionLog b(store.env(), "b", {});
  ASSERT_TRUE(b.open().is_ok());
  ASSERT_TRUE(b.append(1, recs(0, 11)).is_ok());
  ASSERT_TRUE(b.append(2, recs(11, 16)).is_ok());
  // KIP-279: B, told (1, 21), finds its own end of epoch 1 at 11 and truncates there.
  EXPECT_EQ(b.end_offset_for_v1(1), (std::pair<int32_t, int64_t>{1, 11}));
}

}  // namespace
}  // namespace fabsim::kafka
