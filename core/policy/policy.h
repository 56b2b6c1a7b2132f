// Signature policies: the data model of Fabric's SignaturePolicyEnvelope, the role principals
// it names, and the printer back to Fabric's policy language. The parser is in
// core/policy/policy_parser.h, the evaluator in core/policy/policy_evaluator.h, implicit meta
// policies ("MAJORITY Endorsement") in core/policy/implicit_meta.h. The rules are in
// /work/shared/fabric-semantics.md section 4; Fabric's nouns are kept
// (F22:fabric-protos common/policies.proto, msp/msp_principal.proto).
//
// Invariants of a SignaturePolicyEnvelope that compile() (policy_evaluator.h) accepts:
//   * every SignedBy index is in [0, identities.size());
//   * the rule tree is at most kMaxRuleDepth levels deep.
// The parser only ever produces such envelopes, with version 0 and one principal per
// SignedBy leaf (principals are not de-duplicated, exactly like Fabric's parser).
//
// Only ROLE principals are modelled (MSPPrincipal classification ROLE): that is all the policy
// language produces. Fabric's other classifications (ORGANIZATION_UNIT, IDENTITY, ANONYMITY,
// COMBINED) are left out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fabsim {

// Fabric's MSPRole.MSPRoleType, restricted to the roles the policy language can name.
enum class MspRole : uint8_t {
  kMember = 0,  // any valid identity of the MSP
  kAdmin,       // listed as MSP admin, or carries the admin NodeOU
  kClient,      // carries the client NodeOU
  kPeer,        // carries the peer NodeOU
  kOrderer,     // carries the orderer NodeOU
};
inline constexpr size_t kMspRoleCount = 5;

// "member", "admin", "client", "peer", "orderer": the lowercase spelling of the language.
const char* msp_role_name(MspRole role);
// Exact, case-sensitive inverse of msp_role_name.
std::optional<MspRole> msp_role_from_name(std::string_view name);

// A ROLE principal: an identity of MSP `msp_id` with role `role`.
struct MspPrincipal {
  std::string msp_id;
  MspRole role = MspRole::kMember;

  bool operator==(const MspPrincipal&) const = default;
};

// Parses "MSPID.role" exactly as Fabric's regex `^([[:alnum:].-]+)([.])(admin|member|client|
// peer|orderer)$` does: the MSP ID is everything before the last dot, non-empty, made of ASCII
// letters, digits, dots and dashes. Returns nullopt for anything else.
std::optional<MspPrincipal> parse_msp_principal(std::string_view text);
// "Org1MSP.peer".
std::string to_string(const MspPrincipal& principal);

// Fabric's SignaturePolicy: a rule tree of SignedBy leaves and NOutOf gates.
struct SignaturePolicy {
  enum class Type : uint8_t { kSignedBy, kNOutOf };

  Type type = Type::kNOutOf;
  int32_t signed_by = 0;               // kSignedBy: index into the envelope's identities
  int32_t n = 0;                       // kNOutOf: how many of `rules` must be satisfied
  std::vector<SignaturePolicy> rules;  // kNOutOf: the children, evaluated in order

  bool operator==(const SignaturePolicy&) const = default;
};

// Builders, named after Fabric's policydsl builders (SignedBy, NOutOf, And, Or).
SignaturePolicy signed_by(int32_t index);
SignaturePolicy n_out_of(int32_t n, std::vector<SignaturePolicy> rules);
SignaturePolicy and_of(std::vector<SignaturePolicy> rules);  // NOutOf(rules.size(), rules)
SignaturePolicy or_of(std::vector<SignaturePolicy> rules);   // NOutOf(1, rules)

// Fabric's SignaturePolicyEnvelope.
struct SignaturePolicyEnvelope {
  int32_t version = 0;
  SignaturePolicy rule;
  std::vector<MspPrincipal> identities;

  bool operator==(const SignaturePolicyEnvelope&) const = default;
};

// Fabric's AcceptAllPolicy (NOutOf(0, []), always satisfied) and RejectAllPolicy
// (NOutOf(1, []), never satisfied), from F22:common/policydsl/policydsl_builder.go.
SignaturePolicyEnvelope accept_all_policy();
SignaturePolicyEnvelope reject_all_policy();

// Bound on the depth of a rule tree (a SignedBy alone is depth 1). Fabric 2.2 has no bound;
// fabsim needs one because both the parser and the evaluator recurse. Fabric 3.x caps
// parsed policies at 10^4 AST nodes for the same reason.
inline constexpr size_t kMaxRuleDepth = 1000;

// Prints the envelope in the policy language, canonically: a gate with n == number of
// children (n >= 1) prints as AND(...), else one with n == 1 as OR(...), else as
// OutOf(n, ...); principals print as 'MSPID.role'; arguments are separated by ", ".
// For every envelope the parser returns, parsing the printed text yields an equal envelope.
// Shapes the language cannot express print as the closest text, which the parser rejects:
// a gate without children prints as "OutOf(n)", a SignedBy at the root as "'MSPID.role'",
// and a SignedBy index outside the identities as "SignedBy(i)".
std::string to_string(const SignaturePolicyEnvelope& envelope);

}  // namespace fabsim
