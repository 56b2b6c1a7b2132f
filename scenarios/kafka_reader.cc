// The `kafka:` section of a scenario (docs/scenario-format.md "kafka"; KafkaSpec in
// scenario_spec.h), with the rules of issue 12 "Bad input": each a located error.
#include <fmt/format.h>

#include "model/kafka/config.h"
#include "scenarios/loader_internal.h"

namespace fabsim::scenario::detail {

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
  if (const YamlNode* v = n->find("zookeepers")) SCENARIO_TRY(r.whole32(*v, "kafka.zookeepers", 1, 1000, &k.zookeepers));
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

}  // namespace fabsim::scenario::detail
