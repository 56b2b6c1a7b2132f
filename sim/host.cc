#include "sim/host.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/assert.h"
#include "core/cost_model.h"
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

void Host::set_cpu_variability(double sigma) {
  FABSIM_ASSERT(sigma >= 0.0 && sigma <= CostModel::kMaxVariabilitySigma);
  cpu_sigma_ = sigma;
  if (sigma > 0.0 && cpu_rng_ == nullptr) cpu_rng_ = std::make_unique<Rng>(Rng::stream(world_.seed(), "cpu/" + name_));
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
  const std::string stream = fmt::format("proc/{}/{}", name_, incarnation_);
  rng_ = std::make_unique<Rng>(Rng::stream(world_.seed(), stream));
  named_rngs_ = std::make_unique<NamedRngs>(world_.seed(), stream);
  if (!factory_) return;  // a router: no process
  process_ = factory_(id_, store_);
  FABSIM_ASSERT(process_ != nullptr);
  std::vector<LaneSpec> specs = process_->lanes();
  FABSIM_ASSERT_MSG(!specs.empty(), "a process needs at least one lane");
  bool same_lanes = lane_stats_.size() == specs.size();
  for (size_t i = 0; same_lanes && i < specs.size(); ++i) same_lanes = lane_stats_[i].name == specs[i].name;
  if (!same_lanes) {  // statistics accumulate over incarnations with the same lanes
    lane_stats_.clear();
    for (const LaneSpec& l : specs) lane_stats_.push_back({l.name});
  }
  lanes_.clear();
  for (LaneSpec& l : specs) lanes_.push_back(Lane{std::move(l)});
  starting_ = true;
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
  in.lane = process_->lane_of_message(from, msg);
  in.key = from;
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
  in.lane = process_->lane_of_call(call);
  enqueue(std::move(in));
}

void Host::enqueue(Input&& in) {
  FABSIM_ASSERT_MSG(in.lane < lanes_.size(), "an input routed to a lane the process does not have");
  in.arrived = world_.now();
  ++waiting_inputs_;
  if (waiting_inputs_ > stats_.max_queue) stats_.max_queue = waiting_inputs_;
  admit(std::move(in));
  grant();
}

bool Host::lane_has_room(const Lane& lane, HostId key) const {
  switch (lane.spec.kind) {
    case LaneSpec::Kind::kConcurrent:
      return true;
    case LaneSpec::Kind::kSerial:
      return lane.running == 0;
    case LaneSpec::Kind::kSerialPerSender:
      return !lane.running_by_sender.contains(key);
  }
  return false;
}

void Host::admit(Input&& in) {
  Lane& lane = lanes_[in.lane];
  if (!lane_has_room(lane, in.key)) {
    lane.held.push_back(std::move(in));
    LaneStats& ls = lane_stats_[&lane - lanes_.data()];
    if (lane.held.size() > ls.max_waiting) ls.max_waiting = lane.held.size();
    return;
  }
  ++lane.running;
  if (lane.spec.kind == LaneSpec::Kind::kSerialPerSender) ++lane.running_by_sender[in.key];
  core_queue_.push_back({kNoJob, std::move(in)});
}

size_t Host::lane_waiting(LaneId l) const {
  if (l >= lanes_.size()) return 0;
  size_t n = lanes_[l].held.size();
  for (const CoreRequest& r : core_queue_) n += r.job == kNoJob && r.input.lane == l ? 1 : 0;
  return n;
}

void Host::lane_done(LaneId id, HostId key) {
  Lane& lane = lanes_[id];
  FABSIM_ASSERT(lane.running > 0);
  --lane.running;
  if (lane.spec.kind == LaneSpec::Kind::kSerialPerSender) {
    auto it = lane.running_by_sender.find(key);
    FABSIM_ASSERT(it != lane.running_by_sender.end());
    if (--it->second == 0) lane.running_by_sender.erase(it);
  }
  // Admit the oldest held input that now has room (the same sender's, for per-sender lanes).
  for (auto it = lane.held.begin(); it != lane.held.end(); ++it) {
    if (!lane_has_room(lane, it->key)) continue;
    Input in = std::move(*it);
    lane.held.erase(it);
    admit(std::move(in));
    return;
  }
}

void Host::grant() {
  if (granting_) return;  // the outer grant() picks up what was queued
  granting_ = true;
  while (up_ && busy_cores_ < cores_ && !core_queue_.empty()) {
    auto it = core_queue_.begin();
    if (paused_ || starting_) {  // only tasks of running work (and the start input) go on
      while (it != core_queue_.end() && it->job == kNoJob && (paused_ || it->input.kind != Input::kStart)) ++it;
      if (it == core_queue_.end()) break;
    }
    CoreRequest r = std::move(*it);
    core_queue_.erase(it);
    if (r.job == kNoJob) {
      --waiting_inputs_;
      handle(r.input);
    } else {
      --jobs_[r.job].requested;
      run_task(r.job);
    }
  }
  granting_ = false;
}

void Host::handle(Input& in) {
  const Time now = world_.now();
  Trace& trace = world_.trace();
  ++stats_.inputs_handled;
  stats_.queue_wait += now - in.arrived;
  LaneStats& ls = lane_stats_[in.lane];
  ++ls.inputs_handled;
  ls.queue_wait += now - in.arrived;
  NodeContext ctx(id_, now + clock_offset_, *rng_, store_, next_timer_id_, named_rngs_.get(), in.lane);
  switch (in.kind) {
    case Input::kStart:
      trace.record(now, id_, TraceKind::kStart, incarnation_, 0, 0,
                   [&] { return fmt::format("incarnation={}", incarnation_); });
      process_->on_start(ctx);
      break;
    case Input::kMessage:
      trace.record(now, id_, TraceKind::kDeliver, in.from, (uint64_t{in.msg.kind} << 32) | (in.msg.size() & 0xffffffffu),
                   in.hash, [&] {
                     return fmt::format("from={} kind={} bytes={} hash={:016x} lane={}", trace.host_name(in.from),
                                        in.msg.kind, in.msg.size(), in.hash, lanes_[in.lane].spec.name);
                   });
      process_->on_message(ctx, in.from, in.msg);
      break;
    case Input::kTimer:
      // A timer cancelled after it fired but before it was handled does not reach the process.
      if (cancelled_unarmed_.erase(in.timer) != 0) {
        lane_done(in.lane, in.key);
        return;
      }
      trace.record(now, id_, TraceKind::kTimer, in.timer, in.tag, 0,
                   [&] { return fmt::format("id={} tag={}", in.timer, in.tag); });
      process_->on_timer(ctx, in.timer, in.tag);
      break;
    case Input::kCall:
      trace.record(now, id_, TraceKind::kCall, Hash64::of(in.call.name), Hash64::of(in.call.args), 0,
                   [&] { return fmt::format("call={} args_bytes={}", in.call.name, in.call.args.size()); });
      process_->on_call(ctx, in.call);
      break;
  }
  NodeContext::Outputs& out = ctx.outputs();
  FABSIM_ASSERT_MSG(out.cpu.ns >= 0, "negative CPU charge");
  // Cancellations act at once.
  for (TimerId id : out.cancels) {
    auto it = live_timers_.find(id);
    if (it != live_timers_.end()) {
      world_.sim().cancel(it->second.handle);
      live_timers_.erase(it);
    } else if (id != 0 && id <= next_timer_id_) {
      cancelled_unarmed_.insert(id);  // set but not yet armed, or fired and waiting
    }
  }
  out.cancels.clear();
  const bool start = in.kind == Input::kStart;
  if (out.steps.empty()) {
    release(out, in.arrived, now, nullptr);
    lane_done(in.lane, in.key);
    if (start) starting_ = false;
    return;
  }
  uint32_t slot;
  if (!free_jobs_.empty()) {
    slot = free_jobs_.back();
    free_jobs_.pop_back();
  } else {
    slot = static_cast<uint32_t>(jobs_.size());
    jobs_.emplace_back();
  }
  Job& job = jobs_[slot];
  job.outputs = std::move(out);
  job.incarnation = incarnation_;
  job.lane = in.lane;
  job.key = in.key;
  job.start = start;
  job.step = 0;
  job.running = 0;
  job.requested = 0;
  job.in_use = true;
  job.arrived = in.arrived;
  job.handled = now;
  job.spans.clear();
  // A first CPU task runs on the core the input was handled on; further ones ask for cores.
  start_step(slot, /*holds_core=*/true);
}

void Host::start_step(uint32_t slot, bool holds_core) {
  Job& job = jobs_[slot];
  const NodeContext::CpuStep& step = job.outputs.steps[job.step];
  FABSIM_ASSERT(!step.tasks.empty() && step.width >= 1);
  job.next_task = 0;
  job.task_start.assign(step.tasks.size(), Time::zero());
  job.step_started = world_.now();
  if (step.disk) {
    disk_queue_.push_back(slot);
    pump_disk();
    return;
  }
  const size_t want = std::min<size_t>(step.width, step.tasks.size());
  job.requested = static_cast<uint32_t>(want);
  for (size_t i = holds_core ? 1 : 0; i < want; ++i) core_queue_.push_back({slot, {}});
  if (holds_core) {  // the first request's place is the core the caller holds
    run_task(slot);
    --jobs_[slot].requested;
  }
}

void Host::pump_disk() {
  if (disk_busy_ || disk_queue_.empty()) return;
  const uint32_t slot = disk_queue_.front();
  disk_queue_.pop_front();
  Job& job = jobs_[slot];
  const NodeContext::CpuStep& step = job.outputs.steps[job.step];
  FABSIM_ASSERT(step.disk && step.tasks.size() == 1);
  Duration d = step.tasks[0];
  if (cpu_sigma_ > 0.0) d = vary_lognormal(d, cpu_sigma_, *cpu_rng_);
  stats_.disk_busy += d;
  job.task_start[0] = world_.now();
  job.next_task = 1;
  ++job.running;
  disk_busy_ = true;
  world_.sim().after(d, &Host::on_disk_event, this, slot, incarnation_);
}

void Host::on_disk_event(void* self, uint64_t slot64, uint64_t incarnation) {
  auto* h = static_cast<Host*>(self);
  const auto slot = static_cast<uint32_t>(slot64);
  Job& job = h->jobs_[slot];
  FABSIM_ASSERT(job.in_use && job.running == 1);
  --job.running;
  if (incarnation != h->incarnation_ || !h->up_ || job.incarnation != incarnation) {  // lost in a crash
    h->free_job(slot);
    return;
  }
  h->disk_busy_ = false;
  h->task_ran(job, job.task_start[0], h->world_.now());
  h->step_done(slot);
  h->pump_disk();
  h->grant();
}

void Host::free_job(uint32_t slot) {
  Job& job = jobs_[slot];
  job.in_use = false;
  job.outputs = {};
  free_jobs_.push_back(slot);
}

void Host::task_ran(Job& job, Time start, Time end) {
  const NodeContext::CpuStep& step = job.outputs.steps[job.step];
  const World::WorkSink& sink = world_.work_sink();
  if (step.segments.empty()) {
    if (sink) sink(id_, job.lane, WorkSpan{step.label, start, end, step.disk});
    return;
  }
  // A serial or disk task made of labelled charges: each part gets its share of the time
  // the task took (the variability factor applies to the whole task).
  const int64_t nominal = step.tasks[0].ns;
  const int64_t actual = (end - start).ns;
  int64_t done = 0;
  Time from = start;
  for (const NodeContext::Segment& seg : step.segments) {
    done += seg.d.ns;
    const Time to = start + Duration::nanos(static_cast<int64_t>(static_cast<__int128>(actual) * done / nominal));
    const WorkSpan span{seg.label, from, to, step.disk};
    if (sink) sink(id_, job.lane, span);
    if (seg.label != nullptr) job.spans.push_back(span);
    from = to;
  }
}

void Host::step_done(uint32_t slot) {
  Job& job = jobs_[slot];
  {
    const NodeContext::CpuStep& step = job.outputs.steps[job.step];
    if (!step.serial && !step.disk && step.label != nullptr)  // a labelled parallel step, as a whole
      job.spans.push_back(WorkSpan{step.label, job.step_started, world_.now(), false});
  }
  if (++job.step < job.outputs.steps.size()) {
    start_step(slot, /*holds_core=*/false);
  } else {
    finish(slot);
  }
}

void Host::run_task(uint32_t slot) {
  Job& job = jobs_[slot];
  const NodeContext::CpuStep& step = job.outputs.steps[job.step];
  FABSIM_ASSERT(job.next_task < step.tasks.size());
  const size_t task = job.next_task++;
  Duration d = step.tasks[task];
  if (cpu_sigma_ > 0.0) d = vary_lognormal(d, cpu_sigma_, *cpu_rng_);
  stats_.cpu_busy += d;
  job.task_start[task] = world_.now();
  ++job.running;
  ++busy_cores_;
  // The task's index rides in the upper half of the incarnation argument.
  world_.sim().after(d, &Host::on_task_event, this, slot, (uint64_t{static_cast<uint32_t>(task)} << 32) | incarnation_);
}

void Host::on_task_event(void* self, uint64_t slot64, uint64_t task_and_incarnation) {
  auto* h = static_cast<Host*>(self);
  const auto slot = static_cast<uint32_t>(slot64);
  const auto incarnation = static_cast<uint32_t>(task_and_incarnation & 0xffffffffu);
  const auto task = static_cast<size_t>(task_and_incarnation >> 32);
  Job& job = h->jobs_[slot];
  FABSIM_ASSERT(job.in_use && job.running > 0);
  --job.running;
  if (incarnation != h->incarnation_ || !h->up_ || job.incarnation != incarnation) {  // lost in a crash
    if (job.running == 0) h->free_job(slot);
    return;
  }
  --h->busy_cores_;
  h->task_ran(job, job.task_start[task], h->world_.now());
  const size_t tasks = job.outputs.steps[job.step].tasks.size();
  if (job.next_task + job.requested < tasks) {
    ++job.requested;  // the freed worker takes the next task, behind what waits for a core
    h->core_queue_.push_back({slot, {}});
  } else if (job.running == 0 && job.requested == 0) {
    FABSIM_ASSERT(job.next_task == tasks);
    h->step_done(slot);
  }
  h->grant();
}

void Host::finish(uint32_t slot) {
  Job& job = jobs_[slot];
  NodeContext::Outputs out = std::move(job.outputs);
  const LaneId lane = job.lane;
  const HostId key = job.key;
  const bool start = job.start;
  const Time arrived = job.arrived, handled = job.handled;
  std::vector<WorkSpan> spans = std::move(job.spans);
  job.spans.clear();
  free_job(slot);
  release(out, arrived, handled, &spans);
  lane_done(lane, key);
  if (start) starting_ = false;
}

void Host::release(NodeContext::Outputs& out, Time arrived, Time handled, const std::vector<WorkSpan>* spans) {
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
    live_timers_[t.id] = {world_.sim().after(t.after, &Host::on_timer_event, this, t.id, incarnation_), t.tag,
                          t.lane};
  }
  for (auto& p : out.posts) {  // a hand-off between the process's own components
    Input in;
    in.kind = Input::kMessage;
    in.from = id_;
    in.key = id_;
    in.lane = p.lane;
    // No payload hash: the trace hashes what crosses the network, and a post's bytes were
    // hashed when they arrived (hashing every envelope again cost ~0.4 G instructions in
    // the HMAC quickstart benchmark).
    in.hash = 0;
    in.msg = std::move(p.msg);
    enqueue(std::move(in));
  }
  for (auto& s : out.sends) {
    FABSIM_ASSERT_MSG(s.to < world_.host_count(), "send to an unknown host");
    world_.net().send(id_, s.to, std::move(s.msg));
  }
  for (auto& e : out.events) {
    trace.record(now, id_, TraceKind::kEmit, Hash64::of(e.name), static_cast<uint64_t>(e.value), Hash64::of(e.detail),
                 [&] { return fmt::format("{} value={} {}", e.name, e.value, e.detail); });
    e.input_arrived = arrived;
    e.handled = handled;
    if (spans != nullptr) e.work = *spans;
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
  in.lane = it->second.lane;
  h->live_timers_.erase(it);
  h->enqueue(std::move(in));
}

void Host::crash() {
  FABSIM_ASSERT(up_);
  stats_.inputs_dropped += waiting_inputs_;
  waiting_inputs_ = 0;
  core_queue_.clear();
  disk_queue_.clear();
  disk_busy_ = false;
  lanes_.clear();
  for (auto& [id, timer] : live_timers_) world_.sim().cancel(timer.handle);
  live_timers_.clear();
  cancelled_unarmed_.clear();
  // Work with a task on a core is freed when that task's event comes; the rest now.
  for (uint32_t slot = 0; slot < jobs_.size(); ++slot)
    if (jobs_[slot].in_use && jobs_[slot].running == 0) free_job(slot);
  process_.reset();
  up_ = false;
  paused_ = false;
  starting_ = false;
  busy_cores_ = 0;
}

Status Host::power_loss() {
  crash();  // closes the process's databases first
  return store_.power_loss();
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
  grant();
}

}  // namespace fabsim
