#include "core/policy/implicit_meta.h"

#include <fmt/format.h>

#include <vector>

#include "core/assert.h"

namespace fabsim {

const char* implicit_meta_rule_name(ImplicitMetaRule rule) {
  switch (rule) {
    case ImplicitMetaRule::kAny: return "ANY";
    case ImplicitMetaRule::kAll: return "ALL";
    case ImplicitMetaRule::kMajority: return "MAJORITY";
  }
  FABSIM_ASSERT_MSG(false, "unknown ImplicitMetaRule");
  return "unknown";
}

Result<ImplicitMetaPolicy> parse_implicit_meta_policy(std::string_view text) {
  // strings.Split(input, " "): every single space separates, so "ANY  X" has three fields.
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t space = text.find(' ', start);
    if (space == std::string_view::npos) {
      fields.push_back(text.substr(start));
      break;
    }
    fields.push_back(text.substr(start, space - start));
    start = space + 1;
  }
  if (fields.size() != 2) {
    return Status::invalid_argument(
        fmt::format("expected two space separated tokens, but got {}", fields.size()));
  }
  ImplicitMetaPolicy policy;
  if (fields[0] == "ANY") {
    policy.rule = ImplicitMetaRule::kAny;
  } else if (fields[0] == "ALL") {
    policy.rule = ImplicitMetaRule::kAll;
  } else if (fields[0] == "MAJORITY") {
    policy.rule = ImplicitMetaRule::kMajority;
  } else {
    return Status::invalid_argument(
        fmt::format("unknown rule type '{}', expected ALL, ANY, or MAJORITY", fields[0]));
  }
  policy.sub_policy = std::string(fields[1]);
  return policy;
}

std::string to_string(const ImplicitMetaPolicy& policy) {
  return fmt::format("{} {}", implicit_meta_rule_name(policy.rule), policy.sub_policy);
}

size_t implicit_meta_threshold(ImplicitMetaRule rule, size_t sub_policy_count) {
  if (sub_policy_count == 0) return 0;  // "consider 0 to be a majority or any"
  switch (rule) {
    case ImplicitMetaRule::kAny: return 1;
    case ImplicitMetaRule::kAll: return sub_policy_count;
    case ImplicitMetaRule::kMajority: return sub_policy_count / 2 + 1;
  }
  FABSIM_ASSERT_MSG(false, "unknown ImplicitMetaRule");
  return 0;
}

ImplicitMetaEvaluation evaluate_implicit_meta(ImplicitMetaRule rule, size_t sub_policy_count,
                                              size_t satisfied_count) {
  FABSIM_ASSERT(satisfied_count <= sub_policy_count);
  ImplicitMetaEvaluation e;
  e.threshold = implicit_meta_threshold(rule, sub_policy_count);
  e.satisfied_count = satisfied_count;
  e.satisfied = satisfied_count >= e.threshold;
  return e;
}

}  // namespace fabsim
