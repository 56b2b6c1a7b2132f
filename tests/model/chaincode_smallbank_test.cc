// smallbank: each function's rwset shape (which keys it reads and writes), its effect on
// balances, and its error responses.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "model/chaincode/smallbank.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

using testing::invoke;
using testing::read_keys;
using testing::write_keys;

using Keys = std::vector<std::string>;

// Customers 1 (checking 100, savings 50) and 2 (checking 20, savings 5).
ledger::InMemoryState bank() {
  ledger::InMemoryState s;
  s.put("sb", "checking_1", "100", {1, 0});
  s.put("sb", "saving_1", "50", {1, 0});
  s.put("sb", "checking_2", "20", {1, 1});
  s.put("sb", "saving_2", "5", {1, 1});
  return s;
}

// The value written to `key`, or "<none>".
std::string written(const kvrwset::KVRWSet& kv, const std::string& key) {
  for (const auto& w : kv.writes()) {
    if (w.key() == key) return w.is_delete() ? "<deleted>" : w.value();
  }
  return "<none>";
}

struct ShapeCase {
  std::string name;
  friend void PrintTo(const ShapeCase& c, std::ostream* os) { *os << c.name; }
  std::string function;
  std::vector<std::string> args;
  Keys reads;
  Keys writes;
  std::vector<std::pair<std::string, std::string>> written_values;
  std::string payload;
};

class SmallbankShape : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(SmallbankShape, ReadsWritesAndBalances) {
  const ShapeCase& c = GetParam();
  ledger::InMemoryState state = bank();
  SmallbankChaincode cc;
  auto out = invoke(cc, state, "sb", c.function, c.args);
  ASSERT_EQ(out.response.status, kStatusOk) << out.response.message;
  EXPECT_EQ(out.response.payload, c.payload);
  EXPECT_EQ(read_keys(out.kv), c.reads);
  EXPECT_EQ(write_keys(out.kv), c.writes);
  EXPECT_EQ(out.kv.range_queries_info_size(), 0);
  for (const auto& [key, value] : c.written_values) EXPECT_EQ(written(out.kv, key), value) << key;
  for (const auto& r : out.kv.reads()) EXPECT_TRUE(r.has_version()) << r.key();
}

const ShapeCase kShapeCases[] = {
    {"CreateAccountWritesBothBalancesBlind", "create_account", {"9", "70", "30"}, {},
     {"checking_9", "saving_9"}, {{"checking_9", "70"}, {"saving_9", "30"}}, ""},
    {"DepositCheckingReadsAndWritesChecking", "deposit_checking", {"1", "25"}, {"checking_1"},
     {"checking_1"}, {{"checking_1", "125"}}, ""},
    {"TransactSavingsReadsAndWritesSavings", "transact_savings", {"1", "-20"}, {"saving_1"},
     {"saving_1"}, {{"saving_1", "30"}}, ""},
    {"SendPaymentReadsBothCheckingAndWritesBoth", "send_payment", {"1", "2", "30"},
     {"checking_1", "checking_2"}, {"checking_1", "checking_2"}, {{"checking_1", "70"}, {"checking_2", "50"}}, ""},
    {"TransferIsSendPayment", "transfer", {"2", "1", "20"}, {"checking_1", "checking_2"},
     {"checking_1", "checking_2"}, {{"checking_1", "120"}, {"checking_2", "0"}}, ""},
    {"WriteCheckReadsBothBalancesWritesChecking", "write_check", {"1", "120"}, {"checking_1", "saving_1"},
     {"checking_1"}, {{"checking_1", "-20"}}, ""},
    {"WriteCheckOverdraftCostsOneMore", "write_check", {"2", "30"}, {"checking_2", "saving_2"},
     {"checking_2"}, {{"checking_2", "-11"}}, ""},
    {"AmalgamateMovesAllOfFromIntoToChecking", "amalgamate", {"1", "2"},
     {"checking_1", "checking_2", "saving_1"}, {"checking_1", "checking_2", "saving_1"},
     {{"checking_1", "0"}, {"saving_1", "0"}, {"checking_2", "170"}}, ""},
    {"BalanceReadsBothAndWritesNothing", "balance", {"1"}, {"checking_1", "saving_1"}, {}, {}, "150"},
    {"QueryIsBalance", "query", {"2"}, {"checking_2", "saving_2"}, {}, {}, "25"},
};

INSTANTIATE_TEST_SUITE_P(Smallbank, SmallbankShape, ::testing::ValuesIn(kShapeCases),
                         [](const auto& info) { return info.param.name; });

struct ErrorCase {
  std::string name;
  friend void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }
  std::string function;
  std::vector<std::string> args;
  std::string message;
  Keys reads;  // what was read before the failing check
};

class SmallbankError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SmallbankError, RespondsWithErrorAndWritesNothing) {
  const ErrorCase& c = GetParam();
  ledger::InMemoryState state = bank();
  SmallbankChaincode cc;
  auto out = invoke(cc, state, "sb", c.function, c.args);
  EXPECT_EQ(out.response.status, kStatusError);
  EXPECT_EQ(out.response.message, c.message);
  EXPECT_EQ(read_keys(out.kv), c.reads);
  EXPECT_TRUE(write_keys(out.kv).empty());
}

const ErrorCase kErrorCases[] = {
    {"UnknownFunction", "rob", {"1"},
     "smallbank: unknown function 'rob' (expected one of amalgamate, balance, create_account, deposit_checking, "
     "query, send_payment, transact_savings, transfer, write_check)",
     {}},
    {"WrongArgCount", "send_payment", {"1", "2"}, "smallbank: send_payment expects 3 args, got 2", {}},
    {"AmountNotInteger", "deposit_checking", {"1", "ten"}, "smallbank: amount 'ten' is not a decimal integer", {}},
    {"NegativeDeposit", "deposit_checking", {"1", "-5"}, "smallbank: amount must not be negative, got -5", {}},
    {"NegativeInitialBalance", "create_account", {"9", "-1", "0"},
     "smallbank: checking must not be negative, got -1", {}},
    {"UnknownAccount", "deposit_checking", {"7", "5"}, "smallbank: account 7 not found", {"checking_7"}},
    {"SendPaymentInsufficientFunds", "send_payment", {"2", "1", "21"},
     "smallbank: insufficient funds in checking of account 2", {"checking_1", "checking_2"}},
    {"SendPaymentToUnknownAccount", "send_payment", {"1", "7", "1"}, "smallbank: account 7 not found",
     {"checking_1", "checking_7"}},
    {"SendPaymentToSelf", "send_payment", {"1", "1", "1"},
     "smallbank: source and destination accounts must differ", {}},
    {"TransactSavingsBelowZero", "transact_savings", {"2", "-6"},
     "smallbank: insufficient funds in savings of account 2", {"saving_2"}},
    {"AmalgamateWithSelf", "amalgamate", {"2", "2"}, "smallbank: source and destination accounts must differ", {}},
    {"DepositOverflow", "deposit_checking", {"1", "9223372036854775800"}, "smallbank: balance overflows int64",
     {"checking_1"}},
};

INSTANTIATE_TEST_SUITE_P(Smallbank, SmallbankError, ::testing::ValuesIn(kErrorCases),
                         [](const auto& info) { return info.param.name; });

TEST(Smallbank, CorruptStoredBalanceIsAnError) {
  ledger::InMemoryState state = bank();
  state.put("sb", "checking_3", "12abc", {2, 0});
  SmallbankChaincode cc;
  auto out = invoke(cc, state, "sb", "balance", {"3"});
  EXPECT_EQ(out.response.status, kStatusError);
  EXPECT_EQ(out.response.message, "smallbank: stored balance of checking_3 is not a decimal integer");
}

TEST(Smallbank, ConflictingPaymentsReadTheSameVersions) {
  // Two payments from account 1 simulated against the same state read the same version
  // of checking_1 — the MVCC conflict the benchmark is built to provoke.
  ledger::InMemoryState state = bank();
  SmallbankChaincode cc;
  auto a = invoke(cc, state, "sb", "send_payment", {"1", "2", "10"});
  auto b = invoke(cc, state, "sb", "write_check", {"1", "5"});
  ASSERT_EQ(a.kv.reads(0).key(), "checking_1");
  ASSERT_EQ(b.kv.reads(0).key(), "checking_1");
  EXPECT_EQ(a.kv.reads(0).version().block_num(), 1u);
  EXPECT_EQ(a.kv.reads(0).SerializeAsString(), b.kv.reads(0).SerializeAsString());
}

}  // namespace
}  // namespace fabsim::chaincode
