#include "cli/policy_eval.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <utility>

#include "core/policy/policy.h"
#include "core/policy/policy_parser.h"

namespace fabsim::cli {
namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Says what is wrong with "MSPID.role" when parse_msp_principal rejected it.
std::string diagnose_principal(std::string_view spec) {
  const size_t dot = spec.rfind('.');
  if (dot == std::string_view::npos) return "expected MSPID.role, found no '.role'";
  if (dot == 0) return "empty MSP ID before '.'";
  const std::string_view role = spec.substr(dot + 1);
  if (!msp_role_from_name(role)) {
    return fmt::format("unknown role '{}' (expected member, admin, client, peer or orderer)", role);
  }
  return fmt::format("MSP ID '{}' may contain only letters, digits, dots and dashes", spec.substr(0, dot));
}

Status bad_signer(size_t index, std::string_view text, std::string_view why) {
  return Status::invalid_argument(fmt::format("invalid signer {} '{}': {}", index, text, why));
}

// "signer 2 Org1MSP.peer#p0": how the report names a signer.
std::string signer_ref(const std::vector<SignerSpec>& specs, uint32_t index) {
  return fmt::format("signer {} {}", index, specs[index].text);
}

void print_report(const SignaturePolicyEnvelope& envelope, const std::vector<SignerSpec>& specs,
                  const PolicyEvaluation& eval, std::ostream& out) {
  out << "policy: " << to_string(envelope) << '\n';
  for (size_t i = 0; i < specs.size(); ++i) {
    const SignerDisposition d = eval.signer_set.disposition[i];
    std::string what = signer_disposition_name(d);
    if (d == SignerDisposition::kDuplicate) {
      what = fmt::format("duplicate of signer {}, counted once", eval.signer_set.duplicate_of[i]);
    }
    out << fmt::format("signer {} {}: {}\n", i, specs[i].text, what);
  }
  // Fills by principal; from a parsed policy each principal has one leaf, so at most one fill.
  std::vector<std::vector<uint32_t>> filled_by(envelope.identities.size());
  for (const PrincipalFill& f : eval.fills) filled_by[f.principal_index].push_back(f.signer_index);
  for (size_t p = 0; p < envelope.identities.size(); ++p) {
    std::string who = "unfilled";
    for (size_t k = 0; k < filled_by[p].size(); ++k) {
      who = (k == 0 ? "filled by " : who + ", ") + signer_ref(specs, filled_by[p][k]);
    }
    out << fmt::format("principal {} '{}': {}\n", p, to_string(envelope.identities[p]), who);
  }
  out << "result: " << (eval.satisfied ? "satisfied" : "not satisfied") << '\n';
}

// The policy, on one line, with a caret under `position`.
void print_caret(std::string_view policy, size_t position, std::ostream& err) {
  std::string line(policy);
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f') c = ' ';
  }
  err << "  " << line << '\n' << "  " << std::string(position, ' ') << "^\n";
}

}  // namespace

Result<std::vector<SignerSpec>> parse_signer_list(std::string_view list) {
  std::vector<SignerSpec> specs;
  if (trim_spaces(list).empty()) return specs;
  // (MSP ID, name) -> index of the first signer that named that certificate.
  std::map<std::pair<std::string, std::string>, size_t> named;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const size_t index = specs.size();
    const std::string_view text = trim_spaces(list.substr(start, comma - start));
    start = comma + 1;
    if (text.empty()) return bad_signer(index, text, "empty signer (expected MSPID.role or MSPID.role#name)");
    const size_t hash = text.find('#');
    const std::string_view spec = text.substr(0, hash);
    std::optional<MspPrincipal> principal = parse_msp_principal(spec);
    if (!principal) return bad_signer(index, text, diagnose_principal(spec));
    SignerSpec s{std::string(text), {}};
    if (hash == std::string_view::npos) {
      s.signer.identity =
          PolicyIdentity::with_role(principal->msp_id, fmt::format("signer:{}", index), principal->role);
    } else {
      const std::string name(text.substr(hash + 1));
      if (name.empty()) return bad_signer(index, text, "empty certificate name after '#'");
      PolicyIdentity identity = PolicyIdentity::with_role(principal->msp_id, "cert:" + name, principal->role);
      auto [it, inserted] = named.emplace(std::make_pair(principal->msp_id, name), index);
      if (!inserted && specs[it->second].signer.identity.roles_mask != identity.roles_mask) {
        const std::string& first = specs[it->second].text;
        return bad_signer(index, text,
                          fmt::format("certificate '{}' of {} was already given as {} by signer {}", name,
                                      principal->msp_id, first.substr(0, first.find('#')), it->second));
      }
      s.signer.identity = std::move(identity);
    }
    specs.push_back(std::move(s));
  }
  return specs;
}

int run_policy_eval(const std::string& policy, const std::string& signers, std::ostream& out,
                    std::ostream& err) {
  size_t position = 0;
  Result<SignaturePolicyEnvelope> envelope = parse_signature_policy(policy, &position);
  if (!envelope) {
    err << "fabsim: invalid policy: " << envelope.status().message() << '\n';
    print_caret(policy, position, err);
    return kPolicyEvalBadInput;
  }
  Result<std::vector<SignerSpec>> specs = parse_signer_list(signers);
  if (!specs) {
    err << "fabsim: " << specs.status().message() << '\n';
    return kPolicyEvalBadInput;
  }
  Result<CompiledSignaturePolicy> compiled = CompiledSignaturePolicy::compile(std::move(*envelope));
  if (!compiled) {  // the parser only builds compilable envelopes; report rather than crash
    err << "fabsim: invalid policy: " << compiled.status().message() << '\n';
    return kPolicyEvalBadInput;
  }
  std::vector<PolicySigner> policy_signers;
  policy_signers.reserve(specs->size());
  for (const SignerSpec& s : *specs) policy_signers.push_back(s.signer);
  const PolicyEvaluation eval = compiled->evaluate(policy_signers);
  print_report(compiled->envelope(), *specs, eval, out);
  return eval.satisfied ? kPolicyEvalSatisfied : kPolicyEvalNotSatisfied;
}

}  // namespace fabsim::cli
