#include "core/policy/policy_evaluator.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "core/assert.h"

namespace fabsim {
namespace {

Status check_rule(const SignaturePolicy& rule, size_t identity_count, size_t depth) {
  if (depth > kMaxRuleDepth) {
    return Status::invalid_argument(fmt::format("policy rule nested deeper than {} levels", kMaxRuleDepth));
  }
  if (rule.type == SignaturePolicy::Type::kSignedBy) {
    if (rule.signed_by < 0 || static_cast<size_t>(rule.signed_by) >= identity_count) {
      return Status::invalid_argument(
          fmt::format("identity index out of range, requested {}, but identities length is {}",
                      rule.signed_by, identity_count));
    }
    return Status::ok();
  }
  for (const SignaturePolicy& child : rule.rules) {
    Status s = check_rule(child, identity_count, depth + 1);
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

// Runs a compiled rule over `count` identities; identity(j) returns the j-th. The used flags
// are kept in place with an undo log (fills_): a child that fails has every flag it set
// cleared again, which is the same as Fabric running it on a copy and dropping the copy.
template <typename IdentityAt>
class RuleRunner {
 public:
  RuleRunner(const SignaturePolicyEnvelope& envelope, size_t count, IdentityAt identity)
      : envelope_(envelope), identity_(std::move(identity)), used_(count, 0) {}

  bool run(const SignaturePolicy& rule) {
    if (rule.type == SignaturePolicy::Type::kSignedBy) return run_signed_by(rule.signed_by);
    int64_t verified = 0;
    for (const SignaturePolicy& child : rule.rules) {
      const size_t mark = fills_.size();
      if (run(child)) {
        ++verified;  // commit: keep the child's flags
      } else {
        undo_to(mark);
      }
    }
    return verified >= rule.n;
  }

  std::vector<PrincipalFill> take_fills() { return std::move(fills_); }

 private:
  bool run_signed_by(int32_t principal_index) {
    const MspPrincipal& principal = envelope_.identities[static_cast<size_t>(principal_index)];
    for (size_t j = 0; j < used_.size(); ++j) {
      if (used_[j] != 0) continue;
      if (!identity_(j).satisfies(principal)) continue;
      used_[j] = 1;
      fills_.push_back(PrincipalFill{static_cast<uint32_t>(principal_index), static_cast<uint32_t>(j)});
      return true;
    }
    return false;
  }

  void undo_to(size_t mark) {
    while (fills_.size() > mark) {
      const uint32_t j = fills_.back().signer_index;
      FABSIM_ASSERT(used_[j] != 0);
      used_[j] = 0;
      fills_.pop_back();
    }
  }

  const SignaturePolicyEnvelope& envelope_;
  IdentityAt identity_;
  std::vector<uint8_t> used_;         // one flag per identity
  std::vector<PrincipalFill> fills_;  // every flag set and not undone, in the order set
};

}  // namespace

PolicyIdentity PolicyIdentity::with_role(std::string msp_id, std::string id_key, MspRole role) {
  return PolicyIdentity{std::move(msp_id), std::move(id_key), role_bit(MspRole::kMember) | role_bit(role)};
}

bool PolicyIdentity::satisfies(const MspPrincipal& principal) const {
  return msp_id == principal.msp_id && (roles_mask & role_bit(principal.role)) != 0;
}

const char* signer_disposition_name(SignerDisposition d) {
  switch (d) {
    case SignerDisposition::kAccepted: return "accepted";
    case SignerDisposition::kDuplicate: return "duplicate";
    case SignerDisposition::kBadSignature: return "bad signature";
  }
  FABSIM_ASSERT_MSG(false, "unknown SignerDisposition");
  return "unknown";
}

SignerSet build_signer_set(std::span<const PolicySigner> signers) {
  SignerSet set;
  set.disposition.reserve(signers.size());
  set.duplicate_of.reserve(signers.size());
  // Two signers are the same identity when both the MSP ID and the id key are equal. The
  // accepted signers are searched linearly while they are few (the usual handful of
  // endorsements: no allocation, no key building); past kLinear an ordered index over
  // (MSP ID, id key) takes over. Lookups only: the index's order never reaches the result.
  constexpr size_t kLinear = 8;
  using Key = std::pair<std::string_view, std::string_view>;
  std::map<Key, uint32_t> index;
  auto key_of = [&](size_t i) { return Key(signers[i].identity.msp_id, signers[i].identity.id_key); };
  auto find_accepted = [&](size_t i) -> std::optional<uint32_t> {
    const Key k = key_of(i);
    if (set.accepted.size() <= kLinear) {
      for (uint32_t j : set.accepted) {
        if (key_of(j) == k) return j;
      }
      return std::nullopt;
    }
    auto it = index.find(k);
    return it == index.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  };
  for (size_t i = 0; i < signers.size(); ++i) {
    const auto index_i = static_cast<uint32_t>(i);
    if (std::optional<uint32_t> first = find_accepted(i)) {
      set.disposition.push_back(SignerDisposition::kDuplicate);
      set.duplicate_of.push_back(*first);
      continue;
    }
    set.duplicate_of.push_back(index_i);
    if (!signers[i].signature_valid) {
      set.disposition.push_back(SignerDisposition::kBadSignature);
      continue;
    }
    set.disposition.push_back(SignerDisposition::kAccepted);
    set.accepted.push_back(index_i);
    if (set.accepted.size() == kLinear + 1) {
      for (uint32_t j : set.accepted) index.emplace(key_of(j), j);
    } else if (set.accepted.size() > kLinear + 1) {
      index.emplace(key_of(i), index_i);
    }
  }
  return set;
}

Result<CompiledSignaturePolicy> CompiledSignaturePolicy::compile(SignaturePolicyEnvelope envelope) {
  Status s = check_rule(envelope.rule, envelope.identities.size(), 1);
  if (!s.is_ok()) return s;
  return CompiledSignaturePolicy(std::move(envelope));
}

PolicyEvaluation CompiledSignaturePolicy::evaluate(std::span<const PolicySigner> signers) const {
  PolicyEvaluation result;
  result.signer_set = build_signer_set(signers);
  const std::vector<uint32_t>& accepted = result.signer_set.accepted;
  auto identity_at = [&](size_t j) -> const PolicyIdentity& { return signers[accepted[j]].identity; };
  RuleRunner runner(envelope_, accepted.size(), identity_at);
  result.satisfied = runner.run(envelope_.rule);
  result.fills = runner.take_fills();
  for (PrincipalFill& f : result.fills) f.signer_index = accepted[f.signer_index];
  return result;
}

PolicyEvaluation CompiledSignaturePolicy::evaluate_identities(
    std::span<const PolicyIdentity> identities) const {
  PolicyEvaluation result;
  auto identity_at = [&](size_t j) -> const PolicyIdentity& { return identities[j]; };
  RuleRunner runner(envelope_, identities.size(), identity_at);
  result.satisfied = runner.run(envelope_.rule);
  result.fills = runner.take_fills();
  return result;
}

}  // namespace fabsim
