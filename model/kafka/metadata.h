// ClusterMetadata: a Kafka client's view of where each partition's leader is, after the
// metadata refresh of Kafka's and sarama's clients: a Metadata request to one broker at a
// time (the next one after a timeout), answered from that broker's cache (which the
// controller's UpdateMetadata fills, so it can be stale); a partition without a leader
// counts as unknown. Used by Producer and Consumer, which share their owner's Rpc.
//
// Ownership: borrows the Rpc; single-threaded; volatile.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/node.h"
#include "model/kafka/rpc.h"

namespace fabsim::kafka {

class ClusterMetadata {
 public:
  ClusterMetadata(std::map<int32_t, HostId> brokers, Duration request_timeout, Rpc& rpc)
      : brokers_(std::move(brokers)), request_timeout_(request_timeout), rpc_(rpc) {}

  // The leader's host of topic-partition, when the last refresh named one.
  std::optional<HostId> leader(const std::string& topic, int32_t partition) const;
  // Forgets a partition's leader (after NOT_LEADER and the like).
  void invalidate(const std::string& topic, int32_t partition) { leaders_.erase({topic, partition}); }
  // Asks the next broker; `then` runs once when the answer (or the timeout) came.
  // Refreshes already under way are joined, not repeated.
  void refresh(NodeContext& ctx, std::function<void(NodeContext&)> then);

 private:
  std::map<int32_t, HostId> brokers_;
  Duration request_timeout_;
  Rpc& rpc_;
  std::map<std::pair<std::string, int32_t>, int32_t> leaders_;
  size_t next_ = 0;
  std::vector<std::function<void(NodeContext&)>> waiting_;
};

}  // namespace fabsim::kafka
