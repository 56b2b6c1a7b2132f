#include "model/demo/flood.h"

#include <charconv>
#include <string>

#include "core/assert.h"

namespace fabsim::demo {
namespace {
void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_i64(std::string& s, int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}
bool get_u32(const std::string& s, size_t off, uint32_t* v) {
  if (off + 4 > s.size()) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(static_cast<uint8_t>(s[off + i])) << (8 * i);
  return true;
}
bool get_i64(const std::string& s, size_t off, int64_t* v) {
  if (off + 8 > s.size()) return false;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(static_cast<uint8_t>(s[off + i])) << (8 * i);
  *v = static_cast<int64_t>(u);
  return true;
}
constexpr std::string_view kSeenPrefix = "seen/";
}  // namespace

FloodProcess::FloodProcess(FloodConfig config, const DurableStore& store) : config_(std::move(config)) {
  FABSIM_ASSERT(config_.rumor_bytes >= 12);
  // Recover what was persisted before a crash.
  for (auto it = store.kv().lower_bound(std::string(kSeenPrefix)); it != store.kv().end(); ++it) {
    if (it->first.compare(0, kSeenPrefix.size(), kSeenPrefix) != 0) break;
    uint32_t id = 0;
    int64_t origin = 0;
    const std::string& key = it->first;
    if (std::from_chars(key.data() + kSeenPrefix.size(), key.data() + key.size(), id).ec == std::errc() &&
        get_i64(it->second, 0, &origin)) {
      known_[id] = origin;
    }
  }
}

void FloodProcess::on_start(NodeContext& ctx) {
  if (config_.pull_interval.ns > 0 && !config_.neighbours.empty()) {
    // Spread the first pull over one interval so nodes do not pull in lockstep.
    ctx.set_timer(Duration::nanos(ctx.rng().uniform_int(1, config_.pull_interval.ns)));
  }
}

Message FloodProcess::rumor(uint32_t id, int64_t origin_ns) const {
  std::string s;
  s.reserve(config_.rumor_bytes);
  put_u32(s, id);
  put_i64(s, origin_ns);
  s.resize(config_.rumor_bytes, '\0');
  return Message{kRumor, make_bytes(std::move(s))};
}

void FloodProcess::learn(NodeContext& ctx, uint32_t id, int64_t origin_ns, HostId from) {
  if (!known_.emplace(id, origin_ns).second) return;
  std::string v;
  put_i64(v, origin_ns);
  ctx.persist(std::string(kSeenPrefix) + std::to_string(id), std::move(v));
  ctx.emit("flood.delivered", ctx.now().ns - origin_ns, std::to_string(id));
  const Message m = rumor(id, origin_ns);
  for (HostId n : config_.neighbours)
    if (n != from) ctx.send(n, m);
}

void FloodProcess::on_call(NodeContext& ctx, const ClientCall& call) {
  ctx.charge(config_.cpu_per_message);
  uint32_t id = 0;
  if (call.name != "originate" ||
      std::from_chars(call.args.data(), call.args.data() + call.args.size(), id).ec != std::errc()) {
    ctx.emit("flood.bad_call", 0, call.name);
    return;
  }
  learn(ctx, id, ctx.now().ns, kNoHost);
}

void FloodProcess::on_message(NodeContext& ctx, HostId from, const Message& msg) {
  ctx.charge(config_.cpu_per_message);
  const std::string& p = msg.payload ? *msg.payload : std::string();
  if (msg.kind == kRumor) {
    uint32_t id = 0;
    int64_t origin = 0;
    if (get_u32(p, 0, &id) && get_i64(p, 4, &origin)) learn(ctx, id, origin, from);
    return;
  }
  if (msg.kind == kDigest) {
    uint32_t count = 0;
    if (!get_u32(p, 0, &count) || p.size() != 4 + size_t{count} * 4) return;  // malformed: ignore
    // Both lists ascend: walk them together and send what the peer lacks.
    size_t i = 0;
    for (const auto& [id, origin] : known_) {
      uint32_t theirs = 0;
      while (i < count && get_u32(p, 4 + i * 4, &theirs) && theirs < id) ++i;
      if (i < count && get_u32(p, 4 + i * 4, &theirs) && theirs == id) continue;
      ctx.send(from, rumor(id, origin));
    }
  }
}

void FloodProcess::on_timer(NodeContext& ctx, TimerId, uint64_t) {
  ctx.charge(config_.cpu_per_message);
  const HostId peer = config_.neighbours[ctx.rng().uniform_u64(config_.neighbours.size())];
  std::string d;
  put_u32(d, static_cast<uint32_t>(known_.size()));
  for (const auto& [id, origin] : known_) put_u32(d, id);
  ctx.send(peer, Message{kDigest, make_bytes(std::move(d))});
  ctx.set_timer(config_.pull_interval);
}

}  // namespace fabsim::demo
