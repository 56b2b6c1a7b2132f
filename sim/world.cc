#include "sim/world.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace fabsim {

const char* fault_kind_name(Fault::Kind k) {
  switch (k) {
    case Fault::Kind::kCrash: return "crash";
    case Fault::Kind::kRestart: return "restart";
    case Fault::Kind::kPause: return "pause";
    case Fault::Kind::kResume: return "resume";
    case Fault::Kind::kPartition: return "partition";
    case Fault::Kind::kHeal: return "heal";
    case Fault::Kind::kDegradeLink: return "degrade";
    case Fault::Kind::kRestoreLink: return "restore";
    case Fault::Kind::kLinkDown: return "link-down";
    case Fault::Kind::kLinkUp: return "link-up";
    case Fault::Kind::kClockOffset: return "clock-offset";
    case Fault::Kind::kPowerLoss: return "power-loss";
  }
  return "?";
}

World::World(uint64_t seed) : sim_(seed), net_(sim_, &names_) {
  sim_.trace().set_host_names(&names_);
  net_.set_deliver(&World::deliver, this);
}

World::~World() = default;

HostId World::add_host(std::string name, uint32_t cores, ProcessFactory factory) {
  FABSIM_ASSERT_MSG(find_host(name) == kNoHost, "duplicate host name " + name);
  const auto id = static_cast<HostId>(hosts_.size());
  names_.push_back(name);
  hosts_.push_back(std::make_unique<Host>(*this, id, std::move(name), cores, std::move(factory)));
  net_.add_host();
  if (!storage_root_.empty()) use_host_directory(id);
  return id;
}

void World::use_host_directory(HostId h) {
  const std::string& name = names_[h];
  FABSIM_ASSERT_MSG(name.find('/') == std::string::npos && name != "." && name != "..",
                    "host name '" + name + "' cannot name a directory");
  hosts_[h]->mutable_store().use_directory(storage_root_ + "/" + name);
}

void World::set_storage_root(const std::string& root) {
  FABSIM_ASSERT_MSG(!started_, "set_storage_root after the world started");
  FABSIM_ASSERT_MSG(storage_root_.empty(), "set_storage_root twice");
  storage_root_ = root;
  if (root.empty()) return;
  for (size_t h = 0; h < hosts_.size(); ++h) use_host_directory(static_cast<HostId>(h));
}

HostId World::find_host(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<HostId>(i);
  return kNoHost;
}

void World::start() {
  started_ = true;
  for (auto& h : hosts_) h->boot();
}

void World::deliver(void* self, HostId to, HostId from, Message&& msg, uint64_t hash) {
  static_cast<World*>(self)->hosts_[to]->deliver(from, std::move(msg), hash);
}

void World::call_at(Time t, HostId h, ClientCall call) {
  FABSIM_ASSERT(h < hosts_.size());
  sim_.at(t, [this, h, call = std::move(call)] { hosts_[h]->call(call); });
}

void World::fault_at(Time t, Fault f) {
  sim_.at(t, [this, f = std::move(f)] {
    Status s = apply(f);
    if (!s.is_ok()) fault_errors_.push_back(fmt::format("at {}: {}", format_time(now()), s.message()));
  });
}

void World::emit(HostId h, const AnalysisEvent& e) {
  if (sink_) sink_(now(), h, e);
}

Status World::apply(const Fault& f) {
  auto need_host = [&]() -> Status {
    if (f.host >= hosts_.size()) return Status::invalid_argument(fmt::format("{}: unknown host {}", fault_kind_name(f.kind), f.host));
    return Status::ok();
  };
  auto need_link = [&]() -> Status {
    if (f.link >= net_.link_count()) return Status::invalid_argument(fmt::format("{}: unknown link {}", fault_kind_name(f.kind), f.link));
    return Status::ok();
  };
  Status s;
  uint64_t target = 0;
  std::string what;
  switch (f.kind) {
    case Fault::Kind::kCrash:
    case Fault::Kind::kPowerLoss:
    case Fault::Kind::kRestart:
    case Fault::Kind::kPause:
    case Fault::Kind::kResume:
    case Fault::Kind::kClockOffset: {
      if (s = need_host(); !s.is_ok()) return s;
      Host& h = *hosts_[f.host];
      target = f.host;
      what = h.name();
      const char* name = fault_kind_name(f.kind);
      if (f.kind == Fault::Kind::kCrash) {
        if (!h.up()) return Status::failed_precondition(fmt::format("crash of {}, which is already down", what));
        h.crash();
      } else if (f.kind == Fault::Kind::kPowerLoss) {
        if (!h.up()) return Status::failed_precondition(fmt::format("power loss of {}, which is down", what));
        const uint64_t lost = h.store().unsynced_bytes();
        if (Status p = h.power_loss(); !p.is_ok()) return p;
        what += fmt::format(" unsynced_bytes_lost={}", lost);
      } else if (f.kind == Fault::Kind::kRestart) {
        if (h.up()) return Status::failed_precondition(fmt::format("restart of {}, which is up", what));
        h.restart();
      } else if (f.kind == Fault::Kind::kPause) {
        if (!h.up() || h.paused()) return Status::failed_precondition(fmt::format("{} of {}, which is {}", name, what, h.up() ? "paused" : "down"));
        h.pause();
      } else if (f.kind == Fault::Kind::kResume) {
        if (!h.paused()) return Status::failed_precondition(fmt::format("resume of {}, which is not paused", what));
        h.resume();
      } else {
        h.set_clock_offset(f.offset);
        what += " offset=" + format_duration(f.offset);
      }
      break;
    }
    case Fault::Kind::kPartition: {
      for (const auto& g : f.groups)
        for (HostId h : g)
          if (h >= hosts_.size()) return Status::invalid_argument(fmt::format("partition: unknown host {}", h));
      target = net_.partition(f.groups, f.one_way);
      what = fmt::format("id={}{}", target, f.one_way ? " one-way" : "");
      for (const auto& g : f.groups) {
        what += " [";
        for (size_t i = 0; i < g.size(); ++i) what += (i ? "," : "") + names_[g[i]];
        what += "]";
      }
      break;
    }
    case Fault::Kind::kHeal:
      if (f.partition == Fault::kAllPartitions) {
        net_.heal_all();
        what = "all";
      } else if (!net_.heal(f.partition)) {
        return Status::failed_precondition(fmt::format("heal of partition {}, which is not active", f.partition));
      } else {
        what = fmt::format("id={}", f.partition);
      }
      target = f.partition;
      break;
    case Fault::Kind::kDegradeLink:
    case Fault::Kind::kRestoreLink:
    case Fault::Kind::kLinkDown:
    case Fault::Kind::kLinkUp: {
      if (s = need_link(); !s.is_ok()) return s;
      target = f.link;
      what = fmt::format("{}-{}", names_[net_.link_end(f.link, 0)], names_[net_.link_end(f.link, 1)]);
      if (f.kind == Fault::Kind::kDegradeLink) {
        if (!(f.degradation.bandwidth_factor > 0.0 && f.degradation.bandwidth_factor <= 1.0))
          return Status::invalid_argument("degrade: bandwidth factor must be in (0, 1]");
        net_.degrade(f.link, f.degradation);
        what += fmt::format(" +latency={} +loss={} bandwidth*{}", format_duration(f.degradation.extra_latency),
                            f.degradation.extra_loss, f.degradation.bandwidth_factor);
      } else if (f.kind == Fault::Kind::kRestoreLink) {
        net_.restore(f.link);
      } else {
        net_.set_link_up(f.link, f.kind == Fault::Kind::kLinkUp);
      }
      break;
    }
  }
  trace().record(now(), f.host, TraceKind::kFault, static_cast<uint64_t>(f.kind), target,
                 static_cast<uint64_t>(f.offset.ns), [&] { return fmt::format("{} {}", fault_kind_name(f.kind), what); });
  return Status::ok();
}

}  // namespace fabsim
