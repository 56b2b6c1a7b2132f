// Each chaincode kind declares its functions (model/chaincode/chaincode.h, FunctionSpec): the
// declaration is what a scenario is checked against at load and what docs/chaincodes.md
// lists, so it must be exactly what invoke() accepts.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/chaincode/chaincode_stub.h"
#include "model/chaincode/registry.h"
#include "model/chaincode/tx_simulator.h"
#include "tests/model/chaincode_test_util.h"

namespace fabsim::chaincode {
namespace {

// Calls `function` with `n` arguments ("0", "1", ...) on a fresh empty state.
ChaincodeResponse call(const std::string& kind, const std::string& function, size_t n) {
  const ledger::InMemoryState state;
  auto cc = ChaincodeRegistry::builtin().make(kind);
  EXPECT_TRUE(cc.is_ok());
  std::vector<std::string> args;
  for (size_t i = 0; i < n; ++i) args.push_back(std::to_string(i));
  return testing::invoke(**cc, state, "cc", function, args).response;
}

// A wrong-count message of each kind's own wording.
bool is_arity_error(const ChaincodeResponse& r) {
  const std::string& m = r.message;
  return !r.ok() && (m.find("expects") != std::string::npos || m.find("Incorrect number of params") != std::string::npos ||
                     m.find("argument") != std::string::npos);
}

TEST(ChaincodeFunctions, EveryKindDeclaresFunctions) {
  for (const std::string& kind : ChaincodeRegistry::builtin().kinds()) {
    auto f = ChaincodeRegistry::builtin().functions(kind);
    ASSERT_TRUE(f.is_ok()) << kind;
    EXPECT_FALSE(f->empty()) << kind;
    for (const FunctionSpec& s : *f) {
      EXPECT_FALSE(s.effect.empty()) << kind << " " << s.name;
      EXPECT_FALSE(s.failures.empty()) << kind << " " << s.name;
    }
  }
}

TEST(ChaincodeFunctions, ADeclaredFunctionRefusesOnlyTheArgumentCountsItDoesNotAccept) {
  for (const std::string& kind : ChaincodeRegistry::builtin().kinds()) {
    const std::vector<FunctionSpec> specs = ChaincodeRegistry::builtin().functions(kind).value();
    for (const FunctionSpec& s : specs) {
      for (size_t n = 0; n <= s.args.size() + 1; ++n) {
        const ChaincodeResponse r = call(kind, s.name, n);
        if (s.accepts(n))
          EXPECT_FALSE(is_arity_error(r)) << kind << " " << s.signature() << " with " << n << ": " << r.message;
        else
          EXPECT_TRUE(is_arity_error(r)) << kind << " " << s.signature() << " with " << n << ": " << r.message;
      }
    }
  }
}

TEST(ChaincodeFunctions, AnUndeclaredFunctionIsAnError) {
  for (const std::string& kind : ChaincodeRegistry::builtin().kinds()) {
    const ChaincodeResponse r = call(kind, "no_such_function", 1);
    EXPECT_FALSE(r.ok()) << kind;
  }
}

TEST(ChaincodeFunctions, SignaturesShowOptionalAndRepeatedArguments) {
  EXPECT_EQ((FunctionSpec{"range", {"start", "end", "limit"}, 1, false, "", ""}.signature()), "range(start, end[, limit])");
  EXPECT_EQ((FunctionSpec{"multi", {"op"}, 0, true, "", ""}.signature()), "multi(op...)");
  EXPECT_EQ((FunctionSpec{"InitLedger", {}, 0, false, "", ""}.signature()), "InitLedger()");
  EXPECT_EQ((FunctionSpec{"f", {"a", "b", "c"}, 2, false, "", ""}.signature()), "f(a[, b[, c]])");
}

// docs/chaincodes.md lists every kind and every function with its signature.
TEST(ChaincodeFunctions, TheDocsListEveryKindAndFunction) {
  std::ifstream in(std::string(FABSIM_SOURCE_DIR) + "/docs/chaincodes.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  ASSERT_FALSE(doc.empty());
  for (const std::string& kind : ChaincodeRegistry::builtin().kinds()) {
    EXPECT_NE(doc.find("## " + kind), std::string::npos) << kind;
    const std::vector<FunctionSpec> specs = ChaincodeRegistry::builtin().functions(kind).value();
    for (const FunctionSpec& s : specs)
      EXPECT_NE(doc.find("`" + s.signature() + "`"), std::string::npos) << kind << " " << s.signature();
  }
}

}  // namespace
}  // namespace fabsim::chaincode
