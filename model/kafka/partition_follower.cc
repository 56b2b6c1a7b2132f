// Partition's follower side: truncation by version, the fetch loop, and appends of the
// leader's batches (kafka-semantics.md §3, §6). See partition.h.
#include <algorithm>

#include <fmt/format.h>

#include "model/kafka/partition.h"
#include "model/kafka/protocol.h"
#include "model/protocol.h"

namespace fabsim::kafka {

void Partition::stop_fetching(NodeContext& ctx) {
  ++generation_;
  if (fetch_correlation_ != 0) broker_.rpc().abandon(ctx, fetch_correlation_);
  fetch_correlation_ = 0;
  broker_.rpc().cancel(ctx, retry_timer_);
}

void Partition::make_follower(NodeContext& ctx, const LeaderAndIsrPartition& p) {
  const bool same_leader = role_ == Role::kFollower && leader_ == p.leader();
  role_ = Role::kFollower;
  leader_ = p.leader();
  isr_.clear();
  drop_parked(ctx);
  if (same_leader) return;  // §5.6: up to 2.0, nothing more when the leader is unchanged
  stop_fetching(ctx);
  stuck_ = false;
  if (leader_ < 0 || !config().brokers.contains(leader_)) return;  // no leader to follow
  start_truncation(ctx);
}

void Partition::start_truncation(NodeContext& ctx) {
  switch (truncation_mode(config().version)) {
    case TruncationMode::kHighWatermark:
      truncate(ctx, hw_, "to the local high watermark");
      send_fetch(ctx);
      return;
    case TruncationMode::kEpochV0:
    case TruncationMode::kEpochV1:
      if (log_->latest_epoch() == kUndefinedEpoch) {
        truncate(ctx, hw_, "no leader epoch: to the local high watermark");
        send_fetch(ctx);
        return;
      }
      ask_epoch(ctx, log_->latest_epoch());
      return;
  }
}

void Partition::ask_epoch(NodeContext& ctx, int32_t epoch) {
  OffsetsForLeaderEpochRequest req;
  const int64_t correlation = broker_.rpc().next_correlation();
  req.set_correlation_id(correlation);
  req.set_topic(topic_);
  req.set_partition(index_);
  req.set_leader_epoch(epoch);
  const uint64_t gen = generation_;
  fetch_correlation_ = correlation;
  broker_.rpc().call(ctx, config().brokers.at(leader_), model::make_message(kEpochRequest, req), correlation,
                     config().replica_socket_timeout, [this, gen, epoch](NodeContext& c, const Message* m) {
                       if (gen != generation_) return;
                       fetch_correlation_ = 0;
                       OffsetsForLeaderEpochResponse r;
                       if (m == nullptr || !protoutil::parse(&r, *m->payload) || r.error() != NONE) {
                         // An error is retried after the backoff, without truncating.
                         retry_later(c, [this, epoch](NodeContext& c2) { ask_epoch(c2, epoch); });
                         return;
                       }
                       on_epoch_answer(c, epoch, r);
                     });
}

void Partition::on_epoch_answer(NodeContext& ctx, int32_t asked, const OffsetsForLeaderEpochResponse& r) {
  const int64_t leo = log_->log_end_offset();
  ctx.emit("kafka.epoch_answer", r.end_offset(),
           fmt::format("{} asked epoch {}: epoch {} end {}", partition_name(topic_, index_), asked, r.leader_epoch(),
                       r.end_offset()));
  if (r.end_offset() == kUndefinedOffset) {
    truncate(ctx, hw_, "undefined epoch end: to the local high watermark");
  } else if (truncation_mode(config().version) == TruncationMode::kEpochV0 || r.leader_epoch() == kUndefinedEpoch) {
    if (r.end_offset() < leo) truncate(ctx, r.end_offset(), "to the leader's epoch end");
  } else {
    // KIP-279 (K20 AbstractFetcherThread.getOffsetTruncationState).
    const auto [follower_epoch, follower_end] = log_->end_offset_for_v1(r.leader_epoch());
    if (follower_end == kUndefinedOffset) {
      truncate(ctx, std::min(r.end_offset(), leo), "to the leader's epoch end");
    } else if (follower_epoch != r.leader_epoch()) {
      truncate(ctx, std::min({follower_end, leo, r.end_offset()}), "to our end of an earlier epoch");
      ask_epoch(ctx, log_->latest_epoch());
      return;
    } else {
      truncate(ctx, std::min({follower_end, r.end_offset(), leo}), "to the common epoch's end");
    }
  }
  send_fetch(ctx);
}

void Partition::truncate(NodeContext& ctx, int64_t offset, const char* why) {
  const int64_t before = log_->log_end_offset();
  if (offset >= before) return;
  Status s = log_->truncate_to(offset);
  if (!s) {
    broker_.fatal(ctx, s.to_string());
    return;
  }
  hw_ = std::min(hw_, log_->log_end_offset());
  ctx.emit("kafka.truncated", log_->log_end_offset(),
           fmt::format("{} {}: log end {} -> {}", partition_name(topic_, index_), why, before, log_->log_end_offset()));
}

void Partition::retry_later(NodeContext& ctx, std::function<void(NodeContext&)> what) {
  const uint64_t gen = generation_;
  broker_.rpc().cancel(ctx, retry_timer_);
  retry_timer_ = broker_.rpc().after(ctx, config().replica_fetch_backoff, [this, gen, what](NodeContext& c) {
    retry_timer_ = 0;
    if (gen == generation_) what(c);
  });
}

void Partition::send_fetch(NodeContext& ctx) {
  if (role_ != Role::kFollower || leader_ < 0) return;
  FetchRequest req;
  const int64_t correlation = broker_.rpc().next_correlation();
  req.set_correlation_id(correlation);
  req.set_replica_id(self());
  req.set_topic(topic_);
  req.set_partition(index_);
  req.set_offset(log_->log_end_offset());
  req.set_max_bytes(config().replica_fetch_max_bytes);
  req.set_max_wait_ms(static_cast<int32_t>(config().replica_fetch_wait_max.ns / 1'000'000));
  req.set_min_bytes(config().replica_fetch_min_bytes);
  const uint64_t gen = generation_;
  fetch_correlation_ = correlation;
  broker_.rpc().call(ctx, config().brokers.at(leader_), model::make_message(kFetch, req), correlation,
                     config().replica_socket_timeout, [this, gen](NodeContext& c, const Message* m) {
                       if (gen != generation_) return;
                       fetch_correlation_ = 0;
                       FetchResponse r;
                       if (m == nullptr || !protoutil::parse(&r, *m->payload)) {
                         retry_later(c, [this](NodeContext& c2) { send_fetch(c2); });
                         return;
                       }
                       on_fetch_response(c, r);
                     });
}

void Partition::on_fetch_response(NodeContext& ctx, const FetchResponse& r) {
  if (r.error() == OFFSET_OUT_OF_RANGE) {
    // §6.1: past the leader's log end.
    if (r.log_end_offset() < log_->log_end_offset()) {
      if (!config().unclean()) {
        broker_.fatal(ctx, fmt::format("{}: the leader's log end {} is below ours {} with unclean election disabled",
                                       partition_name(topic_, index_), r.log_end_offset(), log_->log_end_offset()));
        return;
      }
      truncate(ctx, r.log_end_offset(), "offset out of range: to the leader's log end");
    }
    send_fetch(ctx);
    return;
  }
  if (r.error() != NONE) {
    retry_later(ctx, [this](NodeContext& c) { send_fetch(c); });
    return;
  }
  for (const RecordBatch& b : r.batches()) {
    auto appended = log_->append_as_follower(b);
    if (appended.is_ok()) charge_append(ctx, b.records_size(), appended.value());
    if (!appended.is_ok()) {
      if (!stuck_) ctx.emit("kafka.replication_stuck", b.base_offset(), fmt::format("{} {}", partition_name(topic_, index_), appended.status().message()));
      stuck_ = true;
      retry_later(ctx, [this](NodeContext& c) { send_fetch(c); });
      return;
    }
  }
  stuck_ = false;
  hw_ = std::min(r.high_watermark(), log_->log_end_offset());  // §3: may also go down
  send_fetch(ctx);
}

}  // namespace fabsim::kafka
