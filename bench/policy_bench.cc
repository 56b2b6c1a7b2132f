// BM_PolicyEval: evaluating a parsed and compiled endorsement policy against a signer set,
// as VSCC does for every transaction (signatures are taken as verified here; their cost is
// measured by the crypto benchmarks). Arg: number of organisations in the AND policy.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/assert.h"
#include "core/policy/policy_evaluator.h"
#include "core/policy/policy_parser.h"

namespace fabsim {
namespace {

void BM_PolicyEval(benchmark::State& state) {
  const int orgs = static_cast<int>(state.range(0));
  std::string text = "AND(";
  std::vector<PolicySigner> signers;
  for (int i = 1; i <= orgs; ++i) {
    text += (i > 1 ? "," : "") + std::string("'Org") + std::to_string(i) + "MSP.peer'";
    // Signers in reverse order, so the greedy scan does some work.
    signers.insert(signers.begin(),
                   PolicySigner{PolicyIdentity::with_role("Org" + std::to_string(i) + "MSP", "peer0-org" + std::to_string(i),
                                                          MspRole::kPeer),
                                true});
  }
  text += ")";
  auto env = parse_signature_policy(text);
  FABSIM_ASSERT(env.is_ok());
  auto compiled = CompiledSignaturePolicy::compile(*env);
  FABSIM_ASSERT(compiled.is_ok());
  for (auto _ : state) {
    PolicyEvaluation e = compiled->evaluate(signers);
    FABSIM_ASSERT(e.satisfied);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PolicyEval)->Arg(2)->Arg(4)->Arg(8);

}  // namespace
}  // namespace fabsim
