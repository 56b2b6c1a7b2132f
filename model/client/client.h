// ClientProcess: the client / SDK role of a Fabric network (what an application does through
// fabric-sdk or the Gateway): for each requested invocation it builds and signs a proposal,
// sends it to endorsing peers chosen to satisfy the chaincode's endorsement policy, collects
// and checks their responses, assembles and signs the transaction, broadcasts it to an
// orderer (failing over to the next one on a rejection or timeout), and waits for the
// BlockEvent that reports the transaction's validation code.
//
// Input. ClientCall{name = kSubmitCall ("submit"), args = a marshalled fabsim.TxRequest}
// (core/proto/fabsim/client.proto): the scenario's transaction id, chaincode, function and
// arguments, and optionally explicit endorsing peers (then no selection below). Other call names are ignored. The wire protocol is model/protocol.h.
//
// Endorser selection (plan_endorsers, pick_endorsers). Candidates of a chaincode are grouped into classes
// of interchangeable peers: the same MSP ID and roles (the policy cannot tell them apart).
// Once, at construction, the client looks for a smallest multiset of classes whose
// representatives satisfy the policy under CompiledSignaturePolicy::evaluate (Fabric 2.x
// semantics with signer de-duplication, as VSCC will evaluate the endorsements): sizes 1, 2,
// ... in turn, and within a size the count vectors in lexicographic order that prefers
// classes listed first (so earlier candidates win ties). The search is bounded by
// kSelectionEvaluationsMax evaluations; past it, the client falls back to the full set with
// candidates removed greedily from the last while the policy stays satisfied (minimal by
// inclusion rather than by size). Per request, the peers of each class are taken from a
// rotating start: 0 when ClientConfig::rotate_endorsers is false, else a draw from
// ctx.rng() per class — load spreading among equivalent peers, still deterministic. The
// proposal goes to the chosen peers and their endorsements are assembled in selection order,
// the order in which the selection was checked to satisfy the policy.
//
// Orderers. The client broadcasts to its current orderer (initially orderers[0]). A
// non-SUCCESS BroadcastReply or no reply within broadcast_timeout counts as a failed
// attempt: the client moves its current orderer to the next one (sticky failover, as the
// SDKs do) and retries there, up to broadcast_attempts_max attempts per transaction. Only a
// reply from the orderer of the transaction's current attempt is taken into account.
//
// Analysis events (ctx.emit). `detail` is the scenario's TxRequest.id (empty only for a call
// whose args do not parse as a TxRequest). The time of a
// stage is the event's release time (the driver stamps it); values are:
//   client.submitted   number of endorsers the proposal was sent to
//   client.endorsed    number of endorsements assembled
//   client.ordered     broadcast attempt that was acknowledged (1-based)
//   client.block       the number of the block that holds the transaction; emitted just
//                      before client.committed, at the same time
//   client.committed   the protos.TxValidationCode of the BlockEvent (VALID = 0)
//   client.endorsement_retry  the endorsement attempt now starting (2, ...): the silent
//                      endorsers were replaced (endorser failover, ClientConfig)
//   client.failed.<reason>, one of (kFailure* below):
//     bad_request           args not a TxRequest, or chaincode not configured         value 0
//     no_endorsers          the candidates cannot satisfy the policy                  value 0
//     too_many_in_flight    in_flight_max transactions already in flight              value 0
//     endorsement_error     a peer refused (ProposalReply.error), or its response     value: the
//                           did not parse or has a status outside [200, 400)          response status (0 if none)
//     endorsement_invalid   a response's endorsement is missing, its endorser is not  value 0
//                           a valid identity of the channel's MSPs, or its signature
//                           over payload ‖ endorser does not verify
//     endorsement_timeout   not all responses within endorsement_timeout              value: responses received
//     endorsement_mismatch  the responses' payloads differ (assemble_transaction)      value 0
//     broadcast_rejected    the last attempt got a non-SUCCESS reply                  value: its common.Status
//     broadcast_timeout     the last attempt got no reply within broadcast_timeout    value: attempts made
//     commit_timeout        no BlockEvent with the TxID within commit_timeout of the  value 0
//                           broadcast acknowledgement
// Each transaction gets submitted first (except the three request-level failures, which
// have no submission) and ends with exactly one committed or failed.* event. A BlockEvent
// that reports the transaction before the orderer's acknowledgement commits it directly
// (no ordered event).
//
// State and crashes. Everything is volatile: a crashed client forgets its in-flight
// transactions; they never get a committed or failed event, and the analysis reports them
// as unknown outcome. On every start the client registers for BlockEvents at event_peer;
// with the event-stream watchdog on (ClientConfig::event_silence), it re-registers,
// resuming from the first block not seen, when the stream falls silent while transactions
// wait for their commit (emitting client.event_reregistered).
//
// Invariants: every in-flight transaction has exactly one armed timer (the deadline of its
// current stage), recorded in timer_owner_; a finished transaction is erased from both maps
// and its timer cancelled. The in-flight map is bounded by in_flight_max.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/node.h"
#include "core/policy/policy_evaluator.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/peer/proposal_response.pb.h"
#include "core/time.h"
#include "model/protoutil/txutil.h"

namespace fabsim::model::client {

inline constexpr const char* kSubmitCall = "submit";

// Every analysis event of the client starts with kEventPrefix; every failure with kFailurePrefix.
inline constexpr std::string_view kEventPrefix = "client.";
inline constexpr std::string_view kFailurePrefix = "client.failed.";

inline constexpr const char* kEventSubmitted = "client.submitted";
inline constexpr const char* kEventEndorsed = "client.endorsed";
inline constexpr const char* kEventOrdered = "client.ordered";
inline constexpr const char* kEventBlock = "client.block";
inline constexpr const char* kEventCommitted = "client.committed";
inline constexpr const char* kEventReregistered = "client.event_reregistered";  // value: start block
inline constexpr const char* kEventEndorsementRetry = "client.endorsement_retry";  // value: attempt (2, ...)
inline constexpr const char* kFailureBadRequest = "client.failed.bad_request";
inline constexpr const char* kFailureNoEndorsers = "client.failed.no_endorsers";
inline constexpr const char* kFailureTooManyInFlight = "client.failed.too_many_in_flight";
inline constexpr const char* kFailureEndorsementError = "client.failed.endorsement_error";
inline constexpr const char* kFailureEndorsementInvalid = "client.failed.endorsement_invalid";
inline constexpr const char* kFailureEndorsementTimeout = "client.failed.endorsement_timeout";
inline constexpr const char* kFailureEndorsementMismatch = "client.failed.endorsement_mismatch";
inline constexpr const char* kFailureBroadcastRejected = "client.failed.broadcast_rejected";
inline constexpr const char* kFailureBroadcastTimeout = "client.failed.broadcast_timeout";
inline constexpr const char* kFailureCommitTimeout = "client.failed.commit_timeout";

// The typed record of a client.failed.* event (AnalysisEvent::data): what the peer or the
// chaincode said, when it said something (an endorsement_error's refusal or the chaincode's
// error message); empty otherwise.
struct ClientFailure {
  std::string message;
};

// The typed record of a client.block event (AnalysisEvent::data): the peer whose BlockEvent
// reported the transaction (the channel's event peer).
struct ClientBlockEvent {
  HostId peer = kNoHost;
};

// Bound on policy evaluations of the smallest-selection search for one chaincode.
inline constexpr size_t kSelectionEvaluationsMax = 20'000;

// An endorsing peer the client may send proposals to.
struct EndorserCandidate {
  HostId host = kNoHost;
  PolicyIdentity identity;  // the peer's signing identity as the policy sees it
};

// One chaincode's endorsement policy and its candidate endorsers (in preference order;
// (msp_id, id_key) distinct), and the channel it is defined on.
struct ChaincodeEndorsers {
  CompiledSignaturePolicy policy;
  std::vector<EndorserCandidate> candidates;
  size_t channel = 0;  // index into ClientConfig::channels
};

// Virtual CPU charged by the client, derived from the cost model by model/node_costs.h
// (zero unless set).
struct ClientCosts {
  Duration proposal_build_sign;  // per request: marshal + sign the proposal
  Duration verify_response;      // per ProposalReply: parse it, verify the endorsement
  Duration assemble_sign;        // per transaction: assemble + sign the envelope
  Duration block_event;           // per BlockEvent: parse and match TxIDs
};
// The charges of CostModel::defaults() under ECDSA (model/node_costs.h derives every
// process's charges from the cost model; this is ClientConfig's default).
ClientCosts default_client_costs();

// One channel the client submits to (an SDK's network = gateway.getNetwork(channel)).
struct ClientChannelConfig {
  std::string channel_id;
  // The channel's MSPs (not owned; required): every successful response is checked as
  // fabric-sdk-go's SignatureValidationHandler does (pkg/client/common/verifier/signature.go):
  // an endorsement is present, its endorser deserializes to a valid identity, and its
  // signature over payload ‖ endorser verifies.
  const crypto::MspManager* msps = nullptr;
  HostId event_peer = kNoHost;  // where the client registers for the channel's BlockEvents
  // Event-stream watchdog (ClientConfig::event_silence): the peers to move to, in order.
  std::vector<HostId> event_peer_fallbacks;
};

struct ClientConfig {
  // Distinct ids. None: every request fails as bad_request (no chaincode is configured).
  std::vector<ClientChannelConfig> channels;
  const crypto::SigningIdentity* identity = nullptr;  // not owned; outlives the process
  const crypto::Verifier* verifier = nullptr;         // the run's verifier (not owned; required)
  std::map<std::string, ChaincodeEndorsers> chaincodes;  // by chaincode name
  std::vector<HostId> orderers;                       // non-empty
  // Event-stream watchdog, per channel; off when event_silence is 0. Every event_silence,
  // if transactions of a channel wait for their commit and no BlockEvent came from the
  // channel's current event peer since the last check, the client moves to the next peer
  // of [event_peer, event_peer_fallbacks...] (cyclically; the same one when there are no
  // fallbacks) and registers there with start_block = the first block it has not seen, so
  // the commits it missed are replayed. Events from any other peer are ignored. With the
  // watchdog on, a gap in block numbers (an event lost in transit) also re-registers, at
  // the same peer, from the first missing block -- again one event_silence later if the
  // gap is still open.
  Duration event_silence = Duration::zero();
  bool rotate_endorsers = true;                       // spread load among equivalent peers
  // Defaults: the timeouts fabric-samples' Gateway applications set (endorse 15 s, submit
  // 5 s, commit status 1 min).
  Duration endorsement_timeout = Duration::seconds(15);
  Duration broadcast_timeout = Duration::seconds(5);
  Duration commit_timeout = Duration::seconds(60);
  uint32_t broadcast_attempts_max = 3;  // >= 1: attempts per transaction, the first included
  // Endorser failover; off when endorser_backoff is 0. When an endorsement times out, the
  // peers that did not answer are avoided in selections for endorser_backoff, and (up to
  // endorsement_attempts_max attempts, the first included) the proposal is sent again to
  // other peers of the same classes in their place, keeping the answers already received —
  // as an SDK's discovery handler tries another peer of the group. Explicit targets
  // (TxRequest.endorsers) are never replaced.
  Duration endorser_backoff = Duration::zero();
  uint32_t endorsement_attempts_max = 2;
  size_t in_flight_max = 100'000;       // transactions between submitted and their outcome
  ClientCosts costs = default_client_costs();
};

// Which endorsers to ask for one chaincode, computed once (see the header comment).
struct EndorserPlan {
  std::vector<std::vector<size_t>> classes;  // candidate indices per class, preference order
  std::vector<size_t> counts;                // peers to take from each class
  std::vector<size_t> class_of;              // per candidate: its class
  bool satisfiable = false;                  // false: no selection satisfies the policy
  bool minimum = false;                      // the search finished: no smaller selection exists
};
EndorserPlan plan_endorsers(const ChaincodeEndorsers& chaincode);

// One request's endorsers: indices into ChaincodeEndorsers::candidates, in selection order
// (class by class); empty if the plan is not satisfiable. With `rotate`, each class's peers
// are taken from a start drawn from it (one draw per class with more peers than needed).
// With `avoid` (one flag per candidate, may be null), a class's flagged members are taken
// only when there are not enough others (in the same rotated order).
std::vector<size_t> pick_endorsers(const EndorserPlan& plan, Rng* rotate, const std::vector<bool>* avoid = nullptr);

class ClientProcess : public Process {
 public:
  explicit ClientProcess(ClientConfig config);

  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;
  void on_call(NodeContext& ctx, const ClientCall& call) override;

  size_t in_flight() const { return pending_.size(); }
  // The current event peer of channel `channel` (index into ClientConfig::channels).
  HostId event_peer(size_t channel = 0) const;
  HostId current_orderer() const { return config_.orderers[current_orderer_]; }

 private:
  enum class Stage : uint8_t { kEndorsing, kBroadcasting, kAwaitingCommit };

  struct Pending {
    std::string request_id;
    protoutil::Proposal proposal;
    std::vector<HostId> endorsers;                                  // selection order
    std::vector<std::optional<protos::ProposalResponse>> responses;  // one slot per endorser
    size_t responses_received = 0;
    Stage stage = Stage::kEndorsing;
    TimerId timer = 0;
    Message envelope;            // the signed transaction, kept for retries
    uint32_t attempts = 0;       // broadcast attempts made
    size_t orderer_index = 0;    // orderer of the current attempt
    Time acked_at;               // kAwaitingCommit: when the orderer acknowledged it
    std::string chaincode;
    size_t channel = 0;              // index into ClientConfig::channels
    std::vector<size_t> candidates;  // candidate index per endorser slot; empty: explicit targets
    uint32_t endorse_attempts = 1;
  };
  // Endorser failover (ClientConfig::endorser_backoff): true if the missing endorsements
  // were re-requested from other peers.
  bool retry_endorsement(NodeContext& ctx, const std::string& tx_id, Pending& p);
  std::vector<bool> avoided(const std::string& chaincode, Time now) const;

  void submit(NodeContext& ctx, const std::string& args);
  void on_proposal_reply(NodeContext& ctx, HostId from, const Message& msg);
  void on_broadcast_reply(NodeContext& ctx, HostId from, const Message& msg);
  void on_block_event(NodeContext& ctx, HostId from, const Message& msg);
  void assemble_and_broadcast(NodeContext& ctx, const std::string& tx_id, Pending& p);
  void broadcast(NodeContext& ctx, const std::string& tx_id, Pending& p);
  // A failed broadcast attempt: retry on the next orderer, or fail with `reason`/`value`.
  void broadcast_failed(NodeContext& ctx, const std::string& tx_id, Pending& p, const char* reason, int64_t value);
  void arm(NodeContext& ctx, const std::string& tx_id, Pending& p, Duration after);
  // Emits `event` and forgets the transaction.
  // `message`: for a failure, what the peer or chaincode said (ClientFailure).
  void finish(NodeContext& ctx, const std::string& tx_id, const char* event, int64_t value,
              std::string message = {});
  // One channel's event stream: the current event peer (0 = the channel's event_peer, i =
  // fallbacks[i-1]), the first block number not yet seen, and whether an event came since
  // the watchdog's last check. With the watchdog on, next_block is the end of the gap-free
  // prefix: the blocks seen beyond a gap wait in seen_ahead, and the last resume for a gap
  // is remembered so that live events do not resume again for the same gap within one
  // event_silence.
  struct EventStream {
    size_t index = 0;
    uint64_t next_block = 0;  // 0 until the first event: nothing known yet
    bool seen = false;
    std::set<uint64_t> seen_ahead;
    std::optional<std::pair<uint64_t, Time>> gap_resumed;  // (from block, at)
  };
  void register_for_events(NodeContext& ctx, size_t channel, bool resume);
  // An event for this block came on `channel`; resumes on a gap.
  void note_block(NodeContext& ctx, size_t channel, uint64_t number);
  void event_watchdog(NodeContext& ctx);

  ClientConfig config_;
  std::map<std::string, EndorserPlan> plans_;    // by chaincode name, one per config entry
  size_t current_orderer_ = 0;
  std::map<std::string, Pending> pending_;        // by Fabric TxID
  std::map<TimerId, std::string> timer_owner_;    // armed timer -> TxID
  std::map<HostId, Time> avoid_until_;  // endorsers that timed out, avoided until then
  std::vector<EventStream> streams_;    // one per ClientConfig::channels entry
};

}  // namespace fabsim::model::client
