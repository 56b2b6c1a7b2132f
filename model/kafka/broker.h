// Broker: a Kafka broker as a process (core/node.h), composed of a ZooKeeper client
// (model/zookeeper/client.h), its partitions' replicas (partition.h), the controller when
// it holds /controller (controller.h) and a metadata cache (kafka-semantics.md §5).
//
//   Start (after startup_delay): connects to ZooKeeper; with a session it creates the
//   persistent parents (/brokers/ids, /brokers/topics, /isr_change_notification), registers
//   /brokers/ids/<id> as an ephemeral node — if the node exists (a restart within the old
//   session's timeout) the broker halts, as Kafka 0.10–2.1 abort startup (§5.3) — and
//   competes for /controller (ephemeral, its broker id), watching it otherwise.
//   Sessions: Disconnected changes nothing (the broker keeps leading: §5.7); after Expired
//   it resigns as controller, and with the new session registers again and competes again.
//   Requests: Produce (one at a time per client host: Kafka mutes a connection until its
//   response is sent, §2), Fetch, OffsetsForLeaderEpoch, LeaderAndIsr (rejected whole with
//   STALE_CONTROLLER_EPOCH below the highest controller epoch seen, §5.6), UpdateMetadata
//   and Metadata (from the cache UpdateMetadata fills).
//   Timers: the ISR shrink check every replica.lag.time.max.ms / 2; the ISR change
//   propagation check every 2.5 s (5 s quiet, 60 s at most: §4); the HW checkpoint every
//   replica.high.watermark.checkpoint.interval.ms into the durable key/value store; the
//   log flush every log.flush.interval.ms when set.
//   Halted: after a fatal error the process answers nothing and stops its ZooKeeper
//   client (Kafka exits; its session then expires) until the host restarts it.
//
// Durability: the partition logs on the host's Env (partition_log.h), the HW checkpoints in
// its key/value store; everything else dies with the process.
//
// Ownership: owns its components; single-threaded.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/fabsim/kafka.pb.h"
#include "model/kafka/config.h"
#include "model/kafka/controller.h"
#include "model/kafka/partition.h"
#include "model/kafka/rpc.h"
#include "model/zookeeper/client.h"

namespace fabsim::kafka {

class Broker : public Process, public BrokerServices {
 public:
  Broker(BrokerConfig config, const DurableStore& store);

  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  // BrokerServices.
  const BrokerConfig& config() const override { return config_; }
  Rpc& rpc() override { return rpc_; }
  zookeeper::ZkClient& zk() override { return zk_; }
  void isr_changed(NodeContext& ctx, const std::string& topic, int32_t partition) override;
  void fatal(NodeContext& ctx, const std::string& why) override;

  bool halted() const { return halted_; }
  bool registered() const { return registered_session_ != 0; }
  bool is_controller() const { return controller_.active(); }
  const Controller& controller() const { return controller_; }
  // The replica of topic-partition on this broker, or null.
  const Partition* partition(const std::string& topic, int32_t index) const;
  // Where a replica's log lives on the broker's Env, and the high watermark the broker last
  // checkpointed for it (0 if none): what a restart reads.
  static std::string log_dir(const std::string& topic, int32_t index);
  static int64_t checkpointed_hw(const DurableStore& store, const std::string& topic, int32_t index);

 private:
  static constexpr uint64_t kZkTags = 1;    // .. kZkTags + ZkClient::kTimerTags
  static constexpr uint64_t kRpcTag = 100;

  void start(NodeContext& ctx);
  void on_zk_event(NodeContext& ctx, zookeeper::ZkClient::Event e, const zk::WatchEvent* w);
  void register_broker(NodeContext& ctx);
  void elect_controller(NodeContext& ctx);
  void watch_controller(NodeContext& ctx);
  void every(NodeContext& ctx, Duration period, std::function<void(NodeContext&)> fn);
  void propagate_isr_changes(NodeContext& ctx);
  void checkpoint_hw(NodeContext& ctx);

  void on_produce(NodeContext& ctx, HostId from, const ProduceRequest& req);
  void next_produce(NodeContext& ctx, HostId from);
  void on_leader_and_isr(NodeContext& ctx, HostId from, const LeaderAndIsrRequest& req);
  void on_update_metadata(NodeContext& ctx, HostId from, const UpdateMetadataRequest& req);
  Partition* find(const std::string& topic, int32_t index);

  BrokerConfig config_;
  zookeeper::ZkClient zk_;
  Rpc rpc_;
  Controller controller_;
  std::map<std::string, std::unique_ptr<Partition>> partitions_;  // by "topic-partition"

  bool started_ = false;
  bool halted_ = false;
  int64_t registered_session_ = 0;
  bool registration_tried_ = false;
  int32_t controller_id_ = -1;
  int32_t controller_epoch_seen_ = 0;

  std::map<std::string, LeaderAndIsrPartition> metadata_;  // by "topic-partition"
  std::vector<int32_t> live_brokers_;

  struct Muted {
    std::deque<ProduceRequest> waiting;
    bool busy = false;
  };
  std::map<HostId, Muted> produce_connections_;

  std::set<std::pair<std::string, int32_t>> isr_pending_;
  Time last_isr_change_;
  Time last_isr_propagation_;
};

// The factory of a Broker (the store is the host's: the broker opens its logs on it).
ProcessFactory broker_factory(BrokerConfig config);

}  // namespace fabsim::kafka
