// Producer: the producing side of a Kafka client, as Fabric's orderer uses sarama's (and
// as the Java producer behaves where Fabric sets nothing): records go to the partition's
// leader, found through ClusterMetadata; at most max_in_flight requests are outstanding
// (Fabric's sarama config: 1). Records queued meanwhile go out together: a request carries
// every queued record of the head record's partition, in order, up to max_message_bytes (sarama's
// aggregator hands the flusher everything buffered while the previous request was out; its
// default Flush settings send as soon as the flusher is free). A retriable error
// (NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION,
// REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, or no answer
// within request_timeout) refreshes the metadata and sends the request's records again after
// retry_backoff, each up to `retries` times (a record past that gets the error; sarama
// counts retries per message); then the record's callback gets the last error. A metadata
// refresh that finds no leader for the head record's partition counts as an attempt of it
// (asked again 250 ms later): after `retries` of them it fails with LEADER_NOT_AVAILABLE.
// With acks=0 the broker never answers: a record counts as done (offset -1) once sent. A
// record sent again after an error that came after the append is in the log twice
// (kafka-semantics.md §2 "Consequences").
//
// Ownership: borrows the owner's Rpc (the owner routes responses and timers to it).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/proto/fabsim/kafka.pb.h"
#include "model/kafka/metadata.h"
#include "model/kafka/rpc.h"

namespace fabsim::kafka {

struct ProducerConfig {
  std::map<int32_t, HostId> brokers;                   // bootstrap: every broker
  int32_t acks = -1;                                   // RequiredAcks (Fabric: WaitForAll)
  Duration timeout = Duration::seconds(10);            // the request's timeout (sarama Producer.Timeout)
  Duration request_timeout = Duration::seconds(30);    // the client's wait (sarama Net.ReadTimeout)
  int32_t retries = 3;                                 // Producer.Retry.Max (Fabric: 3)
  Duration retry_backoff = Duration::millis(100);      // Producer.Retry.Backoff (Fabric: 100ms)
  uint32_t max_in_flight = 1;                          // Net.MaxOpenRequests (Fabric: 1)
  // The bytes of one request's records (at least one record goes): sarama's default
  // Producer.MaxMessageBytes. Fabric raises that to 99 MiB, which 0.10 message sets allow as
  // the brokers check each message; the model's brokers check message.max.bytes (1000012 by
  // default) against a request's records together, so the model keeps sarama's default.
  uint64_t max_message_bytes = 1'000'000;
};

class Producer {
 public:
  // The record's outcome: NONE with its offset, or the last error with -1.
  using Done = std::function<void(NodeContext&, Error, int64_t offset)>;

  Producer(ProducerConfig config, Rpc& rpc);

  void send(NodeContext& ctx, const std::string& topic, int32_t partition, std::string record, Done done);
  size_t outstanding() const { return queue_.size() + in_flight_; }

 private:
  struct Record {
    std::string topic;
    int32_t partition = 0;
    std::string value;
    Done done;
    int32_t attempts = 0;
  };
  void pump(NodeContext& ctx);
  void dispatch(NodeContext& ctx, std::vector<Record> batch);
  void on_result(NodeContext& ctx, std::vector<Record> batch, Error e, int64_t base_offset);

  ProducerConfig config_;
  Rpc& rpc_;
  ClusterMetadata metadata_;
  std::deque<Record> queue_;
  uint32_t in_flight_ = 0;
  bool waiting_metadata_ = false;
};

bool retriable(Error e);

}  // namespace fabsim::kafka
