#include "sim/host.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "core/hash.h"
#include "sim/world.h"

namespace fabsim {
Host::Host(World& world, HostId id, std::string name, uint32_t cores, ProcessFactory factory)
    : world_(world), id_(id), name_(std::move(name)), cores_(cores), factory_(std::move(factory)) {
  FABSIM_ASSERT(cores_ >= 1);
}

Host::~Host() {
  // The process may hold databases open on the store's Env: it goes first.
  process_.reset();
}

void Host::boot() {
  FABSIM_ASSERT(!up_ && incarnation_ == 0);
  start_incarnation();
}

void Host::start_incarnation() {
  up_ = true;
  ++incarnation_;
  next_timer_id_ = 0;
  busy_cores_ = 0;
  rng_ = std::make_unique<Rng>(Rng::stream(world_.seed(), fmt::format("proc/{}/{}", name_, incarnation_)));
  if (!factory_) return;  // a router: no process
  process_ = factory_(id_, store_);
  FABSIM_ASSERT(process_ != nullptr);
  Input in;
  in.kind = Input::kStart;
  enqueue(std::move(in));
}

void Host::deliver(HostId from, Message&& msg, uint64_t payload_hash) {
  if (!up_ || !process_) {
    ++stats_.inputs_dropped;
    world_.trace().record(world_.now(), id_, TraceKind::kDrop, static_cast<uint64_t>(DropReason::kHostDown), from,
                          payload_hash, [&] {
                            return fmt::format("reason=host-down from={} kind={} hash={:016x}",
                                               world_.trace().host_name(from), msg.kind, payload_hash);
                          });
    return;
  }
  Input in;
  in.kind = Input::kMessage;
  in.from = from;
  in.msg = std::move(msg);
  in.hash = payload_hash;
  enqueue(std::move(in));
}

void Host::call(const ClientCall& call) {
  if (!up_ || !process_) {
    ++stats_.inputs_dropped;
    world_.trace().record(world_.now(), id_, TraceKind::kDrop, static_cast<uint64_t>(DropReason::kHostDown), kNoHost,
                          Hash64::of(call.name), [&] { return fmt::format("reason=host-down call={}", call.name); });
    return;
  }
  Input in;
  in.kind = Input::kCall;
  in.call = call;
  enqueue(std::move(in));
}

void Host::enqueue(Input&& in) {
  in.arrived = world_.now();
  queue_.push_back(std::move(in));
  if (queue_.size() > stats_.max_queue) stats_.max_queue = queue_.size();
  pump();
}

void Host::pump() {
  if (pumping_) return;  // the outer pump() picks up what was queued
  pumping_ = true;
  while (up_ && !paused_ && busy_cores_ < cores_ && !queue_.empty()) {
    Input in = std::move(queue_.front());
    queue_.pop_front();
    handle(in);
  }
  pumping_ = false;
}

void Host::handle(Input& in) {
  const Time now = world_.now();
  Trace& trace = world_.trace();
  NodeContext ctx(id_, now + clock_offset_, *rng_, store_, next_timer_id_);
  switch (in.kind) {
    case Input::kStart:
      trace.record(now, id_, TraceKind::kStart, incarnation_, 0, 0,
                   [&] { return fmt::format("incarnation={}", incarnation_); });
      process_->on_start(ctx);
      break;
    case Input::kMessage:
      trace.record(now, id_, TraceKind::kDeliver, in.from, (uint64_t{in.msg.kind} << 32) | (in.msg.size() & 0xffffffffu),
                   in.hash, [&] {
                     return fmt::format("from={} kind={} bytes={} hash={:016x}", trace.host_name(in.from), in.msg.kind,
                                        in.msg.size(), in.hash);
                   });
      process_->on_message(ctx, in.from, in.msg);
      break;
    case Input::kTimer: {
      // A timer cancelled after it fired but before it was handled does not reach the process.
      if (cancelled_unarmed_.erase(in.timer) != 0) return;
      trace.record(now, id_, TraceKind::kTimer, in.timer, in.tag, 0,
                   [&] { return fmt::format("id={} tag={}", in.timer, in.tag); });
      process_->on_timer(ctx, in.timer, in.tag);
      break;
    }
    case Input::kCall:
      trace.record(now, id_, TraceKind::kCall, Hash64::of(in.call.name), Hash64::of(in.call.args), 0,
                   [&] { return fmt::format("call={} args_bytes={}", in.call.name, in.call.args.size()); });
      process_->on_call(ctx, in.call);
      break;
  }
  ++stats_.inputs_handled;
  stats_.queue_wait += now - in.arrived;
  NodeContext::Outputs& out = ctx.outputs();
  FABSIM_ASSERT_MSG(out.cpu.ns >= 0, "negative CPU charge");
  // Cancellations act at once.
  for (TimerId id : out.cancels) {
    auto it = live_timers_.find(id);
    if (it != live_timers_.end()) {
      world_.sim().cancel(it->second.handle);
      live_timers_.erase(it);
    } else if (id != 0 && id <= next_timer_id_) {
      cancelled_unarmed_.insert(id);  // set but not yet armed, or fired and queued
    }
  }
  // A fired-and-queued timer that was just cancelled must not run: drop it from the queue.
  if (!out.cancels.empty() && !cancelled_unarmed_.empty()) {
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->kind == Input::kTimer && cancelled_unarmed_.erase(it->timer) != 0) {
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  out.cancels.clear();
  stats_.cpu_busy += out.cpu;
  if (out.cpu.ns == 0) {
    release(out);
    return;
  }
  ++busy_cores_;
  uint32_t slot;
  if (!free_pending_.empty()) {
    slot = free_pending_.back();
    free_pending_.pop_back();
  } else {
    slot = static_cast<uint32_t>(pending_.size());
    pending_.emplace_back();
  }
  pending_[slot].outputs = std::move(out);
  pending_[slot].in_use = true;
  world_.sim().after(pending_[slot].outputs.cpu, &Host::on_release_event, this, slot, incarnation_);
}

void Host::on_release_event(void* self, uint64_t slot, uint64_t incarnation) {
  auto* h = static_cast<Host*>(self);
  Pending& p = h->pending_[slot];
  FABSIM_ASSERT(p.in_use);
  NodeContext::Outputs out = std::move(p.outputs);
  p.in_use = false;
  h->free_pending_.push_back(static_cast<uint32_t>(slot));
  if (incarnation != h->incarnation_ || !h->up_) return;  // lost in a crash
  --h->busy_cores_;
  h->release(out);
  h->pump();
}

void Host::release(NodeContext::Outputs& out) {
  const Time now = world_.now();
  Trace& trace = world_.trace();
  for (auto& w : out.writes) {
    trace.record(now, id_, TraceKind::kPersist, Hash64::of(w.key), w.erase ? 0 : Hash64::of(w.value), w.erase ? 1 : 0,
                 [&] { return fmt::format("{} key={}", w.erase ? "erase" : "put", w.key); });
    if (w.erase) {
      store_.erase(w.key);
    } else {
      store_.put(w.key, std::move(w.value));
    }
  }
  for (const auto& t : out.timers) {
    if (cancelled_unarmed_.erase(t.id) != 0) continue;
    FABSIM_ASSERT_MSG(t.after.ns >= 0, "timer set in the past");
    live_timers_[t.id] = {world_.sim().after(t.after, &Host::on_timer_event, this, t.id, incarnation_), t.tag};
  }
  for (auto& s : out.sends) {
    FABSIM_ASSERT_MSG(s.to < world_.host_count(), "send to an unknown host");
    world_.net().send(id_, s.to, std::move(s.msg));
  }
  for (const auto& e : out.events) {
    trace.record(now, id_, TraceKind::kEmit, Hash64::of(e.name), static_cast<uint64_t>(e.value), Hash64::of(e.detail),
                 [&] { return fmt::format("{} value={} {}", e.name, e.value, e.detail); });
    world_.emit(id_, e);
  }
}

void Host::on_timer_event(void* self, uint64_t timer, uint64_t incarnation) {
  auto* h = static_cast<Host*>(self);
  if (incarnation != h->incarnation_ || !h->up_) return;
  auto it = h->live_timers_.find(timer);
  if (it == h->live_timers_.end()) return;
  Input in;
  in.kind = Input::kTimer;
  in.timer = timer;
  in.tag = it->second.tag;
  h->live_timers_.erase(it);
  h->enqueue(std::move(in));
}

void Host::crash() {
  FABSIM_ASSERT(up_);
  stats_.inputs_dropped += queue_.size();
  queue_.clear();
  for (auto& [id, timer] : live_timers_) world_.sim().cancel(timer.handle);
  live_timers_.clear();
  cancelled_unarmed_.clear();
  process_.reset();
  up_ = false;
  paused_ = false;
  busy_cores_ = 0;
}

void Host::restart() {
  FABSIM_ASSERT(!up_);
  start_incarnation();
}

void Host::pause() {
  FABSIM_ASSERT(up_ && !paused_);
  paused_ = true;
}

void Host::resume() {
  FABSIM_ASSERT(paused_);
  paused_ = false;
  pump();
}

}  // namespace fabsim
