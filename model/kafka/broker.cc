#include "model/kafka/broker.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"
#include "model/zookeeper/protocol.h"

namespace fabsim::kafka {
namespace {

constexpr Duration kIsrPropagationCheck = Duration::millis(2500);
constexpr Duration kIsrQuiet = Duration::millis(5000);
constexpr Duration kIsrPropagationMax = Duration::millis(60000);

std::string hw_key(const std::string& name) { return "kafka/hw/" + name; }

zookeeper::ClientConfig zk_config(const BrokerConfig& c) {
  return zookeeper::ClientConfig{c.zookeeper, c.zookeeper_session_timeout};
}

}  // namespace

Broker::Broker(BrokerConfig config, const DurableStore& store)
    : config_(std::move(config)), zk_(zk_config(config_), kZkTags), rpc_(kRpcTag), controller_(*this) {
  for (const TopicSpec& t : config_.topics) {
    for (int32_t p = 0; p < static_cast<int32_t>(t.partitions.size()); ++p) {
      const auto& ar = t.partitions[p];
      if (std::find(ar.begin(), ar.end(), config_.broker_id) == ar.end()) continue;
      const std::string name = partition_name(t.name, p);
      auto log = std::make_unique<PartitionLog>(store.env(), log_dir(t.name, p), config_.log);
      Status s = log->open();
      FABSIM_ASSERT_MSG(s.is_ok(), s.to_string().c_str());
      const int64_t hw = checkpointed_hw(store, t.name, p);
      partitions_[name] = std::make_unique<Partition>(*this, t.name, p, std::move(log), hw);
    }
  }
  zk_.set_listener([this](NodeContext& ctx, zookeeper::ZkClient::Event e, const zk::WatchEvent* w) {
    on_zk_event(ctx, e, w);
  });
}

std::string Broker::log_dir(const std::string& topic, int32_t index) { return "kafka-logs/" + partition_name(topic, index); }

int64_t Broker::checkpointed_hw(const DurableStore& store, const std::string& topic, int32_t index) {
  if (auto v = store.get(hw_key(partition_name(topic, index)))) return std::stoll(*v);
  return 0;
}

Partition* Broker::find(const std::string& topic, int32_t index) {
  auto it = partitions_.find(partition_name(topic, index));
  return it == partitions_.end() ? nullptr : it->second.get();
}

const Partition* Broker::partition(const std::string& topic, int32_t index) const {
  auto it = partitions_.find(partition_name(topic, index));
  return it == partitions_.end() ? nullptr : it->second.get();
}

// ---- start, ZooKeeper, controller election ----------------------------------------------------

void Broker::on_start(NodeContext& ctx) {
  if (config_.startup_delay > Duration::zero()) {
    rpc_.after(ctx, config_.startup_delay, [this](NodeContext& c) { start(c); });
  } else {
    start(ctx);
  }
}

void Broker::every(NodeContext& ctx, Duration period, std::function<void(NodeContext&)> fn) {
  rpc_.after(ctx, period, [this, period, fn](NodeContext& c) {
    if (halted_) return;
    fn(c);
    every(c, period, fn);
  });
}

void Broker::start(NodeContext& ctx) {
  started_ = true;
  ctx.emit("kafka.broker_start", config_.broker_id, kafka_version_name(config_.version));
  zk_.start(ctx);
  every(ctx, Duration::nanos(config_.replica_lag_time_max.ns / 2), [this](NodeContext& c) {
    for (auto& [name, p] : partitions_) p->shrink_isr(c);
  });
  every(ctx, kIsrPropagationCheck, [this](NodeContext& c) { propagate_isr_changes(c); });
  every(ctx, config_.hw_checkpoint_interval, [this](NodeContext& c) { checkpoint_hw(c); });
  if (config_.log_flush_interval < Duration::max())
    every(ctx, config_.log_flush_interval, [this](NodeContext& c) {
      for (auto& [name, p] : partitions_) {
        Status s = p->flush();
        if (!s) return fatal(c, s.to_string());
      }
    });
}

void Broker::on_zk_event(NodeContext& ctx, zookeeper::ZkClient::Event e, const zk::WatchEvent* w) {
  using Event = zookeeper::ZkClient::Event;
  if (halted_) return;
  switch (e) {
    case Event::kConnected:
      if (zk_.session_id() != registered_session_) register_broker(ctx);
      return;
    case Event::kDisconnected: return;  // §5.7: Kafka does nothing
    case Event::kExpired:
      registered_session_ = 0;
      controller_id_ = -1;
      controller_.resign(ctx);
      return;
    case Event::kWatch:
      if (w->path() == "/controller") {
        if (w->type() == zk::WatchEvent::DELETED) {
          if (controller_.active()) controller_.resign(ctx);
          elect_controller(ctx);
        } else {
          watch_controller(ctx);
        }
      } else if (w->path() == "/brokers/ids") {
        controller_.on_brokers_changed(ctx);
      } else if (w->path() == "/isr_change_notification") {
        controller_.on_isr_notification(ctx);
      }
      return;
  }
}

void Broker::register_broker(NodeContext& ctx) {
  const bool first = !registration_tried_;
  registration_tried_ = true;
  auto ignore = [](NodeContext&, const zk::Response&) {};
  for (const char* p : {"/brokers", "/brokers/ids", "/brokers/topics", "/isr_change_notification"})
    zk_.create(ctx, p, "", false, false, ignore);
  const int64_t session = zk_.session_id();
  zk_.create(ctx, fmt::format("/brokers/ids/{}", config_.broker_id), std::to_string(config_.broker_id), true, false,
             [this, session, first](NodeContext& c, const zk::Response& r) {
               if (halted_ || zk_.session_id() != session) return;
               if (r.code() == zk::NODE_EXISTS && first) {
                 // §5.3: restarted within the old session's timeout.
                 fatal(c, fmt::format("broker {} is already registered: restarted faster than the ZooKeeper session "
                                      "timeout",
                                      config_.broker_id));
                 return;
               }
               if (r.code() != zk::OK && r.code() != zk::NODE_EXISTS) return;
               registered_session_ = session;
               c.emit("kafka.registered", config_.broker_id, fmt::format("session={}", session));
               elect_controller(c);
             });
}

void Broker::elect_controller(NodeContext& ctx) {
  if (halted_ || registered_session_ == 0) return;
  zk_.create(ctx, "/controller", std::to_string(config_.broker_id), true, false,
             [this](NodeContext& c, const zk::Response& r) {
               if (halted_) return;
               if (r.code() == zk::OK) {
                 controller_id_ = config_.broker_id;
                 // Watch it, so this broker learns when it is gone (e.g. after expiry).
                 zk_.exists(c, "/controller", true, [](NodeContext&, const zk::Response&) {});
                 controller_.failover(c);
                 return;
               }
               watch_controller(c);
             });
}

void Broker::watch_controller(NodeContext& ctx) {
  zk_.get_data(ctx, "/controller", true, [this](NodeContext& c, const zk::Response& r) {
    if (halted_) return;
    if (r.code() == zk::NO_NODE) return elect_controller(c);
    if (r.code() == zk::OK) controller_id_ = std::stoi(r.data());
  });
}

void Broker::fatal(NodeContext& ctx, const std::string& why) {
  if (halted_) return;
  halted_ = true;
  controller_.resign(ctx);
  ctx.emit("kafka.fatal", config_.broker_id, why);
}

// ---- periodic work --------------------------------------------------------------------------

void Broker::isr_changed(NodeContext& ctx, const std::string& topic, int32_t partition) {
  isr_pending_.insert({topic, partition});
  last_isr_change_ = ctx.now();
}

void Broker::propagate_isr_changes(NodeContext& ctx) {
  if (isr_pending_.empty()) return;
  const Time now = ctx.now();
  if (now - last_isr_change_ < kIsrQuiet && now - last_isr_propagation_ < kIsrPropagationMax) return;
  std::string list;
  for (const auto& [t, p] : isr_pending_) list += partition_name(t, p) + "\n";
  isr_pending_.clear();
  last_isr_propagation_ = now;
  zk_.create(ctx, "/isr_change_notification/isr_change_", list, false, true, [](NodeContext&, const zk::Response&) {});
}

void Broker::checkpoint_hw(NodeContext& ctx) {
  for (const auto& [name, p] : partitions_) ctx.persist(hw_key(name), std::to_string(p->high_watermark()));
}

// ---- requests -------------------------------------------------------------------------------

void Broker::on_produce(NodeContext& ctx, HostId from, const ProduceRequest& req) {
  Muted& m = produce_connections_[from];
  m.waiting.push_back(req);
  if (!m.busy) next_produce(ctx, from);
}

void Broker::next_produce(NodeContext& ctx, HostId from) {
  Muted& m = produce_connections_[from];
  if (m.waiting.empty()) {
    m.busy = false;
    return;
  }
  m.busy = true;
  const ProduceRequest req = std::move(m.waiting.front());
  m.waiting.pop_front();
  auto reply = [this, from, acks = req.acks()](NodeContext& c, const ProduceResponse& r) {
    if (acks != 0) c.send(from, model::make_message(kProduceResponse, r));
    next_produce(c, from);
  };
  Partition* p = find(req.topic(), req.partition());
  if (p == nullptr) {
    ProduceResponse r;
    r.set_correlation_id(req.correlation_id());
    r.set_error(UNKNOWN_TOPIC_OR_PARTITION);
    r.set_base_offset(-1);
    return reply(ctx, r);
  }
  p->produce(ctx, req, reply);
}

void Broker::on_leader_and_isr(NodeContext& ctx, HostId from, const LeaderAndIsrRequest& req) {
  ControllerResponse resp;
  resp.set_correlation_id(req.correlation_id());
  if (req.controller_epoch() < controller_epoch_seen_) {
    resp.set_error(STALE_CONTROLLER_EPOCH);
    ctx.emit("kafka.stale_controller", req.controller_epoch(), fmt::format("highest seen {}", controller_epoch_seen_));
  } else {
    controller_epoch_seen_ = req.controller_epoch();
    resp.set_error(NONE);
    for (const LeaderAndIsrPartition& lp : req.partitions()) {
      Partition* p = find(lp.topic(), lp.partition());
      if (p != nullptr) p->become_leader_or_follower(ctx, lp, req.controller_epoch());
    }
  }
  ctx.send(from, model::make_message(kControllerResponse, resp));
}

void Broker::on_update_metadata(NodeContext& ctx, HostId from, const UpdateMetadataRequest& req) {
  ControllerResponse resp;
  resp.set_correlation_id(req.correlation_id());
  if (req.controller_epoch() < controller_epoch_seen_) {
    resp.set_error(STALE_CONTROLLER_EPOCH);
  } else {
    controller_epoch_seen_ = req.controller_epoch();
    resp.set_error(NONE);
    for (const LeaderAndIsrPartition& lp : req.partitions()) metadata_[partition_name(lp.topic(), lp.partition())] = lp;
    live_brokers_.assign(req.live_brokers().begin(), req.live_brokers().end());
  }
  ctx.send(from, model::make_message(kControllerResponse, resp));
}

void Broker::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  if (halted_ || !started_ || !msg.payload) return;
  if (zookeeper::is_zookeeper_message(msg.kind)) {
    zk_.on_message(ctx, from, msg);
    return;
  }
  if (is_kafka_response(msg.kind)) {
    rpc_.on_response(ctx, msg);
    return;
  }
  const std::string& bytes = *msg.payload;
  switch (msg.kind) {
    case kProduce: {
      ProduceRequest r;
      if (protoutil::parse(&r, bytes)) on_produce(ctx, from, r);
      return;
    }
    case kFetch: {
      FetchRequest r;
      if (!protoutil::parse(&r, bytes)) return;
      if (Partition* p = find(r.topic(), r.partition())) {
        p->fetch(ctx, from, r);
      } else {
        FetchResponse out;
        out.set_correlation_id(r.correlation_id());
        out.set_error(UNKNOWN_TOPIC_OR_PARTITION);
        ctx.send(from, model::make_message(kFetchResponse, out));
      }
      return;
    }
    case kEpochRequest: {
      OffsetsForLeaderEpochRequest r;
      if (!protoutil::parse(&r, bytes)) return;
      OffsetsForLeaderEpochResponse out;
      if (Partition* p = find(r.topic(), r.partition())) {
        out = p->leader_epoch_end(r);
      } else {
        out.set_correlation_id(r.correlation_id());
        out.set_error(UNKNOWN_TOPIC_OR_PARTITION);
      }
      ctx.send(from, model::make_message(kEpochResponse, out));
      return;
    }
    case kLeaderAndIsr: {
      LeaderAndIsrRequest r;
      if (protoutil::parse(&r, bytes)) on_leader_and_isr(ctx, from, r);
      return;
    }
    case kUpdateMetadata: {
      UpdateMetadataRequest r;
      if (protoutil::parse(&r, bytes)) on_update_metadata(ctx, from, r);
      return;
    }
    case kMetadata: {
      MetadataRequest r;
      if (!protoutil::parse(&r, bytes)) return;
      MetadataResponse out;
      out.set_correlation_id(r.correlation_id());
      for (const auto& [name, lp] : metadata_) *out.add_partitions() = lp;
      for (int32_t b : live_brokers_) out.add_live_brokers(b);
      ctx.send(from, model::make_message(kMetadataResponse, out));
      return;
    }
    default: return;
  }
}

void Broker::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  if (halted_) return;
  if (zk_.on_timer(ctx, tag)) return;
  rpc_.on_timer(ctx, id, tag);
}

ProcessFactory broker_factory(BrokerConfig config) {
  FABSIM_ASSERT_MSG(config.validate().is_ok(), config.validate().to_string().c_str());
  return [config](HostId, const DurableStore& store) { return std::make_unique<Broker>(config, store); };
}

}  // namespace fabsim::kafka
