// The policy language parser and printer (core/policy/policy_parser.h, core/policy/policy.h)
// against fabric-semantics.md section 4.1. One case per rule, named after the rule.
#include "core/policy/policy_parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "core/policy/policy.h"
#include "core/policy/policy_evaluator.h"

namespace fabsim {
namespace {

MspPrincipal P(std::string msp, MspRole role) { return MspPrincipal{std::move(msp), role}; }
MspPrincipal M(std::string msp) { return P(std::move(msp), MspRole::kMember); }
SignaturePolicyEnvelope Env(SignaturePolicy rule, std::vector<MspPrincipal> ids) {
  return SignaturePolicyEnvelope{0, std::move(rule), std::move(ids)};
}
SignaturePolicy S(int32_t i) { return signed_by(i); }

struct AcceptCase {
  const char* name;
  std::string input;
  SignaturePolicyEnvelope expected;
};

std::vector<AcceptCase> accept_cases() {
  const std::vector<MspPrincipal> ab = {M("A"), M("B")};
  return {
      {"and_upper", "AND('A.member', 'B.member')", Env(and_of({S(0), S(1)}), ab)},
      {"and_title", "And('A.member', 'B.member')", Env(and_of({S(0), S(1)}), ab)},
      {"and_lower", "and('A.member', 'B.member')", Env(and_of({S(0), S(1)}), ab)},
      {"and_is_n_out_of_n", "AND('A.member', 'B.member')", Env(n_out_of(2, {S(0), S(1)}), ab)},
      {"or_upper", "OR('A.member', 'B.member')", Env(or_of({S(0), S(1)}), ab)},
      {"or_title", "Or('A.member', 'B.member')", Env(or_of({S(0), S(1)}), ab)},
      {"or_lower", "or('A.member', 'B.member')", Env(or_of({S(0), S(1)}), ab)},
      {"or_is_1_out_of_n", "OR('A.member', 'B.member')", Env(n_out_of(1, {S(0), S(1)}), ab)},
      {"outof_camel", "OutOf(1, 'A.member', 'B.member')", Env(n_out_of(1, {S(0), S(1)}), ab)},
      {"outof_lower", "outof(2, 'A.member', 'B.member')", Env(n_out_of(2, {S(0), S(1)}), ab)},
      {"outof_upper", "OUTOF(2, 'A.member', 'B.member')", Env(n_out_of(2, {S(0), S(1)}), ab)},
      {"outof_quoted_threshold", "OutOf('1', 'A.member', 'B.member')", Env(n_out_of(1, {S(0), S(1)}), ab)},
      {"outof_double_quoted_threshold", "OutOf(\"2\", 'A.member', 'B.member')",
       Env(n_out_of(2, {S(0), S(1)}), ab)},
      {"outof_fractional_threshold_truncated", "OutOf(1.9, 'A.member', 'B.member')",
       Env(n_out_of(1, {S(0), S(1)}), ab)},
      {"threshold_zero_accepted", "OutOf(0, 'A.member', 'B.member')", Env(n_out_of(0, {S(0), S(1)}), ab)},
      {"threshold_n_plus_one_accepted", "OutOf(3, 'A.member', 'B.member')",
       Env(n_out_of(3, {S(0), S(1)}), ab)},
      {"quoted_threshold_n_plus_one_accepted", "OutOf('3', 'A.member', 'B.member')",
       Env(n_out_of(3, {S(0), S(1)}), ab)},
      {"single_argument_and", "AND('A.member')", Env(n_out_of(1, {S(0)}), {M("A")})},
      {"every_role", "OR('A.peer', 'B.admin', 'C.orderer', 'D.client', 'E.member')",
       Env(or_of({S(0), S(1), S(2), S(3), S(4)}),
           {P("A", MspRole::kPeer), P("B", MspRole::kAdmin), P("C", MspRole::kOrderer),
            P("D", MspRole::kClient), M("E")})},
      {"msp_id_with_dots_and_dashes", "OR('MSP.member', 'MSP.WITH.DOTS.member', 'MSP-WITH-DASHES.member')",
       Env(or_of({S(0), S(1), S(2)}), {M("MSP"), M("MSP.WITH.DOTS"), M("MSP-WITH-DASHES")})},
      {"msp_id_is_everything_before_last_dot", "OR('Org1.peer.admin')",
       Env(or_of({S(0)}), {P("Org1.peer", MspRole::kAdmin)})},
      {"double_quoted_principal", "OR(\"A.member\")", Env(or_of({S(0)}), {M("A")})},
      {"indices_innermost_gate_first", "OR('A.member', AND('B.member', 'C.member'))",
       Env(or_of({S(2), and_of({S(0), S(1)})}), {M("B"), M("C"), M("A")})},
      {"indices_sibling_gates_left_to_right", "OR(AND('A.member', 'B.member'), OR('C.admin', 'D.member'))",
       Env(or_of({and_of({S(0), S(1)}), or_of({S(2), S(3)})}),
           {M("A"), M("B"), P("C", MspRole::kAdmin), M("D")})},
      {"indices_deepest_gate_first", "AND('E.member', OR(AND('A.member'), 'B.member'), 'C.member')",
       Env(and_of({S(2), or_of({and_of({S(0)}), S(1)}), S(3)}), {M("A"), M("B"), M("E"), M("C")})},
      {"principals_not_deduplicated", "AND('A.member', 'A.member')",
       Env(and_of({S(0), S(1)}), {M("A"), M("A")})},
      {"whitespace_between_tokens", " \tAND ( 'A.member' ,\n'B.member' ) \r\n",
       Env(and_of({S(0), S(1)}), ab)},
      {"parentheses_group", "(OR(('A.member'), 'B.member'))", Env(or_of({S(0), S(1)}), ab)},
      {"negative_sign_then_zero_threshold", "OutOf(-0, 'A.member')", Env(n_out_of(0, {S(0)}), {M("A")})},
  };
}

TEST(PolicyParser, AcceptsFabricPolicies) {
  for (const AcceptCase& c : accept_cases()) {
    SCOPED_TRACE(c.name);
    Result<SignaturePolicyEnvelope> got = parse_signature_policy(c.input);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_EQ(got->version, 0);
    EXPECT_EQ(got->identities, c.expected.identities);
    EXPECT_EQ(got->rule, c.expected.rule) << "printed: " << to_string(*got);
  }
}

struct RejectCase {
  const char* name;
  std::string input;
  std::string message;
  size_t position;
};

std::vector<RejectCase> reject_cases() {
  return {
      {"empty_string", "", "Unexpected end of expression at position 0", 0},
      {"only_whitespace", "   ", "Unexpected end of expression at position 3", 3},
      {"unquoted_token", "OR('A.member', Bmember)", "unrecognized token 'Bmember' at position 15", 15},
      {"unquoted_principal_named_by_msp_id", "AND(Org1MSP.member)",
       "unrecognized token 'Org1MSP' at position 4", 4},
      {"quoted_string_without_role", "OR('A.member', 'Bmember')",
       "unrecognized token 'Bmember' at position 15", 15},
      {"quoted_string_with_unknown_role", "OR('A.boss')", "unrecognized token 'A.boss' at position 3", 3},
      {"role_is_lowercase_only", "OR('A.Member')", "unrecognized token 'A.Member' at position 3", 3},
      {"msp_id_rejects_other_characters", "OR('A_B.member')", "unrecognized token 'A_B.member' at position 3",
       3},
      {"msp_id_not_empty", "OR('.member')", "unrecognized token '.member' at position 3", 3},
      {"principal_not_trimmed", "OR(' A.member')", "unrecognized token ' A.member' at position 3", 3},
      {"unknown_gate", "NOPE('A.member')", "unrecognized token 'NOPE' at position 0", 0},
      {"gate_spelling_mixed_case", "aNd('A.member')", "unrecognized token 'aNd' at position 0", 0},
      {"outof_one_argument", "OutOf(1)",
       "expected at least two arguments to NOutOf, given 1: 'OutOf' at position 0", 0},
      {"outof_no_argument", "OutOf()",
       "expected at least two arguments to NOutOf, given 0: 'OutOf' at position 0", 0},
      {"and_no_argument", "AND()", "expected at least two arguments to NOutOf, given 1: 'AND' at position 0",
       0},
      {"or_no_argument", "or()", "expected at least two arguments to NOutOf, given 1: 'or' at position 0", 0},
      {"threshold_boolean", "OutOf(true, 'A.member')", "unexpected type bool: 'true' at position 6", 6},
      {"threshold_quoted_non_number", "OutOf('x', 'A.member')", "unrecognized token 'x' at position 6", 6},
      {"threshold_gate", "OutOf(AND('A.member'), 'B.member')",
       "unrecognized type, expected a number, got a gate: 'AND' at position 6", 6},
      {"threshold_negative", "OutOf(-1, 'A.member', 'B.member')",
       "invalid t-out-of-n predicate, t -1, n 2: '-1' at position 6", 6},
      {"threshold_quoted_negative", "OutOf('-1', 'A.member', 'B.member')",
       "invalid t-out-of-n predicate, t -1, n 2: '-1' at position 6", 6},
      {"threshold_above_n_plus_one", "OutOf(4, 'A.member', 'B.member')",
       "invalid t-out-of-n predicate, t 4, n 2: '4' at position 6", 6},
      {"threshold_quoted_above_n_plus_one", "OutOf('4', 'A.member', 'B.member')",
       "invalid t-out-of-n predicate, t 4, n 2: '4' at position 6", 6},
      {"threshold_huge", "OutOf(99999999999999999999999, 'A.member')",
       "invalid t-out-of-n predicate, t 99999999999999999999999, n 1: '99999999999999999999999' at position "
       "6",
       6},
      {"gate_argument_bare_number", "OutOf(1, 2)", "unexpected type number: '2' at position 9", 9},
      {"gate_argument_boolean", "AND('A.member', false)", "unexpected type bool: 'false' at position 16", 16},
      {"gate_argument_quoted_boolean", "OutOf(1, 'true')", "unexpected type bool: 'true' at position 9", 9},
      {"gate_argument_quoted_number", "OutOf(1, '1')",
       "unrecognized type, expected a principal or a policy, got a number: '1' at position 9", 9},
      {"not_a_gate_bare_number", "1", "invalid policy string: '1' at position 0", 0},
      {"not_a_gate_quoted_number", "'1'", "invalid policy string: '1' at position 0", 0},
      {"not_a_gate_principal", "'A.member'", "invalid policy string: 'A.member' at position 0", 0},
      {"not_a_gate_bare_token", "Org1MSP.member", "unrecognized token 'Org1MSP' at position 0", 0},
      {"trailing_comma", "AND('A.member',)",
       "unexpected token ')' at position 15 (expected a gate, a principal or a number)", 15},
      {"missing_comma", "AND('A.member' 'B.member')",
       "unexpected token 'B.member' at position 15 (expected ',' or ')')", 15},
      {"unclosed_gate", "AND('A.member'", "Unexpected end of expression at position 14", 14},
      {"extra_close_paren", "AND('A.member'))",
       "unexpected token ')' at position 15 (expected the end of the policy)", 15},
      {"unclosed_string", "AND('A.member)", "unclosed string literal 'A.member) at position 4", 4},
      {"operators_unsupported", "AND('A.member') && true",
       "unexpected token '&' at position 16 (expected the end of the policy)", 16},
      {"gate_without_parenthesis", "OR(AND, 'A.member')",
       "unexpected token ',' at position 6 (expected '(' after 'AND')", 6},
      {"malformed_number", "OutOf(1.2.3, 'A.member')", "unable to parse numeric value '1.2.3' at position 6",
       6},
      {"minus_without_number", "OutOf(-x, 'A.member')",
       "unexpected token 'x' at position 7 (expected a number after '-')", 7},
      // Error precedence follows Fabric's passes: translate, then expand quoted strings, then
      // build and check thresholds; left to right within a pass.
      {"precedence_argument_count_before_quoted_string", "AND('Bogus', OutOf(1))",
       "expected at least two arguments to NOutOf, given 1: 'OutOf' at position 13", 13},
      {"precedence_quoted_string_before_threshold_bound", "OR(OutOf(5, 'A.member'), 'Bogus')",
       "unrecognized token 'Bogus' at position 25", 25},
      {"precedence_left_to_right", "OR(Foo, Bar)", "unrecognized token 'Foo' at position 3", 3},
      {"precedence_inner_gate_before_outer_argument_type", "OR(2, AND())",
       "expected at least two arguments to NOutOf, given 1: 'AND' at position 6", 6},
  };
}

TEST(PolicyParser, RejectsWithFabricMeaningTokenAndPosition) {
  for (const RejectCase& c : reject_cases()) {
    SCOPED_TRACE(c.name);
    size_t position = 12345;
    Result<SignaturePolicyEnvelope> got = parse_signature_policy(c.input, &position);
    ASSERT_FALSE(got.is_ok()) << "parsed as " << to_string(*got);
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.message);
    EXPECT_EQ(position, c.position);
  }
}

std::string nested_ands(size_t gates) {
  std::string s;
  for (size_t i = 0; i < gates; ++i) s += "AND(";
  s += "'A.member'";
  s += std::string(gates, ')');
  return s;
}

TEST(PolicyParser, NestingBoundIsKMaxRuleDepth) {
  // kMaxRuleDepth - 1 gates around a principal make a rule exactly kMaxRuleDepth deep.
  Result<SignaturePolicyEnvelope> deepest = parse_signature_policy(nested_ands(kMaxRuleDepth - 1));
  ASSERT_TRUE(deepest.is_ok()) << deepest.status().to_string();
  EXPECT_EQ(deepest->identities.size(), 1u);
  size_t position = 0;
  Result<SignaturePolicyEnvelope> too_deep = parse_signature_policy(nested_ands(kMaxRuleDepth), &position);
  ASSERT_FALSE(too_deep.is_ok());
  EXPECT_EQ(position, 4 * (kMaxRuleDepth - 1));
  EXPECT_EQ(too_deep.status().message(),
            "policy nested deeper than 1000 levels: 'AND' at position " + std::to_string(position));
}

TEST(PolicyParser, ManyArgumentsAreFine) {
  std::string s = "OutOf(1";
  for (int i = 0; i < 2000; ++i) s += ", 'A.member'";
  s += ")";
  Result<SignaturePolicyEnvelope> got = parse_signature_policy(s);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->identities.size(), 2000u);
  EXPECT_EQ(got->rule.rules.size(), 2000u);
}

struct PrintCase {
  const char* name;
  std::string input;
  std::string canonical;
};

TEST(PolicyPrinter, PrintsCanonicalText) {
  const std::vector<PrintCase> cases = {
      {"n_equals_count_prints_and", "and('A.member','B.member')", "AND('A.member', 'B.member')"},
      {"n_one_prints_or", "OutOf(1, 'A.member', 'B.member')", "OR('A.member', 'B.member')"},
      {"other_n_prints_outof", "outof('2', 'A.member', 'B.member', 'C.peer')",
       "OutOf(2, 'A.member', 'B.member', 'C.peer')"},
      {"threshold_zero_prints_outof", "OutOf(0, 'A.member')", "OutOf(0, 'A.member')"},
      {"threshold_n_plus_one_prints_outof", "OutOf(2, 'A.member')", "OutOf(2, 'A.member')"},
      {"single_child_prints_and", "OR('A.member')", "AND('A.member')"},
      {"nested_keeps_rule_order", "OR('A.member', AND('B.member','C.member'))",
       "OR('A.member', AND('B.member', 'C.member'))"},
      {"dots_in_msp_id", "OR('MSP.WITH.DOTS.orderer')", "AND('MSP.WITH.DOTS.orderer')"},
  };
  for (const PrintCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<SignaturePolicyEnvelope> got = parse_signature_policy(c.input);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_EQ(to_string(*got), c.canonical);
  }
}

TEST(PolicyPrinter, PrintedTextParsesToTheSameEnvelope) {
  for (const AcceptCase& c : accept_cases()) {
    SCOPED_TRACE(c.name);
    Result<SignaturePolicyEnvelope> first = parse_signature_policy(c.input);
    ASSERT_TRUE(first.is_ok());
    Result<SignaturePolicyEnvelope> again = parse_signature_policy(to_string(*first));
    ASSERT_TRUE(again.is_ok()) << to_string(*first) << ": " << again.status().to_string();
    EXPECT_EQ(*again, *first);
  }
}

TEST(PolicyPrinter, ShapesOutsideTheLanguage) {
  EXPECT_EQ(to_string(accept_all_policy()), "OutOf(0)");
  EXPECT_EQ(to_string(reject_all_policy()), "OutOf(1)");
  EXPECT_EQ(to_string(Env(S(0), {M("A")})), "'A.member'");
  EXPECT_EQ(to_string(Env(or_of({S(0), S(3)}), {M("A")})), "OR('A.member', SignedBy(3))");
}

// A small deterministic generator (a 64-bit LCG), so the tests need no <random>.
struct Lcg {
  uint64_t state;
  uint32_t next(uint32_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>((state >> 33) % bound);
  }
};

// A random policy text: mostly well formed, with thresholds around the bounds and the odd bad
// argument.
std::string random_policy(Lcg& g, int depth) {
  static const char* const kGates[] = {"AND", "And", "and", "OR", "Or", "or", "OutOf", "outof", "OUTOF"};
  static const char* const kPrincipals[] = {"'A.member'", "'B.peer'", "'C.D-E.admin'", "\"F.client\"",
                                            "'G.orderer'"};
  static const char* const kBadArgs[] = {"'Bad'", "2", "true"};
  const std::string gate = kGates[g.next(std::size(kGates))];
  const uint32_t n = g.next(4);
  std::string text = gate + "(";
  if (gate == "OutOf" || gate == "outof" || gate == "OUTOF") {
    const int t = static_cast<int>(g.next(n + 4)) - 1;  // -1 .. n+2: both bounds, both sides
    text += g.next(3) == 0 ? "'" + std::to_string(t) + "'" : std::to_string(t);
    if (n > 0) text += ", ";
  }
  for (uint32_t k = 0; k < n; ++k) {
    if (k > 0) text += g.next(2) == 0 ? "," : " , ";
    if (depth < 3 && g.next(3) == 0) {
      text += random_policy(g, depth + 1);
    } else {
      text += g.next(15) == 0 ? kBadArgs[g.next(std::size(kBadArgs))]
                              : kPrincipals[g.next(std::size(kPrincipals))];
    }
  }
  return text + ")";
}

// Every input either parses into an envelope that compiles and prints back to itself, or fails
// with a message naming a position inside the text. Half the inputs get one random edit.
TEST(PolicyParser, GeneratedInputsParseOrFailCleanly) {
  static const char* const kEdits[] = {"(", ")", ",", "'", "\"", "x", "1", "-", "AND(", "'A.member'", " "};
  Lcg g{7};
  int accepted = 0;
  constexpr int kRounds = 5000;
  for (int round = 0; round < kRounds; ++round) {
    std::string text = random_policy(g, 0);
    if (g.next(2) == 0) {
      const size_t at = g.next(static_cast<uint32_t>(text.size()));
      if (g.next(2) == 0) {
        text.erase(at, 1);
      } else {
        text.insert(at, kEdits[g.next(std::size(kEdits))]);
      }
    }
    size_t position = 0;
    Result<SignaturePolicyEnvelope> got = parse_signature_policy(text, &position);
    if (!got.is_ok()) {
      EXPECT_LE(position, text.size()) << text;
      EXPECT_NE(got.status().message().find("position " + std::to_string(position)), std::string::npos)
          << text;
      continue;
    }
    ++accepted;
    EXPECT_TRUE(CompiledSignaturePolicy::compile(*got).is_ok()) << text;
    Result<SignaturePolicyEnvelope> again = parse_signature_policy(to_string(*got));
    ASSERT_TRUE(again.is_ok()) << text << " -> " << to_string(*got);
    EXPECT_EQ(*again, *got) << text;
  }
  // Both paths must be exercised, or the property proves little.
  EXPECT_GT(accepted, kRounds / 10);
  EXPECT_LT(accepted, kRounds - kRounds / 10);
}

struct PrincipalCase {
  const char* name;
  std::string text;
  std::optional<MspPrincipal> expected;
};

TEST(MspPrincipal, ParsesLikeFabricRegex) {
  const std::vector<PrincipalCase> cases = {
      {"member", "Org1MSP.member", M("Org1MSP")},
      {"orderer_role_accepted", "OrdererMSP.orderer", P("OrdererMSP", MspRole::kOrderer)},
      {"dots_and_dashes", "a.b-c.peer", P("a.b-c", MspRole::kPeer)},
      {"split_at_last_dot", "A.admin.client", P("A.admin", MspRole::kClient)},
      {"no_role", "Org1MSP", std::nullopt},
      {"empty_msp_id", ".peer", std::nullopt},
      {"uppercase_role", "Org1MSP.PEER", std::nullopt},
      {"space_in_msp_id", "Org 1.peer", std::nullopt},
      {"non_ascii_msp_id", "Orgé.peer", std::nullopt},
      {"trailing_dot", "Org1MSP.peer.", std::nullopt},
  };
  for (const PrincipalCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(parse_msp_principal(c.text), c.expected);
  }
  EXPECT_EQ(to_string(P("A.B", MspRole::kAdmin)), "A.B.admin");
}

}  // namespace
}  // namespace fabsim
