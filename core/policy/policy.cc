#include "core/policy/policy.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace fabsim {
namespace {

constexpr const char* kRoleNames[kMspRoleCount] = {"member", "admin", "client", "peer", "orderer"};

bool is_msp_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

void print_rule(const SignaturePolicyEnvelope& envelope, const SignaturePolicy& rule, std::string& out) {
  if (rule.type == SignaturePolicy::Type::kSignedBy) {
    const int32_t i = rule.signed_by;
    if (i < 0 || static_cast<size_t>(i) >= envelope.identities.size()) {
      out += fmt::format("SignedBy({})", i);
      return;
    }
    out += '\'';
    out += to_string(envelope.identities[static_cast<size_t>(i)]);
    out += '\'';
    return;
  }
  const size_t count = rule.rules.size();
  if (count >= 1 && rule.n == static_cast<int32_t>(count)) {
    out += "AND(";
  } else if (count >= 1 && rule.n == 1) {
    out += "OR(";
  } else {
    out += fmt::format("OutOf({}", rule.n);
    if (count > 0) out += ", ";
  }
  for (size_t k = 0; k < count; ++k) {
    if (k > 0) out += ", ";
    print_rule(envelope, rule.rules[k], out);
  }
  out += ')';
}

}  // namespace

const char* msp_role_name(MspRole role) {
  const auto i = static_cast<size_t>(role);
  FABSIM_ASSERT(i < kMspRoleCount);
  return kRoleNames[i];
}

std::optional<MspRole> msp_role_from_name(std::string_view name) {
  for (size_t i = 0; i < kMspRoleCount; ++i) {
    if (name == kRoleNames[i]) return static_cast<MspRole>(i);
  }
  return std::nullopt;
}

std::optional<MspPrincipal> parse_msp_principal(std::string_view text) {
  const size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::optional<MspRole> role = msp_role_from_name(text.substr(dot + 1));
  if (!role) return std::nullopt;
  const std::string_view msp_id = text.substr(0, dot);
  for (char c : msp_id) {
    if (!is_msp_id_char(c)) return std::nullopt;
  }
  return MspPrincipal{std::string(msp_id), *role};
}

std::string to_string(const MspPrincipal& principal) {
  return principal.msp_id + "." + msp_role_name(principal.role);
}

SignaturePolicy signed_by(int32_t index) {
  SignaturePolicy p;
  p.type = SignaturePolicy::Type::kSignedBy;
  p.signed_by = index;
  return p;
}

SignaturePolicy n_out_of(int32_t n, std::vector<SignaturePolicy> rules) {
  SignaturePolicy p;
  p.type = SignaturePolicy::Type::kNOutOf;
  p.n = n;
  p.rules = std::move(rules);
  return p;
}

SignaturePolicy and_of(std::vector<SignaturePolicy> rules) {
  const auto n = static_cast<int32_t>(rules.size());
  return n_out_of(n, std::move(rules));
}

SignaturePolicy or_of(std::vector<SignaturePolicy> rules) { return n_out_of(1, std::move(rules)); }

SignaturePolicyEnvelope accept_all_policy() { return SignaturePolicyEnvelope{0, n_out_of(0, {}), {}}; }

SignaturePolicyEnvelope reject_all_policy() { return SignaturePolicyEnvelope{0, n_out_of(1, {}), {}}; }

std::string to_string(const SignaturePolicyEnvelope& envelope) {
  std::string out;
  print_rule(envelope, envelope.rule, out);
  return out;
}

}  // namespace fabsim
