#include "core/cost_model.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "core/assert.h"

namespace fabsim {
namespace {

using CM = CostModel;

// Declaration order of CostModel. Units and one-line meanings are repeated in
// docs/cost-model.md, where each default has its source and derivation.
constexpr CostFieldInfo kFields[] = {
    {"ecdsa_sign", "per signature", "ECDSA P-256 sign of a digest", &CM::ecdsa_sign},
    {"ecdsa_verify", "per signature", "ECDSA P-256 verify of a digest", &CM::ecdsa_verify},
    {"hmac_sign", "per signature", "HMAC-SHA-256 signature (simulation shortcut scheme)", &CM::hmac_sign},
    {"hmac_verify", "per signature", "HMAC-SHA-256 check (simulation shortcut scheme)", &CM::hmac_verify},
    {"hash_per_kb", "per KiB", "SHA-256 over message or block bytes", &CM::hash_per_kb},
    {"client_proposal", "per proposal", "client builds and marshals a proposal (signing excluded)",
     &CM::client_proposal},
    {"client_envelope", "per transaction", "client checks responses, assembles the envelope (signing excluded)",
     &CM::client_envelope},
    {"proposal_check", "per proposal", "endorser unmarshals and checks a signed proposal (verify excluded)",
     &CM::proposal_check},
    {"chaincode_base", "per invocation", "fixed cost of one chaincode invocation", &CM::chaincode_base},
    {"chaincode_per_op", "per shim call", "one chaincode<->peer round trip (GetState, PutState, ...)",
     &CM::chaincode_per_op},
    {"endorse", "per proposal", "endorser builds the ProposalResponse (signing excluded)", &CM::endorse},
    {"orderer_envelope_check", "per envelope", "orderer Broadcast ingress checks (verify excluded)",
     &CM::orderer_envelope_check},
    {"block_cut", "per block", "orderer assembles a block's header, data and metadata", &CM::block_cut},
    {"log_append", "per record", "broker appends one record to a partition log", &CM::log_append},
    {"block_check", "per block", "committer checks a received block (verify excluded)", &CM::block_check},
    {"envelope_check", "per transaction", "committer checks a transaction envelope (verify excluded)",
     &CM::envelope_check},
    {"vscc_per_endorsement", "per endorsement", "VSCC handles one endorsement (verify excluded)",
     &CM::vscc_per_endorsement},
    {"policy_eval", "per evaluation", "evaluate an endorsement policy over verified identities",
     &CM::policy_eval},
    {"mvcc_per_tx", "per transaction", "MVCC: rwset unmarshal and per-transaction bookkeeping", &CM::mvcc_per_tx},
    {"mvcc_per_read", "per read", "MVCC: version check of one public read", &CM::mvcc_per_read},
    {"mvcc_per_range_result", "per key", "MVCC: one key seen re-running a range query",
     &CM::mvcc_per_range_result},
    {"ledger_commit_per_tx", "per transaction", "block index, history records, per-tx commit work",
     &CM::ledger_commit_per_tx},
    {"state_write_per_key", "per key", "one key written to the state database", &CM::state_write_per_key},
    {"block_write_per_kb", "per KiB", "bytes appended to a block file", &CM::block_write_per_kb},
    {"fsync", "per sync", "one synced write (file append or LevelDB batch)", &CM::fsync},
    {"gossip_message", "per message", "gossip handles one message (verify excluded)", &CM::gossip_message},
};

// Fails to compile when a Duration field is added to CostModel without a table entry (or
// the other way round): the struct is exactly the table's Durations plus the sigma.
static_assert(sizeof(CostModel) == std::size(kFields) * sizeof(Duration) + sizeof(double),
              "CostModel and kFields disagree: every Duration field needs exactly one entry");

const CostFieldInfo* find_field(std::string_view name) {
  for (const CostFieldInfo& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status unknown_name(std::string_view name) {
  std::string msg = "unknown cost '" + std::string(name) + "'";
  const std::string hint = suggest_cost_name(name);
  if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
  return Status::invalid_argument(msg);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

Status check_sigma(double sigma) {
  if (!(sigma >= 0.0 && sigma <= CostModel::kMaxVariabilitySigma)) {  // also rejects NaN
    return Status::invalid_argument("variability sigma must be in [0, " +
                                    std::to_string(CostModel::kMaxVariabilitySigma) + "], got " +
                                    std::to_string(sigma));
  }
  return Status::ok();
}

}  // namespace

std::span<const CostFieldInfo> cost_fields() { return kFields; }

const std::vector<std::string>& cost_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    v.reserve(std::size(kFields));
    for (const CostFieldInfo& f : kFields) v.emplace_back(f.name);
    return v;
  }();
  return names;
}

bool is_cost_name(std::string_view name) { return find_field(name) != nullptr; }

std::string suggest_cost_name(std::string_view unknown) {
  // Closest by edit distance; ties go to the earlier field. Close means at most a third
  // of the longer name changed (and at least one edit allowed).
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (const CostFieldInfo& f : kFields) {
    const size_t d = edit_distance(unknown, f.name);
    if (d < best_distance) {
      best_distance = d;
      best = f.name;
    }
  }
  const size_t allowed = std::max<size_t>(1, std::max(unknown.size(), best.size()) / 3);
  if (best_distance <= allowed) return std::string(best);
  // Otherwise, the only name sharing the first word ("vscc_per_signature" -> the one
  // "vscc_..." name), if there is exactly one.
  const size_t cut = unknown.find('_');
  if (cut == std::string_view::npos || cut == 0) return std::string();
  const std::string_view word = unknown.substr(0, cut + 1);
  std::string_view only;
  for (const CostFieldInfo& f : kFields) {
    if (!f.name.starts_with(word)) continue;
    if (!only.empty()) return std::string();
    only = f.name;
  }
  return std::string(only);
}

Duration scale_per_kib(Duration per_kib, uint64_t bytes) {
  FABSIM_ASSERT(per_kib.ns >= 0);
  const unsigned __int128 scaled =
      (static_cast<unsigned __int128>(per_kib.ns) * bytes + 512) / 1024;  // round half up
  if (scaled > static_cast<unsigned __int128>(Duration::max().ns)) return Duration::max();
  return Duration::nanos(static_cast<int64_t>(scaled));
}

Status CostModel::set(std::string_view name, Duration value) {
  const CostFieldInfo* f = find_field(name);
  if (f == nullptr) return unknown_name(name);
  if (value < Duration::zero()) {
    return Status::invalid_argument("cost '" + std::string(name) + "' must not be negative, got " +
                                    format_duration(value));
  }
  this->*(f->member) = value;
  return Status::ok();
}

Result<Duration> CostModel::get(std::string_view name) const {
  const CostFieldInfo* f = find_field(name);
  if (f == nullptr) return unknown_name(name);
  return this->*(f->member);
}

Duration CostModel::hash(uint64_t bytes) const { return scale_per_kib(hash_per_kb, bytes); }

Duration CostModel::sign(crypto::SignatureScheme scheme, uint64_t message_bytes) const {
  switch (scheme) {
    case crypto::SignatureScheme::kEcdsaP256: return hash(message_bytes) + ecdsa_sign;
    case crypto::SignatureScheme::kHmacSha256: return hash(message_bytes) + hmac_sign;
  }
  assert_fail("known signature scheme", __FILE__, __LINE__, "unknown signature scheme");
}

Duration CostModel::verify(crypto::SignatureScheme scheme, uint64_t message_bytes) const {
  switch (scheme) {
    case crypto::SignatureScheme::kEcdsaP256: return hash(message_bytes) + ecdsa_verify;
    case crypto::SignatureScheme::kHmacSha256: return hash(message_bytes) + hmac_verify;
  }
  assert_fail("known signature scheme", __FILE__, __LINE__, "unknown signature scheme");
}

Duration CostModel::block_write(uint64_t bytes) const { return scale_per_kib(block_write_per_kb, bytes); }

Duration CostModel::vary(Duration d, Rng& rng) const { return vary_lognormal(d, variability_sigma, rng); }

Duration vary_lognormal(Duration d, double sigma, Rng& rng) {
  FABSIM_ASSERT(d.ns >= 0);
  FABSIM_ASSERT(sigma >= 0.0 && sigma <= CostModel::kMaxVariabilitySigma);
  if (sigma == 0.0 || d.ns == 0) return d;
  const double factor = std::exp(sigma * rng.normal(0.0, 1.0) - 0.5 * sigma * sigma);
  const double v = static_cast<double>(d.ns) * factor;
  if (v >= 9.2e18) return Duration::max();
  return Duration::nanos(static_cast<int64_t>(std::llround(v)));
}

// ---- roles and layers ------------------------------------------------------------------

const char* cost_role_name(CostRole role) {
  switch (role) {
    case CostRole::kClient: return "client";
    case CostRole::kPeer: return "peer";
    case CostRole::kOrderer: return "orderer";
    case CostRole::kBroker: return "broker";
  }
  assert_fail("known cost role", __FILE__, __LINE__, "unknown cost role");
}

std::optional<CostRole> cost_role_from_name(std::string_view name) {
  for (CostRole r : {CostRole::kClient, CostRole::kPeer, CostRole::kOrderer, CostRole::kBroker}) {
    if (name == cost_role_name(r)) return r;
  }
  return std::nullopt;
}

Status CostLayer::set(std::string_view name, Duration value) {
  CostModel probe;
  if (Status s = probe.set(name, value); !s.is_ok()) return s;  // same checks as the model
  costs_.insert_or_assign(std::string(name), value);
  return Status::ok();
}

Status CostLayer::set_variability_sigma(double sigma) {
  if (Status s = check_sigma(sigma); !s.is_ok()) return s;
  variability_sigma_ = sigma;
  return Status::ok();
}

void CostLayer::apply_to(CostModel& model) const {
  for (const auto& [name, value] : costs_) {
    const Status s = model.set(name, value);
    FABSIM_ASSERT(s.is_ok());  // checked when the layer was set
  }
  if (variability_sigma_) model.variability_sigma = *variability_sigma_;
}

CostModel resolve(const CostOverrides& overrides, CostRole role, std::string_view node, const CostModel& base) {
  CostModel m = base;
  overrides.global.apply_to(m);
  if (auto it = overrides.by_role.find(role); it != overrides.by_role.end()) it->second.apply_to(m);
  if (auto it = overrides.by_node.find(node); it != overrides.by_node.end()) it->second.apply_to(m);
  return m;
}

}  // namespace fabsim
