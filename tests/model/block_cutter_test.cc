// Fabric's block cutter rules (fabric-semantics.md §1.1, §1.2), one case per rule.
#include <gtest/gtest.h>

#include "core/random.h"
#include "model/orderer/block_cutter.h"

namespace fabsim::orderer {
namespace {

common::Envelope env(size_t payload, size_t signature = 0, char tag = 'a') {
  common::Envelope e;
  e.set_payload(std::string(payload, tag));
  e.set_signature(std::string(signature, 's'));
  return e;
}

std::vector<size_t> sizes(const OrderedResult& r) {
  std::vector<size_t> out;
  for (const auto& b : r.batches) out.push_back(b.size());
  return out;
}

TEST(BlockCutter, CutReasonNames) {
  EXPECT_STREQ(cut_reason_name(CutReason::kCount), "count");
  EXPECT_STREQ(cut_reason_name(CutReason::kBytes), "bytes");
  EXPECT_STREQ(cut_reason_name(CutReason::kOversized), "oversized");
  EXPECT_STREQ(cut_reason_name(CutReason::kTimeout), "timeout");
}

TEST(BlockCutter, MessageSizeIsPayloadPlusSignature) { EXPECT_EQ(message_size_bytes(env(70, 30)), 100u); }

TEST(BlockCutter, MessageBelowLimitsIsQueued) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  const auto r = c.ordered(env(10));
  EXPECT_TRUE(r.batches.empty());
  EXPECT_TRUE(r.pending);
  EXPECT_EQ(c.pending_count(), 1u);
}

TEST(BlockCutter, MaxMessageCountCutsTheBatch) {
  BatchSize cfg{3, 1000, 100};
  BlockCutter c(&cfg);
  c.ordered(env(1));
  c.ordered(env(1));
  const auto r = c.ordered(env(1));
  EXPECT_EQ(sizes(r), (std::vector<size_t>{3}));
  EXPECT_EQ(r.reasons, (std::vector<CutReason>{CutReason::kCount}));
  EXPECT_FALSE(r.pending);
  EXPECT_EQ(c.pending_count(), 0u);
}

TEST(BlockCutter, OverflowCutsPendingAndQueuesTheNewMessage) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  c.ordered(env(60, 0, 'x'));
  const auto r = c.ordered(env(50, 0, 'y'));  // 60 + 50 > 100
  ASSERT_EQ(sizes(r), (std::vector<size_t>{1}));
  EXPECT_EQ(r.batches[0][0].payload()[0], 'x');
  EXPECT_EQ(r.reasons, (std::vector<CutReason>{CutReason::kBytes}));
  EXPECT_TRUE(r.pending);
  EXPECT_EQ(c.pending_count(), 1u);
  EXPECT_EQ(c.pending_bytes(), 50u);
}

TEST(BlockCutter, PendingExactlyPreferredMaxBytesDoesNotOverflow) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  c.ordered(env(60));
  const auto r = c.ordered(env(40));  // 60 + 40 == 100: strict >, no cut
  EXPECT_TRUE(r.batches.empty());
  EXPECT_EQ(c.pending_count(), 2u);
}

TEST(BlockCutter, MessageOfExactlyPreferredMaxBytesIsNotIsolated) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  const auto r = c.ordered(env(100));
  EXPECT_TRUE(r.batches.empty());
  EXPECT_TRUE(r.pending);
}

TEST(BlockCutter, OversizedMessageIsCutAloneAfterThePendingBatch) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  c.ordered(env(10, 0, 'p'));
  const auto r = c.ordered(env(101, 0, 'o'));
  ASSERT_EQ(sizes(r), (std::vector<size_t>{1, 1}));
  EXPECT_EQ(r.batches[0][0].payload()[0], 'p');
  EXPECT_EQ(r.batches[1][0].payload()[0], 'o');
  EXPECT_EQ(r.reasons, (std::vector<CutReason>{CutReason::kBytes, CutReason::kOversized}));
  EXPECT_FALSE(r.pending);
}

TEST(BlockCutter, OversizedMessageWithNothingPendingIsOneBatch) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  const auto r = c.ordered(env(60, 41));  // signature bytes count too
  EXPECT_EQ(sizes(r), (std::vector<size_t>{1}));
  EXPECT_EQ(r.reasons, (std::vector<CutReason>{CutReason::kOversized}));
  EXPECT_FALSE(r.pending);
}

// Fabric lists the only possible results: (0, pending), (1, not pending) by count,
// (1, pending) by overflow, (2, not pending) by an oversized message. Random traffic never
// produces another shape, and no message is lost or reordered.
TEST(BlockCutter, OnlyTheFourDocumentedShapesOccur) {
  Rng rng(4);
  for (int round = 0; round < 50; ++round) {
    BatchSize cfg{static_cast<uint32_t>(rng.uniform_int(1, 8)), 1000, static_cast<uint32_t>(rng.uniform_int(20, 200))};
    BlockCutter c(&cfg);
    std::string sent, received;
    for (int i = 0; i < 200; ++i) {
      const char tag = static_cast<char>('a' + i % 26);
      sent.push_back(tag);
      const auto r = c.ordered(env(static_cast<size_t>(rng.uniform_int(1, 250)), 0, tag));
      const size_t n = r.batches.size();
      ASSERT_TRUE((n == 0 && r.pending) || (n == 1) || (n == 2 && !r.pending)) << n << " " << r.pending;
      for (const auto& b : r.batches) {
        ASSERT_FALSE(b.empty());
        for (const auto& e : b) received.push_back(e.payload()[0]);
      }
    }
    for (const auto& e : c.cut()) received.push_back(e.payload()[0]);
    EXPECT_EQ(received, sent);
  }
}

TEST(BlockCutter, SettingsAreReReadOnEveryCall) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  c.ordered(env(10));
  cfg.max_message_count = 2;
  const auto r = c.ordered(env(10));
  EXPECT_EQ(sizes(r), (std::vector<size_t>{2}));
}

TEST(BlockCutter, CutReturnsPendingAndResets) {
  BatchSize cfg{10, 1000, 100};
  BlockCutter c(&cfg);
  c.ordered(env(10));
  c.ordered(env(10));
  EXPECT_EQ(c.cut().size(), 2u);
  EXPECT_EQ(c.pending_count(), 0u);
  EXPECT_EQ(c.pending_bytes(), 0u);
  EXPECT_TRUE(c.cut().empty());
}

TEST(SizeFilter, AboveAbsoluteMaxBytesIsBadRequest) {
  BatchSize cfg{10, 100, 50};
  EXPECT_FALSE(size_filter(env(80, 21), cfg).is_ok());
}

TEST(SizeFilter, ExactlyAbsoluteMaxBytesIsAccepted) {
  BatchSize cfg{10, 100, 50};
  EXPECT_TRUE(size_filter(env(80, 20), cfg).is_ok());
}

struct SettingsCase {
  const char* name;
  BatchSettings settings;
  bool valid;
};

class BatchSettingsValidation : public testing::TestWithParam<SettingsCase> {};

TEST_P(BatchSettingsValidation, Rule) { EXPECT_EQ(validate_batch_settings(GetParam().settings).is_ok(), GetParam().valid); }

INSTANTIATE_TEST_SUITE_P(
    Rules, BatchSettingsValidation,
    testing::Values(SettingsCase{"FabricDefaultsAreValid", {}, true},
                    SettingsCase{"ZeroMaxMessageCount", {{0, 100, 50}, Duration::seconds(1)}, false},
                    SettingsCase{"ZeroAbsoluteMaxBytes", {{10, 0, 0}, Duration::seconds(1)}, false},
                    SettingsCase{"ZeroPreferredMaxBytes", {{10, 100, 0}, Duration::seconds(1)}, false},
                    SettingsCase{"PreferredAboveAbsolute", {{10, 100, 101}, Duration::seconds(1)}, false},
                    SettingsCase{"PreferredEqualAbsolute", {{10, 100, 100}, Duration::seconds(1)}, true},
                    SettingsCase{"ZeroTimeout", {{10, 100, 50}, Duration::zero()}, false},
                    SettingsCase{"NegativeTimeout", {{10, 100, 50}, Duration::nanos(-1)}, false}),
    [](const testing::TestParamInfo<SettingsCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace fabsim::orderer
