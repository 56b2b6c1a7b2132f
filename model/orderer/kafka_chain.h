// KafkaChain: Fabric's Kafka consenter for one channel on one ordering service node (F14
// orderer/consensus/kafka/chain.go, fabric-semantics.md §5), behind the Chain interface. It
// wires KafkaChainCore (the block decisions) to a Kafka Producer and Consumer sharing one Rpc
// and to the channel's BlockWriter:
//
//   Start (start(), on the chain's lane): the core is built from the KafkaMetadata of the
//   ledger's last block (consenter_metadata(); none: a new channel) and the height. A
//   CONNECT is produced; once it is acknowledged the partition consumer starts at last
//   offset persisted + 1 (sarama's OffsetOldest, -2, is the log start, 0: the model keeps
//   every record) and the chain is ready. A failed CONNECT is retried as Fabric's retry.go
//   does (RetrySchedule: short_interval ticks for short_total, then long_interval ticks for
//   long_total); then the chain gives up (never ready).
//   Topic creation is the brokers' configuration here, and the replica-info lookup is not
//   modelled (it decides nothing).
//   Enqueue (enqueue()): not ready -> SERVICE_UNAVAILABLE at once ("backing Kafka cluster
//   has not completed booting"); else a REGULAR{payload = the envelope, config_seq 0,
//   class NORMAL, original_offset 0} is produced, and the answer comes with the producer's
//   outcome: acknowledged -> SUCCESS, an error after the producer's own retries ->
//   SERVICE_UNAVAILABLE ("cannot enqueue"), as Fabric's SyncProducer.SendMessage decides.
//   Consume: every record goes to the core; its Step is carried out in order — each block
//   charged block_cut and written with its KafkaMetadata, the batch timer started or
//   stopped, a TIMETOCUT produced (its failure is only reported; the timer stays off until
//   the next message, §5.5). A core error (processing stops) is reported once.
//   Timer: the batch timer's firing asks the core, which asks for TIMETOCUT(last cut + 1).
//   Consumer errors: OFFSET_OUT_OF_RANGE posts a CONNECT and consumes again from the last
//   position after the consumer's retry backoff (Fabric re-opens its partition consumer).
//
// Analysis events: "kafka.chain.acked" (below), "kafka.chain.ready" (value: the start offset), "kafka.chain.retry"
// (value: attempt), "kafka.chain.ttc" (value: the block number posted),
// "kafka.chain.send_failed" (detail: what and the error), "kafka.chain.halted" (detail:
// the core's error), "kafka.chain.consumer_error".
//
// State: everything is volatile except what the BlockWriter stores; a restart builds a new
// chain that resumes from the last block's metadata. Ownership: borrows the BlockWriter and
// the batch settings (the node owns them); owns the Rpc, producer and consumer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/node.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/orderer/kafka.pb.h"
#include "model/kafka/consumer.h"
#include "model/kafka/producer.h"
#include "model/kafka/rpc.h"
#include "model/orderer/block_writer.h"
#include "model/orderer/chain.h"
#include "model/orderer/kafka_chain_core.h"

namespace fabsim::orderer {

// The REGULAR message an OSN produces for `env` (payload = the marshalled envelope,
// config_seq 0, class NORMAL, original_offset 0): its record is what the brokers store and
// what message.max.bytes bounds.
::orderer::KafkaMessage regular_message(const common::Envelope& env);

// Kafka.Retry's start-up schedule (fabric-semantics.md §7.2; F14 sampleconfig/orderer.yaml).
struct RetrySettings {
  Duration short_interval = Duration::seconds(5);
  Duration short_total = Duration::seconds(600);
  Duration long_interval = Duration::seconds(300);
  Duration long_total = Duration::seconds(12 * 3600);
  bool operator==(const RetrySettings&) const = default;
};

// Where Fabric's retry.go is in its schedule: try once; on failure a ticker of
// short_interval starts (ticks at origin + k * interval; Go's ticker keeps one missed tick,
// so an attempt longer than the interval is followed by the next one at once) until
// short_total after the origin; then the long phase tries at once and continues with
// long_interval ticks until long_total.
struct RetrySchedule {
  bool long_phase = false;
  std::optional<Time> origin;  // when this phase's ticker started (its first failure)
  // After an attempt that started at `started` failed at `now`: when the next one starts,
  // or nullopt when the schedule is over (the chain gives up).
  std::optional<Time> next_attempt(const RetrySettings& s, Time started, Time now);
};

// The Kafka side of an orderer's channels (the same for every channel of the node).
struct KafkaChainConfig {
  kafka::ProducerConfig producer;  // brokers, acks (Fabric: all), Retry.Producer
  kafka::ConsumerConfig consumer;  // brokers, Retry.Consumer
  RetrySettings retry;
  // Retry.NetworkTimeouts.ReadTimeout (sampleconfig: 10s): how long the producer and the
  // consumer wait for an answer (their request_timeout).
  Duration network_timeout = Duration::seconds(10);
  // The seed of the channels' genesis blocks, the same on every OSN (BlockWriter's
  // shared_genesis_seed): they all start from one genesis block, as Fabric's OSNs do.
  uint64_t genesis_seed = 0;
};

// "kafka.chain.acked": an envelope's REGULAR message was acknowledged and Broadcast answers
// SUCCESS (value: the offset; detail: the channel). Its typed record:
inline constexpr const char* kEventKafkaAcked = "kafka.chain.acked";
struct KafkaAckedEvent {
  std::string channel;
  std::string tx_id;  // the envelope's TxID (empty if it has none)
  int64_t offset = -1;
};

class KafkaChain : public Chain {
 public:
  static constexpr uint64_t kBatchTimerTag = 1;
  static constexpr uint64_t kRpcTag = 2;
  // The Broadcast answer for one enqueued envelope.
  using Reply = std::function<void(NodeContext&, common::Status, const std::string& info)>;

  // `topic`: the channel id (one partition, 0). `first_correlation`: the start of this
  // chain's correlation ids (Rpc), distinct per channel of the node.
  KafkaChain(const BatchSettings* batch, Duration block_cut, BlockWriter* writer, const KafkaChainConfig& config,
             std::string topic, int64_t first_correlation);

  // The start sequence; call once, on the chain's lane.
  void start(NodeContext& ctx);
  // Order(): enqueue without an answer (Chain's seam). enqueue(): with Broadcast's answer.
  void order(NodeContext& ctx, common::Envelope env) override;
  // `tx_id`: the envelope's TxID, as Broadcast's filter read it (for kafka.chain.acked).
  void enqueue(NodeContext& ctx, const common::Envelope& env, std::string tx_id, Reply reply);
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;
  // A Kafka response for this chain's Rpc; false when nobody waits for it.
  bool on_response(NodeContext& ctx, const Message& msg) { return rpc_.on_response(ctx, msg); }

  bool ready() const { return ready_; }
  bool halted() const { return core_ && core_->stopped(); }
  bool batch_timer_running() const { return batch_timer_.has_value(); }
  const KafkaChainCore* core() const { return core_.get(); }

 private:
  void post_connect(NodeContext& ctx);
  void consume(NodeContext& ctx, int64_t offset, const std::string& value);
  void apply(NodeContext& ctx, KafkaChainCore::Step step);
  void produce(NodeContext& ctx, const ::orderer::KafkaMessage& m, kafka::Producer::Done done);

  const BatchSettings* batch_;
  Duration block_cut_;
  BlockWriter* writer_;
  RetrySettings retry_;
  Duration consumer_backoff_;
  std::string topic_;
  kafka::Rpc rpc_;
  kafka::Producer producer_;
  kafka::Consumer consumer_;
  std::unique_ptr<KafkaChainCore> core_;
  std::optional<TimerId> batch_timer_;
  bool ready_ = false;
  bool halt_reported_ = false;
  RetrySchedule schedule_;
  Time attempt_started_;
  int32_t attempts_ = 0;
};

}  // namespace fabsim::orderer
