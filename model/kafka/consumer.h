// Consumer: the consuming side of a Kafka client for one partition, as Fabric's orderer
// uses sarama's partition consumer: it fetches from the partition's leader from a given
// offset on, long-polling (max_wait), and hands every record at or after its position to
// the owner, in offset order. Only HW-committed records are served (the leader reads below
// its high watermark for consumers). NOT_LEADER_FOR_PARTITION and the like, or no answer
// within request_timeout, refresh the metadata and fetch again after retry_backoff;
// OFFSET_OUT_OF_RANGE stops the consumer and is reported (Fabric's chain then reconnects).
//
// Ownership: borrows the owner's Rpc (the owner routes responses and timers to it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/node.h"
#include "core/proto/fabsim/kafka.pb.h"
#include "model/kafka/metadata.h"
#include "model/kafka/rpc.h"

namespace fabsim::kafka {

struct ConsumerConfig {
  std::map<int32_t, HostId> brokers;                  // bootstrap: every broker
  Duration max_wait = Duration::millis(250);          // sarama Consumer.MaxWaitTime
  int32_t max_bytes = 1 << 20;                        // sarama Consumer.Fetch.Default is 32 KiB; Fabric: 1 MiB+
  Duration retry_backoff = Duration::seconds(2);      // Consumer.Retry.Backoff (Fabric: 2s)
  Duration request_timeout = Duration::seconds(30);   // sarama Net.ReadTimeout
};

class Consumer {
 public:
  using OnRecord = std::function<void(NodeContext&, int64_t offset, const std::string& value)>;
  using OnError = std::function<void(NodeContext&, Error)>;

  Consumer(ConsumerConfig config, Rpc& rpc);

  // Starts consuming topic-partition at `offset`.
  void start(NodeContext& ctx, std::string topic, int32_t partition, int64_t offset, OnRecord on_record,
             OnError on_error);
  // The next offset it will hand over.
  int64_t position() const { return position_; }
  bool running() const { return running_; }

 private:
  void fetch(NodeContext& ctx);
  void retry(NodeContext& ctx);

  ConsumerConfig config_;
  Rpc& rpc_;
  ClusterMetadata metadata_;
  std::string topic_;
  int32_t partition_ = 0;
  int64_t position_ = 0;
  bool running_ = false;
  OnRecord on_record_;
  OnError on_error_;
};

}  // namespace fabsim::kafka
