// Post-run checks of a Kafka-ordered channel (issue 12, item 5; docs/kafka.md "Checks").
// They read what the ordering service nodes (OSNs) and the brokers keep at the end of the run
// — each OSN's block store, each replica's partition log and high watermark — and the
// acknowledgements the OSNs gave, and never change any of it.
//
//  1. OSN agreement: at every height two OSNs both hold, the block header hash and the
//     KafkaMetadata are the same (the SIGNATURES differ: each OSN signs its own blocks).
//  2. Blocks are the log: every block's transactions are exactly the REGULAR messages of the
//     partition between the previous block's last_offset_persisted (exclusive) and its own
//     (inclusive), in offset order; CONNECT and TIMETOCUT messages in the range are skipped.
//     Checked against the reference replica (the up leader with the highest epoch, else the
//     replica with the highest high watermark), as far as its log reaches.
//  3. Replicas agree below the high watermark: for every two replicas, the records below both
//     of their high watermarks (capped by their log ends) are the same.
//  4. One block per TIMETOCUT: a block whose last offset is a TIMETOCUT message carries that
//     message's block number (a stale TIMETOCUT must never cut).
//  5. No acknowledged record lost: every transaction an OSN answered SUCCESS is in the final
//     ledger (the longest OSN ledger). Judged when the ledger's last offset persisted has
//     passed the acknowledged offset, or else when faults_healed says so; a loss the
//     settings permit (acks 1, unclean leader election, power loss of a broker without
//     log flushing) is reported, not a violation, and so is any loss when the scenario
//     pins it with expect.kafka.lost_acknowledged (see the runner).
//  6. Liveness (kafka_liveness): after each fault event, while the conditions for progress
//     hold (a ZooKeeper quorum, at least min.insync.replicas of the partition's replicas and
//     one OSN up, no partition or degradation active), some OSN writes a block within the
//     bound (+3 s) — judged as passed when one does, as failed when none does although the
//     conditions held past the bound and a broadcast came in the second after it.
// A violation names the heights, offsets and nodes involved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/kafka/partition_log.h"
#include "model/ledger/block_store.h"

namespace fabsim {

struct KafkaOsnView {
  std::string osn;  // node name
  const ledger::BlockStore* blocks = nullptr;
};

struct KafkaReplicaView {
  std::string broker;  // node name
  int32_t broker_id = 0;
  bool up = false;
  bool leader = false;        // the replica thinks it leads
  int32_t leader_epoch = -1;  // its replica's current leader epoch
  int64_t high_watermark = 0;
  const kafka::PartitionLog* log = nullptr;
};

// An OSN's SUCCESS answer to a Broadcast (the "kafka.chain.acked" event).
struct KafkaAck {
  std::string tx_id;  // the full Fabric TxID
  std::string osn;
  Time at;
  int64_t offset = -1;  // where the leader appended the REGULAR message
};

struct KafkaCheckInput {
  std::string channel;  // the topic; partition 0
  std::vector<KafkaOsnView> osns;
  std::vector<KafkaReplicaView> replicas;  // the partition's replicas
  std::vector<KafkaAck> acks;              // in the order they were given
  // Whether losses are judged (check 5): the runner sets it when the run ends in a state
  // where ordering progresses — no fault left that stops it — with time to drain.
  bool faults_healed = true;
};

struct KafkaLostRecord {
  KafkaAck ack;
  bool operator==(const KafkaLostRecord&) const = default;
};

struct KafkaCheckReport {
  std::vector<std::string> violations;   // checks 1, 2 and 4, and logs or blocks that cannot be read
  std::vector<std::string> divergences;  // check 3: the first differing offset of each replica pair
  uint64_t heights_compared = 0;        // check 1: (height, OSN pair) comparisons
  uint64_t blocks_matched = 0;          // check 2: blocks compared with the log
  uint64_t offsets_compared = 0;        // check 3: (offset, replica pair) comparisons
  uint64_t acknowledged = 0;            // distinct TxIDs some OSN answered SUCCESS
  // Check 5: acknowledged TxIDs missing from the final ledger (first ack of each), and how
  // many acknowledged TxIDs were not judged because faults were still active at the end.
  std::vector<KafkaLostRecord> lost;
  uint64_t unjudged = 0;  // missing but not judged (faults_healed false)
  std::string reference_replica;  // the broker check 2 read
  uint64_t ledger_height = 0;     // of the longest OSN ledger
};

KafkaCheckReport check_kafka(const KafkaCheckInput& in);

// ---- liveness ------------------------------------------------------------------------------

// The settings the liveness bound is derived from (docs/kafka.md "Checks").
struct KafkaTimeouts {
  Duration zookeeper_session_timeout = Duration::seconds(6);
  Duration zookeeper_tick = Duration::seconds(2);
  uint32_t zookeeper_init_limit = 5;  // ticks
  Duration replica_lag_time_max = Duration::seconds(10);
  Duration network_timeout = Duration::seconds(10);  // the OSN producer's and consumer's
  Duration producer_retry_backoff = Duration::millis(100);
  uint32_t producer_retries = 3;
  Duration connect_retry = Duration::seconds(5);  // Retry.ShortInterval
  Duration consumer_backoff = Duration::seconds(2);
  Duration batch_timeout = Duration::seconds(1);
};

// How long ordering may take to resume after a fault event once the conditions for progress
// hold: the sum of the worst cases on the way (each term in docs/kafka.md "Checks").
Duration kafka_liveness_bound(const KafkaTimeouts& t);

// One fault event (a fault period's start or end) and the state after it.
struct KafkaLivenessEvent {
  Time at;
  std::string what;           // "after crash kafka0 (40s)"
  bool conditions_hold = false;  // until the next event or the end
  std::optional<Time> until;  // the next event, if any
};

struct KafkaLivenessResult {
  KafkaLivenessEvent event;
  bool judged = false;                // passed (a block in time) or failed (see check 6 above)
  std::optional<Duration> resumed;    // from the event to the first block after it
};

// `blocks`: when any OSN wrote each block of the channel after genesis (sorted);
// `submissions`: when transactions reached the OSNs (sorted); `end`: the end of the run.
std::vector<KafkaLivenessResult> kafka_liveness(const std::vector<KafkaLivenessEvent>& events,
                                                const std::vector<Time>& blocks, const std::vector<Time>& submissions,
                                                Duration bound, Time end, std::vector<std::string>* violations);

}  // namespace fabsim
