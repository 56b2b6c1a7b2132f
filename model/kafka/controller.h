// Controller: the Kafka controller as it runs inside the broker that won /controller
// (kafka-semantics.md §5; K10/K20 controller/KafkaController.scala,
// PartitionStateMachine, ReplicaStateMachine, PartitionLeaderSelector).
//
//   Failover (§5.2): bumps /controller_epoch by a conditional write (1 when absent; a
//   conflict means another controller: resign), watches /brokers/ids and
//   /isr_change_notification, loads every topic's partition states from ZooKeeper
//   (a configured topic that does not exist yet is created, as an admin would, once all
//   its replicas are live — Fabric's guide starts the brokers before the OSNs create their
//   topics), sends UpdateMetadata to every
//   live broker and LeaderAndIsr with the current state for every replica, then elects
//   leaders for offline and new partitions; the first preferred-replica check comes 5 s
//   later, then every leader.imbalance.check.interval.
//   Broker change (§5.3, §5.4): the /brokers/ids children watch fires; dead brokers are
//   handled as onBrokerFailure (offline election for the partitions they led, then their
//   removal from every ISR with a leader epoch bump, the last member kept unless unclean
//   election is on, and always from 1.1 — our 2.0), new ones as onBrokerStartup (UpdateMetadata, LeaderAndIsr for their replicas,
//   elections for offline partitions).
//   Elections (§5.5): each re-reads the partition state from ZooKeeper (a state written by
//   a newer controller makes this one resign), decides, and writes conditionally on the
//   zkVersion read, retrying on a conflict; then LeaderAndIsr to the partition's live
//   replicas and UpdateMetadata to every live broker.
//   ISR change notifications (§4): read, refresh the partitions named, delete, and send
//   UpdateMetadata; no LeaderAndIsr.
// Events run one at a time (the controller's single-threaded queue). Requests to each
// broker go through a FIFO with one in flight, sent again after request.timeout.ms without
// an answer, dropped when the broker dies.
//
// Ownership: borrows the broker's services; owns its caches and queues; volatile.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/fabsim/kafka.pb.h"
#include "model/kafka/partition.h"

namespace fabsim::kafka {

class Controller {
 public:
  struct PartitionInfo {
    std::vector<int32_t> replicas;  // AR, preferred first
    int32_t leader = -1;
    int32_t leader_epoch = 0;
    std::vector<int32_t> isr;
    int32_t zk_version = -1;  // -1: no state znode yet (a new partition)
    int32_t controller_epoch = 0;
  };
  using Key = std::pair<std::string, int32_t>;
  using Done = std::function<void(NodeContext&)>;
  using Event = std::function<void(NodeContext&, Done)>;

  explicit Controller(BrokerServices& broker) : broker_(broker) {}

  bool active() const { return active_; }
  int32_t epoch() const { return epoch_; }
  const std::set<int32_t>& live_brokers() const { return live_; }
  const std::map<Key, PartitionInfo>& partitions() const { return partitions_; }

  void failover(NodeContext& ctx);
  void resign(NodeContext& ctx);
  void on_brokers_changed(NodeContext& ctx);
  void on_isr_notification(NodeContext& ctx);

 private:
  struct Channel {
    std::deque<Message> queue;
    bool in_flight = false;
  };

  void enqueue(NodeContext& ctx, Event e);
  void run_next(NodeContext& ctx);
  bool current(uint64_t gen) const { return active_ && gen == generation_; }

  void bump_epoch(NodeContext& ctx, Done done);
  void load_topics(NodeContext& ctx, size_t i, Done done);
  void load_partition(NodeContext& ctx, const Key& key, Done done);
  // Creates the configured topics missing from ZooKeeper whose replicas are all live.
  void create_ready_topics(NodeContext& ctx);
  void read_brokers(NodeContext& ctx, std::function<void(NodeContext&, std::set<int32_t>)> then);
  void handle_broker_change(NodeContext& ctx, const std::set<int32_t>& now_live, Done done);
  void handle_isr_notifications(NodeContext& ctx, Done done);

  // Decides a partition's new (leader, ISR) from its state just read; nullopt: no change.
  using Decide = std::function<std::optional<PartitionInfo>(const PartitionInfo&)>;
  void update_partition(NodeContext& ctx, const Key& key, Decide decide, const char* why, Done done, int attempt = 0);
  void for_each_partition(NodeContext& ctx, std::vector<Key> keys,
                          std::function<void(NodeContext&, const Key&, Done)> fn, Done done);
  std::optional<PartitionInfo> elect_offline(const PartitionInfo& p) const;
  void elect_offline_partitions(NodeContext& ctx, Done done);
  void check_preferred(NodeContext& ctx);

  void send_leader_and_isr(NodeContext& ctx, const Key& key, const std::set<int32_t>& to);
  void send_update_metadata(NodeContext& ctx);
  void send(NodeContext& ctx, int32_t broker, Message msg);
  void pump(NodeContext& ctx, int32_t broker);
  LeaderAndIsrPartition wire(const Key& key, const PartitionInfo& p) const;

  BrokerServices& broker_;
  bool active_ = false;
  uint64_t generation_ = 0;
  int32_t epoch_ = 0;
  std::set<int32_t> live_;
  std::map<Key, PartitionInfo> partitions_;
  std::set<std::string> pending_topics_;
  std::deque<Event> events_;
  bool busy_ = false;
  std::map<int32_t, Channel> channels_;
  TimerId rebalance_timer_ = 0;
};

}  // namespace fabsim::kafka
