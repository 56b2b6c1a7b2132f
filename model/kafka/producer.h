// Producer: the producing side of a Kafka client, as Fabric's orderer uses sarama's (and
// as the Java producer behaves where Fabric sets nothing): records go to the partition's
// leader, found through ClusterMetadata; at most max_in_flight requests are outstanding
// (Fabric's sarama config: 1); a retriable error (NOT_LEADER_FOR_PARTITION,
// LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS,
// NOT_ENOUGH_REPLICAS_AFTER_APPEND, or no answer within request_timeout) refreshes the
// metadata and sends the record again after retry_backoff, up to `retries` times; then the
// record's callback gets the last error. Records queued while a request is outstanding go
// together in the next one (sarama's producer batches what accumulates behind an in-flight
// request), up to max_batch_bytes. A metadata refresh that finds no leader for the
// record's partition counts as an attempt too (asked again 250 ms later): after `retries`
// of them the record fails with LEADER_NOT_AVAILABLE. With acks=0 the broker never answers: a record
// counts as done (offset -1) once sent. A record sent again after an error that came
// after the append is in the log twice (kafka-semantics.md §2 "Consequences").
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
  // A request carries the records queued for one partition up to this many bytes (sarama
  // Producer.MaxMessageBytes, 1000000; the first record always goes).
  uint64_t max_batch_bytes = 1'000'000;
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
