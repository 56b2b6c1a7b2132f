// The `kafka:` section of a scenario (docs/scenario-format.md "kafka"; KafkaSpec in
// scenario_spec.h), with the rules of issue 12 "Bad input": each a located error; and the
// warnings of Fabric's Kafka guide ("Bringing up a Kafka-based Ordering Service", docs/kafka.md
// "What Fabric's guide advises"), each located at the setting it is about.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "core/assert.h"
#include "core/proto/common/common.pb.h"
#include "model/kafka/config.h"
#include "model/orderer/kafka_chain.h"
#include "scenarios/loader_internal.h"

namespace fabsim::scenario::detail {
namespace {

// The guide's ensemble sizes: 3, 5 or 7.
std::optional<std::string> zookeeper_advice(uint32_t zookeepers) {
  if (zookeepers == 1)
    return "one ZooKeeper node is a single point of failure: when it stops, no broker can register, elect a "
           "controller or change an ISR; Fabric's Kafka guide asks for 3, 5 or 7";
  if (zookeepers % 2 == 0)
    return fmt::format("an even ensemble of {} tolerates as many failures as one of {} (a write needs {} of the {}) "
                       "and cannot form a majority on either side of an even split; Fabric's Kafka guide asks for "
                       "an odd number: 3, 5 or 7",
                       zookeepers, zookeepers - 1, zookeepers / 2 + 1, zookeepers);
  if (zookeepers > 7) return "Fabric's Kafka guide considers more than 7 ZooKeeper nodes overkill (3, 5 or 7)";
  return std::nullopt;
}

// Whether the record an OSN produces for an envelope whose payload and signature (Fabric's
// message size, which absolute_max_bytes bounds) add up to `message_bytes` fits the brokers'
// message.max.bytes: the REGULAR KafkaMessage around the marshalled envelope
// (orderer::regular_message), measured.
bool record_fits(uint32_t message_bytes, int32_t message_max_bytes) {
  if (message_bytes >= static_cast<uint32_t>(message_max_bytes)) return false;  // the wrapper only adds
  constexpr uint32_t kSignatureBytes = 72;  // an ECDSA P-256 signature, DER, at its longest
  const uint32_t signature = std::min(message_bytes, kSignatureBytes);
  common::Envelope env;
  env.set_payload(std::string(message_bytes - signature, '\0'));
  env.set_signature(std::string(signature, '\0'));
  return orderer::regular_message(env).ByteSizeLong() <= static_cast<uint64_t>(message_max_bytes);
}

}  // namespace

Status read_kafka(LoadContext& ctx, const YamlNode* ordering, const YamlNode* n) {
  const FieldReader& r = ctx.r;
  const bool kafka = ctx.spec.ordering.type == OrderingType::kKafka;
  if (!kafka) {
    if (n != nullptr) return r.error(*n, "kafka", "a kafka section needs 'ordering: {type: kafka}'");
    return Status::ok();
  }
  if (n == nullptr) {
    const YamlNode* t = ordering->find("type");
    return r.error(*t, "ordering.type", "ordering type kafka needs a 'kafka:' section (brokers, zookeepers, ...)");
  }
  SCENARIO_TRY(r.map(*n, "kafka",
                     {"version", "brokers", "zookeepers", "replication_factor", "min_insync_replicas",
                      "unclean_leader_election", "acks", "zookeeper_session_timeout", "replica_lag_time_max"}));
  KafkaSpec k;
  if (const YamlNode* v = n->find("version")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*v, "kafka.version", {"0.10", "1.0", "2.0"}, &index));
    k.version = v->text;
  }
  if (const YamlNode* v = n->find("brokers")) SCENARIO_TRY(r.whole32(*v, "kafka.brokers", 1, 1000, &k.brokers));
  if (const YamlNode* v = n->find("zookeepers")) {
    SCENARIO_TRY(r.whole32(*v, "kafka.zookeepers", 1, 1000, &k.zookeepers));
    if (auto advice = zookeeper_advice(k.zookeepers)) ctx.warn(*v, "kafka.zookeepers", *advice);
  }
  if (const YamlNode* v = n->find("replication_factor")) {
    SCENARIO_TRY(r.whole32(*v, "kafka.replication_factor", 1, 1000, &k.replication_factor));
    if (k.replication_factor > k.brokers)
      return r.error(*v, "kafka.replication_factor",
                     fmt::format("replication factor {} exceeds the {} brokers", k.replication_factor, k.brokers));
  } else if (k.replication_factor > k.brokers) {
    k.replication_factor = k.brokers;  // the default, capped to a smaller cluster
  }
  if (const YamlNode* v = n->find("min_insync_replicas")) {
    SCENARIO_TRY(r.whole32(*v, "kafka.min_insync_replicas", 1, 1000, &k.min_insync_replicas));
    if (k.min_insync_replicas > k.replication_factor)
      return r.error(*v, "kafka.min_insync_replicas",
                     fmt::format("min.insync.replicas {} exceeds the replication factor {}", k.min_insync_replicas,
                                 k.replication_factor));
  } else if (k.min_insync_replicas > k.replication_factor) {
    k.min_insync_replicas = k.replication_factor;
  }
  if (const YamlNode* v = n->find("unclean_leader_election")) {
    bool b = false;
    SCENARIO_TRY(r.boolean(*v, "kafka.unclean_leader_election", &b));
    k.unclean_leader_election = b;
  }
  if (const YamlNode* v = n->find("acks")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*v, "kafka.acks", {"all", "1"}, &index));
    k.acks = index == 0 ? -1 : 1;
  }
  if (const YamlNode* v = n->find("zookeeper_session_timeout"))
    SCENARIO_TRY(r.duration(*v, "kafka.zookeeper_session_timeout", FieldReader::Sign::kPositive,
                            &k.zookeeper_session_timeout));
  if (const YamlNode* v = n->find("replica_lag_time_max"))
    SCENARIO_TRY(r.duration(*v, "kafka.replica_lag_time_max", FieldReader::Sign::kPositive, &k.replica_lag_time_max));
  ctx.spec.kafka = k;
  return Status::ok();
}

void warn_kafka_batch_sizes(LoadContext& ctx, const YamlNode& root) {
  if (!ctx.spec.kafka) return;
  const YamlNode* ordering = root.find("ordering");
  const YamlNode* type = ordering != nullptr ? ordering->find("type") : nullptr;
  FABSIM_ASSERT(type != nullptr);  // Kafka ordering is written there
  const YamlNode* channels = root.find("channels");
  // Where a channel's value of batch_size.<key> was written: the channel's own key, else the
  // ordering section's, else nowhere (the default: the warning points at ordering.type).
  // The text does not say which: a spec written out and loaded again has every value
  // written, and its warnings must equal the original's (LoadWarning::operator==).
  auto source = [&](size_t channel, const char* key) -> std::pair<const YamlNode*, std::string> {
    auto size_key = [&](const YamlNode* section) -> const YamlNode* {
      const YamlNode* size = section != nullptr ? section->find("batch_size") : nullptr;
      return size != nullptr ? size->find(key) : nullptr;
    };
    if (channels != nullptr && channels->kind == YamlNode::Kind::kList && channel < channels->items.size())
      if (const YamlNode* v = size_key(&channels->items[channel]))
        return {v, child_path(child_path(child_path("channels", channel), "batch_size"), key)};
    if (const YamlNode* v = size_key(ordering)) return {v, std::string("ordering.batch_size.") + key};
    return {type, std::string("ordering.batch_size.") + key};
  };
  const int32_t message_max = kafka::BrokerConfig{}.message_max_bytes;
  std::set<std::string> said;  // channels that inherit one value share its warning
  for (size_t i = 0; i < ctx.spec.channels.size(); ++i) {
    const orderer::BatchSize& size = ctx.spec.channels[i].batch.size;
    if (size.preferred_max_bytes > (1u << 20)) {
      auto [at, path] = source(i, "preferred_max_bytes");
      if (said.insert(path).second)
        ctx.warn(*at, path,
                 fmt::format("{} bytes is above 1 MiB: Fabric's Kafka guide advises PreferredMaxBytes of at most "
                             "1 MiB under Kafka ordering, where smaller messages give higher throughput",
                             size.preferred_max_bytes));
    }
    if (!record_fits(size.absolute_max_bytes, message_max)) {
      auto [at, path] = source(i, "absolute_max_bytes");
      if (said.insert(path).second)
        ctx.warn(*at, path,
                 fmt::format("{} bytes: an envelope that large passes the Broadcast size filter, but its Kafka "
                             "record is above the brokers' message.max.bytes ({} bytes, Kafka's default) and is "
                             "refused (MESSAGE_TOO_LARGE): the client gets SERVICE_UNAVAILABLE. Fabric's Kafka guide "
                             "asks for AbsoluteMaxBytes < replica.fetch.max.bytes <= message.max.bytes",
                             size.absolute_max_bytes, message_max));
    }
  }
}

}  // namespace fabsim::scenario::detail
