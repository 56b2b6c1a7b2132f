#include "model/kafka/config.h"

#include <fmt/format.h>

namespace fabsim::kafka {

Result<KafkaVersion> parse_kafka_version(const std::string& s) {
  auto is = [&](const char* prefix) { return s == prefix || s.starts_with(std::string(prefix) + "."); };
  if (is("0.10")) return KafkaVersion::k0_10;
  if (is("1.0") || is("1.1")) return KafkaVersion::k1_0;
  if (is("2.0")) return KafkaVersion::k2_0;
  return Status::invalid_argument(fmt::format("unknown Kafka version '{}' (expected 0.10, 1.0 or 2.0)", s));
}

const char* kafka_version_name(KafkaVersion v) {
  switch (v) {
    case KafkaVersion::k0_10: return "0.10";
    case KafkaVersion::k1_0: return "1.0";
    case KafkaVersion::k2_0: return "2.0";
  }
  return "?";
}

TruncationMode truncation_mode(KafkaVersion v) {
  switch (v) {
    case KafkaVersion::k0_10: return TruncationMode::kHighWatermark;
    case KafkaVersion::k1_0: return TruncationMode::kEpochV0;
    case KafkaVersion::k2_0: return TruncationMode::kEpochV1;
  }
  return TruncationMode::kEpochV0;
}

const char* truncation_mode_name(TruncationMode m) {
  switch (m) {
    case TruncationMode::kHighWatermark: return "hw";
    case TruncationMode::kEpochV0: return "epoch_v0";
    case TruncationMode::kEpochV1: return "epoch_v1";
  }
  return "?";
}

KafkaCosts kafka_costs(const CostModel& m) { return {m.log_append, m.block_write_per_kb, m.fsync}; }

Status BrokerConfig::validate() const {
  if (!brokers.contains(broker_id)) return Status::invalid_argument(fmt::format("broker {} is not in the cluster", broker_id));
  if (zookeeper.empty()) return Status::invalid_argument("zookeeper.connect lists no server");
  if (replica_fetch_wait_max > replica_lag_time_max || replica_fetch_wait_max > replica_socket_timeout)
    return Status::invalid_argument(
        "replica.fetch.wait.max.ms must not exceed replica.lag.time.max.ms or replica.socket.timeout.ms");
  if (min_insync_replicas < 1) return Status::invalid_argument("min.insync.replicas must be at least 1");
  for (const TopicSpec& t : topics) {
    if (t.partitions.empty()) return Status::invalid_argument(fmt::format("topic {} has no partitions", t.name));
    for (const auto& ar : t.partitions) {
      if (ar.empty()) return Status::invalid_argument(fmt::format("topic {}: a partition has no replicas", t.name));
      for (int32_t b : ar)
        if (!brokers.contains(b))
          return Status::invalid_argument(fmt::format("topic {}: replica {} is not a broker", t.name, b));
    }
  }
  return Status::ok();
}

}  // namespace fabsim::kafka
