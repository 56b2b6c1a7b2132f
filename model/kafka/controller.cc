#include "model/kafka/controller.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"
#include "model/zookeeper/client.h"

namespace fabsim::kafka {
namespace {

constexpr int kUpdateAttemptsMax = 10;  // conflicts on one partition state in a row
constexpr const char* kEpochPath = "/controller_epoch";

bool contains(const std::vector<int32_t>& v, int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }
std::string text(const std::vector<int32_t>& v) { return fmt::format("[{}]", fmt::join(v, ",")); }

}  // namespace

// ---- the event queue ---------------------------------------------------------------------

void Controller::enqueue(NodeContext& ctx, Event e) {
  events_.push_back(std::move(e));
  run_next(ctx);
}

void Controller::run_next(NodeContext& ctx) {
  if (busy_ || events_.empty() || !active_) return;
  Event e = std::move(events_.front());
  events_.pop_front();
  busy_ = true;
  const uint64_t gen = generation_;
  e(ctx, [this, gen](NodeContext& c) {
    if (gen != generation_) return;
    busy_ = false;
    run_next(c);
  });
}

// ---- failover and resignation -------------------------------------------------------------

void Controller::failover(NodeContext& ctx) {
  active_ = true;
  ++generation_;
  busy_ = false;
  events_.clear();
  partitions_.clear();
  pending_topics_.clear();
  channels_.clear();
  enqueue(ctx, [this](NodeContext& c, Done done) {
    const uint64_t gen = generation_;
    bump_epoch(c, [this, gen, done](NodeContext& c2) {
      if (!current(gen)) return;
      read_brokers(c2, [this, gen, done](NodeContext& c3, std::set<int32_t> live) {
        if (!current(gen)) return;
        live_ = std::move(live);
        load_topics(c3, 0, [this, gen, done](NodeContext& c4) {
          if (!current(gen)) return;
          c4.emit("kafka.controller", broker_.config().broker_id,
                  fmt::format("epoch={} live={}", epoch_, text({live_.begin(), live_.end()})));
          send_update_metadata(c4);
          for (const auto& [key, p] : partitions_)
            if (p.zk_version >= 0) send_leader_and_isr(c4, key, live_);
          create_ready_topics(c4);
          elect_offline_partitions(c4, [this, gen, done](NodeContext& c5) {
            if (!current(gen)) return;
            broker_.zk().get_children(c5, "/isr_change_notification", true, [](NodeContext&, const zk::Response&) {});
            rebalance_timer_ = broker_.rpc().after(c5, Duration::seconds(5), [this, gen](NodeContext& c6) {
              rebalance_timer_ = 0;
              if (current(gen)) check_preferred(c6);
            });
            done(c5);
          });
        });
      });
    });
  });
}

void Controller::resign(NodeContext& ctx) {
  if (!active_) return;
  active_ = false;
  ++generation_;
  events_.clear();
  busy_ = false;
  channels_.clear();
  broker_.rpc().cancel(ctx, rebalance_timer_);
  ctx.emit("kafka.controller_resigned", broker_.config().broker_id, fmt::format("epoch={}", epoch_));
}

void Controller::bump_epoch(NodeContext& ctx, Done done) {
  const uint64_t gen = generation_;
  broker_.zk().get_data(ctx, kEpochPath, false, [this, gen, done](NodeContext& c, const zk::Response& r) {
    if (!current(gen)) return;
    if (r.code() == zk::NO_NODE) {
      broker_.zk().create(c, kEpochPath, "1", false, false, [this, gen, done](NodeContext& c2, const zk::Response& r2) {
        if (!current(gen)) return;
        if (r2.code() != zk::OK) return resign(c2);
        epoch_ = 1;
        done(c2);
      });
      return;
    }
    if (r.code() != zk::OK) return resign(c);
    const int32_t next = std::stoi(r.data()) + 1;
    broker_.zk().set_data(c, kEpochPath, std::to_string(next), r.stat().version(),
                          [this, gen, next, done](NodeContext& c2, const zk::Response& r2) {
                            if (!current(gen)) return;
                            if (r2.code() != zk::OK) return resign(c2);  // another controller moved it
                            epoch_ = next;
                            done(c2);
                          });
  });
}

void Controller::read_brokers(NodeContext& ctx, std::function<void(NodeContext&, std::set<int32_t>)> then) {
  broker_.zk().get_children(ctx, "/brokers/ids", true, [then](NodeContext& c, const zk::Response& r) {
    std::set<int32_t> live;
    for (const std::string& id : r.children()) live.insert(std::stoi(id));
    then(c, std::move(live));
  });
}

void Controller::load_topics(NodeContext& ctx, size_t i, Done done) {
  const auto& topics = broker_.config().topics;
  if (i == topics.size()) return done(ctx);
  const TopicSpec& t = topics[i];
  const uint64_t gen = generation_;
  broker_.zk().get_data(ctx, "/brokers/topics/" + t.name, false, [this, gen, i, t, done](NodeContext& c, const zk::Response& r) {
    if (!current(gen)) return;
    TopicAssignment assignment;
    if (r.code() != zk::OK || !protoutil::parse(&assignment, r.data())) {
      pending_topics_.insert(t.name);  // created once its replicas are live
      return load_topics(c, i + 1, done);
    }
    std::vector<Key> keys;
    for (int32_t p = 0; p < assignment.partitions_size(); ++p) {
      const Key key{t.name, p};
      PartitionInfo& info = partitions_[key];
      info.replicas.assign(assignment.partitions(p).brokers().begin(), assignment.partitions(p).brokers().end());
      keys.push_back(key);
    }
    for_each_partition(
        c, keys, [this](NodeContext& c2, const Key& key, Done next) { load_partition(c2, key, next); },
        [this, i, done](NodeContext& c2) { load_topics(c2, i + 1, done); });
  });
}

void Controller::create_ready_topics(NodeContext& ctx) {
  auto ignore = [](NodeContext&, const zk::Response&) {};
  for (const TopicSpec& t : broker_.config().topics) {
    if (!pending_topics_.contains(t.name)) continue;
    bool ready = true;
    for (const auto& ar : t.partitions)
      for (int32_t b : ar) ready = ready && live_.contains(b);
    if (!ready) continue;
    // As an admin would: the assignment, the partitions' parents; the states come with
    // the new partitions' election.
    pending_topics_.erase(t.name);
    TopicAssignment assignment;
    for (const auto& ar : t.partitions) {
      auto* p = assignment.add_partitions();
      for (int32_t b : ar) p->add_brokers(b);
    }
    const std::string path = "/brokers/topics/" + t.name;
    broker_.zk().create(ctx, path, protoutil::marshal(assignment), false, false, ignore);
    broker_.zk().create(ctx, path + "/partitions", "", false, false, ignore);
    for (size_t p = 0; p < t.partitions.size(); ++p) {
      broker_.zk().create(ctx, fmt::format("{}/partitions/{}", path, p), "", false, false, ignore);
      PartitionInfo& info = partitions_[{t.name, static_cast<int32_t>(p)}];
      info.replicas = t.partitions[p];
      info.zk_version = -1;
    }
    ctx.emit("kafka.topic_created", static_cast<int64_t>(t.partitions.size()), t.name);
  }
}

void Controller::load_partition(NodeContext& ctx, const Key& key, Done done) {
  const uint64_t gen = generation_;
  broker_.zk().get_data(ctx, state_path(key.first, key.second), false,
                        [this, gen, key, done](NodeContext& c, const zk::Response& r) {
                          if (!current(gen)) return;
                          PartitionInfo& info = partitions_[key];
                          PartitionState s;
                          if (r.code() == zk::OK && protoutil::parse(&s, r.data())) {
                            info.leader = s.leader();
                            info.leader_epoch = s.leader_epoch();
                            info.isr.assign(s.isr().begin(), s.isr().end());
                            info.zk_version = r.stat().version();
                            info.controller_epoch = s.controller_epoch();
                          }
                          done(c);
                        });
}

void Controller::for_each_partition(NodeContext& ctx, std::vector<Key> keys,
                                    std::function<void(NodeContext&, const Key&, Done)> fn, Done done) {
  if (keys.empty()) return done(ctx);
  const Key key = keys.front();
  keys.erase(keys.begin());
  const uint64_t gen = generation_;
  fn(ctx, key, [this, gen, keys = std::move(keys), fn, done](NodeContext& c) {
    if (current(gen)) for_each_partition(c, keys, fn, done);
  });
}

// ---- elections ----------------------------------------------------------------------------

std::optional<Controller::PartitionInfo> Controller::elect_offline(const PartitionInfo& p) const {
  PartitionInfo next = p;
  if (p.zk_version < 0) {  // a new partition: the first live replica; ISR = live replicas
    next.isr.clear();
    for (int32_t r : p.replicas)
      if (live_.contains(r)) next.isr.push_back(r);
    if (next.isr.empty()) return std::nullopt;
    next.leader = next.isr.front();
    next.leader_epoch = 0;
    return next;
  }
  if (p.leader >= 0 && live_.contains(p.leader)) return std::nullopt;
  std::vector<int32_t> live_isr;
  for (int32_t r : p.isr)
    if (live_.contains(r)) live_isr.push_back(r);
  for (int32_t r : p.replicas) {
    if (live_.contains(r) && contains(live_isr, r)) {
      next.leader = r;
      next.isr = live_isr;
      next.leader_epoch = p.leader_epoch + 1;
      return next;
    }
  }
  if (broker_.config().unclean()) {
    for (int32_t r : p.replicas) {
      if (live_.contains(r)) {
        next.leader = r;
        next.isr = {r};
        next.leader_epoch = p.leader_epoch + 1;
        return next;
      }
    }
  }
  return std::nullopt;
}

void Controller::elect_offline_partitions(NodeContext& ctx, Done done) {
  std::vector<Key> keys;
  for (const auto& [key, p] : partitions_)
    if (p.zk_version < 0 || p.leader < 0 || !live_.contains(p.leader)) keys.push_back(key);
  for_each_partition(
      ctx, keys,
      [this](NodeContext& c, const Key& key, Done next) {
        update_partition(c, key, [this](const PartitionInfo& p) { return elect_offline(p); }, "offline election", next);
      },
      done);
}

void Controller::update_partition(NodeContext& ctx, const Key& key, Decide decide, const char* why, Done done,
                                  int attempt) {
  const uint64_t gen = generation_;
  const std::string path = state_path(key.first, key.second);
  broker_.zk().get_data(ctx, path, false, [=, this](NodeContext& c, const zk::Response& r) {
    if (!current(gen)) return;
    PartitionInfo read = partitions_[key];
    PartitionState s;
    if (r.code() == zk::OK && protoutil::parse(&s, r.data())) {
      if (s.controller_epoch() > epoch_) return resign(c);  // a newer controller wrote it
      read.leader = s.leader();
      read.leader_epoch = s.leader_epoch();
      read.isr.assign(s.isr().begin(), s.isr().end());
      read.zk_version = r.stat().version();
    } else {
      read.zk_version = -1;
    }
    partitions_[key] = read;
    std::optional<PartitionInfo> next = decide(read);
    if (!next) return done(c);
    next->controller_epoch = epoch_;
    PartitionState out;
    out.set_controller_epoch(epoch_);
    out.set_leader(next->leader);
    out.set_leader_epoch(next->leader_epoch);
    for (int32_t b : next->isr) out.add_isr(b);
    auto written = [=, this](NodeContext& c2, const zk::Response& w) {
      if (!current(gen)) return;
      if (w.code() != zk::OK) {
        if (attempt + 1 >= kUpdateAttemptsMax) return done(c2);
        return update_partition(c2, key, decide, why, done, attempt + 1);
      }
      PartitionInfo stored = *next;
      stored.zk_version = w.stat().version();
      partitions_[key] = stored;
      c2.emit("kafka.partition_state", stored.leader,
              fmt::format("{} {}: leader={} epoch={} isr={}", partition_name(key.first, key.second), why, stored.leader,
                          stored.leader_epoch, text(stored.isr)));
      send_leader_and_isr(c2, key, live_);
      send_update_metadata(c2);
      done(c2);
    };
    if (read.zk_version < 0) {
      broker_.zk().create(c, path, protoutil::marshal(out), false, false, written);
    } else {
      broker_.zk().set_data(c, path, protoutil::marshal(out), read.zk_version, written);
    }
  });
}

void Controller::on_brokers_changed(NodeContext& ctx) {
  if (!active_) return;
  enqueue(ctx, [this](NodeContext& c, Done done) {
    const uint64_t gen = generation_;
    read_brokers(c, [this, gen, done](NodeContext& c2, std::set<int32_t> now_live) {
      if (!current(gen)) return;
      handle_broker_change(c2, now_live, done);
    });
  });
}

void Controller::handle_broker_change(NodeContext& ctx, const std::set<int32_t>& now_live, Done done) {
  std::set<int32_t> dead, born;
  for (int32_t b : live_)
    if (!now_live.contains(b)) dead.insert(b);
  for (int32_t b : now_live)
    if (!live_.contains(b)) born.insert(b);
  live_ = now_live;
  for (int32_t b : dead) channels_.erase(b);
  if (dead.empty() && born.empty()) return done(ctx);
  ctx.emit("kafka.broker_change", static_cast<int64_t>(live_.size()),
           fmt::format("dead={} new={}", text({dead.begin(), dead.end()}), text({born.begin(), born.end()})));
  const uint64_t gen = generation_;
  auto after_failures = [this, gen, born, done](NodeContext& c) {
    if (!current(gen)) return;
    if (born.empty()) return done(c);
    // onBrokerStartup: metadata, the new brokers' replicas, then offline partitions.
    send_update_metadata(c);
    for (const auto& [key, p] : partitions_)
      if (p.zk_version >= 0) {
        std::set<int32_t> to;
        for (int32_t r : p.replicas)
          if (born.contains(r)) to.insert(r);
        if (!to.empty()) send_leader_and_isr(c, key, to);
      }
    create_ready_topics(c);
    elect_offline_partitions(c, done);
  };
  if (dead.empty()) return after_failures(ctx);
  // onBrokerFailure: offline elections, then the dead replicas leave every ISR.
  elect_offline_partitions(ctx, [this, gen, dead, after_failures](NodeContext& c) {
    if (!current(gen)) return;
    std::vector<Key> keys;
    for (const auto& [key, p] : partitions_) keys.push_back(key);
    // §5.4: the last ISR member stays unless unclean election is on (0.10.2–1.0); 1.1+
    // always keeps it (our 2.0).
    const bool keep_last = !broker_.config().unclean() || broker_.config().version == KafkaVersion::k2_0;
    for_each_partition(
        c, keys,
        [this, dead, keep_last](NodeContext& c2, const Key& key, Done next) {
          update_partition(
              c2, key,
              [dead, keep_last](const PartitionInfo& p) -> std::optional<PartitionInfo> {
                bool touched = p.leader >= 0 && dead.contains(p.leader);
                std::vector<int32_t> isr;
                for (int32_t r : p.isr) {
                  if (dead.contains(r)) {
                    touched = true;
                  } else {
                    isr.push_back(r);
                  }
                }
                if (!touched || p.zk_version < 0) return std::nullopt;
                PartitionInfo next = p;
                if (isr.empty() && keep_last) isr = {p.isr.back()};
                next.isr = isr;
                if (p.leader >= 0 && dead.contains(p.leader)) next.leader = -1;
                next.leader_epoch = p.leader_epoch + 1;
                return next;
              },
              "replica offline", next);
        },
        after_failures);
  });
}

void Controller::check_preferred(NodeContext& ctx) {
  const uint64_t gen = generation_;
  const auto& cfg = broker_.config();
  if (cfg.auto_leader_rebalance) {
    // Per preferred broker: the share of its partitions led elsewhere.
    std::map<int32_t, std::pair<int, int>> counts;  // broker -> (not led by it, total)
    for (const auto& [key, p] : partitions_) {
      if (p.replicas.empty()) continue;
      auto& [off, total] = counts[p.replicas.front()];
      ++total;
      if (p.leader != p.replicas.front()) ++off;
    }
    std::vector<Key> keys;
    for (const auto& [key, p] : partitions_) {
      if (p.replicas.empty() || p.leader == p.replicas.front()) continue;
      const auto& [off, total] = counts[p.replicas.front()];
      if (off * 100 > total * cfg.leader_imbalance_per_broker_percentage) keys.push_back(key);
    }
    if (!keys.empty()) {
      enqueue(ctx, [this, keys](NodeContext& c, Done done) {
        for_each_partition(
            c, keys,
            [this](NodeContext& c2, const Key& key, Done next) {
              update_partition(
                  c2, key,
                  [this](const PartitionInfo& p) -> std::optional<PartitionInfo> {
                    const int32_t preferred = p.replicas.front();
                    if (p.leader == preferred || !live_.contains(preferred) || !contains(p.isr, preferred))
                      return std::nullopt;
                    PartitionInfo next = p;
                    next.leader = preferred;
                    next.leader_epoch = p.leader_epoch + 1;
                    return next;
                  },
                  "preferred replica election", next);
            },
            done);
      });
    }
  }
  rebalance_timer_ = broker_.rpc().after(ctx, cfg.leader_imbalance_check_interval, [this, gen](NodeContext& c) {
    rebalance_timer_ = 0;
    if (current(gen)) check_preferred(c);
  });
}

void Controller::on_isr_notification(NodeContext& ctx) {
  if (!active_) return;
  enqueue(ctx, [this](NodeContext& c, Done done) { handle_isr_notifications(c, done); });
}

void Controller::handle_isr_notifications(NodeContext& ctx, Done done) {
  const uint64_t gen = generation_;
  broker_.zk().get_children(ctx, "/isr_change_notification", true, [this, gen, done](NodeContext& c, const zk::Response& r) {
    if (!current(gen)) return;
    if (r.children().empty()) return done(c);
    // Refresh every partition from ZooKeeper (one topic partition per Fabric channel: few).
    std::vector<Key> keys;
    for (const auto& [key, p] : partitions_) keys.push_back(key);
    for (const std::string& child : r.children())
      broker_.zk().remove(c, "/isr_change_notification/" + child, -1, [](NodeContext&, const zk::Response&) {});
    for_each_partition(
        c, keys, [this](NodeContext& c2, const Key& key, Done next) { load_partition(c2, key, next); },
        [this, gen, done](NodeContext& c2) {
          if (!current(gen)) return;
          send_update_metadata(c2);
          done(c2);
        });
  });
}

// ---- requests to brokers --------------------------------------------------------------------

LeaderAndIsrPartition Controller::wire(const Key& key, const PartitionInfo& p) const {
  LeaderAndIsrPartition w;
  w.set_topic(key.first);
  w.set_partition(key.second);
  w.set_leader(p.leader);
  w.set_leader_epoch(p.leader_epoch);
  for (int32_t b : p.isr) w.add_isr(b);
  w.set_zk_version(p.zk_version);
  for (int32_t b : p.replicas) w.add_replicas(b);
  return w;
}

void Controller::send_leader_and_isr(NodeContext& ctx, const Key& key, const std::set<int32_t>& to) {
  const PartitionInfo& p = partitions_.at(key);
  for (int32_t r : p.replicas) {
    if (!to.contains(r) || !live_.contains(r)) continue;
    LeaderAndIsrRequest req;
    const int64_t correlation = broker_.rpc().next_correlation();
    req.set_correlation_id(correlation);
    req.set_controller_id(broker_.config().broker_id);
    req.set_controller_epoch(epoch_);
    *req.add_partitions() = wire(key, p);
    send(ctx, r, model::make_message(kLeaderAndIsr, req));
  }
}

void Controller::send_update_metadata(NodeContext& ctx) {
  for (int32_t b : live_) {
    UpdateMetadataRequest req;
    const int64_t correlation = broker_.rpc().next_correlation();
    req.set_correlation_id(correlation);
    req.set_controller_id(broker_.config().broker_id);
    req.set_controller_epoch(epoch_);
    for (const auto& [key, p] : partitions_)
      if (p.zk_version >= 0) *req.add_partitions() = wire(key, p);
    for (int32_t l : live_) req.add_live_brokers(l);
    send(ctx, b, model::make_message(kUpdateMetadata, req));
  }
}

void Controller::send(NodeContext& ctx, int32_t broker, Message msg) {
  channels_[broker].queue.push_back(std::move(msg));
  pump(ctx, broker);
}

void Controller::pump(NodeContext& ctx, int32_t broker) {
  auto it = channels_.find(broker);
  if (it == channels_.end() || it->second.in_flight || it->second.queue.empty()) return;
  Channel& ch = it->second;
  ch.in_flight = true;
  Correlated c;
  protoutil::parse(&c, *ch.queue.front().payload);
  const uint64_t gen = generation_;
  broker_.rpc().call(ctx, broker_.config().brokers.at(broker), ch.queue.front(), c.correlation_id(),
                     broker_.config().request_timeout, [this, gen, broker](NodeContext& cx, const Message* m) {
                       if (!current(gen)) return;
                       auto ch = channels_.find(broker);
                       if (ch == channels_.end()) return;
                       ch->second.in_flight = false;
                       if (m != nullptr) ch->second.queue.pop_front();  // else: sent again
                       pump(cx, broker);
                     });
}

}  // namespace fabsim::kafka
