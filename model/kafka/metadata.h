// ClusterMetadata: a Kafka client's view of where each partition's leader is, after the
// metadata refresh of sarama's client (the one Fabric's OSNs use; vendored sarama
// client.go: NewClient, any, tryRefreshMetadata, deregisterBroker, resurrectDeadBrokers).
// A Metadata request goes to one broker at a time, answered from that broker's cache (which
// the controller's UpdateMetadata fills, so it can be stale); a partition without a leader
// counts as unknown.
//
// Which broker is asked: the seed brokers (every configured broker) in a shuffled order,
// drawn once from the component's stream "kafka-metadata" at the first refresh (sarama
// shuffles its seed list in NewClient); the first seed is asked for as long as it answers.
// A request without an answer within request_timeout deregisters that broker (a seed moves
// to the dead seeds; a broker learnt from a response is forgotten) and the same refresh
// asks the next one at once. With no seeds left, the brokers the responses listed as live
// are asked (lowest id first; sarama iterates a map); with none left either, the dead
// seeds are resurrected and the refresh ends without an answer (the caller counts it as a
// failed attempt and retries after its backoff, as sarama's ErrOutOfBrokers does). So a
// dead broker costs one timeout, not one per refresh.
//
// Used by Producer and Consumer, which share their owner's Rpc.
//
// Ownership: borrows the Rpc; single-threaded; volatile.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
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
  // Asks a broker (see the header comment); `then` runs once when an answer came or no
  // broker answered. Refreshes already under way are joined, not repeated.
  void refresh(NodeContext& ctx, std::function<void(NodeContext&)> then);

  // The broker the next refresh asks first (after the first refresh shuffled the seeds);
  // nullopt when it would resurrect the dead seeds. For tests.
  std::optional<int32_t> next_broker() const;

 private:
  void ask(NodeContext& ctx);
  void finish(NodeContext& ctx);

  std::map<int32_t, HostId> brokers_;
  Duration request_timeout_;
  Rpc& rpc_;
  std::map<std::pair<std::string, int32_t>, int32_t> leaders_;
  bool shuffled_ = false;
  std::vector<int32_t> seeds_;       // asked first, front first
  std::vector<int32_t> dead_seeds_;  // seeds that did not answer, until resurrected
  std::set<int32_t> registered_;     // brokers the responses listed as live
  std::vector<std::function<void(NodeContext&)>> waiting_;
};

}  // namespace fabsim::kafka
