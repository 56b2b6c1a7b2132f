// Broker settings: Kafka's server.properties keys that decide replication, with their
// defaults by version (kafka-semantics.md §1; sources there), and the cluster layout a
// broker needs (its peers' hosts, ZooKeeper, the topics the controller creates).
//
// Versions. `0.10` (0.10.2: truncation to the local high watermark, unclean election on by
// default, the last ISR member kept only with unclean election off), `1.0` (leader epochs
// with OffsetsForLeaderEpoch v0: the KAFKA-6361 gap; unclean off by default) and `2.0`
// (KIP-279: the leader answers with the epoch too, the follower starts fetching at its
// high watermark). Every version uses 0.10.2's high-watermark rule (KAFKA-4485) and
// 1.x's ISR rules.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cost_model.h"
#include "core/node.h"
#include "core/status.h"
#include "core/time.h"
#include "model/kafka/partition_log.h"

namespace fabsim::kafka {

enum class KafkaVersion : uint8_t { k0_10, k1_0, k2_0 };
enum class TruncationMode : uint8_t { kHighWatermark, kEpochV0, kEpochV1 };

// "0.10", "1.0", "2.0" (also "0.10.2", "1.0.2", "1.1", "2.0.0" ...: by their major.minor).
Result<KafkaVersion> parse_kafka_version(const std::string& s);
const char* kafka_version_name(KafkaVersion v);
TruncationMode truncation_mode(KafkaVersion v);
const char* truncation_mode_name(TruncationMode m);

// A topic the controller creates at its first failover (as kafka-topics.sh would): the
// assigned replicas of each partition, preferred leader first.
struct TopicSpec {
  std::string name;
  std::vector<std::vector<int32_t>> partitions;
};

// Virtual CPU and disk a broker charges (zero unless set; kafka_costs() derives them from
// the cost model: docs/cost-model.md "Kafka").
struct KafkaCosts {
  Duration append_per_record;     // CPU per record appended, as leader or follower (log_append)
  Duration write_per_kb;          // disk per started KiB written to a segment (block_write_per_kb)
  Duration fsync;                 // disk per sync of the log (flush policy, segment roll)
};
KafkaCosts kafka_costs(const CostModel& m);

struct BrokerConfig {
  int32_t broker_id = 0;
  KafkaVersion version = KafkaVersion::k1_0;
  std::map<int32_t, HostId> brokers;   // every broker of the cluster, by broker.id
  std::vector<HostId> zookeeper;       // zookeeper.connect
  std::vector<TopicSpec> topics;
  Duration startup_delay = Duration::zero();  // the process starts the broker this late

  Duration zookeeper_session_timeout = Duration::millis(6000);    // zookeeper.session.timeout.ms
  Duration replica_lag_time_max = Duration::millis(10000);        // replica.lag.time.max.ms
  Duration replica_fetch_wait_max = Duration::millis(500);        // replica.fetch.wait.max.ms
  int32_t replica_fetch_min_bytes = 1;                            // replica.fetch.min.bytes
  int32_t replica_fetch_max_bytes = 1 << 20;                      // replica.fetch.max.bytes
  Duration replica_fetch_backoff = Duration::millis(1000);        // replica.fetch.backoff.ms
  Duration replica_socket_timeout = Duration::millis(30000);      // replica.socket.timeout.ms
  Duration hw_checkpoint_interval = Duration::millis(5000);       // replica.high.watermark.checkpoint.interval.ms
  int32_t min_insync_replicas = 1;                                // min.insync.replicas
  std::optional<bool> unclean_leader_election;                    // unset: the version's default
  int32_t message_max_bytes = 1000012;                            // message.max.bytes
  Duration request_timeout = Duration::millis(30000);             // request.timeout.ms (controller requests)
  bool auto_leader_rebalance = true;                              // auto.leader.rebalance.enable
  Duration leader_imbalance_check_interval = Duration::seconds(300);  // leader.imbalance.check.interval.seconds
  int32_t leader_imbalance_per_broker_percentage = 10;
  LogConfig log;                                                  // log.segment.bytes, log.flush.interval.messages
  Duration log_flush_interval = Duration::max();                  // log.flush.interval.ms: never
  KafkaCosts costs;

  bool unclean() const { return unclean_leader_election.value_or(version == KafkaVersion::k0_10); }
  // The startup checks Kafka makes (KafkaConfig.validateValues) and the layout's.
  Status validate() const;
};

}  // namespace fabsim::kafka
