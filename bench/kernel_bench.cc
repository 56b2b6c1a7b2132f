// Kernel benchmarks.
//  BM_TimerStorm/N: N self-rescheduling timers, each rescheduling itself after a delay
//    uniform in [1, 1000] ns, until 10,000,000 events have run; items_per_second = events/s.
//    Compared with ns-3 by bench/peers/run_peers.sh.
//  BM_PingPong: 100 host pairs bouncing a 1 KB message over their link through the full
//    network and host model (serialization, latency, CPU charge, tracing);
//    items_per_second = messages delivered per second.
#include <benchmark/benchmark.h>

#include "core/allocator.h"
#include "core/node.h"
#include "core/random.h"
#include "sim/simulator.h"
#include "sim/world.h"

namespace fabsim {
namespace {

constexpr uint64_t kStormEvents = 10'000'000;

struct Storm {
  Simulator* sim;
  Rng rng{7};
  uint64_t fired = 0;
};

void storm_fire(void* ctx, uint64_t, uint64_t) {
  auto* s = static_cast<Storm*>(ctx);
  if (++s->fired == kStormEvents) {
    s->sim->stop();
    return;
  }
  s->sim->after(Duration::nanos(s->rng.uniform_int(1, 1000)), &storm_fire, s);
}

void BM_TimerStorm(benchmark::State& state) {
  const auto timers = static_cast<uint64_t>(state.range(0));
  uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Simulator sim(1);
    Storm storm{&sim};
    for (uint64_t i = 0; i < timers; ++i) sim.after(Duration::nanos(storm.rng.uniform_int(1, 1000)), &storm_fire, &storm);
    state.ResumeTiming();
    sim.run();
    events += storm.fired;
    benchmark::DoNotOptimize(sim.now());
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}
BENCHMARK(BM_TimerStorm)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

class Bouncer : public Process {
 public:
  explicit Bouncer(HostId partner) : partner_(partner) {}
  void on_start(NodeContext& ctx) override {
    if (ctx.self() < partner_) ctx.send(partner_, Message{1, make_bytes(std::string(1024, 'x'))});
  }
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override {
    ctx.charge(Duration::micros(1));
    ctx.send(from, msg);
  }

 private:
  HostId partner_;
};

void BM_PingPong(benchmark::State& state) {
  uint64_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    World world(1);
    LinkParams lp;
    lp.latency = Duration::micros(100);
    lp.bandwidth_bps = 10'000'000'000;
    for (HostId i = 0; i < 200; ++i) {
      const HostId partner = i ^ 1u;
      world.add_host("h" + std::to_string(i), 1,
                     [partner](HostId, const DurableStore&) { return std::make_unique<Bouncer>(partner); });
    }
    for (HostId i = 0; i < 200; i += 2) world.add_link(i, i + 1, lp);
    world.start();
    state.ResumeTiming();
    world.run_until(Time::zero() + Duration::seconds(1));
    delivered += world.net().stats().delivered;
  }
  state.SetItemsProcessed(static_cast<int64_t>(delivered));
}
BENCHMARK(BM_PingPong)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fabsim

// The benchmarks run with the allocator settings of the fabsim binary.
int main(int argc, char** argv) {
  fabsim::tune_allocator();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
