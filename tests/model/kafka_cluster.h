// KafkaCluster: a simulated ZooKeeper ensemble, Kafka brokers and driver clients on the
// kernel (sim/world.h), for the timed tests of model/zookeeper and model/kafka
// (kafka-semantics.md §9's setup S0 by default: ZooKeeper z1–z3 with a 2 s tick, brokers
// b1–b4 with 6 s sessions, 1 ms between any two hosts — a star of 0.5 ms links around a
// switch — and instant appends).
//
// Driver: a client process with a ZooKeeper client (when asked for), a producer and a
// consumer sharing one Rpc. Tests act through it at given times: run(t, driver, fn) hands
// fn the driver's context at virtual time t. Faults go through the World (crash, restart,
// power_loss, partitions). Every analysis event is kept with its time and host name, for
// assertions and for failure messages.
//
// Ownership: owns the World; processes borrow `actions_` (declared first, outlives them).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/node.h"
#include "model/kafka/broker.h"
#include "model/kafka/consumer.h"
#include "model/kafka/producer.h"
#include "model/kafka/rpc.h"
#include "model/zookeeper/client.h"
#include "model/zookeeper/protocol.h"
#include "model/zookeeper/server.h"
#include "sim/world.h"
#include "tests/harness/golden.h"

namespace fabsim::kafkatest {

inline Time at_s(double s) { return Time::from_ns(static_cast<int64_t>(s * 1e9 + 0.5)); }

class Driver : public Process {
 public:
  using Action = std::function<void(NodeContext&, Driver&)>;
  struct Setup {
    std::optional<zookeeper::ClientConfig> zk;
    kafka::ProducerConfig producer;
    kafka::ConsumerConfig consumer;
  };
  Driver(std::map<int, Action>* actions, const Setup& s)
      : actions_(actions), rpc_(100), producer(s.producer, rpc_), consumer(s.consumer, rpc_) {
    if (s.zk) zk = std::make_unique<zookeeper::ZkClient>(*s.zk, 1);
  }
  void on_start(NodeContext& ctx) override {
    if (zk) zk->start(ctx);
  }
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override {
    if (zk && zk->on_message(ctx, from, msg)) return;
    rpc_.on_response(ctx, msg);
  }
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override {
    if (zk && zk->on_timer(ctx, tag)) return;
    rpc_.on_timer(ctx, id, tag);
  }
  void on_call(NodeContext& ctx, const ClientCall& call) override { actions_->at(std::stoi(call.args))(ctx, *this); }

  kafka::Rpc& rpc() { return rpc_; }
  std::unique_ptr<zookeeper::ZkClient> zk;

 private:
  std::map<int, Action>* actions_;
  kafka::Rpc rpc_;

 public:
  kafka::Producer producer;
  kafka::Consumer consumer;
};

struct ClusterOptions {
  uint64_t seed = 1;
  int zookeepers = 3;
  Duration tick = Duration::seconds(2);
  std::vector<int32_t> brokers = {1, 2, 3, 4};
  // Broker 4 first, once ZooKeeper serves (it becomes S0's controller), the others later.
  std::map<int32_t, Duration> startup_delay = {{4, Duration::millis(500)}, {1, Duration::millis(1500)},
                                               {2, Duration::millis(1500)}, {3, Duration::millis(1500)}};
  std::vector<kafka::TopicSpec> topics = {{"p", {{1, 2, 3}}}};
  std::function<void(kafka::BrokerConfig&)> broker_settings;  // applied to every broker
  Duration half_latency = Duration::micros(500);
};

struct Event {
  Time at;
  std::string host;
  AnalysisEvent e;
};

class KafkaCluster {
 public:
  explicit KafkaCluster(ClusterOptions o) : opts_(std::move(o)), world_(opts_.seed) {
    sw_ = world_.add_host("switch", 1, nullptr);
    zookeeper::ServerConfig zc;
    zc.tick = opts_.tick;
    for (int i = 0; i < opts_.zookeepers; ++i) zc.ensemble.push_back(static_cast<HostId>(1 + i));
    for (int i = 0; i < opts_.zookeepers; ++i) {
      const HostId h = world_.add_host(fmt::format("z{}", i + 1), 2, zookeeper::zk_server_factory(zc));
      EXPECT_EQ(h, zc.ensemble[i]);
      zk_.push_back(h);
      link(h);
    }
    HostId next = static_cast<HostId>(1 + opts_.zookeepers);
    for (int32_t b : opts_.brokers) broker_hosts_[b] = next++;
    for (int32_t b : opts_.brokers) {
      kafka::BrokerConfig c;
      c.broker_id = b;
      c.brokers = broker_hosts_;
      c.zookeeper = zk_;
      c.topics = opts_.topics;
      if (auto it = opts_.startup_delay.find(b); it != opts_.startup_delay.end()) c.startup_delay = it->second;
      if (opts_.broker_settings) opts_.broker_settings(c);
      configs_[b] = c;
      const HostId h = world_.add_host(fmt::format("b{}", b), 2, kafka::broker_factory(c));
      EXPECT_EQ(h, broker_hosts_[b]);
      link(h);
    }
    world_.set_event_sink([this](Time t, HostId h, const AnalysisEvent& e) {
      events_.push_back({t, world_.host_names()[h], e});
    });
  }

  // A driver client; call before start().
  HostId add_driver(const std::string& name, Driver::Setup s) {
    s.producer.brokers = broker_hosts_;
    s.consumer.brokers = broker_hosts_;
    const HostId h = world_.add_host(name, 1, [this, s](HostId, const DurableStore&) {
      return std::make_unique<Driver>(&actions_, s);
    });
    link(h);
    return h;
  }
  // Any other process on the cluster's switch (an OSN, a Fabric client); call before start().
  HostId add_node(const std::string& name, uint32_t cores, ProcessFactory factory) {
    const HostId h = world_.add_host(name, cores, std::move(factory));
    link(h);
    return h;
  }
  const std::map<int32_t, HostId>& broker_hosts() const { return broker_hosts_; }
  zookeeper::ClientConfig zk_client(Duration timeout = Duration::seconds(6)) const { return {zk_, timeout}; }

  void start() { world_.start(); }
  void run(Time t, HostId driver, Driver::Action fn) {
    const int id = next_action_++;
    actions_[id] = std::move(fn);
    world_.call_at(t, driver, ClientCall{"run", std::to_string(id)});
  }
  void fault(Time t, Fault f) {
    faults_.push_back({t, describe(f)});
    world_.fault_at(t, std::move(f));
  }
  void run_until(Time t) { world_.run_until(t); }

  World& world() { return world_; }
  HostId zk(int i) const { return zk_.at(i - 1); }
  const std::vector<HostId>& zk_hosts() const { return zk_; }
  HostId broker_host(int32_t b) const { return broker_hosts_.at(b); }
  const kafka::BrokerConfig& config(int32_t b) const { return configs_.at(b); }
  kafka::Broker* broker(int32_t b) {
    return dynamic_cast<kafka::Broker*>(world_.host(broker_hosts_.at(b)).process());
  }
  zookeeper::ZkServer* zk_server(int i) { return dynamic_cast<zookeeper::ZkServer*>(world_.host(zk(i)).process()); }
  const kafka::Partition* partition(int32_t b, const std::string& topic = "p", int32_t index = 0) {
    kafka::Broker* k = broker(b);
    return k == nullptr ? nullptr : k->partition(topic, index);
  }
  // The records of broker b's log of topic-partition, in offset order.
  std::vector<std::string> records(int32_t b, const std::string& topic = "p", int32_t index = 0) {
    std::vector<std::string> out;
    const kafka::Partition* p = partition(b, topic, index);
    if (p == nullptr) return out;
    auto batches = p->log().read(0, UINT64_MAX, p->log().log_end_offset());
    EXPECT_TRUE(batches.is_ok());
    for (const auto& batch : batches.value())
      for (const auto& r : batch.records()) out.push_back(r);
    return out;
  }
  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> events_named(const std::string& name) const {
    std::vector<Event> out;
    for (const Event& e : events_)
      if (e.e.name == name) out.push_back(e);
    return out;
  }
  // The protocol's decisions as a transcript: the faults and the events of ZooKeeper
  // (leaders, expiries) and Kafka (registrations, controller, LeaderAndIsr, ISR writes,
  // truncations, fatal errors, producer retries), without the per-record appends. A run
  // of events of one host, name and detail is one line and a count.
  std::vector<std::string> transcript() const {
    struct Line {
      Time at;
      std::string text;
      std::string key;  // host, name and detail: what a run shares
    };
    std::vector<Line> lines;
    for (const auto& [t, f] : faults_) lines.push_back({t, f, f});
    for (const Event& e : events_) {
      const std::string& n = e.e.name;
      const bool zk = n == "zk.leading" || n == "zk.session_expired";
      if (!zk && (!n.starts_with("kafka.") || n == "kafka.appended")) continue;
      lines.push_back({e.at, fmt::format("  {} {} {} {}", e.host, n, e.e.value, e.e.detail),
                       fmt::format("{} {} {}", e.host, n, e.e.detail)});
    }
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.at < b.at; });
    std::vector<std::string> out;
    for (size_t i = 0; i < lines.size() && lines[i].at <= world_.now();) {
      size_t j = i + 1;
      while (j < lines.size() && lines[j].at <= world_.now() && lines[j].key == lines[i].key) ++j;
      out.push_back(fmt::format("{} {}", format_time(lines[i].at), lines[i].text));
      if (j - i > 1) out.push_back(fmt::format("  ... {} more until {}", j - i - 1, format_time(lines[j - 1].at)));
      i = j;
    }
    return out;
  }
  void expect_transcript(const std::string& name) const {
    harness::expect_golden(transcript(), std::string(FABSIM_SOURCE_DIR) + "/tests/model/testdata/" + name);
  }
  // Every event, one line each, for failure messages.
  std::string dump(const std::string& prefix = "kafka.") const {
    std::string s;
    for (const Event& e : events_)
      if (e.e.name.starts_with(prefix))
        s += fmt::format("{} {} {} {} {}\n", format_time(e.at), e.host, e.e.name, e.e.value, e.e.detail);
    return s;
  }

 private:
  std::string describe(const Fault& f) const {
    auto names = [this](const std::vector<HostId>& hs) {
      std::vector<std::string> n;
      for (HostId h : hs) n.push_back(world_.host_names()[h]);
      return fmt::format("{{{}}}", fmt::join(n, ","));
    };
    std::string what = fmt::format("> {}", fault_kind_name(f.kind));
    if (f.host != kNoHost) what += " " + world_.host_names()[f.host];
    for (const auto& g : f.groups) what += " " + names(g);
    if (f.one_way) what += " one-way";
    return what;
  }
  void link(HostId h) {
    LinkParams p;
    p.latency = opts_.half_latency;
    world_.add_link(h, sw_, p);
  }

  std::map<int, Driver::Action> actions_;
  int next_action_ = 1;
  ClusterOptions opts_;
  World world_;
  HostId sw_ = 0;
  std::vector<HostId> zk_;
  std::map<int32_t, HostId> broker_hosts_;
  std::map<int32_t, kafka::BrokerConfig> configs_;
  std::vector<Event> events_;
  std::vector<std::pair<Time, std::string>> faults_;
};

}  // namespace fabsim::kafkatest
