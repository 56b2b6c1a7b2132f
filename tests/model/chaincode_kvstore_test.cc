// kvstore: each function's response and rwset shape, the `multi` script language, and
// its parse errors (a clear 500 response that touches no state).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "model/chaincode/kvstore.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

using testing::expect_kv_eq;
using testing::invoke;

ledger::InMemoryState kv_state() {
  ledger::InMemoryState s;
  s.put("kv", "a", "1", {5, 0});
  s.put("kv", "b", "2", {5, 1});
  s.put("kv", "c", "3", {6, 0});
  s.put("kv", "d:x", "4", {6, 1});
  return s;
}

struct ShapeCase {
  std::string name;
  friend void PrintTo(const ShapeCase& c, std::ostream* os) { *os << c.name; }
  std::string function;
  std::vector<std::string> args;
  std::string payload;
  std::string expected_kv;  // text-format KVRWSet of namespace "kv"
};

class KvstoreShape : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(KvstoreShape, ResponseAndRwset) {
  const ShapeCase& c = GetParam();
  ledger::InMemoryState state = kv_state();
  KvstoreChaincode cc;
  auto out = invoke(cc, state, "kv", c.function, c.args);
  EXPECT_EQ(out.response.status, kStatusOk) << out.response.message;
  EXPECT_EQ(out.response.payload, c.payload);
  expect_kv_eq(out.kv, c.expected_kv);
}

const ShapeCase kShapeCases[] = {
    {"GetReadsKey", "get", {"b"}, "2", R"(reads { key: "b" version { block_num: 5 tx_num: 1 } })"},
    {"GetOfAbsentKeyIsEmptyAndUnversioned", "get", {"zz"}, "", R"(reads { key: "zz" })"},
    {"PutIsBlindWrite", "put", {"n", "v"}, "", R"(writes { key: "n" value: "v" })"},
    {"PutOfEmptyValueDeletes", "put", {"a", ""}, "", R"(writes { key: "a" is_delete: true })"},
    {"DelIsDeleteWrite", "del", {"a"}, "", R"(writes { key: "a" is_delete: true })"},
    {"RangeToEnd", "range", {"a", "c"}, "a=1\nb=2\n",
     R"(range_queries_info { start_key: "a" end_key: "c" itr_exhausted: true
          raw_reads { kv_reads { key: "a" version { block_num: 5 } }
                      kv_reads { key: "b" version { block_num: 5 tx_num: 1 } } } })"},
    {"RangeWithLimitStillRecordsPeerPrefetch", "range", {"a", "", "1"}, "a=1\n",
     R"(range_queries_info { start_key: "a" itr_exhausted: true
          raw_reads { kv_reads { key: "a" version { block_num: 5 } }
                      kv_reads { key: "b" version { block_num: 5 tx_num: 1 } }
                      kv_reads { key: "c" version { block_num: 6 } }
                      kv_reads { key: "d:x" version { block_num: 6 tx_num: 1 } } } })"},
    {"MultiScriptsExactShape", "multi",
     {"get:k1", "put:k2=v", "del:k3", "range:a:c:5", "get:a", "put:k2=w"},
     "\na=1\nb=2\n1\n",
     R"(reads { key: "a" version { block_num: 5 } }
        reads { key: "k1" }
        range_queries_info { start_key: "a" end_key: "c" itr_exhausted: true
          raw_reads { kv_reads { key: "a" version { block_num: 5 } }
                      kv_reads { key: "b" version { block_num: 5 tx_num: 1 } } } }
        writes { key: "k2" value: "w" }
        writes { key: "k3" is_delete: true })"},
    {"MultiPercentDecodesFields", "multi", {"get:d%3Ax", "put:k%3D1=v%25", "range:d%3A:d%3Az"},
     "4\nd:x=4\n",
     R"(reads { key: "d:x" version { block_num: 6 tx_num: 1 } }
        range_queries_info { start_key: "d:" end_key: "d:z" itr_exhausted: true
          raw_reads { kv_reads { key: "d:x" version { block_num: 6 tx_num: 1 } } } }
        writes { key: "k=1" value: "v%" })"},
    {"MultiRangeWithEmptyStart", "multi", {"range::b"}, "a=1\n",
     R"(range_queries_info { start_key: "\001" end_key: "b" itr_exhausted: true
          raw_reads { kv_reads { key: "a" version { block_num: 5 } } } })"},
    {"MultiEmptyScriptDoesNothing", "multi", {}, "", ""},
};

INSTANTIATE_TEST_SUITE_P(Kvstore, KvstoreShape, ::testing::ValuesIn(kShapeCases),
                         [](const auto& info) { return info.param.name; });

struct ErrorCase {
  std::string name;
  friend void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }
  std::string function;
  std::vector<std::string> args;
  std::string message;  // the exact error message
};

class KvstoreError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(KvstoreError, GivesClearErrorAndTouchesNoState) {
  const ErrorCase& c = GetParam();
  ledger::InMemoryState state = kv_state();
  KvstoreChaincode cc;
  auto out = invoke(cc, state, "kv", c.function, c.args);
  EXPECT_EQ(out.response.status, kStatusError);
  EXPECT_EQ(out.response.message, c.message);
  EXPECT_TRUE(out.response.payload.empty());
  EXPECT_EQ(out.rwset.ns_rwset_size(), 0) << "a rejected script must not touch state";
}

const ErrorCase kErrorCases[] = {
    {"UnknownFunction", "frob", {}, "kvstore: unknown function 'frob' (expected get, put, del, range or multi)"},
    {"GetArgCount", "get", {}, "kvstore: get expects 1 args, got 0"},
    {"PutArgCount", "put", {"k"}, "kvstore: put expects 2 args, got 1"},
    {"RangeArgCount", "range", {"a"}, "kvstore: range expects 2 or 3 args, got 1"},
    {"RangeBadLimit", "range", {"a", "b", "x"}, "kvstore: range: range limit 'x' is not a non-negative integer"},
    {"PutEmptyKey", "put", {"", "v"}, "kvstore: key must not be an empty string"},
    {"MultiMissingColon", "multi", {"get:a", "getb"},
     "kvstore: multi: op 1 \"getb\": expected OP:ARGS with OP one of get, put, del, range"},
    {"MultiUnknownOp", "multi", {"inc:a"},
     "kvstore: multi: op 0 \"inc:a\": unknown operation 'inc' (expected get, put, del or range)"},
    {"MultiPutWithoutEquals", "multi", {"put:k"},
     "kvstore: multi: op 0 \"put:k\": put needs exactly one '=': put:KEY=VALUE"},
    {"MultiPutWithTwoEquals", "multi", {"put:k=v=w"},
     "kvstore: multi: op 0 \"put:k=v=w\": put needs exactly one '=': put:KEY=VALUE"},
    {"MultiRangeFieldCount", "multi", {"range:a"},
     "kvstore: multi: op 0 \"range:a\": range needs range:START:END or range:START:END:LIMIT"},
    {"MultiRangeTooManyFields", "multi", {"range:a:b:1:2"},
     "kvstore: multi: op 0 \"range:a:b:1:2\": range needs range:START:END or range:START:END:LIMIT"},
    {"MultiRangeNegativeLimit", "multi", {"range:a:b:-1"},
     "kvstore: multi: op 0 \"range:a:b:-1\": range limit '-1' is not a non-negative integer"},
    {"MultiBadPercentEscape", "multi", {"get:a%4"},
     "kvstore: multi: op 0 \"get:a%4\": '%' at offset 1 needs two hex digits"},
    {"MultiBadPercentHex", "multi", {"put:k=%zz"},
     "kvstore: multi: op 0 \"put:k=%zz\": '%' at offset 0 needs two hex digits"},
    {"MultiParseErrorLateInScriptRunsNothing", "multi", {"put:a=1", "get:b", "bogus"},
     "kvstore: multi: op 2 \"bogus\": expected OP:ARGS with OP one of get, put, del, range"},
};

INSTANTIATE_TEST_SUITE_P(Kvstore, KvstoreError, ::testing::ValuesIn(kErrorCases),
                         [](const auto& info) { return info.param.name; });

TEST(KvstoreMulti, RuntimeFailureNamesTheOperation) {
  ledger::InMemoryState state = kv_state();
  KvstoreChaincode cc;
  auto out = invoke(cc, state, "kv", "multi", {"put:a=1", "put:=v"});
  EXPECT_EQ(out.response.status, kStatusError);
  EXPECT_EQ(out.response.message, "kvstore: multi: op 1 \"put:=v\" failed: key must not be an empty string");
}

TEST(KvstoreMulti, ParsesOperations) {
  auto op = parse_kv_op("range:a%3Ab:c:7");
  ASSERT_TRUE(op.is_ok());
  EXPECT_EQ(op->kind, KvOp::Kind::kRange);
  EXPECT_EQ(op->start_key, "a:b");
  EXPECT_EQ(op->end_key, "c");
  EXPECT_EQ(op->limit, 7u);
  auto put = parse_kv_op("put:k=");
  ASSERT_TRUE(put.is_ok());
  EXPECT_EQ(put->kind, KvOp::Kind::kPut);
  EXPECT_EQ(put->value, "");  // an empty value: a delete once run
}

TEST(Kvstore, InitSucceedsWithoutTouchingState) {
  ledger::InMemoryState state;
  TxSimulator sim(state);
  ChaincodeStub stub(sim, "kv");
  KvstoreChaincode cc;
  EXPECT_EQ(cc.init(stub, {}).status, kStatusOk);
  EXPECT_EQ(stub.work_units(), 0u);
}

}  // namespace
}  // namespace fabsim::chaincode
