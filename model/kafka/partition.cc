#include "model/kafka/partition.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"
#include "model/zookeeper/client.h"

namespace fabsim::kafka {
namespace {

std::string isr_text(const std::vector<int32_t>& isr) { return fmt::format("[{}]", fmt::join(isr, ",")); }

}  // namespace

std::string state_path(const std::string& topic, int32_t partition) {
  return fmt::format("/brokers/topics/{}/partitions/{}/state", topic, partition);
}
std::string partition_name(const std::string& topic, int32_t partition) { return fmt::format("{}-{}", topic, partition); }

Partition::Partition(BrokerServices& broker, std::string topic, int32_t index, std::unique_ptr<PartitionLog> log,
                     int64_t checkpointed_hw)
    : broker_(broker), topic_(std::move(topic)), index_(index), log_(std::move(log)) {
  // §3: on restart HW = min(checkpointed HW, LEO).
  hw_ = std::min(checkpointed_hw, log_->log_end_offset());
}

bool Partition::in_isr(int32_t b) const { return std::find(isr_.begin(), isr_.end(), b) != isr_.end(); }

Error Partition::become_leader_or_follower(NodeContext& ctx, const LeaderAndIsrPartition& p, int32_t controller_epoch) {
  if (p.leader_epoch() <= leader_epoch_) return STALE_CONTROLLER_EPOCH;
  leader_epoch_ = p.leader_epoch();
  zk_version_ = p.zk_version();
  controller_epoch_ = controller_epoch;
  replicas_.assign(p.replicas().begin(), p.replicas().end());
  ctx.emit("kafka.leader_and_isr", p.leader(),
           fmt::format("{} leader={} epoch={} isr={}", partition_name(topic_, index_), p.leader(), p.leader_epoch(),
                       isr_text({p.isr().begin(), p.isr().end()})));
  if (p.leader() == self()) {
    make_leader(ctx, p);
  } else {
    make_follower(ctx, p);
  }
  return NONE;
}

// ---- leader ---------------------------------------------------------------------------------

void Partition::make_leader(NodeContext& ctx, const LeaderAndIsrPartition& p) {
  const bool newly = role_ != Role::kLeader;
  stop_fetching(ctx);
  role_ = Role::kLeader;
  leader_ = self();
  isr_.assign(p.isr().begin(), p.isr().end());
  const int64_t leo = log_->log_end_offset();
  for (int32_t r : replicas_) {
    if (r == self()) continue;
    Remote& rem = remotes_[r];
    rem.last_caught_up = in_isr(r) ? ctx.now() : Time::zero();
    rem.last_fetch_time = ctx.now();
    rem.last_fetch_leader_leo = leo;
    if (newly) rem.leo = -1;
  }
  after_hw_or_isr_change(ctx);
}

bool Partition::maybe_advance_hw(NodeContext& ctx) {
  int64_t candidate = log_->log_end_offset();
  for (const auto& [r, rem] : remotes_) {
    if (std::find(replicas_.begin(), replicas_.end(), r) == replicas_.end()) continue;
    const bool counts = in_isr(r) || ctx.now() - rem.last_caught_up <= config().replica_lag_time_max;
    if (counts) candidate = std::min(candidate, rem.leo);
  }
  if (candidate <= hw_) return false;
  hw_ = candidate;
  return true;
}

void Partition::after_hw_or_isr_change(NodeContext& ctx) {
  const bool advanced = maybe_advance_hw(ctx);
  check_produces(ctx);
  if (advanced) wake_fetches(ctx, true);
}

void Partition::check_produces(NodeContext& ctx) {
  // Every answered produce leaves the map before any is answered: an answer lets the broker
  // handle that client's next produce at once (Broker::next_produce), which appends and
  // checks the parked produces again — a nested check that must not erase under this loop.
  std::vector<std::pair<ParkedProduce, ProduceResponse>> answered;
  for (auto it = produces_.begin(); it != produces_.end();) {
    ProduceResponse r;
    r.set_correlation_id(it->second.correlation_id);
    r.set_base_offset(-1);
    if (role_ != Role::kLeader) {
      r.set_error(NOT_LEADER_FOR_PARTITION);
    } else if (hw_ >= it->second.required_offset) {
      r.set_error(static_cast<int32_t>(isr_.size()) >= config().min_insync_replicas ? NONE
                                                                                    : NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    } else {
      ++it;
      continue;
    }
    answered.emplace_back(std::move(it->second), std::move(r));
    it = produces_.erase(it);
  }
  for (auto& [done, r] : answered) {  // in the order the produces were parked
    broker_.rpc().cancel(ctx, done.timer);
    done.reply(ctx, r);
  }
}

void Partition::produce(NodeContext& ctx, const ProduceRequest& req, ProduceReply reply) {
  ProduceResponse r;
  r.set_correlation_id(req.correlation_id());
  r.set_base_offset(-1);
  auto fail = [&](Error e) {
    r.set_error(e);
    reply(ctx, r);
  };
  if (role_ != Role::kLeader) return fail(NOT_LEADER_FOR_PARTITION);
  if (req.acks() != 0 && req.acks() != 1 && req.acks() != -1) return fail(INVALID_REQUIRED_ACKS);
  if (req.acks() == -1 && static_cast<int32_t>(isr_.size()) < config().min_insync_replicas)
    return fail(NOT_ENOUGH_REPLICAS);
  uint64_t bytes = 0;
  for (const std::string& rec : req.records()) bytes += rec.size();
  if (bytes > static_cast<uint64_t>(config().message_max_bytes)) return fail(MESSAGE_TOO_LARGE);
  if (req.records_size() == 0) return fail(NONE);
  const std::vector<std::string> records(req.records().begin(), req.records().end());
  auto appended = log_->append(leader_epoch_, records);
  if (!appended.is_ok()) return fail(KAFKA_STORAGE_ERROR);
  const int64_t base = appended.value().base;
  charge_append(ctx, req.records_size(), appended.value());
  ctx.emit("kafka.appended", base,
           fmt::format("{} offsets [{}, {}) epoch={}", partition_name(topic_, index_), base,
                       base + req.records_size(), leader_epoch_));
  wake_fetches(ctx, false);
  const bool advanced = maybe_advance_hw(ctx);
  if (advanced) wake_fetches(ctx, true);
  check_produces(ctx);
  if (req.acks() == 0 || req.acks() == 1) {  // acks=0: the broker sends nothing, but the connection moves on
    r.set_error(NONE);
    r.set_base_offset(base);
    reply(ctx, r);
    return;
  }
  const uint64_t key = next_parked_++;
  ParkedProduce& park = produces_[key];
  park.required_offset = base + req.records_size();
  park.correlation_id = req.correlation_id();
  park.reply = [reply, base](NodeContext& c, const ProduceResponse& resp) {
    ProduceResponse out = resp;
    if (out.error() == NONE) out.set_base_offset(base);
    reply(c, out);
  };
  const int64_t correlation = req.correlation_id();
  park.timer = broker_.rpc().after(ctx, Duration::millis(req.timeout_ms()), [this, key, correlation](NodeContext& c) {
    auto it = produces_.find(key);
    if (it == produces_.end()) return;
    ParkedProduce done = std::move(it->second);
    produces_.erase(it);
    ProduceResponse t;
    t.set_correlation_id(correlation);
    t.set_error(REQUEST_TIMED_OUT);
    t.set_base_offset(-1);
    done.reply(c, t);
  });
  check_produces(ctx);  // already satisfied when the ISR is the leader alone
}

void Partition::update_follower(NodeContext& ctx, int32_t replica, int64_t fetch_offset) {
  auto it = remotes_.find(replica);
  if (it == remotes_.end()) return;  // not an assigned replica
  Remote& rem = it->second;
  const int64_t leader_leo = log_->log_end_offset();
  // §3 "Caught-up time" (0.10.2+).
  if (fetch_offset >= leader_leo) {
    rem.last_caught_up = std::max(rem.last_caught_up, ctx.now());
  } else if (fetch_offset >= rem.last_fetch_leader_leo) {
    rem.last_caught_up = std::max(rem.last_caught_up, rem.last_fetch_time);
  }
  rem.leo = fetch_offset;
  rem.last_fetch_leader_leo = leader_leo;
  rem.last_fetch_time = ctx.now();
  // §4 "Expand".
  if (!in_isr(replica) && fetch_offset >= hw_ && !isr_write_in_flight_) {
    std::vector<int32_t> isr = isr_;
    isr.push_back(replica);
    write_isr(ctx, std::move(isr), "expand");
  }
  after_hw_or_isr_change(ctx);
}

void Partition::fetch(NodeContext& ctx, HostId from, const FetchRequest& req) {
  FetchResponse r;
  r.set_correlation_id(req.correlation_id());
  auto fail = [&](Error e) {
    r.set_error(e);
    r.set_high_watermark(hw_);
    r.set_log_end_offset(log_->log_end_offset());
    ctx.send(from, model::make_message(kFetchResponse, r));
  };
  if (role_ != Role::kLeader) return fail(NOT_LEADER_FOR_PARTITION);
  if (req.offset() < log_->log_start_offset() || req.offset() > log_->log_end_offset()) return fail(OFFSET_OUT_OF_RANGE);
  const int64_t hw_before = hw_;
  const bool follower = req.replica_id() >= 0;
  if (follower) update_follower(ctx, req.replica_id(), req.offset());
  if (role_ != Role::kLeader) return fail(NOT_LEADER_FOR_PARTITION);
  // Whether there is data to return is decided after the follower's update: a produce it
  // completed may have let the broker append that client's next produce at once (Kafka's
  // DelayedFetch.tryCompleteElseWatch sees it too), and parking the fetch would miss the
  // wake-up of that append and wait max_wait for nothing.
  const int64_t limit = follower ? log_->log_end_offset() : hw_;
  const bool has_data = req.offset() < limit;
  if (has_data || req.max_wait_ms() <= 0) {
    answer_fetch(ctx, from, req, hw_before);
    return;
  }
  const uint64_t key = next_parked_++;
  ParkedFetch& park = fetches_[key];
  park.from = from;
  park.request = req;
  park.timer = broker_.rpc().after(ctx, Duration::millis(req.max_wait_ms()), [this, key](NodeContext& c) {
    auto it = fetches_.find(key);
    if (it == fetches_.end()) return;
    ParkedFetch done = std::move(it->second);
    fetches_.erase(it);
    answer_fetch(c, done.from, done.request, std::nullopt);
  });
}

void Partition::answer_fetch(NodeContext& ctx, HostId from, const FetchRequest& req, std::optional<int64_t> hw_override) {
  FetchResponse r;
  r.set_correlation_id(req.correlation_id());
  r.set_log_end_offset(log_->log_end_offset());
  r.set_high_watermark(hw_override.value_or(hw_));
  if (role_ != Role::kLeader) {
    r.set_error(NOT_LEADER_FOR_PARTITION);
  } else {
    const int64_t limit = req.replica_id() >= 0 ? log_->log_end_offset() : hw_;
    auto batches = log_->read(req.offset(), static_cast<uint64_t>(req.max_bytes()), limit);
    if (!batches.is_ok()) {
      r.set_error(KAFKA_STORAGE_ERROR);
    } else {
      r.set_error(NONE);
      for (auto& b : batches.value()) *r.add_batches() = std::move(b);
    }
  }
  ctx.send(from, model::make_message(kFetchResponse, r));
}

void Partition::wake_fetches(NodeContext& ctx, bool hw_advanced) {
  for (auto it = fetches_.begin(); it != fetches_.end();) {
    const FetchRequest& req = it->second.request;
    const bool follower = req.replica_id() >= 0;
    const int64_t limit = follower ? log_->log_end_offset() : hw_;
    const bool ready = role_ != Role::kLeader || (req.offset() < limit && (follower || hw_advanced));
    if (!ready) {
      ++it;
      continue;
    }
    ParkedFetch done = std::move(it->second);
    it = fetches_.erase(it);
    broker_.rpc().cancel(ctx, done.timer);
    answer_fetch(ctx, done.from, done.request, std::nullopt);
  }
}

void Partition::shrink_isr(NodeContext& ctx) {
  if (role_ != Role::kLeader || isr_write_in_flight_) return;
  std::vector<int32_t> keep;
  for (int32_t r : isr_) {
    if (r == self()) {
      keep.push_back(r);
      continue;
    }
    auto it = remotes_.find(r);
    const bool lagging = it == remotes_.end() || ctx.now() - it->second.last_caught_up > config().replica_lag_time_max;
    if (!lagging) keep.push_back(r);
  }
  if (keep.size() != isr_.size()) write_isr(ctx, std::move(keep), "shrink");
}

void Partition::write_isr(NodeContext& ctx, std::vector<int32_t> isr, const char* why) {
  PartitionState state;
  state.set_controller_epoch(controller_epoch_);
  state.set_leader(self());
  state.set_leader_epoch(leader_epoch_);
  for (int32_t b : isr) state.add_isr(b);
  const std::string data = protoutil::marshal(state);
  isr_write_in_flight_ = true;
  const int32_t epoch = leader_epoch_;
  const std::string path = state_path(topic_, index_);
  ctx.emit("kafka.isr_write", self(),
           fmt::format("{} {} {} -> {} (zkVersion {})", partition_name(topic_, index_), why, isr_text(isr_),
                       isr_text(isr), zk_version_));
  auto applied = [this, isr, epoch, why](NodeContext& c, int32_t version) {
    isr_write_in_flight_ = false;
    if (role_ != Role::kLeader || leader_epoch_ != epoch) return;
    isr_ = isr;
    zk_version_ = version;
    c.emit("kafka.isr_changed", self(), fmt::format("{} {} isr={}", partition_name(topic_, index_), why, isr_text(isr_)));
    broker_.isr_changed(c, topic_, index_);
    after_hw_or_isr_change(c);
  };
  broker_.zk().set_data(ctx, path, data, zk_version_, [this, applied, data, path](NodeContext& c, const zk::Response& r) {
    if (r.code() == zk::OK) return applied(c, r.stat().version());
    if (r.code() != zk::BAD_VERSION) {
      isr_write_in_flight_ = false;
      return;
    }
    // A conflict: ours if ZooKeeper holds exactly our data (a lost reply), else keep the old ISR.
    broker_.zk().get_data(c, path, false, [this, applied, data](NodeContext& c2, const zk::Response& got) {
      if (got.code() == zk::OK && got.data() == data) return applied(c2, got.stat().version());
      isr_write_in_flight_ = false;
      c2.emit("kafka.isr_write_failed", self(), partition_name(topic_, index_));
    });
  });
}

void Partition::drop_parked(NodeContext& ctx) {
  check_produces(ctx);  // not leader: every parked produce gets NOT_LEADER
  wake_fetches(ctx, false);
}

void Partition::charge_append(NodeContext& ctx, int32_t records, const PartitionLog::AppendResult& a) const {
  const KafkaCosts& c = config().costs;
  ctx.charge(c.append_per_record * records);
  ctx.charge_disk(c.write_per_kb * static_cast<int64_t>((a.bytes + 1023) / 1024));
  if (a.synced || a.rolled) ctx.charge_disk(c.fsync);
}

OffsetsForLeaderEpochResponse Partition::leader_epoch_end(const OffsetsForLeaderEpochRequest& req) const {
  OffsetsForLeaderEpochResponse r;
  r.set_correlation_id(req.correlation_id());
  if (role_ != Role::kLeader) {
    r.set_error(NOT_LEADER_FOR_PARTITION);
    r.set_leader_epoch(kUndefinedEpoch);
    r.set_end_offset(kUndefinedOffset);
    return r;
  }
  r.set_error(NONE);
  if (truncation_mode(config().version) == TruncationMode::kEpochV1) {
    const auto [epoch, end] = log_->end_offset_for_v1(req.leader_epoch());
    r.set_leader_epoch(epoch);
    r.set_end_offset(end);
  } else {
    r.set_leader_epoch(kUndefinedEpoch);
    r.set_end_offset(log_->end_offset_for_v0(req.leader_epoch()));
  }
  return r;
}

}  // namespace fabsim::kafka
