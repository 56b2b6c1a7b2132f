#include "model/orderer/kafka_chain.h"

#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "model/ledger/tx_rwset.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

constexpr int32_t kPartition = 0;  // one partition per channel (§5.1)

kafka::ProducerConfig with_timeout(kafka::ProducerConfig c, Duration timeout) {
  c.request_timeout = timeout;
  return c;
}
kafka::ConsumerConfig with_timeout(kafka::ConsumerConfig c, Duration timeout) {
  c.request_timeout = timeout;
  return c;
}

std::optional<::orderer::KafkaMetadata> last_metadata(const BlockWriter& writer) {
  if (writer.height() == 0) return std::nullopt;
  auto block = writer.store().block_by_number(writer.height() - 1);
  FABSIM_ASSERT_MSG(block.is_ok(), block.status().to_string());  // the writer's own tip
  const std::string bytes = consenter_metadata(block.value());
  if (bytes.empty()) return std::nullopt;  // the genesis block: a new channel
  ::orderer::KafkaMetadata m;
  FABSIM_ASSERT_MSG(m.ParseFromString(bytes), "a block's consenter metadata is a KafkaMetadata");
  return m;
}

}  // namespace

KafkaChain::KafkaChain(const BatchSettings* batch, Duration block_cut, BlockWriter* writer,
                       const KafkaChainConfig& config, std::string topic, int64_t first_correlation)
    : batch_(batch),
      block_cut_(block_cut),
      writer_(writer),
      retry_(config.retry),
      consumer_backoff_(config.consumer.retry_backoff),
      topic_(std::move(topic)),
      rpc_(kRpcTag, first_correlation),
      producer_(with_timeout(config.producer, config.network_timeout), rpc_),
      consumer_(with_timeout(config.consumer, config.network_timeout), rpc_) {
  FABSIM_ASSERT(writer_ != nullptr);
  FABSIM_ASSERT(!topic_.empty());
  const Status valid = validate_batch_settings(*batch_);
  FABSIM_ASSERT_MSG(valid.is_ok(), valid.to_string());
}

void KafkaChain::start(NodeContext& ctx) {
  FABSIM_ASSERT(core_ == nullptr);  // one start per incarnation
  core_ = std::make_unique<KafkaChainCore>(batch_, last_metadata(*writer_), writer_->height());
  post_connect(ctx);
}

void KafkaChain::produce(NodeContext& ctx, const ::orderer::KafkaMessage& m, kafka::Producer::Done done) {
  producer_.send(ctx, topic_, kPartition, protoutil::marshal(m), std::move(done));
}

std::optional<Time> RetrySchedule::next_attempt(const RetrySettings& s, Time started, Time now) {
  const Duration interval = long_phase ? s.long_interval : s.short_interval;
  const Duration total = long_phase ? s.long_total : s.short_total;
  if (!origin) origin = now;  // the phase's first failure starts its tickers
  FABSIM_ASSERT(interval.ns > 0);
  // The first tick after the attempt started (a tick during the attempt waits in the channel).
  const int64_t k = started < *origin ? 1 : (started - *origin).ns / interval.ns + 1;
  const Time tick = *origin + interval * k;
  const Time next = std::max(now, tick);
  if (next < *origin + total) return next;
  if (long_phase) return std::nullopt;
  // ShortTotal has passed: the long phase tries at once (when the total ticker fires).
  const Time long_start = std::max(now, *origin + total);
  long_phase = true;
  origin.reset();
  return long_start;
}

void KafkaChain::post_connect(NodeContext& ctx) {
  ++attempts_;
  attempt_started_ = ctx.now();
  ::orderer::KafkaMessage connect;
  connect.mutable_connect();
  produce(ctx, connect, [this](NodeContext& c, kafka::Error e, int64_t) {
    if (ready_) return;  // a CONNECT after a consumer error: nothing waits for it
    if (e == kafka::NONE) {
      // The partition consumer at last offset persisted + 1; OffsetOldest is the log start.
      const int64_t from = std::max<int64_t>(core_->start_offset(), 0);
      consumer_.start(
          c, topic_, kPartition, from,
          [this](NodeContext& c2, int64_t offset, const std::string& value) { consume(c2, offset, value); },
          [this](NodeContext& c2, kafka::Error err) {
            c2.emit("kafka.chain.consumer_error", 0, kafka::Error_Name(err));
            ::orderer::KafkaMessage again;
            again.mutable_connect();
            produce(c2, again, [](NodeContext&, kafka::Error, int64_t) {});
            const int64_t position = consumer_.position();
            rpc_.after(c2, consumer_backoff_, [this, position](NodeContext& c3) {
              consumer_.start(
                  c3, topic_, kPartition, position,
                  [this](NodeContext& c4, int64_t o, const std::string& v) { consume(c4, o, v); },
                  [](NodeContext&, kafka::Error) {});
            });
          });
      ready_ = true;
      c.emit("kafka.chain.ready", from, topic_);
      return;
    }
    const std::optional<Time> next = schedule_.next_attempt(retry_, attempt_started_, c.now());
    if (!next) {
      c.emit("kafka.chain.send_failed", attempts_, fmt::format("CONNECT {}: giving up", kafka::Error_Name(e)));
      return;
    }
    c.emit("kafka.chain.retry", attempts_, fmt::format("CONNECT {}", kafka::Error_Name(e)));
    rpc_.after(c, *next - c.now(), [this](NodeContext& c2) { post_connect(c2); });
  });
}

::orderer::KafkaMessage regular_message(const common::Envelope& env) {
  ::orderer::KafkaMessage m;
  ::orderer::KafkaMessageRegular* r = m.mutable_regular();
  r->set_payload(protoutil::marshal(env));
  r->set_config_seq(0);
  r->set_class_(::orderer::KafkaMessageRegular::NORMAL);
  r->set_original_offset(0);
  return m;
}

void KafkaChain::order(NodeContext& ctx, common::Envelope env) {
  auto tx_id = ledger::txid_from_envelope(protoutil::marshal(env));
  enqueue(ctx, env, tx_id.is_ok() ? *tx_id : std::string(), [](NodeContext&, common::Status, const std::string&) {});
}

void KafkaChain::enqueue(NodeContext& ctx, const common::Envelope& env, std::string tx_id, Reply reply) {
  if (!ready_) {
    reply(ctx, common::SERVICE_UNAVAILABLE, "backing Kafka cluster has not completed booting; try again later");
    return;
  }
  produce(ctx, regular_message(env), [this, reply = std::move(reply), tx_id = std::move(tx_id)](
                                         NodeContext& c, kafka::Error e, int64_t offset) {
    if (e == kafka::NONE) {
      c.emit(kEventKafkaAcked, offset, topic_, KafkaAckedEvent{topic_, tx_id, offset});
      reply(c, common::SUCCESS, "");
    } else {
      c.emit("kafka.chain.send_failed", 0, fmt::format("REGULAR {}", kafka::Error_Name(e)));
      reply(c, common::SERVICE_UNAVAILABLE, fmt::format("cannot enqueue: {}", kafka::Error_Name(e)));
    }
  });
}

void KafkaChain::consume(NodeContext& ctx, int64_t offset, const std::string& value) {
  ::orderer::KafkaMessage m;
  if (!m.ParseFromString(value)) return;  // Fabric logs "unable to unmarshal" and goes on
  apply(ctx, core_->consume(offset, m));
}

void KafkaChain::apply(NodeContext& ctx, KafkaChainCore::Step step) {
  for (const KafkaChainCore::Block& b : step.blocks) {
    ctx.charge(block_cut_);
    writer_->write_block(ctx, b.batch, b.reason, protoutil::marshal(b.metadata));
  }
  if (step.timer == KafkaChainCore::Timer::kStart && !batch_timer_) {
    batch_timer_ = ctx.set_timer(batch_->batch_timeout, kBatchTimerTag);
  } else if (step.timer == KafkaChainCore::Timer::kStop && batch_timer_) {
    ctx.cancel_timer(*batch_timer_);
    batch_timer_.reset();
  }
  if (step.post_time_to_cut) {
    const uint64_t number = *step.post_time_to_cut;
    ::orderer::KafkaMessage ttc;
    ttc.mutable_time_to_cut()->set_block_number(number);
    ctx.emit("kafka.chain.ttc", static_cast<int64_t>(number), topic_);
    produce(ctx, ttc, [number](NodeContext& c, kafka::Error e, int64_t) {
      if (e != kafka::NONE)
        c.emit("kafka.chain.send_failed", static_cast<int64_t>(number), fmt::format("TIMETOCUT {}", kafka::Error_Name(e)));
    });
  }
  if (!step.error.empty() && !halt_reported_) {
    halt_reported_ = true;
    ctx.emit("kafka.chain.halted", 0, step.error);
  }
}

void KafkaChain::on_timer(NodeContext& ctx, TimerId id, uint64_t tag) {
  if (rpc_.on_timer(ctx, id, tag)) return;
  if (tag != kBatchTimerTag || !batch_timer_ || *batch_timer_ != id) return;  // not the current timer
  batch_timer_.reset();
  apply(ctx, core_->timer_fired());
}

}  // namespace fabsim::orderer
