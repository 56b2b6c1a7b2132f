// FloodProcess: a small self-contained gossip protocol used to exercise and demonstrate the
// kernel before Fabric components exist (kernel tests, benchmarks, `fabsim demo flood`).
//
// - A client call "originate" with args = decimal rumor id starts a rumor at this node.
// - A node that learns a rumor for the first time records it durably (persist "seen/<id>"),
//   emits "flood.delivered" (value = latency from origination, by the origin's clock), and
//   pushes it to every neighbour except the one it came from (infection-style push).
// - Anti-entropy: every `pull_interval` a node sends a digest of the rumor ids it holds to
//   one random neighbour, which answers with the rumors the sender lacks. This is what
//   repairs loss, crashes and partitions.
// - After a restart the process reloads the ids it had persisted (it forgets payloads it
//   never persisted, so it can serve only what it remembers: the id and origin time).
//
// Wire format (little-endian): RUMOR = u32 id, i64 origin time ns, then padding bytes up to
// the configured rumor size; DIGEST = u32 count, then count u32 ids, ascending.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/node.h"

namespace fabsim::demo {

struct FloodConfig {
  std::vector<HostId> neighbours;          // sorted, no duplicates
  uint32_t rumor_bytes = 256;              // wire size of a rumor message (>= 12)
  Duration cpu_per_message = Duration::micros(5);
  Duration pull_interval = Duration::millis(500);  // 0 disables anti-entropy
};

class FloodProcess : public Process {
 public:
  static constexpr uint32_t kRumor = 1;
  static constexpr uint32_t kDigest = 2;

  FloodProcess(FloodConfig config, const DurableStore& store);

  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;
  void on_call(NodeContext& ctx, const ClientCall& call) override;

  // rumor id -> origin time, ordered.
  const std::map<uint32_t, int64_t>& known() const { return known_; }

 private:
  Message rumor(uint32_t id, int64_t origin_ns) const;
  void learn(NodeContext& ctx, uint32_t id, int64_t origin_ns, HostId from);

  FloodConfig config_;
  std::map<uint32_t, int64_t> known_;
};

}  // namespace fabsim::demo
