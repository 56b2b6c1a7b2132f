// Network: the topology and the message transport of a simulated world.
//
// The topology is a Boost.Graph undirected graph whose vertices are hosts and whose edges
// are links. A message follows the lowest-latency path over links that are up and not
// dedicated (Dijkstra, cached per destination, recomputed after any topology change), or
// its pair's dedicated link (below), hop by hop, store and forward. On each hop the link
//   - serializes the message: bytes / bandwidth, FIFO per direction, so a big message
//     delays what follows it on that direction;
//   - adds its latency: fixed + a jitter sample;
//   - may lose it (probability `loss`) or duplicate it (probability `duplicate`);
//   - keeps arrivals in sending order per direction unless `reorder` is set.
// Between two hosts, messages arrive in the order sent unless a link on the way allows
// reordering.
//
// Dedicated links (LinkParams::dedicated) are per-pair overrides: a dedicated link between
// a and b carries exactly the traffic between a and b. A message from a to b (or b to a)
// takes it, one hop, whenever it is up, whatever its latency; if several dedicated links
// join a and b, the lowest LinkId that is up is used. No other route ever traverses a
// dedicated link (Dijkstra ignores them: they are not transit paths). While every dedicated
// link of the pair is down, its traffic takes the lowest-latency route over the other
// links. Otherwise a dedicated link is a link like any other (serialization, latency,
// jitter, loss, duplication, degradation, FIFO per direction, end-to-end order).
//
// A partition drops messages between hosts of different groups when they arrive
// (symmetric, or one way: from the first group to the others).
//
// Randomness: each link draws from its own stream, derived from (seed, "net/link/<a>/<b>",
// with "/<n>" appended for the n-th parallel link between the same hosts),
// and only when the draw matters (no jitter draw for a constant, no loss draw at 0).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/distribution.h"
#include "core/node.h"
#include "core/random.h"
#include "sim/simulator.h"

namespace fabsim {

using LinkId = uint32_t;
using PartitionId = uint32_t;

struct LinkParams {
  Duration latency = Duration::zero();
  DurationDist jitter;          // added to latency per message and hop
  uint64_t bandwidth_bps = 0;   // bits per second; 0 means no serialization delay
  double loss = 0.0;            // probability a message is lost on this link
  double duplicate = 0.0;       // probability a message is delivered twice
  bool reorder = false;         // allow jitter to reorder messages on this link
  bool dedicated = false;       // carries only (and all) traffic between its two ends; see above
};

// A temporary change to a link (a fault), undone by restore().
struct LinkDegradation {
  Duration extra_latency = Duration::zero();
  double extra_loss = 0.0;
  double bandwidth_factor = 1.0;  // multiplies the bandwidth, in (0, 1]
};

enum class DropReason : uint8_t { kLoss = 1, kPartition, kNoRoute, kHostDown };
const char* drop_reason_name(DropReason r);

struct NetworkStats {
  uint64_t sent = 0;
  uint64_t delivered = 0;  // handed to the destination host (which may be down)
  uint64_t duplicated = 0;
  uint64_t lost = 0;
  uint64_t partitioned = 0;
  uint64_t no_route = 0;
  uint64_t bytes_sent = 0;
};

class Network {
 public:
  // Called when a message reaches its destination host (after partition checks).
  using DeliverFn = void (*)(void* ctx, HostId to, HostId from, Message&& msg, uint64_t payload_hash);

  Network(Simulator& sim, const std::vector<std::string>* host_names);
  ~Network();

  void set_deliver(DeliverFn fn, void* ctx) { deliver_fn_ = fn; deliver_ctx_ = ctx; }

  // Topology. Hosts are added by the World; links between existing hosts.
  void add_host();
  LinkId add_link(HostId a, HostId b, const LinkParams& p);
  size_t host_count() const { return host_count_; }
  size_t link_count() const { return links_.size(); }
  const LinkParams& link_params(LinkId l) const;
  HostId link_end(LinkId l, int side) const;

  // Sends a message now. A message to oneself is delivered at once (no link involved).
  void send(HostId from, HostId to, Message msg);

  // Faults.
  void set_link_up(LinkId l, bool up);
  bool link_up(LinkId l) const;
  void degrade(LinkId l, const LinkDegradation& d);
  void restore(LinkId l);
  PartitionId partition(const std::vector<std::vector<HostId>>& groups, bool one_way);
  bool heal(PartitionId p);
  void heal_all();
  // Whether a message from `from` to `to` would be dropped by an active partition.
  bool partitioned(HostId from, HostId to) const;

  // Route inspection (for tests and reports): the hosts on the current path, both ends
  // included; empty if unreachable.
  std::vector<HostId> route(HostId from, HostId to);
  const NetworkStats& stats() const { return stats_; }

  // Told of every serialization on a link direction (side 0: from a to b; 1: from b to a):
  // the link is busy sending from `start` to `end`. For utilisation reports; nothing in the
  // run depends on it.
  using TransmitSink = std::function<void(LinkId, int side, Time start, Time end)>;
  void set_transmit_sink(TransmitSink sink) { transmit_sink_ = std::move(sink); }

 private:
  struct Impl;
  struct Direction {
    Time busy_until = Time::zero();
    Time last_arrival = Time::zero();
  };
  struct Link {
    HostId a, b;
    LinkParams base;
    LinkDegradation degradation;
    bool degraded = false;
    bool up = true;
    Direction dir[2];
    Rng rng;
    Duration latency() const { return base.latency + degradation.extra_latency; }
    double loss() const { return base.loss + degradation.extra_loss; }
    uint64_t bandwidth_bps() const;
  };
  // End-to-end order between two hosts: each message gets the next sequence number when
  // sent; one that may not be reordered is held at its destination until every earlier
  // message of the pair (every copy) has been delivered or dropped.
  struct PairOrder {
    uint64_t next_seq = 0;
    uint64_t first_open = 0;     // earliest seq with a copy in flight (next_seq if none)
    std::deque<uint32_t> open;   // copies in flight of seq first_open + i
    std::vector<uint32_t> held;  // flights waiting for an earlier seq
  };
  struct InFlight {
    Message msg;
    HostId src = 0, dst = 0;
    uint64_t payload_hash = 0;
    PairOrder* order = nullptr;  // null for a message to oneself
    uint64_t seq = 0;            // sending order between src and dst
    bool may_reorder = false;
  };
  struct Partition {
    std::vector<int32_t> group_of;  // per host; -1 = not in the partition
    bool one_way = false;
    bool active = false;
  };

  static void on_arrive(void* self, uint64_t flight, uint64_t at_host);
  void forward(uint32_t flight, HostId at);
  void finish(uint32_t flight, HostId at);
  uint32_t new_flight();
  void free_flight(uint32_t f);
  int32_t next_link(HostId at, HostId dst);
  // The dedicated link a message from `from` to `to` takes on its first hop: the lowest
  // LinkId among the pair's dedicated links that are up; -1 if none.
  int32_t dedicated_link(HostId from, HostId to) const;
  void topology_changed();
  void drop(const InFlight& f, HostId at, DropReason reason);
  // A copy of a message was delivered or dropped: later messages of its pair may go on.
  void settle(const InFlight& f);

  Simulator& sim_;
  const std::vector<std::string>* host_names_;
  std::unique_ptr<Impl> impl_;  // the Boost graph and the route cache
  size_t host_count_ = 0;
  std::vector<Link> links_;
  std::vector<InFlight> flights_;
  std::vector<uint32_t> free_flights_;
  std::vector<Partition> partitions_;
  std::unordered_map<uint64_t, PairOrder> order_;  // key: src << 32 | dst; nodes are stable
  DeliverFn deliver_fn_ = nullptr;
  void* deliver_ctx_ = nullptr;
  NetworkStats stats_;
  TransmitSink transmit_sink_;
};

}  // namespace fabsim
