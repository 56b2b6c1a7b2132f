#include "model/kafka/producer.h"

#include "model/kafka/protocol.h"
#include "model/protocol.h"

namespace fabsim::kafka {

bool retriable(Error e) {
  return e == NOT_LEADER_FOR_PARTITION || e == LEADER_NOT_AVAILABLE || e == UNKNOWN_TOPIC_OR_PARTITION ||
         e == REQUEST_TIMED_OUT || e == NOT_ENOUGH_REPLICAS || e == NOT_ENOUGH_REPLICAS_AFTER_APPEND ||
         e == NETWORK_EXCEPTION;
}

Producer::Producer(ProducerConfig config, Rpc& rpc)
    : config_(std::move(config)), rpc_(rpc), metadata_(config_.brokers, config_.request_timeout, rpc) {}

void Producer::send(NodeContext& ctx, const std::string& topic, int32_t partition, std::string record, Done done) {
  queue_.push_back(Record{topic, partition, std::move(record), std::move(done), 0});
  pump(ctx);
}

void Producer::pump(NodeContext& ctx) {
  while (in_flight_ < config_.max_in_flight && !queue_.empty() && !waiting_metadata_) {
    const Record& head = queue_.front();
    if (!metadata_.leader(head.topic, head.partition)) {
      waiting_metadata_ = true;
      metadata_.refresh(ctx, [this](NodeContext& c) {
        // No leader yet: a failed attempt of the head record (sarama's partition producer
        // counts it against Retry.Max and then fails the record with LEADER_NOT_AVAILABLE);
        // otherwise ask again after the backoff (sarama's Metadata.Retry.Backoff).
        if (!queue_.empty() && !metadata_.leader(queue_.front().topic, queue_.front().partition)) {
          if (++queue_.front().attempts > config_.retries) {
            Record r = std::move(queue_.front());
            queue_.pop_front();
            waiting_metadata_ = false;
            Done done = std::move(r.done);
            done(c, LEADER_NOT_AVAILABLE, -1);
            pump(c);
            return;
          }
          rpc_.after(c, Duration::millis(250), [this](NodeContext& c2) {
            waiting_metadata_ = false;
            pump(c2);
          });
          return;
        }
        waiting_metadata_ = false;
        pump(c);
      });
      return;
    }
    // The head record and the queued records of its partition behind it, up to the size cap.
    std::vector<Record> batch;
    uint64_t bytes = 0;
    const std::string topic = head.topic;
    const int32_t partition = head.partition;
    while (!queue_.empty() && queue_.front().topic == topic && queue_.front().partition == partition &&
           (batch.empty() || bytes + queue_.front().value.size() <= config_.max_message_bytes)) {
      bytes += queue_.front().value.size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    dispatch(ctx, std::move(batch));
  }
}

void Producer::dispatch(NodeContext& ctx, std::vector<Record> batch) {
  ++in_flight_;
  const Record& head = batch.front();
  const HostId leader = *metadata_.leader(head.topic, head.partition);
  ProduceRequest req;
  const int64_t correlation = rpc_.next_correlation();
  req.set_correlation_id(correlation);
  req.set_topic(head.topic);
  req.set_partition(head.partition);
  req.set_acks(config_.acks);
  req.set_timeout_ms(static_cast<int32_t>(config_.timeout.ns / 1'000'000));
  for (Record& r : batch) {
    ++r.attempts;
    req.add_records(r.value);
  }
  if (config_.acks == 0) {
    // The broker never answers acks=0: the records count as sent (offsets unknown).
    ctx.send(leader, model::make_message(kProduce, req));
    --in_flight_;
    for (Record& r : batch) {
      Done done = std::move(r.done);
      done(ctx, NONE, -1);
    }
    pump(ctx);
    return;
  }
  rpc_.call(ctx, leader, model::make_message(kProduce, req), correlation, config_.request_timeout,
            [this, batch = std::move(batch)](NodeContext& c, const Message* m) mutable {
              --in_flight_;
              ProduceResponse resp;
              if (m == nullptr || !protoutil::parse(&resp, *m->payload))
                return on_result(c, std::move(batch), NETWORK_EXCEPTION, -1);
              on_result(c, std::move(batch), resp.error(), resp.base_offset());
            });
}

void Producer::on_result(NodeContext& ctx, std::vector<Record> batch, Error e, int64_t base_offset) {
  if (e == NONE || !retriable(e)) {
    for (size_t i = 0; i < batch.size(); ++i) {
      Done done = std::move(batch[i].done);
      done(ctx, e, e == NONE ? base_offset + static_cast<int64_t>(i) : -1);
    }
    pump(ctx);
    return;
  }
  // Records past their retries get the error; the others go again, in order, after the backoff.
  std::vector<Record> again;
  for (Record& r : batch) {
    if (r.attempts > config_.retries) {
      Done done = std::move(r.done);
      done(ctx, e, -1);
    } else {
      again.push_back(std::move(r));
    }
  }
  if (again.empty()) {
    pump(ctx);
    return;
  }
  ctx.emit("kafka.producer.retry", again.front().attempts, Error_Name(e));
  metadata_.invalidate(again.front().topic, again.front().partition);
  in_flight_++;  // the slot stays taken through the backoff, so order holds
  rpc_.after(ctx, config_.retry_backoff, [this, again = std::move(again)](NodeContext& c) mutable {
    --in_flight_;
    for (auto it = again.rbegin(); it != again.rend(); ++it) queue_.push_front(std::move(*it));
    pump(c);
  });
}

}  // namespace fabsim::kafka
