// The cost model: the virtual time each Fabric operation charges on its node.
//
// Virtual time advances only by modelled costs (docs/cost-model.md). Network time is the
// kernel's business (sim/network.h charges bytes / bandwidth + latency from each message's
// real serialized size); everything a process does — verifying a proposal, running
// chaincode, checking an envelope, cutting a block, VSCC, MVCC, writing state, appending a
// block and syncing it — is charged by the process through NodeContext::charge() with the
// values here. How long the real code took never enters.
//
// A CostModel is plain data: one Duration per operation (or per unit: per KiB, per key,
// per read, per endorsement), plus an optional variability knob. Defaults are documented
// with their sources and derivations in docs/cost-model.md; every field has a stable name
// (cost_fields()) so scenarios can override it globally, per role and per node
// (CostOverrides, resolve()).
//
// Conventions, so that callers charge each piece of work exactly once:
//   - Operation fields EXCLUDE signature primitives and hashing. A step that verifies a
//     signature charges `verify(scheme, bytes)` on top of its own field; one that signs
//     charges `sign(scheme, bytes)`. That is how the cheap HMAC scheme (core/crypto/
//     signature.h) gets its own, smaller cost without a second copy of every field.
//   - "per_kb" means per KiB (1024 bytes), scaled linearly and rounded to the nearest ns.
//   - Disk work (block_write_per_kb, fsync) is charged to the host's disk
//     (NodeContext::charge_disk): it holds no core and queues for the host's one disk.
//
// Invariants: every Duration field is >= 0 (set() and CostLayer refuse negatives);
// variability_sigma is in [0, kMaxVariabilitySigma]. Adding a Duration field requires an
// entry in the field table in cost_model.cc — a static_assert there and a test fail
// otherwise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/signature.h"
#include "core/random.h"
#include "core/status.h"
#include "core/time.h"

namespace fabsim {

struct CostModel {
  // ---- signature primitives and hashing (charged via sign()/verify()/hash()) ----------
  Duration ecdsa_sign = Duration::micros(35);     // one ECDSA P-256 signature over a digest
  Duration ecdsa_verify = Duration::micros(105);  // one ECDSA P-256 verification of a digest
  Duration hmac_sign = Duration::micros(1);       // one HMAC-SHA-256 "signature" (sim shortcut)
  Duration hmac_verify = Duration::micros(1);     // one HMAC-SHA-256 check
  Duration hash_per_kb = Duration::micros(1);     // SHA-256 per KiB hashed

  // ---- client (SDK) -------------------------------------------------------------------
  Duration client_proposal = Duration::micros(50);  // build + marshal a signed proposal
  Duration client_envelope = Duration::micros(50);  // check responses, assemble the transaction

  // ---- endorser -----------------------------------------------------------------------
  Duration proposal_check = Duration::micros(100);   // unmarshal, header/creator/ACL/txid checks
  Duration chaincode_base = Duration::micros(500);   // one chaincode invocation, fixed part
  Duration chaincode_per_op = Duration::micros(100); // per shim round trip (GetState, PutState…)
  Duration endorse = Duration::micros(140);          // build + marshal the ProposalResponse

  // ---- ordering service ---------------------------------------------------------------
  Duration orderer_envelope_check = Duration::micros(50);  // Broadcast ingress checks, per envelope
  Duration block_cut = Duration::micros(100);              // per block: assemble header/data/metadata
  Duration log_append = Duration::micros(20);              // Kafka-style broker: per record appended

  // ---- committer: validation ----------------------------------------------------------
  Duration block_check = Duration::micros(50);           // per block received: structure, hash chain
  Duration envelope_check = Duration::micros(50);        // per tx: unmarshal, header, creator checks
  Duration vscc_per_endorsement = Duration::micros(20);  // per endorsement: identity, dedup
  Duration policy_eval = Duration::micros(10);           // one endorsement-policy evaluation
  Duration mvcc_per_tx = Duration::micros(74);           // per tx: rwset unmarshal, bookkeeping
  Duration mvcc_per_read = Duration::micros(18);         // per public read (version lookup)
  Duration mvcc_per_range_result = Duration::micros(2);  // per key seen re-running a range query

  // ---- committer: ledger --------------------------------------------------------------
  Duration ledger_commit_per_tx = Duration::micros(92);  // per tx: block index, history, savepoints
  Duration state_write_per_key = Duration::micros(4);    // per key written to the state DB
  Duration block_write_per_kb = Duration::micros(2);     // per KiB appended to a block file
  Duration fsync = Duration::micros(266);                // one synced write (file or LevelDB batch)

  // ---- gossip -------------------------------------------------------------------------
  Duration gossip_message = Duration::micros(20);  // per gossip message handled

  // ---- variability (off by default) ---------------------------------------------------
  // When > 0, vary() multiplies a charge by exp(sigma*Z - sigma^2/2), Z standard normal:
  // a lognormal factor with mean 1, so mean throughput is unchanged and service times get
  // a spread. Not a Duration, so not in cost_fields(); set it through CostLayer.
  double variability_sigma = 0.0;
  static constexpr double kMaxVariabilitySigma = 3.0;

  static CostModel defaults() { return CostModel{}; }

  // By name (see cost_fields()). set() refuses unknown names and negative values.
  Status set(std::string_view name, Duration value);
  Result<Duration> get(std::string_view name) const;

  // Composite charges. `bytes` is the size of the message hashed/signed/written.
  Duration hash(uint64_t bytes) const;  // hash_per_kb scaled
  // Hash the message, then the scheme's primitive.
  Duration sign(crypto::SignatureScheme scheme, uint64_t message_bytes) const;
  Duration verify(crypto::SignatureScheme scheme, uint64_t message_bytes) const;
  Duration block_write(uint64_t bytes) const;  // block_write_per_kb scaled (no fsync)

  // `d` with the variability factor applied. With sigma == 0 or d == 0 it returns d and
  // draws nothing; otherwise it draws one normal from `rng` (use a stream reserved for
  // costs if other draws must not shift when variability is switched on).
  Duration vary(Duration d, Rng& rng) const;

  bool operator==(const CostModel&) const = default;
};

// One entry per Duration field of CostModel, in declaration order.
struct CostFieldInfo {
  std::string_view name;    // the key in scenario files, e.g. "vscc_per_endorsement"
  std::string_view unit;    // "per op", "per KiB", "per key", ...
  std::string_view models;  // one line: what the charge stands for
  Duration CostModel::*member;
};
std::span<const CostFieldInfo> cost_fields();
// The names of cost_fields(), for "unknown key" messages and suggestions.
const std::vector<std::string>& cost_names();
bool is_cost_name(std::string_view name);
// The valid name closest to `unknown` (edit distance), or "" if none is close.
std::string suggest_cost_name(std::string_view unknown);

// `d` times exp(sigma*Z - sigma^2/2), Z standard normal drawn from `rng` (one draw), rounded
// to the nearest ns and saturating at Duration::max(); `d` itself, drawing nothing, when
// sigma or d is 0. sigma in [0, CostModel::kMaxVariabilitySigma].
Duration vary_lognormal(Duration d, double sigma, Rng& rng);

// `per_kib` scaled to `bytes`, rounded to the nearest ns, saturating at Duration::max().
Duration scale_per_kib(Duration per_kib, uint64_t bytes);

// ---- overrides: global defaults -> per role -> per node ------------------------------

enum class CostRole : uint8_t { kClient, kPeer, kOrderer, kBroker };
// "client", "peer", "orderer", "broker".
const char* cost_role_name(CostRole role);
std::optional<CostRole> cost_role_from_name(std::string_view name);

// One layer of overrides. Names and values are checked when set, so applying a layer
// cannot fail. Setting a name twice keeps the last value.
class CostLayer {
 public:
  Status set(std::string_view name, Duration value);
  Status set_variability_sigma(double sigma);
  void apply_to(CostModel& model) const;
  bool empty() const { return costs_.empty() && !variability_sigma_; }
  const std::map<std::string, Duration, std::less<>>& costs() const { return costs_; }

 private:
  std::map<std::string, Duration, std::less<>> costs_;
  std::optional<double> variability_sigma_;
};

struct CostOverrides {
  CostLayer global;
  std::map<CostRole, CostLayer> by_role;
  std::map<std::string, CostLayer, std::less<>> by_node;  // keyed by node (host) name
};

// The model for `node` of `role`: `base`, then the global layer, then the role's layer,
// then the node's layer — a later layer wins for each name it sets.
CostModel resolve(const CostOverrides& overrides, CostRole role, std::string_view node,
                  const CostModel& base = CostModel::defaults());

}  // namespace fabsim
