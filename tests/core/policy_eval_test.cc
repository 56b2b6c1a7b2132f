// The signature policy evaluator and implicit meta policies (core/policy/policy_evaluator.h,
// core/policy/implicit_meta.h) against fabric-semantics.md sections 4.2-4.4 and 4.6. One case
// per rule, named after the rule; then the evaluator is checked against a naive transcription
// of Fabric's algorithm (copies of the used flags) on generated policies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/policy/implicit_meta.h"
#include "core/policy/policy.h"
#include "core/policy/policy_evaluator.h"
#include "core/policy/policy_parser.h"

namespace fabsim {
namespace {

PolicySigner Sig(std::string msp, std::string cert, MspRole role, bool signature_valid = true) {
  return PolicySigner{PolicyIdentity::with_role(std::move(msp), std::move(cert), role), signature_valid};
}
PolicySigner Peer(std::string msp, std::string cert) {
  return Sig(std::move(msp), std::move(cert), MspRole::kPeer);
}
PolicySigner Admin(std::string msp, std::string cert) {
  return Sig(std::move(msp), std::move(cert), MspRole::kAdmin);
}

CompiledSignaturePolicy compile_text(const std::string& text) {
  Result<SignaturePolicyEnvelope> env = parse_signature_policy(text);
  EXPECT_TRUE(env.is_ok()) << text << ": " << env.status().to_string();
  Result<CompiledSignaturePolicy> compiled = CompiledSignaturePolicy::compile(std::move(*env));
  EXPECT_TRUE(compiled.is_ok()) << compiled.status().to_string();
  return std::move(*compiled);
}

struct EvalCase {
  const char* name;
  std::string policy;
  std::vector<PolicySigner> signers;
  bool satisfied;
  std::vector<PrincipalFill> fills;  // {principal index, signer index}, in rule order
};

std::vector<EvalCase> eval_cases() {
  using R = MspRole;
  return {
      // Principal matching (4.4).
      {"member_satisfied_by_peer", "OR('Org1.member')", {Peer("Org1", "p0")}, true, {{0, 0}}},
      {"member_satisfied_by_admin", "OR('Org1.member')", {Admin("Org1", "a0")}, true, {{0, 0}}},
      {"member_satisfied_by_client", "OR('Org1.member')", {Sig("Org1", "u0", R::kClient)}, true, {{0, 0}}},
      {"member_satisfied_by_plain_member",
       "OR('Org1.member')",
       {Sig("Org1", "m0", R::kMember)},
       true,
       {{0, 0}}},
      {"admin_needs_admin_role", "OR('Org1.admin')", {Peer("Org1", "p0")}, false, {}},
      {"admin_satisfied_by_admin",
       "OR('Org1.admin')",
       {Peer("Org1", "p0"), Admin("Org1", "a0")},
       true,
       {{0, 1}}},
      {"peer_does_not_satisfy_client", "OR('Org1.client')", {Peer("Org1", "p0")}, false, {}},
      {"client_does_not_satisfy_peer", "OR('Org1.peer')", {Sig("Org1", "u0", R::kClient)}, false, {}},
      {"admin_does_not_satisfy_peer", "OR('Org1.peer')", {Admin("Org1", "a0")}, false, {}},
      {"orderer_needs_orderer_role",
       "OR('Org1.orderer')",
       {Peer("Org1", "p0"), Sig("Org1", "o0", R::kOrderer)},
       true,
       {{0, 1}}},
      {"msp_id_must_be_equal", "OR('Org1.member')", {Peer("Org2", "p0"), Peer("org1", "p1")}, false, {}},
      {"msp_id_with_dots",
       "OR('MSP.WITH.DOTS.peer')",
       {Peer("MSP.WITH", "p0"), Peer("MSP.WITH.DOTS", "p1")},
       true,
       {{0, 1}}},
      // Thresholds.
      {"threshold_zero_always_satisfied", "OutOf(0, 'A.member', 'B.member')", {}, true, {}},
      {"threshold_n_plus_one_never_satisfied",
       "OutOf(3, 'A.member', 'B.member')",
       {Peer("A", "a"), Peer("B", "b")},
       false,
       {{0, 0}, {1, 1}}},
      {"two_out_of_three",
       "OutOf(2, 'A.peer', 'B.peer', 'C.peer')",
       {Peer("C", "c"), Peer("A", "a")},
       true,
       {{0, 1}, {2, 0}}},
      // Greedy evaluation, no backtracking (4.3).
      {"greedy_admin_listed_before_peer_fails",
       "AND('Org1.member', 'Org1.admin')",
       {Admin("Org1", "a0"), Peer("Org1", "p0")},
       false,
       {{0, 0}}},
      {"greedy_peer_listed_before_admin_succeeds",
       "AND('Org1.member', 'Org1.admin')",
       {Peer("Org1", "p0"), Admin("Org1", "a0")},
       true,
       {{0, 0}, {1, 1}}},
      {"or_consumes_identity_per_successful_child_starving_sibling",
       "AND(OR('Org1.member', 'Org1.member'), 'Org1.member')",
       {Peer("Org1", "p0"), Peer("Org1", "p1")},
       false,
       {{0, 0}, {1, 1}}},
      {"rule_order_matters_sibling_first_succeeds",
       "AND('Org1.member', OR('Org1.member', 'Org1.member'))",
       {Peer("Org1", "p0"), Peer("Org1", "p1")},
       true,
       {{2, 0}, {0, 1}}},
      {"one_identity_never_fills_two_principals",
       "AND('Org1.member', 'Org1.member')",
       {Peer("Org1", "p0")},
       false,
       {{0, 0}}},
      {"failed_child_consumption_discarded",
       "OR(AND('Org1.peer', 'Org2.peer'), 'Org1.member')",
       {Peer("Org1", "p0")},
       true,
       {{2, 0}}},
      {"failed_root_keeps_successful_children_fills",
       "AND('Org1.peer', 'Org2.peer')",
       {Peer("Org1", "p0")},
       false,
       {{0, 0}}},
      {"every_child_evaluated_no_short_circuit",
       "OR('Org1.peer', 'Org1.peer')",
       {Peer("Org1", "p0"), Peer("Org1", "p1")},
       true,
       {{0, 0}, {1, 1}}},
      // Signer set (4.2).
      {"duplicate_signer_counted_once",
       "AND('Org1.member', 'Org1.member')",
       {Peer("Org1", "p0"), Peer("Org1", "p0")},
       false,
       {{0, 0}}},
      {"distinct_certificates_count_separately",
       "AND('Org1.member', 'Org1.member')",
       {Peer("Org1", "p0"), Peer("Org1", "p1")},
       true,
       {{0, 0}, {1, 1}}},
      {"same_certificate_name_in_other_msp_is_distinct",
       "AND('Org1.peer', 'Org2.peer')",
       {Peer("Org1", "x"), Peer("Org2", "x")},
       true,
       {{0, 0}, {1, 1}}},
      {"bad_signature_skipped", "OR('Org1.peer')", {Sig("Org1", "p0", R::kPeer, false)}, false, {}},
      {"bad_first_copy_then_good_copy_accepted",
       "OR('Org1.peer')",
       {Sig("Org1", "p0", R::kPeer, false), Peer("Org1", "p0")},
       true,
       {{0, 1}}},
      {"bad_signature_skipped_next_identity_used",
       "OR('Org1.peer')",
       {Sig("Org1", "p0", R::kPeer, false), Peer("Org1", "p1")},
       true,
       {{0, 1}}},
  };
}

TEST(PolicyEvaluator, FabricRules) {
  for (const EvalCase& c : eval_cases()) {
    SCOPED_TRACE(c.name);
    const CompiledSignaturePolicy policy = compile_text(c.policy);
    const PolicyEvaluation got = policy.evaluate(c.signers);
    EXPECT_EQ(got.satisfied, c.satisfied);
    EXPECT_EQ(got.fills, c.fills);
  }
}

TEST(PolicyEvaluator, SignerSetDispositions) {
  using D = SignerDisposition;
  const std::vector<PolicySigner> signers = {
      Sig("Org1", "p0", MspRole::kPeer, false),  // 0: bad, not remembered
      Peer("Org1", "p0"),                        // 1: accepted (the bad copy did not block it)
      Peer("Org1", "p0"),                        // 2: duplicate of 1
      Sig("Org1", "p0", MspRole::kPeer, false),  // 3: duplicate of 1, checked before the signature
      Peer("Org2", "p0"),                        // 4: another MSP, accepted
  };
  const SignerSet set = build_signer_set(signers);
  EXPECT_EQ(set.accepted, (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(set.disposition,
            (std::vector<D>{D::kBadSignature, D::kAccepted, D::kDuplicate, D::kDuplicate, D::kAccepted}));
  EXPECT_EQ(set.duplicate_of, (std::vector<uint32_t>{0, 1, 1, 1, 4}));
}

TEST(PolicyEvaluator, SignerSetWithManyAcceptedSigners) {
  // Enough distinct signers that the de-duplication switches from a linear search to an
  // index; duplicates before and after the switch are found alike.
  using D = SignerDisposition;
  std::vector<PolicySigner> signers;
  for (int i = 0; i < 20; ++i) signers.push_back(Peer("Org1", "p" + std::to_string(i)));
  signers.push_back(Peer("Org1", "p0"));                         // 20: duplicate of 0
  signers.push_back(Sig("Org1", "p15", MspRole::kPeer, false));  // 21: duplicate of 15
  signers.push_back(Sig("Org2", "p3", MspRole::kPeer, false));   // 22: bad, another MSP
  signers.push_back(Peer("Org2", "p3"));                         // 23: accepted
  signers.push_back(Peer("Org2", "p3"));                         // 24: duplicate of 23
  const SignerSet set = build_signer_set(signers);
  std::vector<uint32_t> accepted;
  for (uint32_t i = 0; i < 20; ++i) accepted.push_back(i);
  accepted.push_back(23);
  EXPECT_EQ(set.accepted, accepted);
  ASSERT_EQ(set.disposition.size(), signers.size());
  EXPECT_EQ(set.disposition[20], D::kDuplicate);
  EXPECT_EQ(set.disposition[21], D::kDuplicate);
  EXPECT_EQ(set.disposition[22], D::kBadSignature);
  EXPECT_EQ(set.disposition[24], D::kDuplicate);
  EXPECT_EQ(set.duplicate_of[20], 0u);
  EXPECT_EQ(set.duplicate_of[21], 15u);
  EXPECT_EQ(set.duplicate_of[22], 22u);
  EXPECT_EQ(set.duplicate_of[24], 23u);
}

TEST(PolicyEvaluator, IdentityKeyComparesMspAndIdSeparately) {
  // "Org1" + "MSPx" and "Org1MSP" + "x" concatenate alike but are different identities.
  const std::vector<PolicySigner> signers = {Peer("Org1", "MSPx"), Peer("Org1MSP", "x")};
  EXPECT_EQ(build_signer_set(signers).accepted.size(), 2u);
}

TEST(PolicyEvaluator, WithoutSignerSetRepeatedIdentitiesFillSeparatePrincipals) {
  const CompiledSignaturePolicy policy = compile_text("AND('Org1.member', 'Org1.member')");
  const PolicyIdentity p0 = PolicyIdentity::with_role("Org1", "p0", MspRole::kPeer);
  const std::vector<PolicyIdentity> identities = {p0, p0};
  const PolicyEvaluation direct = policy.evaluate_identities(identities);
  EXPECT_TRUE(direct.satisfied);
  EXPECT_EQ(direct.fills, (std::vector<PrincipalFill>{{0, 0}, {1, 1}}));
  const std::vector<PolicySigner> signers = {Peer("Org1", "p0"), Peer("Org1", "p0")};
  EXPECT_FALSE(policy.evaluate(signers).satisfied);
}

TEST(PolicyEvaluator, IdentityWithoutRoleBitsSatisfiesNothing) {
  // An identity that is not valid for its MSP carries no bits: not even a member.
  const CompiledSignaturePolicy policy = compile_text("OR('Org1.member')");
  const std::vector<PolicySigner> signers = {PolicySigner{PolicyIdentity{"Org1", "x", 0}, true}};
  EXPECT_FALSE(policy.evaluate(signers).satisfied);
}

TEST(PolicyEvaluator, FixedPolicies) {
  const std::vector<PolicySigner> none;
  const std::vector<PolicySigner> one = {Peer("Org1", "p0")};
  Result<CompiledSignaturePolicy> accept = CompiledSignaturePolicy::compile(accept_all_policy());
  Result<CompiledSignaturePolicy> reject = CompiledSignaturePolicy::compile(reject_all_policy());
  ASSERT_TRUE(accept.is_ok());
  ASSERT_TRUE(reject.is_ok());
  EXPECT_TRUE(accept->evaluate(none).satisfied);
  EXPECT_TRUE(accept->evaluate(one).satisfied);
  EXPECT_FALSE(reject->evaluate(none).satisfied);
  EXPECT_FALSE(reject->evaluate(one).satisfied);
}

struct CompileErrorCase {
  const char* name;
  SignaturePolicyEnvelope envelope;
  std::string message;
};

SignaturePolicy nest(size_t gates) {
  SignaturePolicy rule = signed_by(0);
  for (size_t i = 0; i < gates; ++i) {
    std::vector<SignaturePolicy> only;
    only.push_back(std::move(rule));  // an initializer list would copy the whole chain
    rule = and_of(std::move(only));
  }
  return rule;
}

TEST(PolicyEvaluator, CompileChecksIndicesAndDepth) {
  const std::vector<MspPrincipal> one = {MspPrincipal{"A", MspRole::kMember}};
  const std::vector<CompileErrorCase> cases = {
      {"signed_by_past_identities",
       {0, or_of({signed_by(0), signed_by(1)}), one},
       "identity index out of range, requested 1, but identities length is 1"},
      {"signed_by_negative",
       {0, signed_by(-1), one},
       "identity index out of range, requested -1, but identities length is 1"},
      {"signed_by_without_identities",
       {0, signed_by(0), {}},
       "identity index out of range, requested 0, but identities length is 0"},
      {"deeper_than_bound", {0, nest(kMaxRuleDepth), one}, "policy rule nested deeper than 1000 levels"},
  };
  for (const CompileErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<CompiledSignaturePolicy> got = CompiledSignaturePolicy::compile(c.envelope);
    ASSERT_FALSE(got.is_ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.message);
  }
  EXPECT_TRUE(CompiledSignaturePolicy::compile({0, nest(kMaxRuleDepth - 1), one}).is_ok());
}

// ---- The evaluator against a naive transcription of Fabric's compile() closures. ----

// Fabric's algorithm as written: each child of a gate gets a fresh copy of `used`, copied back
// on success. Returns the final flags through `used`.
bool naive_eval(const SignaturePolicyEnvelope& env, const SignaturePolicy& rule,
                const std::vector<PolicyIdentity>& ids, std::vector<bool>& used) {
  if (rule.type == SignaturePolicy::Type::kSignedBy) {
    const MspPrincipal& p = env.identities[static_cast<size_t>(rule.signed_by)];
    for (size_t i = 0; i < ids.size(); ++i) {
      if (used[i]) continue;
      if (ids[i].msp_id == p.msp_id && (ids[i].roles_mask & role_bit(p.role)) != 0) {
        used[i] = true;
        return true;
      }
    }
    return false;
  }
  int32_t verified = 0;
  for (const SignaturePolicy& child : rule.rules) {
    std::vector<bool> copy = used;
    if (naive_eval(env, child, ids, copy)) {
      ++verified;
      used = copy;
    }
  }
  return verified >= rule.n;
}

// A small deterministic generator (a 64-bit LCG), so the test needs no <random>.
struct Lcg {
  uint64_t state;
  uint32_t next(uint32_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>((state >> 33) % bound);
  }
};

SignaturePolicy random_rule(Lcg& g, std::vector<MspPrincipal>& principals, int depth) {
  if (depth >= 3 || g.next(3) == 0) {
    principals.push_back(MspPrincipal{std::string(1, static_cast<char>('A' + g.next(2))),
                                      static_cast<MspRole>(g.next(kMspRoleCount))});
    return signed_by(static_cast<int32_t>(principals.size() - 1));
  }
  const uint32_t children = 1 + g.next(3);
  std::vector<SignaturePolicy> rules;
  for (uint32_t k = 0; k < children; ++k) rules.push_back(random_rule(g, principals, depth + 1));
  return n_out_of(static_cast<int32_t>(g.next(children + 2)), std::move(rules));
}

TEST(PolicyEvaluator, MatchesNaiveFabricAlgorithm) {
  Lcg g{42};
  int satisfied = 0;
  constexpr int kRounds = 3000;
  for (int round = 0; round < kRounds; ++round) {
    SignaturePolicyEnvelope env;
    env.rule = random_rule(g, env.identities, 0);
    std::vector<PolicyIdentity> ids;
    const uint32_t id_count = g.next(6);
    for (uint32_t i = 0; i < id_count; ++i) {
      uint32_t mask = role_bit(MspRole::kMember);
      if (g.next(2) != 0) mask |= role_bit(static_cast<MspRole>(1 + g.next(kMspRoleCount - 1)));
      ids.push_back(
          PolicyIdentity{std::string(1, static_cast<char>('A' + g.next(2))), std::to_string(i), mask});
    }
    Result<CompiledSignaturePolicy> compiled = CompiledSignaturePolicy::compile(env);
    ASSERT_TRUE(compiled.is_ok());
    std::vector<bool> used(ids.size(), false);
    const bool expected = naive_eval(env, env.rule, ids, used);
    const PolicyEvaluation got = compiled->evaluate_identities(ids);
    ASSERT_EQ(got.satisfied, expected) << "round " << round << ": " << to_string(env);
    std::vector<bool> got_used(ids.size(), false);
    for (const PrincipalFill& f : got.fills) got_used[f.signer_index] = true;
    ASSERT_EQ(got_used, used) << "round " << round << ": " << to_string(env);
    satisfied += expected ? 1 : 0;
  }
  // The generator must exercise both outcomes, or the comparison proves little.
  EXPECT_GT(satisfied, kRounds / 10);
  EXPECT_LT(satisfied, kRounds - kRounds / 10);
}

// ---- Implicit meta policies (4.6). ----

struct ThresholdCase {
  const char* name;
  ImplicitMetaRule rule;
  size_t sub_policies;
  size_t threshold;
};

TEST(ImplicitMeta, Thresholds) {
  using I = ImplicitMetaRule;
  const std::vector<ThresholdCase> cases = {
      {"any_is_one", I::kAny, 3, 1},
      {"all_is_n", I::kAll, 3, 3},
      {"majority_of_one", I::kMajority, 1, 1},
      {"majority_of_two_is_two", I::kMajority, 2, 2},
      {"majority_of_three_is_two", I::kMajority, 3, 2},
      {"majority_of_four_is_three", I::kMajority, 4, 3},
      {"majority_of_five_is_three", I::kMajority, 5, 3},
      {"any_of_zero_is_zero", I::kAny, 0, 0},
      {"all_of_zero_is_zero", I::kAll, 0, 0},
      {"majority_of_zero_is_zero", I::kMajority, 0, 0},
  };
  for (const ThresholdCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(implicit_meta_threshold(c.rule, c.sub_policies), c.threshold);
  }
}

struct MetaEvalCase {
  const char* name;
  ImplicitMetaRule rule;
  std::vector<bool> results;
  bool satisfied;
  size_t satisfied_count;
};

TEST(ImplicitMeta, Evaluation) {
  using I = ImplicitMetaRule;
  const std::vector<MetaEvalCase> cases = {
      {"majority_two_of_three", I::kMajority, {true, false, true}, true, 2},
      {"majority_one_of_three_fails", I::kMajority, {true, false, false}, false, 1},
      {"majority_two_of_four_fails", I::kMajority, {true, true, false, false}, false, 2},
      {"all_needs_every_one", I::kAll, {true, true, false}, false, 2},
      {"all_satisfied", I::kAll, {true, true}, true, 2},
      {"any_one_is_enough", I::kAny, {false, false, true}, true, 1},
      {"any_none_fails", I::kAny, {false, false}, false, 0},
      {"no_sub_policies_satisfied", I::kAll, {}, true, 0},
  };
  for (const MetaEvalCase& c : cases) {
    SCOPED_TRACE(c.name);
    const size_t count = static_cast<size_t>(std::count(c.results.begin(), c.results.end(), true));
    const ImplicitMetaEvaluation e = evaluate_implicit_meta(c.rule, c.results.size(), count);
    EXPECT_EQ(e.satisfied, c.satisfied);
    EXPECT_EQ(e.satisfied_count, c.satisfied_count);
    EXPECT_EQ(e.threshold, implicit_meta_threshold(c.rule, c.results.size()));
  }
}

// Either a parsed policy (error == nullptr) or an error message.
struct MetaParseCase {
  const char* name;
  const char* text;
  ImplicitMetaRule rule;
  const char* sub_policy;
  const char* error;
};

TEST(ImplicitMeta, ParsesRuleThenSubPolicy) {
  using I = ImplicitMetaRule;
  const MetaParseCase cases[] = {
      {"any_endorsement", "ANY Endorsement", I::kAny, "Endorsement", nullptr},
      {"majority_endorsement", "MAJORITY Endorsement", I::kMajority, "Endorsement", nullptr},
      {"all_writers", "ALL Writers", I::kAll, "Writers", nullptr},
      {"empty_sub_policy_accepted_like_fabric", "ANY ", I::kAny, "", nullptr},
      {"one_field", "MAJORITY", I::kAny, "", "expected two space separated tokens, but got 1"},
      {"double_space_is_three_fields", "ANY  Readers", I::kAny, "",
       "expected two space separated tokens, but got 3"},
      {"three_fields", "ANY Readers Writers", I::kAny, "", "expected two space separated tokens, but got 3"},
      {"rule_is_upper_case_only", "Majority Endorsement", I::kAny, "",
       "unknown rule type 'Majority', expected ALL, ANY, or MAJORITY"},
      {"unknown_rule", "SOME Endorsement", I::kAny, "",
       "unknown rule type 'SOME', expected ALL, ANY, or MAJORITY"},
  };
  for (const MetaParseCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<ImplicitMetaPolicy> got = parse_implicit_meta_policy(c.text);
    ASSERT_EQ(got.is_ok(), c.error == nullptr) << got.status().to_string();
    if (c.error == nullptr) {
      EXPECT_EQ(got->rule, c.rule);
      EXPECT_EQ(got->sub_policy, c.sub_policy);
      EXPECT_EQ(to_string(*got), c.text);
    } else {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(got.status().message(), c.error);
    }
  }
}

}  // namespace
}  // namespace fabsim
