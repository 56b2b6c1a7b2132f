// Implicit meta policies: "ANY Readers", "MAJORITY Endorsement", "ALL Writers". Such a policy
// names a rule and a sub-policy; it is satisfied when a threshold of the n sub-policies of that
// name (one per organization below the policy's group) are satisfied
// (fabric-semantics.md section 4.6; F22:common/policies/implicitmeta.go).
//   ANY: threshold 1.  ALL: threshold n.  MAJORITY: threshold n/2 + 1 (integer division).
//   With 0 sub-policies the threshold is 0, so every rule is satisfied.
// Each sub-policy is evaluated on its own against the whole signature set; sub-policies do not
// share used identities. A sub-policy an organization does not define counts as not
// satisfied (Fabric substitutes a reject-all policy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace fabsim {

// Fabric's ImplicitMetaPolicy.Rule.
enum class ImplicitMetaRule : uint8_t { kAny, kAll, kMajority };
const char* implicit_meta_rule_name(ImplicitMetaRule rule);  // "ANY", "ALL", "MAJORITY"

// Fabric's ImplicitMetaPolicy.
struct ImplicitMetaPolicy {
  ImplicitMetaRule rule = ImplicitMetaRule::kMajority;
  std::string sub_policy;  // e.g. "Endorsement"

  bool operator==(const ImplicitMetaPolicy&) const = default;
};

// Parses "RULE SubPolicy" exactly like Fabric's ImplicitMetaFromString: the text is split on
// single spaces and must give exactly two fields ("expected two space separated tokens, but got
// k"); the first must be ANY, ALL or MAJORITY, upper case ("unknown rule type 'x', expected ALL,
// ANY, or MAJORITY"); the second is the sub-policy name, taken as is (Fabric accepts an empty
// one, as in "ANY "). Errors are Status::invalid_argument.
Result<ImplicitMetaPolicy> parse_implicit_meta_policy(std::string_view text);
// "MAJORITY Endorsement".
std::string to_string(const ImplicitMetaPolicy& policy);

// How many of `sub_policy_count` sub-policies must be satisfied.
size_t implicit_meta_threshold(ImplicitMetaRule rule, size_t sub_policy_count);

struct ImplicitMetaEvaluation {
  bool satisfied = false;
  size_t satisfied_count = 0;  // sub-policies that were satisfied
  size_t threshold = 0;        // implicit_meta_threshold(rule, sub_policy_count)
};
// The policy's outcome when `satisfied_count` of its `sub_policy_count` sub-policies were
// satisfied (each evaluated on its own against the whole signature set).
ImplicitMetaEvaluation evaluate_implicit_meta(ImplicitMetaRule rule, size_t sub_policy_count,
                                              size_t satisfied_count);

}  // namespace fabsim
