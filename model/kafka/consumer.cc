#include "model/kafka/consumer.h"

#include "model/kafka/protocol.h"
#include "model/protocol.h"

namespace fabsim::kafka {

Consumer::Consumer(ConsumerConfig config, Rpc& rpc)
    : config_(std::move(config)), rpc_(rpc), metadata_(config_.brokers, config_.request_timeout, rpc) {}

void Consumer::start(NodeContext& ctx, std::string topic, int32_t partition, int64_t offset, OnRecord on_record,
                     OnError on_error) {
  topic_ = std::move(topic);
  partition_ = partition;
  position_ = offset;
  on_record_ = std::move(on_record);
  on_error_ = std::move(on_error);
  running_ = true;
  fetch(ctx);
}

void Consumer::retry(NodeContext& ctx) {
  metadata_.invalidate(topic_, partition_);
  rpc_.after(ctx, config_.retry_backoff, [this](NodeContext& c) { fetch(c); });
}

void Consumer::fetch(NodeContext& ctx) {
  if (!running_) return;
  const auto leader = metadata_.leader(topic_, partition_);
  if (!leader) {
    metadata_.refresh(ctx, [this](NodeContext& c) {
      if (metadata_.leader(topic_, partition_)) {
        fetch(c);
      } else {
        retry(c);
      }
    });
    return;
  }
  FetchRequest req;
  const int64_t correlation = rpc_.next_correlation();
  req.set_correlation_id(correlation);
  req.set_replica_id(-1);
  req.set_topic(topic_);
  req.set_partition(partition_);
  req.set_offset(position_);
  req.set_max_bytes(config_.max_bytes);
  req.set_max_wait_ms(static_cast<int32_t>(config_.max_wait.ns / 1'000'000));
  req.set_min_bytes(1);
  rpc_.call(ctx, *leader, model::make_message(kFetch, req), correlation, config_.request_timeout,
            [this](NodeContext& c, const Message* m) {
              FetchResponse r;
              if (m == nullptr || !protoutil::parse(&r, *m->payload)) return retry(c);
              if (r.error() == OFFSET_OUT_OF_RANGE) {
                running_ = false;
                if (on_error_) on_error_(c, r.error());
                return;
              }
              if (r.error() != NONE) return retry(c);
              for (const RecordBatch& b : r.batches()) {
                for (int i = 0; i < b.records_size(); ++i) {
                  const int64_t offset = b.base_offset() + i;
                  if (offset < position_) continue;
                  position_ = offset + 1;
                  on_record_(c, offset, b.records(i));
                }
              }
              fetch(c);
            });
}

}  // namespace fabsim::kafka
