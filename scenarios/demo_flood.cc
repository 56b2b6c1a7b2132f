#include "scenarios/demo_flood.h"

#include <algorithm>
#include <set>

#include "core/assert.h"
#include "core/random.h"
#include "model/demo/flood.h"

namespace fabsim {

std::unique_ptr<World> build_flood_world(const FloodDemoConfig& cfg, FloodDemoResult* result) {
  FABSIM_ASSERT(cfg.hosts >= 2);
  auto world = std::make_unique<World>(cfg.seed);

  // Edges first, so each process knows its neighbours.
  std::set<std::pair<HostId, HostId>> edges;
  auto add_edge = [&](HostId a, HostId b) {
    if (a == b) return false;
    return edges.insert({std::min(a, b), std::max(a, b)}).second;
  };
  for (HostId i = 0; i < cfg.hosts; ++i) add_edge(i, (i + 1) % cfg.hosts);
  Rng graph_rng = Rng::stream(cfg.seed, "demo/graph");
  const uint64_t max_edges = uint64_t{cfg.hosts} * (cfg.hosts - 1) / 2;
  const uint64_t want = std::min<uint64_t>(max_edges, uint64_t{cfg.hosts} * cfg.degree / 2);
  while (edges.size() < want) {
    add_edge(static_cast<HostId>(graph_rng.uniform_u64(cfg.hosts)), static_cast<HostId>(graph_rng.uniform_u64(cfg.hosts)));
  }
  std::vector<std::vector<HostId>> neighbours(cfg.hosts);
  for (auto [a, b] : edges) {
    neighbours[a].push_back(b);
    neighbours[b].push_back(a);
  }
  for (auto& n : neighbours) std::sort(n.begin(), n.end());

  for (HostId i = 0; i < cfg.hosts; ++i) {
    demo::FloodConfig fc;
    fc.neighbours = neighbours[i];
    fc.rumor_bytes = cfg.rumor_bytes;
    fc.cpu_per_message = cfg.cpu_per_message;
    fc.pull_interval = cfg.pull_interval;
    world->add_host("n" + std::to_string(i), cfg.cores, [fc](HostId, const DurableStore& store) {
      return std::make_unique<demo::FloodProcess>(fc, store);
    });
  }
  LinkParams lp;
  lp.latency = cfg.latency;
  lp.jitter = DurationDist::uniform(Duration::zero(), cfg.jitter);
  lp.bandwidth_bps = cfg.bandwidth_bps;
  lp.loss = cfg.loss;
  for (auto [a, b] : edges) world->add_link(a, b, lp);

  Rng work_rng = Rng::stream(cfg.seed, "demo/workload");
  for (uint32_t m = 0; m < cfg.messages; ++m) {
    const auto origin = static_cast<HostId>(work_rng.uniform_u64(cfg.hosts));
    world->call_at(Time::zero() + Duration::millis(10) + cfg.interval * m, origin, ClientCall{"originate", std::to_string(m)});
  }

  const Time t0 = Time::zero();
  if (cfg.crashes > 0) {
    Rng fault_rng = Rng::stream(cfg.seed, "demo/faults");
    std::set<HostId> victims;
    while (victims.size() < std::min(cfg.crashes, cfg.hosts)) victims.insert(static_cast<HostId>(fault_rng.uniform_u64(cfg.hosts)));
    for (HostId v : victims) {
      world->fault_at(t0 + Duration::nanos(cfg.duration.ns * 3 / 10), Fault::crash(v));
      world->fault_at(t0 + Duration::nanos(cfg.duration.ns * 6 / 10), Fault::restart(v));
    }
  }
  if (cfg.partition) {
    std::vector<std::vector<HostId>> halves(2);
    for (HostId i = 0; i < cfg.hosts; ++i) halves[i < cfg.hosts / 2 ? 0 : 1].push_back(i);
    world->fault_at(t0 + Duration::nanos(cfg.duration.ns * 4 / 10), Fault::make_partition(halves, false));
    world->fault_at(t0 + Duration::nanos(cfg.duration.ns * 55 / 100), Fault::heal());
  }

  if (result != nullptr) {
    result->rumors_scheduled = cfg.messages;
    result->hosts = cfg.hosts;
    world->set_event_sink([result](Time, HostId, const AnalysisEvent& e) {
      if (e.name == "flood.delivered") {
        ++result->deliveries;
        result->originated.insert(e.detail);
        result->latency_ns.add(e.value);
      }
    });
  }
  return world;
}

FloodDemoResult run_flood_demo(const FloodDemoConfig& cfg, const std::function<void(World&)>& configure) {
  FloodDemoResult r;
  auto world = build_flood_world(cfg, &r);
  if (configure) configure(*world);
  world->start();
  world->run_until(Time::zero() + cfg.duration);
  r.net = world->net().stats();
  r.trace_hash = world->trace().hash();
  r.trace_events = world->trace().events();
  r.kernel_events = world->sim().events_run();
  r.fault_errors = world->fault_errors();
  return r;
}

}  // namespace fabsim
