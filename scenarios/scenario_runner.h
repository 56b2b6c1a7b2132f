// The scenario runner: executes a loaded ScenarioSpec (scenarios/scenario_spec.h) on the
// kernel and reports what happened — the engine behind `fabsim run`.
//
// A run, in order:
//   1. The network: a FabricNetwork (scenarios/fabric_network.h) with the spec's orgs,
//      peers, clients, the solo orderer `orderer0`, the channels with their members, batch
//      settings and chaincodes, links, cost overrides and crypto. Link overrides and every pair that a
//      `degrade` fault names get a dedicated pair link (sim/network.h); a degrade-only pair's
//      link has the parameters of the path through the switch (see pair_path_params).
//   2. The workload generators and the fault timeline are scheduled (below); every host
//      boots at time 0.
//   3. The world runs until duration + drain. Generators issue nothing after their `end`;
//      the drain lets in-flight transactions finish.
//   4. The analysis, per channel and for the whole run: one TxRecord per requested
//      transaction from the clients' events (model/client/client.h), blocks by cut reason
//      from the orderer's events, the safety checks (analysis/invariants.h) over every peer
//      of the channel — those down at the end through their ledger reopened from durable
//      storage —, the metrics and the expectations.
//
// Workload (docs/scenario-format.md, "workload"). Each generator draws from its own random
// stream Rng::stream(seed, "workload/<index>"), so adding a generator never shifts another
// one's draws. Generated transactions get the id "<generator>.<seq>" ("0.17"); scripted ones
// keep theirs.
//   * open (poisson or fixed), phases: arrivals go to the generator's clients round robin.
//     Poisson gaps are exponential with the current phase's rate; at a phase boundary the
//     next arrival is drawn afresh from the boundary (exponential gaps are memoryless, so
//     this is exact). Fixed: one arrival every 1/rate from each phase's start.
//   * closed: at `start` each client sends `outstanding` transactions; each completion
//     (committed or failed) of one of them sends the next after `think_time`, while the
//     send time is before `end`. A client that crashes loses its in-flight transactions
//     (no completion): its share of the loop stops.
//   * scripted: each transaction is handed to its client at its time; same-time ones in
//     file order.
//   * chaincodes with `init`: the Init ("init.<chaincode>") goes at time 0 from the first
//     client of an org on the chaincode's channel, before any generator's transaction of
//     that instant. Invocations endorsed before it commits fail at endorsement, as in
//     Fabric ("has not been initialized for this version, must call as init first").
//   The mix entry is drawn by weight; {key}/{key2} from `keys` (uniform, zipf, hotset,
//   sequential = seq mod count), {int}, {bytes} from the same stream.
//
// Faults are applied at their times (kernel faults, sim/world.h); `for` schedules the undo,
// dropped if it falls after duration + drain. A fault that cannot be applied is recorded
// in RunReport::fault_errors (the loader's timeline check makes that rare).
//
// Determinism: everything is driven by the seed; the report holds no pointer or wall time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/invariants.h"
#include "analysis/kafka_checks.h"
#include "analysis/timeseries.h"
#include "core/status.h"
#include "core/time.h"
#include "scenarios/scenario_spec.h"
#include "sim/network.h"
#include "sim/world.h"

namespace fabsim::scenario {

// One transaction the workload asked for, and what became of it.
struct TxRecord {
  enum class Outcome : uint8_t { kUnknown, kCommitted, kFailed };
  std::string id;         // scripted id, or "<generator>.<seq>"
  uint32_t generator = 0; // index in ScenarioSpec::workload; the Inits get workload.size()
  std::string client;     // node name
  std::string chaincode;
  std::string channel;    // the chaincode's channel
  std::string function;
  std::string tx_id;      // the first 8 hex digits of its Fabric TxID, as trace lines show it
  Time requested;         // handed to the client
  std::optional<Time> submitted, endorsed, ordered, completed;
  // Committed: when the orderer cut its block (unknown if the orderer's event was lost in a
  // crash), and the block's way through the peer whose event the client took.
  std::optional<Time> cut;
  struct AtPeer {
    Time received;    // the block reached the peer
    Time vscc_start;  // its validation began (after the lane's queue and the block checks)
    Time vscc_end;    // per-transaction validation (signatures, VSCC) done
    Time mvcc_end;    // MVCC done
    Time ledger_end;  // state updates, block write and fsync done
  };
  std::optional<AtPeer> at_peer;
  HostId committed_at = kNoHost;  // the peer whose commit event the client took
  std::optional<uint64_t> block;  // committed: the block holding it
  Outcome outcome = Outcome::kUnknown;
  int32_t code = -1;      // committed: the TxValidationCode
  std::string failure;    // failed: the client's reason ("endorsement_timeout", ...)
  std::string message;    // failed: what the peer or chaincode said, when it said something
  bool init = false;      // a chaincode's Init ("init.<chaincode>"): not in the metrics

  bool valid() const { return outcome == Outcome::kCommitted && code == 0; }
  // "VALID", a TxValidationCode name, "failed:<reason>", or "unknown".
  std::string status_text() const;
};

inline constexpr const char* kUnknownCutReason = "unknown";

struct CutStats {
  uint64_t blocks = 0;
  uint64_t transactions = 0;
  uint64_t bytes = 0;
};

// The consecutive phases of a transaction's life; for a VALID one they add up to its latency.
//   endorse        request -> endorsements collected (the client signs, peers simulate)
//   broadcast      -> the orderer's acknowledgement reached the client (or the block was
//                     cut, if that came first: an envelope that completes a batch)
//   batch_wait     -> the orderer cut the block holding it
//   delivery       -> the block reached the committing peer (signing, block write, Deliver)
//   commit_queue   -> its validation began (the peer's commit lane, block checks)
//   vscc           -> per-transaction validation done (signatures, VSCC, on the pool)
//   mvcc           -> MVCC done
//   ledger_commit  -> state updates, block write and fsync done
//   commit_event   -> the client has the commit event
// The committing peer is the one whose event the client took.
enum class Phase : uint8_t {
  kEndorse,
  kBroadcast,
  kBatchWait,
  kDelivery,
  kCommitQueue,
  kVscc,
  kMvcc,
  kLedgerCommit,
  kCommitEvent,
};
inline constexpr size_t kPhaseCount = 9;
const char* phase_name(Phase p);  // "endorse", "batch_wait", ...
inline Phase phase_at(size_t i) { return static_cast<Phase>(i); }

// A phase over the transactions that have both of its ends (nearest-rank percentiles).
struct PhaseStats {
  uint64_t count = 0;
  std::optional<Duration> mean, p50, p95, p99;
};

// The boundaries of a transaction's phases (kPhaseCount + 1 of them, request first); a
// boundary not reached is empty. The last is the completion of a committed transaction.
std::array<std::optional<Time>, kPhaseCount + 1> phase_boundaries(const TxRecord& tx);

struct Metrics {
  uint64_t requested = 0;  // transactions the workload handed to clients
  uint64_t submitted = 0;  // proposals sent (client.submitted)
  uint64_t succeeded = 0;  // committed VALID (Caliper's Succ)
  uint64_t invalid = 0;    // committed with another code
  uint64_t failed = 0;     // ended by the client before any commit (failures)
  uint64_t unknown = 0;    // no outcome (client crashed, or still in flight at the end)
  // Caliper's Fail: everything submitted that did not succeed.
  uint64_t caliper_fail() const { return invalid + failed + unknown; }
  // Caliper: send rate = requested / (last request - first request); throughput = Succ /
  // (last VALID commit - first request). 0 when the interval is empty.
  double send_rate_tps = 0;
  double throughput_tps = 0;
  // Latency of VALID transactions, request to commit event (nearest-rank percentiles).
  std::optional<Duration> latency_min, latency_max, latency_avg, latency_p50, latency_p95, latency_p99;
  std::array<PhaseStats, kPhaseCount> phases;  // by Phase
  // Latency distribution of VALID transactions: counts per bucket (upper bounds in
  // latency_bucket_upper; the last bucket is unbounded above).
  std::vector<Duration> latency_bucket_upper;
  std::vector<uint64_t> latency_bucket_count;
  std::map<std::string, uint64_t> invalid_by_code;    // TxValidationCode name -> count
  std::map<std::string, uint64_t> failed_by_reason;   // client failure reason -> count
  // "<reason>: <message>" -> count, over failures that carry a message (the chaincode's
  // error, a peer's refusal).
  std::map<std::string, uint64_t> failure_messages;
};

// Over the workload's transactions: the chaincodes' Inits are left out (they are in
// RunReport::transactions and in the ledger's codes). With `channel`, over that channel's
// transactions only.
Metrics compute_metrics(const std::vector<TxRecord>& txs, std::optional<std::string_view> channel = std::nullopt);

// One channel's results: its transactions' metrics, its blocks, its peers' ledgers.
// Kafka ordering: the checks of analysis/kafka_checks.h over one channel (docs/kafka.md
// "Checks"). Divergent replicas and lost acknowledged records are violations of the run's
// invariants unless the settings permit the loss (`loss_permitted_by`) or the scenario pins
// them with expect.kafka (then they are judged by its bounds).
struct KafkaChannelReport {
  KafkaCheckReport checks;
  std::vector<std::string> loss_permitted_by;  // "acks 1", "unclean leader election", "power loss of kafka1 ..."
  Duration liveness_bound;
  std::vector<KafkaLivenessResult> liveness;  // one per fault event
};

struct ChannelReport {
  std::string name;
  Metrics metrics;  // over the transactions of the channel's chaincodes
  // By cut reason ("count", "bytes", "oversized", "timeout"), from the orderer's block
  // events; and kUnknownCutReason for blocks in the orderer's ledger whose event never
  // came: the orderer crashed after writing the block, before its handler's outputs were
  // released (the block is durable and is delivered after the restart; its reason is lost).
  std::map<std::string, CutStats> cuts;
  InvariantReport invariants;               // over the peers that joined the channel
  std::vector<std::string> peers_checked;  // the peers the safety checks read (up or down)
  std::vector<std::string> peers_down;     // peers down at the end: read from their durable storage
  std::map<std::string, uint64_t> peer_heights;
  // What the ledger says: every transaction's validation code in the blocks of the highest
  // checked peer (the first such in node order), by code name ("VALID" included). This
  // counts what clients never hear of, e.g. the second copy of a retried broadcast.
  std::string ledger_peer;  // empty if no peer could be read
  std::map<std::string, uint64_t> ledger_codes;
  std::optional<KafkaChannelReport> kafka;  // under Kafka ordering
};

struct RunReport {
  std::string scenario;
  uint64_t seed = 0;
  Time end;  // duration + drain
  std::vector<TxRecord> transactions;     // in request order
  std::vector<ChannelReport> channels;    // ScenarioSpec::channels order
  // The whole run: every channel's cuts added up, the metrics over every transaction, the
  // channels' safety checks together (with more than one channel, each violation names its
  // channel), the peers checked and down on any channel (node order), the ledger codes of
  // every channel's ledger peer added up.
  std::map<std::string, CutStats> cuts;
  Metrics metrics;
  InvariantReport invariants;
  std::vector<std::string> peers_checked;
  std::vector<std::string> peers_down;
  std::map<std::string, uint64_t> ledger_codes;
  // peer.ledger_error / peer.commit_error / peer.block_rejected events, a second outcome
  // reported for one transaction, a ledger that cannot be read back
  std::vector<std::string> node_errors;
  // Kafka: brokers that halted (as Kafka exits on a fatal error): "at 57.1 s kafka0: why".
  // Not node errors: a scenario may be built to show one (KIP-101 with 0.10 brokers).
  std::vector<std::string> kafka_halts;
  std::vector<std::string> fault_errors;
  // Each role target a fault resolved when it fired: "at 10s: crash orderer-leader(ch) = orderer0".
  std::vector<std::string> fault_targets;
  NetworkStats network;
  TimeSeries timeseries;
  std::vector<FaultImpact> faults;  // each fault that fired, in firing order, with its effect
  uint64_t trace_hash = 0;
  uint64_t trace_events = 0;
  uint64_t kernel_events = 0;
};

struct RunHooks {
  // Called once the world exists, before it starts (attach a trace file or probe).
  std::function<void(World&)> on_world;
  // The time series' window (RunReport::timeseries); positive.
  Duration window = Duration::seconds(1);
  // Called after each window with the virtual time reached (a progress display).
  std::function<void(Time)> on_window;
  // Told of every task a host ran (World::WorkSink), for a trace of the work.
  std::function<void(HostId, LaneId, const WorkSpan&)> on_work;
};

// Builds and runs the scenario. Errors are for specs the runner cannot execute (a feature
// the loader accepts but the runner does not support, named in the message).
Result<RunReport> run_scenario(const ScenarioSpec& spec, const RunHooks& hooks = {});

// The spec's expectations that the report does not meet, one line each (a channel's with
// "channels.<name>." before the key); empty if all are met (or there are none).
std::vector<std::string> unmet_expectations(const ExpectSpec& expect, const RunReport& report);

// A fault as written, for reports: "crash peer0.org1 for 10s".
std::string fault_text(const FaultSpec& f);

// The parameters of the one-hop equivalent of the path through the switch (two default
// links): twice the latency and jitter, the same bandwidth, loss and duplication combined.
LinkSpec pair_path_params(const LinkSpec& default_link);

}  // namespace fabsim::scenario
