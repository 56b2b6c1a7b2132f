// ChaincodeRegistry: chaincodes made by kind name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/chaincode/kvstore.h"
#include "model/chaincode/registry.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

TEST(ChaincodeRegistry, BuiltinHasTheShippedKindsSorted) {
  EXPECT_EQ(ChaincodeRegistry::builtin().kinds(), (std::vector<std::string>{"asset", "kvstore", "smallbank"}));
}

TEST(ChaincodeRegistry, MakesWorkingInstancesByKind) {
  ChaincodeRegistry r = ChaincodeRegistry::builtin();
  ledger::InMemoryState state;
  state.put("kv", "k", "v", {1, 0});
  auto kv = r.make("kvstore");
  ASSERT_TRUE(kv.is_ok());
  EXPECT_EQ(testing::invoke(**kv, state, "kv", "get", {"k"}).response.payload, "v");
  auto sb = r.make("smallbank");
  ASSERT_TRUE(sb.is_ok());
  EXPECT_EQ(testing::invoke(**sb, state, "sb", "balance", {"1"}).response.message, "smallbank: account 1 not found");
  auto asset = r.make("asset");
  ASSERT_TRUE(asset.is_ok());
  EXPECT_EQ(testing::invoke(**asset, state, "basic", "AssetExists", {"a"}).response.payload, "false");
}

TEST(ChaincodeRegistry, UnknownKindListsKnownKinds) {
  auto r = ChaincodeRegistry::builtin().make("marbles");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "unknown chaincode kind 'marbles' (known kinds: asset, kvstore, smallbank)");
}

TEST(ChaincodeRegistry, AddRejectsDuplicatesAndEmpties) {
  ChaincodeRegistry r = ChaincodeRegistry::builtin();
  EXPECT_EQ(r.add("kvstore", [] { return std::make_unique<KvstoreChaincode>(); }).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(r.add("", [] { return std::make_unique<KvstoreChaincode>(); }).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.add("mine", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(r.add("kv2", [] { return std::make_unique<KvstoreChaincode>(); }).is_ok());
  EXPECT_TRUE(r.contains("kv2"));
  EXPECT_TRUE(r.make("kv2").is_ok());
}

}  // namespace
}  // namespace fabsim::chaincode
