// ns-3 peer for fabsim's BM_TimerStorm benchmark (bench/peers/README.md).
//
// N self-rescheduling timers: each first fires at a uniform delay in [1, 1000] ns from
// time 0, and every firing reschedules the same timer after a fresh uniform delay in
// [1, 1000] ns, until exactly `events` handler calls have run in total. Only the wall time
// of Simulator::Run() is measured, both as wall time and as CPU time of this (the only)
// thread: Google Benchmark's items_per_second, which fabsim reports, is per CPU second by
// default, and on a shared machine the two differ. Setup (scheduling the N initial timers)
// and teardown (Simulator::Destroy) are not measured.
//
// This is a benchmark peer, built and run only by bench/peers/run_peers.sh; it is not part
// of the fabsim build (bench/CMakeLists.txt globs bench/*.cc only) and reads the wall clock
// on purpose.
//
// Usage: ns3_timer_storm --scheduler=map|heap|priority|list|calendar --timers=N
//                        --events=10000000 --repetitions=R [--seed=S]
// Output: one key=value line per repetition, then one summary line with the medians
// (events per wall-clock second and per CPU second).

#include "ns3/command-line.h"
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace {

// xoshiro256** seeded by splitmix64, as fabsim's Rng (core/random.h): a few ALU operations
// per draw. With the same seed (7, as in BM_TimerStorm) the storm draws the same delays in
// the same order as fabsim's, and both kernels break ties by insertion order, so the two
// run the same events in the same order.
class Xoshiro256ss {
  public:
    explicit Xoshiro256ss(uint64_t seed)
    {
        for (auto& word : s_) {
            seed += 0x9e3779b97f4a7c15ULL;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }

    uint64_t Next()
    {
        const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = Rotl(s_[3], 45);
        return result;
    }

    // Uniform integer in [lo, hi]: Lemire's multiply-and-reject ("Fast Random Integer
    // Generation in an Interval", 2019), the same reduction as fabsim's Rng::uniform_int.
    uint64_t Uniform(uint64_t lo, uint64_t hi)
    {
        const uint64_t n = hi - lo + 1;
        unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
        uint64_t low = static_cast<uint64_t>(m);
        if (low < n) {
            const uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<unsigned __int128>(Next()) * n;
                low = static_cast<uint64_t>(m);
            }
        }
        return lo + static_cast<uint64_t>(m >> 64);
    }

  private:
    static uint64_t Rotl(uint64_t x, int k)
    {
        return (x << k) | (x >> (64 - k));
    }

    uint64_t s_[4];
};

constexpr uint64_t kMinDelayNs = 1;
constexpr uint64_t kMaxDelayNs = 1000;

struct Storm
{
    Xoshiro256ss rng;
    uint64_t target;       // handler calls to run in total
    uint64_t executed = 0; // handler calls so far
};

void
Fire(Storm* storm)
{
    if (++storm->executed == storm->target) {
        // Stop after this event: the N-1 other pending timers stay queued (and are freed by
        // Simulator::Destroy, outside the timed region), so exactly `target` events run.
        ns3::Simulator::Stop();
        return;
    }
    ns3::Simulator::Schedule(ns3::NanoSeconds(storm->rng.Uniform(kMinDelayNs, kMaxDelayNs)),
                             &Fire,
                             storm);
}

double
ThreadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Repetition
{
    double seconds;    // wall
    double cpuSeconds; // CPU time of this thread
    uint64_t executed;
    int64_t endNs; // simulated time of the last event: identical for every scheduler
};

Repetition
RunOnce(const std::string& schedulerType, uint64_t timers, uint64_t events, uint64_t seed)
{
    ns3::ObjectFactory factory;
    factory.SetTypeId(schedulerType);
    ns3::Simulator::SetScheduler(factory);

    Storm storm{Xoshiro256ss(seed), events};
    for (uint64_t i = 0; i < timers; ++i) {
        ns3::Simulator::Schedule(ns3::NanoSeconds(storm.rng.Uniform(kMinDelayNs, kMaxDelayNs)),
                                 &Fire,
                                 &storm);
    }

    const double cpuStart = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    ns3::Simulator::Run();
    const auto stop = std::chrono::steady_clock::now();
    const double cpuStop = ThreadCpuSeconds();

    Repetition rep{std::chrono::duration<double>(stop - start).count(),
                   cpuStop - cpuStart,
                   storm.executed,
                   ns3::Simulator::Now().GetNanoSeconds()};
    ns3::Simulator::Destroy(); // frees the still-pending timers; next Run starts from t=0
    return rep;
}

double
Median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

} // namespace

int
main(int argc, char* argv[])
{
    const std::map<std::string, std::string> schedulers = {
        {"map", "ns3::MapScheduler"}, // ns-3's default (GlobalValue SchedulerType)
        {"heap", "ns3::HeapScheduler"},
        {"priority", "ns3::PriorityQueueScheduler"},
        {"list", "ns3::ListScheduler"},
        {"calendar", "ns3::CalendarScheduler"},
    };

    std::string scheduler = "map";
    uint64_t timers = 1000;
    uint64_t events = 10000000;
    uint32_t repetitions = 5;
    uint64_t seed = 7; // BM_TimerStorm's Rng{7}

    ns3::CommandLine cmd(__FILE__);
    cmd.AddValue("scheduler", "map|heap|priority|list|calendar", scheduler);
    cmd.AddValue("timers", "number of pending self-rescheduling timers", timers);
    cmd.AddValue("events", "handler calls to run in total per repetition", events);
    cmd.AddValue("repetitions", "timed repetitions", repetitions);
    cmd.AddValue("seed", "PRNG seed (the same for every repetition)", seed);
    cmd.Parse(argc, argv);

    const auto it = schedulers.find(scheduler);
    if (it == schedulers.end()) {
        std::fprintf(stderr,
                     "ns3_timer_storm: unknown --scheduler=%s (map|heap|priority|list|calendar)\n",
                     scheduler.c_str());
        return 2;
    }
    if (timers == 0 || events == 0 || repetitions == 0) {
        std::fprintf(stderr, "ns3_timer_storm: --timers, --events and --repetitions must be > 0\n");
        return 2;
    }

    std::vector<double> rates;
    std::vector<double> cpuRates;
    int64_t firstEndNs = -1;
    for (uint32_t r = 0; r < repetitions; ++r) {
        const Repetition rep = RunOnce(it->second, timers, events, seed);
        if (rep.executed != events) {
            std::fprintf(stderr,
                         "ns3_timer_storm: ran %llu events, expected %llu\n",
                         static_cast<unsigned long long>(rep.executed),
                         static_cast<unsigned long long>(events));
            return 1;
        }
        if (firstEndNs >= 0 && rep.endNs != firstEndNs) {
            std::fprintf(stderr, "ns3_timer_storm: repetitions diverged (end time)\n");
            return 1;
        }
        firstEndNs = rep.endNs;
        const double rate = static_cast<double>(rep.executed) / rep.seconds;
        const double cpuRate = static_cast<double>(rep.executed) / rep.cpuSeconds;
        rates.push_back(rate);
        cpuRates.push_back(cpuRate);
        std::printf("scheduler=%s type=%s timers=%llu events=%llu repetition=%u seconds=%.6f "
                    "cpu_seconds=%.6f end_ns=%lld events_per_second=%.0f "
                    "events_per_cpu_second=%.0f\n",
                    scheduler.c_str(),
                    it->second.c_str(),
                    static_cast<unsigned long long>(timers),
                    static_cast<unsigned long long>(rep.executed),
                    r,
                    rep.seconds,
                    rep.cpuSeconds,
                    static_cast<long long>(rep.endNs),
                    rate,
                    cpuRate);
        std::fflush(stdout);
    }
    std::printf("scheduler=%s type=%s timers=%llu events=%llu repetitions=%u end_ns=%lld "
                "median_events_per_second=%.0f median_events_per_cpu_second=%.0f\n",
                scheduler.c_str(),
                it->second.c_str(),
                static_cast<unsigned long long>(timers),
                static_cast<unsigned long long>(events),
                repetitions,
                static_cast<long long>(firstEndNs),
                Median(rates),
                Median(cpuRates));
    return 0;
}
