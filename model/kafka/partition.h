// Partition: one broker's replica of one topic partition — the leader's side (produce,
// fetch serving, high watermark, ISR upkeep) and the follower's (truncation, fetching) —
// after Kafka's cluster/Partition.scala, server/ReplicaManager.scala,
// server/ReplicaFetcherThread.scala and server/Delayed{Produce,Fetch}.scala. The rules,
// with their sources, are kafka-semantics.md §2–§6; what each method does is said there by
// section:
//
//   §2 produce      produce(): NOT_LEADER, INVALID_REQUIRED_ACKS, NOT_ENOUGH_REPLICAS (cached
//                   ISR < min.insync.replicas, nothing appended), MESSAGE_TOO_LARGE, append
//                   stamped with the leader epoch, acks=0/1 answered at once, acks=all parked
//                   until HW >= last offset + 1 (success, or NOT_ENOUGH_REPLICAS_AFTER_APPEND
//                   when the ISR is below min.insync.replicas then), the timeout
//                   (REQUEST_TIMED_OUT) or the loss of leadership (NOT_LEADER).
//   §3 fetch        fetch(): a follower's fetch offset is its LEO; the response carries the
//                   HW from before this fetch is applied; with no data the fetch is parked up
//                   to its max wait and woken only by new data (a consumer's also by a HW
//                   advance, since it reads below the HW only) or leadership loss. HW =
//                   min LEO over the ISR and the followers caught up within the lag time;
//                   it never decreases on the leader; a new leader's followers' LEOs are
//                   unknown until they fetch.
//   §4 ISR          shrink_isr() (every lag/2 by the broker) drops followers not caught up
//                   for replica.lag.time.max.ms; a fetch reaching the HW re-adds its
//                   follower; the leader writes each change to the partition state znode
//                   conditionally on its zkVersion (a conflict whose data is ours counts as
//                   success; otherwise the old ISR stays), one write at a time, and the
//                   broker queues an ISR change notification.
//   §5.6 LeaderAndIsr  become_leader_or_follower(): applied only with a higher leader epoch;
//                   a follower whose leader is unchanged keeps fetching (up to 2.0).
//   §6 truncation   by the broker's version: `hw` truncates to the local HW; `epoch_v0` asks
//                   OffsetsForLeaderEpoch(latest epoch) and truncates to the answer if below
//                   its LEO (HW when undefined); `epoch_v1` uses the (epoch, end offset)
//                   answer as KIP-279 does, asking again until its epoch matches, and starts
//                   fetching at its HW. OFFSET_OUT_OF_RANGE with the leader's LEO below ours:
//                   truncate to it with unclean election enabled, else a fatal error (the
//                   broker halts, as Kafka up to 2.0 exits). A batch that does not start at
//                   the log end is refused ("out of order offsets") and the fetch retried
//                   after the backoff: replication is stuck (KAFKA-6361's field case).
//
// Simplifications: one fetch session per partition (Kafka shares one fetcher per source
// broker); the leader's ZooKeeper ISR write does not block appends while it waits.
//
// Ownership: owns its log and parked requests; borrows the broker (BrokerServices), which
// outlives it. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/fabsim/kafka.pb.h"
#include "model/kafka/config.h"
#include "model/kafka/partition_log.h"
#include "model/kafka/rpc.h"

namespace fabsim::zookeeper {
class ZkClient;
}

namespace fabsim::kafka {

// What a partition needs from its broker.
class BrokerServices {
 public:
  virtual ~BrokerServices() = default;
  virtual const BrokerConfig& config() const = 0;
  virtual Rpc& rpc() = 0;
  virtual zookeeper::ZkClient& zk() = 0;
  // A leader-made ISR change, for the ISR change notification (§4 "Propagation").
  virtual void isr_changed(NodeContext& ctx, const std::string& topic, int32_t partition) = 0;
  // A fatal error: the broker halts.
  virtual void fatal(NodeContext& ctx, const std::string& why) = 0;
};

std::string state_path(const std::string& topic, int32_t partition);
std::string partition_name(const std::string& topic, int32_t partition);

class Partition {
 public:
  enum class Role : uint8_t { kNone, kLeader, kFollower };
  using ProduceReply = std::function<void(NodeContext&, const ProduceResponse&)>;

  Partition(BrokerServices& broker, std::string topic, int32_t index, std::unique_ptr<PartitionLog> log,
            int64_t checkpointed_hw);

  // §5.6: applies one partition of a LeaderAndIsr; NONE, or STALE_CONTROLLER_EPOCH when its
  // leader epoch is not higher than the current one.
  Error become_leader_or_follower(NodeContext& ctx, const LeaderAndIsrPartition& p, int32_t controller_epoch);
  void produce(NodeContext& ctx, const ProduceRequest& req, ProduceReply reply);
  void fetch(NodeContext& ctx, HostId from, const FetchRequest& req);
  OffsetsForLeaderEpochResponse leader_epoch_end(const OffsetsForLeaderEpochRequest& req) const;
  // §4: drops followers that did not catch up within the lag time.
  void shrink_isr(NodeContext& ctx);

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  Role role() const { return role_; }
  int32_t leader() const { return leader_; }
  int32_t leader_epoch() const { return leader_epoch_; }
  const std::vector<int32_t>& isr() const { return isr_; }
  int64_t high_watermark() const { return hw_; }
  const PartitionLog& log() const { return *log_; }
  // Syncs the log (log.flush.interval.ms).
  Status flush() { return log_->flush(); }
  bool replication_stuck() const { return stuck_; }

 private:
  struct Remote {
    int64_t leo = -1;  // unknown
    Time last_caught_up;
    Time last_fetch_time;
    int64_t last_fetch_leader_leo = 0;
  };
  struct ParkedProduce {
    int64_t required_offset;
    int64_t correlation_id = 0;
    ProduceReply reply;
    TimerId timer = 0;
  };
  struct ParkedFetch {
    HostId from;
    FetchRequest request;
    TimerId timer = 0;
  };

  const BrokerConfig& config() const { return broker_.config(); }
  int32_t self() const { return config().broker_id; }
  bool in_isr(int32_t b) const;

  // Leader.
  void make_leader(NodeContext& ctx, const LeaderAndIsrPartition& p);
  bool maybe_advance_hw(NodeContext& ctx);
  void after_hw_or_isr_change(NodeContext& ctx);
  void check_produces(NodeContext& ctx);
  void answer_fetch(NodeContext& ctx, HostId from, const FetchRequest& req, std::optional<int64_t> hw_override);
  void wake_fetches(NodeContext& ctx, bool hw_advanced);
  void update_follower(NodeContext& ctx, int32_t replica, int64_t fetch_offset);
  void write_isr(NodeContext& ctx, std::vector<int32_t> isr, const char* why);
  void drop_parked(NodeContext& ctx);

  // Follower.
  void make_follower(NodeContext& ctx, const LeaderAndIsrPartition& p);
  void start_truncation(NodeContext& ctx);
  void ask_epoch(NodeContext& ctx, int32_t epoch);
  void on_epoch_answer(NodeContext& ctx, int32_t asked, const OffsetsForLeaderEpochResponse& r);
  void truncate(NodeContext& ctx, int64_t offset, const char* why);
  void send_fetch(NodeContext& ctx);
  void on_fetch_response(NodeContext& ctx, const FetchResponse& r);
  void retry_later(NodeContext& ctx, std::function<void(NodeContext&)> what);
  void charge_append(NodeContext& ctx, int32_t records, const PartitionLog::AppendResult& a) const;
  void stop_fetching(NodeContext& ctx);

  BrokerServices& broker_;
  std::string topic_;
  int32_t index_;
  std::unique_ptr<PartitionLog> log_;
  int64_t hw_ = 0;

  Role role_ = Role::kNone;
  int32_t leader_ = -1;
  int32_t leader_epoch_ = -1;
  int32_t zk_version_ = 0;
  int32_t controller_epoch_ = 0;
  std::vector<int32_t> replicas_;  // AR
  std::vector<int32_t> isr_;       // cached (leader only)

  std::map<int32_t, Remote> remotes_;
  std::map<uint64_t, ParkedProduce> produces_;  // by arrival
  std::map<uint64_t, ParkedFetch> fetches_;
  uint64_t next_parked_ = 1;
  bool isr_write_in_flight_ = false;

  uint64_t generation_ = 0;       // bumped whenever following stops or restarts
  int64_t fetch_correlation_ = 0;  // in flight, or 0
  TimerId retry_timer_ = 0;
  bool stuck_ = false;
};

}  // namespace fabsim::kafka
