// asset: the JSON codec's Go compatibility, and each contract function's response and
// rwset shape (fabric-samples asset-transfer-basic/chaincode-go).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "model/chaincode/asset.h"
#include "model/chaincode/asset_json.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

using testing::expect_kv_eq;
using testing::invoke;
using testing::read_keys;
using testing::write_keys;

// ---- JSON ----

TEST(AssetJson, WritesGoEncodingJsonBytes) {
  const Asset a{300, "blue", "asset1", "Tomoko", 5};
  EXPECT_EQ(asset_to_json(a), R"({"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5})");
  const Asset neg{-7, "", "x", "", 0};
  EXPECT_EQ(asset_to_json(neg), R"({"AppraisedValue":-7,"Color":"","ID":"x","Owner":"","Size":0})");
}

struct QuoteCase {
  std::string name;
  friend void PrintTo(const QuoteCase& c, std::ostream* os) { *os << c.name; }
  std::string input;
  std::string json;
};

class JsonQuote : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(JsonQuote, EscapesLikeGo) { EXPECT_EQ(json_quote(GetParam().input), GetParam().json); }

const QuoteCase kQuoteCases[] = {
    {"Plain", "Jin Soo", R"("Jin Soo")"},
    {"QuoteAndBackslash", "a\"b\\c", R"("a\"b\\c")"},
    {"ShortEscapes", "\n\r\t", R"("\n\r\t")"},
    {"OtherControlBytesAsUnicode", std::string("\x01\x1f\b\f", 4), R"("\u0001\u001f\u0008\u000c")"},
    {"NulByte", std::string("a\0b", 3), R"("a\u0000b")"},
    {"HtmlCharactersEscaped", "<a&b>", R"("\u003ca\u0026b\u003e")"},
    {"Utf8PassesThrough", "Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80", "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80\""},
    {"LineSeparatorsEscaped", "\xe2\x80\xa8\xe2\x80\xa9", R"("\u2028\u2029")"},
    {"InvalidUtf8ByteReplaced", "a\xff" "b", R"("a\ufffdb")"},
    {"TruncatedSequenceReplaced", "\xe2\x82", R"("\ufffd\ufffd")"},
    {"OverlongEncodingReplaced", "\xc0\xaf", R"("\ufffd\ufffd")"},
    {"SurrogateCodePointReplaced", "\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
};

INSTANTIATE_TEST_SUITE_P(AssetJson, JsonQuote, ::testing::ValuesIn(kQuoteCases),
                         [](const auto& info) { return info.param.name; });

TEST(AssetJson, RoundTripsEveryInitLedgerAsset) {
  for (const Asset& a : asset_init_ledger_assets()) {
    auto back = asset_from_json(asset_to_json(a));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, a);
  }
}

TEST(AssetJson, ReadsLikeGoUnmarshal) {
  // Case-insensitive keys, whitespace, unknown keys of any type, escapes, null, last wins.
  auto a = asset_from_json(R"( { "id" : "x\u00e9\ud83d\ude00", "SIZE": 3, "extra": {"n": [1, 2.5, true, null]},
                                  "color": null, "Owner": "a\"b\/c", "appraisedvalue": -4, "Size": 9 } )");
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->id, "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(a->size, 9);
  EXPECT_EQ(a->color, "");
  EXPECT_EQ(a->owner, "a\"b/c");
  EXPECT_EQ(a->appraised_value, -4);
}

TEST(AssetJson, RejectsMalformedInput) {
  for (const char* bad : {"", "[]", R"({"Size": 1.5})", R"({"Size": "5"})", R"({"ID": 5})", R"({"ID": "x")",
                          R"({"ID": "x"} trailing)", R"({"ID" "x"})", R"({"Size": 99999999999999999999})",
                          R"({"ID": "\q"})"}) {
    EXPECT_FALSE(asset_from_json(bad).is_ok()) << bad;
  }
}

// ---- Contract functions ----

ledger::InMemoryState ledger_with_two_assets() {
  ledger::InMemoryState s;
  s.put("basic", "asset1", asset_to_json({300, "blue", "asset1", "Tomoko", 5}), {2, 0});
  s.put("basic", "asset2", asset_to_json({400, "red", "asset2", "Brad", 5}), {2, 1});
  return s;
}

TEST(AssetChaincode, InitLedgerWritesSixAssets) {
  ledger::InMemoryState state;
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "InitLedger", {});
  ASSERT_EQ(out.response.status, kStatusOk) << out.response.message;
  EXPECT_TRUE(read_keys(out.kv).empty());
  EXPECT_EQ(write_keys(out.kv),
            (std::vector<std::string>{"asset1", "asset2", "asset3", "asset4", "asset5", "asset6"}));
  EXPECT_EQ(out.kv.writes(2).value(),
            R"({"AppraisedValue":500,"Color":"green","ID":"asset3","Owner":"Jin Soo","Size":10})");
}

TEST(AssetChaincode, CreateAssetReadsAbsentKeyThenWrites) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "CreateAsset", {"asset9", "pink", "3", "Ana", "90"});
  ASSERT_EQ(out.response.status, kStatusOk) << out.response.message;
  expect_kv_eq(out.kv, R"(reads { key: "asset9" }
      writes { key: "asset9"
               value: "{\"AppraisedValue\":90,\"Color\":\"pink\",\"ID\":\"asset9\",\"Owner\":\"Ana\",\"Size\":3}" })");
}

TEST(AssetChaincode, ReadAssetReturnsJsonAndReadsKey) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "ReadAsset", {"asset2"});
  ASSERT_EQ(out.response.status, kStatusOk);
  EXPECT_EQ(out.response.payload, R"({"AppraisedValue":400,"Color":"red","ID":"asset2","Owner":"Brad","Size":5})");
  expect_kv_eq(out.kv, R"(reads { key: "asset2" version { block_num: 2 tx_num: 1 } })");
}

TEST(AssetChaincode, UpdateAssetReadsThenOverwrites) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "UpdateAsset", {"asset1", "blue", "6", "Tomoko", "350"});
  ASSERT_EQ(out.response.status, kStatusOk) << out.response.message;
  EXPECT_EQ(read_keys(out.kv), (std::vector<std::string>{"asset1"}));
  ASSERT_EQ(out.kv.writes_size(), 1);
  EXPECT_EQ(out.kv.writes(0).value(),
            R"({"AppraisedValue":350,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":6})");
}

TEST(AssetChaincode, DeleteAssetReadsThenDeletes) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "DeleteAsset", {"asset1"});
  ASSERT_EQ(out.response.status, kStatusOk);
  expect_kv_eq(out.kv, R"(reads { key: "asset1" version { block_num: 2 } }
                          writes { key: "asset1" is_delete: true })");
}

TEST(AssetChaincode, AssetExistsReportsBothWays) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  EXPECT_EQ(invoke(cc, state, "basic", "AssetExists", {"asset1"}).response.payload, "true");
  auto absent = invoke(cc, state, "basic", "AssetExists", {"asset7"});
  EXPECT_EQ(absent.response.payload, "false");
  expect_kv_eq(absent.kv, R"(reads { key: "asset7" })");
}

TEST(AssetChaincode, TransferAssetReturnsOldOwnerAndRewritesAsset) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "TransferAsset", {"asset1", "Christopher"});
  ASSERT_EQ(out.response.status, kStatusOk);
  EXPECT_EQ(out.response.payload, "Tomoko");
  EXPECT_EQ(read_keys(out.kv), (std::vector<std::string>{"asset1"}));
  EXPECT_EQ(out.kv.writes(0).value(),
            R"({"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Christopher","Size":5})");
}

TEST(AssetChaincode, GetAllAssetsIsOneOpenRangeQuery) {
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "GetAllAssets", {});
  ASSERT_EQ(out.response.status, kStatusOk);
  EXPECT_EQ(out.response.payload,
            R"([{"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5},)"
            R"({"AppraisedValue":400,"Color":"red","ID":"asset2","Owner":"Brad","Size":5}])");
  expect_kv_eq(out.kv, R"(range_queries_info { start_key: "\001" itr_exhausted: true
                            raw_reads { kv_reads { key: "asset1" version { block_num: 2 } }
                                        kv_reads { key: "asset2" version { block_num: 2 tx_num: 1 } } } })");
}

TEST(AssetChaincode, GetAllAssetsOnEmptyLedgerHasEmptyPayload) {
  ledger::InMemoryState state;
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "GetAllAssets", {});
  ASSERT_EQ(out.response.status, kStatusOk);
  EXPECT_EQ(out.response.payload, "");
  expect_kv_eq(out.kv, R"(range_queries_info { start_key: "\001" itr_exhausted: true })");
}

struct ErrorCase {
  std::string name;
  friend void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }
  std::string function;
  std::vector<std::string> args;
  std::string message;
};

class AssetError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AssetError, RespondsWithContractApiError) {
  const ErrorCase& c = GetParam();
  ledger::InMemoryState state = ledger_with_two_assets();
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", c.function, c.args);
  EXPECT_EQ(out.response.status, kStatusError);
  EXPECT_EQ(out.response.message, c.message);
  EXPECT_EQ(out.kv.writes_size(), 0);
}

const ErrorCase kErrorCases[] = {
    {"CreateExisting", "CreateAsset", {"asset1", "c", "1", "o", "1"}, "the asset asset1 already exists"},
    {"ReadMissing", "ReadAsset", {"asset7"}, "the asset asset7 does not exist"},
    {"UpdateMissing", "UpdateAsset", {"asset7", "c", "1", "o", "1"}, "the asset asset7 does not exist"},
    {"DeleteMissing", "DeleteAsset", {"asset7"}, "the asset asset7 does not exist"},
    {"TransferMissing", "TransferAsset", {"asset7", "x"}, "the asset asset7 does not exist"},
    {"SizeNotInt", "CreateAsset", {"a", "c", "big", "o", "1"},
     "Error managing parameter param2. Conversion error. Cannot convert passed value big to int"},
    {"ValueNotInt", "UpdateAsset", {"asset1", "c", "1", "o", "1.5"},
     "Error managing parameter param4. Conversion error. Cannot convert passed value 1.5 to int"},
    {"WrongArgCount", "ReadAsset", {}, "Incorrect number of params. Expected 1, received 0"},
    {"UnknownFunction", "Burn", {"asset1"}, "Function Burn not found in contract SmartContract"},
};

INSTANTIATE_TEST_SUITE_P(Asset, AssetError, ::testing::ValuesIn(kErrorCases),
                         [](const auto& info) { return info.param.name; });

TEST(AssetChaincode, CorruptStoredAssetIsAnError) {
  ledger::InMemoryState state;
  state.put("basic", "bad", "{not json", {1, 0});
  AssetChaincode cc;
  auto out = invoke(cc, state, "basic", "ReadAsset", {"bad"});
  EXPECT_EQ(out.response.status, kStatusError);
  EXPECT_NE(out.response.message.find("asset JSON"), std::string::npos) << out.response.message;
}

}  // namespace
}  // namespace fabsim::chaincode
