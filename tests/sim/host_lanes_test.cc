// Host rules for a node's components (sim/host.h, core/node.h "Components and lanes"):
// each lane's concurrency, lanes competing for cores in arrival order, parallel CPU steps,
// timers firing into the lane that set them, posts, the start input running alone, and a
// crash in the middle of parallel work. Expected times are computed by hand.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <leveldb/env.h>

#include "sim/host.h"
#include "tests/sim/scripted_world.h"

namespace fabsim::kerneltest {
namespace {

// Lanes: 0 "serial", 1 "concurrent", 2 "per-sender". A message or call goes to the lane its
// label or name starts with: "s", "c" or "p" (anything else: lane 0).
class LanedProcess : public ScriptedProcess {
 public:
  using ScriptedProcess::ScriptedProcess;
  std::vector<LaneSpec> lanes() const override {
    return {{"serial", LaneSpec::Kind::kSerial},
            {"concurrent", LaneSpec::Kind::kConcurrent},
            {"per-sender", LaneSpec::Kind::kSerialPerSender}};
  }
  LaneId lane_of_message(HostId, const Message& msg) const override { return lane_of(label_of(msg)); }
  LaneId lane_of_call(const ClientCall& call) const override { return lane_of(call.name); }
  static LaneId lane_of(const std::string& s) {
    if (s.empty()) return 0;
    return s[0] == 'c' ? 1 : s[0] == 'p' ? 2 : 0;
  }
};

HostId laned_host(ScriptedWorld& w, const std::string& name, React react, uint32_t cores) {
  return w.world.add_host(name, cores, [&w, react](HostId, const DurableStore&) {
    return std::make_unique<LanedProcess>(&w.log, react);
  });
}

// Charges the number after the first character of a call's name, in ms ("s10" = 10 ms).
void charge_by_name(NodeContext& ctx, const Seen& in) {
  if (in.what.rfind("call ", 0) != 0) return;
  ctx.charge(ms(std::stoll(in.what.substr(6))));
}

std::vector<Time> times(const std::vector<Seen>& seen) {
  std::vector<Time> out;
  for (const Seen& s : seen) out.push_back(s.at);
  return out;
}

TEST(HostLanes, EachLaneKindAdmitsInputsAsItsConcurrencySays) {
  // Three 10 ms calls arrive together at 5 ms on a 3-core host.
  struct Case {
    const char* name;
    std::string prefix;
    std::vector<Time> handled;
  };
  const Case cases[] = {
      {"SerialLaneHandlesOneAtATimeInArrivalOrder", "s", {at(ms(5)), at(ms(15)), at(ms(25))}},
      {"ConcurrentLaneUsesEveryFreeCore", "c", {at(ms(5)), at(ms(5)), at(ms(5))}},
      // Calls have no sender: one key, so one at a time.
      {"PerSenderLaneSerialisesOneSender", "p", {at(ms(5)), at(ms(15)), at(ms(25))}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId h = laned_host(w, "h", charge_by_name, 3);
    for (int i = 0; i < 3; ++i) w.call_at(at(ms(5)), h, c.prefix + "10");
    w.run();
    EXPECT_EQ(times(w.seen(h, "call")), c.handled);
  }
}

TEST(HostLanes, PerSenderLaneRunsSendersConcurrently) {
  // a sends two messages and b one, all arriving at 1 ms; each costs 10 ms on a 2-core host.
  ScriptedWorld w;
  HostId h = 0;
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  h = laned_host(w, "h", [](NodeContext& ctx, const Seen& in) { if (in.what != "start") ctx.charge(ms(10)); }, 2);
  LinkParams p;
  p.latency = ms(1);
  w.link(a, h, p);
  w.link(b, h, p);
  w.send_at(at(ms(0)), a, h, "pa1");
  w.send_at(at(ms(0)), a, h, "pa2");
  w.send_at(at(ms(0)), b, h, "pb1");
  w.run();
  EXPECT_EQ(w.seen(h, "msg"), (std::vector<Seen>{{at(ms(1)), h, "msg pa1"},
                                                 {at(ms(1)), h, "msg pb1"},
                                                 {at(ms(11)), h, "msg pa2"}}));
}

TEST(HostLanes, ConcurrentWorkDoesNotWaitBehindASerialLane) {
  // Two 100 ms serial calls at 5 ms: the second waits for the first. A concurrent call at
  // 6 ms runs on the second core at once.
  ScriptedWorld w;
  const HostId h = laned_host(w, "h", charge_by_name, 2);
  w.call_at(at(ms(5)), h, "s100");
  w.call_at(at(ms(5)), h, "s100");
  w.call_at(at(ms(6)), h, "c1");
  w.run();
  EXPECT_EQ(w.seen(h, "call"), (std::vector<Seen>{{at(ms(5)), h, "call s100"},
                                                  {at(ms(6)), h, "call c1"},
                                                  {at(ms(105)), h, "call s100"}}));
}

TEST(HostLanes, AParallelStepRunsOnUpToWidthCores) {
  // One call at 0 charges four 10 ms tasks with `width`; its event is released when the
  // last task ends.
  struct Case {
    const char* name;
    uint32_t width;
    uint32_t cores;
    Time released;
  };
  const Case cases[] = {
      {"WidthOneIsSerial", 1, 4, at(ms(40))},
      {"WidthTwoOnFourCoresHalvesIt", 2, 4, at(ms(20))},
      {"FourCoresRunFourTasksAtOnce", 4, 4, at(ms(10))},
      {"TheCoresBoundTheWidth", 4, 2, at(ms(20))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    std::vector<Time> emitted;
    w.world.set_event_sink([&](Time t, HostId, const AnalysisEvent&) { emitted.push_back(t); });
    const uint32_t width = c.width;
    const HostId h = laned_host(
        w, "h",
        [width](NodeContext& ctx, const Seen& in) {
          if (in.what != "call s") return;
          const std::vector<Duration> tasks(4, ms(10));
          ctx.charge_parallel(tasks, width);
          ctx.emit("done");
        },
        c.cores);
    w.call_at(at(ms(0)), h, "s");
    w.run();
    EXPECT_EQ(emitted, std::vector<Time>{c.released});
    EXPECT_EQ(w.world.host(h).stats().cpu_busy, ms(40));
  }
}

TEST(HostLanes, StepsRunInTheOrderCharged) {
  // 2 ms serial, then two 10 ms tasks of width 2, then 3 ms serial, on two cores: 2 + 10 + 3.
  ScriptedWorld w;
  std::vector<Time> emitted;
  w.world.set_event_sink([&](Time t, HostId, const AnalysisEvent&) { emitted.push_back(t); });
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what != "call s") return;
        ctx.charge(ms(2));
        const std::vector<Duration> tasks(2, ms(10));
        ctx.charge_parallel(tasks, 2);
        ctx.charge(ms(3));
        ctx.emit("done");
      },
      2);
  w.call_at(at(ms(0)), h, "s");
  w.run();
  EXPECT_EQ(emitted, std::vector<Time>{at(ms(15))});
}

TEST(HostLanes, ParallelTasksTakeTurnsForCoresWithOtherWork) {
  // One core. A serial call at 0 charges three 10 ms tasks of width 1; a 1 ms concurrent
  // call at 5 ms gets the core when the first task ends, and the block's work resumes
  // after it: released at 31 ms, not 30.
  ScriptedWorld w;
  std::vector<Time> emitted;
  w.world.set_event_sink([&](Time t, HostId, const AnalysisEvent& e) {
    if (e.name == "done") emitted.push_back(t);
  });
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what == "call c1") ctx.charge(ms(1));
        if (in.what != "call s") return;
        const std::vector<Duration> tasks(3, ms(10));
        ctx.charge_parallel(tasks, 1);
        ctx.emit("done");
      },
      1);
  w.call_at(at(ms(0)), h, "s");
  w.call_at(at(ms(5)), h, "c1");
  w.run();
  EXPECT_EQ(w.seen(h, "call"), (std::vector<Seen>{{at(ms(0)), h, "call s"}, {at(ms(10)), h, "call c1"}}));
  EXPECT_EQ(emitted, std::vector<Time>{at(ms(31))});
}

TEST(HostLanes, ATimerFiresIntoTheLaneThatSetIt) {
  // A serial call at 0 (1 ms) sets a 1 ms timer: it fires at 2 ms, while a 10 ms serial call
  // that arrived at 1.5 ms holds the serial lane, so it is handled at 11.5 ms. A timer set
  // by a concurrent call fires on time.
  ScriptedWorld w;
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what == "call s1") {
          ctx.charge(ms(1));
          ctx.set_timer(ms(1), 1);
        } else if (in.what == "call c1") {
          ctx.charge(ms(1));
          ctx.set_timer(ms(1), 2);
        } else if (in.what == "call s10") {
          ctx.charge(ms(10));
        }
      },
      3);
  w.call_at(at(ms(0)), h, "s1");
  w.call_at(at(ms(0)), h, "c1");
  w.call_at(at(us(1500)), h, "s10");
  w.run();
  EXPECT_EQ(w.seen(h, "timer"), (std::vector<Seen>{{at(ms(2)), h, "timer 2"}, {at(us(11500)), h, "timer 1"}}));
}

TEST(HostLanes, APostReachesItsLaneWhenTheWorkIsDone) {
  // A concurrent call at 0 charges 2 ms and posts to the serial lane, which is busy until
  // 5 ms: the post is handled at 5 ms, as a message from the host itself.
  ScriptedWorld w;
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what == "call c2") {
          ctx.charge(ms(2));
          ctx.post(0, labelled("s-posted"));
        } else if (in.what == "call s5") {
          ctx.charge(ms(5));
        }
      },
      2);
  w.call_at(at(ms(0)), h, "s5");
  w.call_at(at(ms(0)), h, "c2");
  w.run();
  EXPECT_EQ(w.seen(h, "msg"), (std::vector<Seen>{{at(ms(5)), h, "msg s-posted"}}));
}

TEST(HostLanes, TheStartInputRunsAlone) {
  // The start charges 5 ms; a concurrent call at 1 ms waits for it although a core is free.
  ScriptedWorld w;
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what == "start") ctx.charge(ms(5));
      },
      2);
  w.call_at(at(ms(1)), h, "c0");
  w.run();
  EXPECT_EQ(w.seen(h, "call"), (std::vector<Seen>{{at(ms(5)), h, "call c0"}}));
}

TEST(HostLanes, ACrashLosesParallelWorkAndFreesItsCores) {
  // Two 10 ms tasks of width 2 start at 0 on two cores; a crash at 5 ms loses the outputs.
  // After a restart at 6 ms, two concurrent 1 ms calls at 7 ms both start at once: the
  // lost tasks hold no core.
  ScriptedWorld w;
  std::vector<std::string> emitted;
  w.world.set_event_sink([&](Time, HostId, const AnalysisEvent& e) { emitted.push_back(e.name); });
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what == "call s") {
          const std::vector<Duration> tasks(2, ms(10));
          ctx.charge_parallel(tasks, 2);
          ctx.emit("lost");
        } else if (in.what.rfind("call c", 0) == 0) {
          ctx.charge(ms(1));
        }
      },
      2);
  w.call_at(at(ms(0)), h, "s");
  w.world.fault_at(at(ms(5)), Fault::crash(h));
  w.world.fault_at(at(ms(6)), Fault::restart(h));
  w.call_at(at(ms(7)), h, "c1");
  w.call_at(at(ms(7)), h, "c2");
  w.run();
  EXPECT_TRUE(emitted.empty());
  EXPECT_EQ(w.seen(h, "call"), (std::vector<Seen>{{at(ms(0)), h, "call s"},
                                                  {at(ms(7)), h, "call c1"},
                                                  {at(ms(7)), h, "call c2"}}));
}

TEST(HostLanes, NamedStreamsAreIndependentOfEachOther) {
  // Drawing from one component's stream never shifts another's.
  auto draws = [](bool extra) {
    NamedRngs named(7, "proc/h/1");
    if (extra) named.get("gossip").next_u64();
    return named.get("endorser").next_u64();
  };
  EXPECT_EQ(draws(false), draws(true));
  NamedRngs named(7, "proc/h/1");
  EXPECT_NE(named.get("a").next_u64(), named.get("b").next_u64());
}

}  // namespace
}  // namespace fabsim::kerneltest

namespace fabsim::kerneltest {
namespace {

TEST(HostLanes, VariabilityScalesEachTaskByAFactorOfMeanOne) {
  // A call charges 200 tasks of 1 ms, one at a time. Without variability it ends at 200 ms
  // exactly; with sigma 0.5 each task is scaled by its own lognormal factor (mean 1), so the
  // total differs from 200 ms but stays within a few standard deviations of it
  // (sd of the sum = 1 ms * sqrt(200) * sqrt(e^0.25 - 1) ≈ 7.5 ms), the same for one seed.
  auto run = [](double sigma, uint64_t seed) {
    ScriptedWorld w(seed);
    const HostId h = w.host("h", [](NodeContext& ctx, const Seen& in) {
      if (in.what != "call go") return;
      const std::vector<Duration> tasks(200, ms(1));
      ctx.charge_parallel(tasks, 1);
    });
    w.world.host(h).set_cpu_variability(sigma);
    w.call_at(at(ms(0)), h, "go");
    w.run();
    return w.world.host(h).stats().cpu_busy;
  };
  EXPECT_EQ(run(0.0, 1), ms(200));
  const Duration varied = run(0.5, 1);
  EXPECT_NE(varied, ms(200));
  EXPECT_GT(varied, ms(170));
  EXPECT_LT(varied, ms(230));
  EXPECT_EQ(run(0.5, 1), varied);
  EXPECT_NE(run(0.5, 2), varied);
}

}  // namespace
}  // namespace fabsim::kerneltest

namespace fabsim::kerneltest {
namespace {

// A process that, on call "write", appends `data` to file "f" on its storage and syncs it
// when the call is "write-sync"; "read" emits the file's size.
void file_io(NodeContext& ctx, const Seen& in) {
  leveldb::Env* env = ctx.mutable_store().env();
  if (in.what == "call write" || in.what == "call write-sync") {
    leveldb::WritableFile* f = nullptr;
    ASSERT_TRUE(env->NewAppendableFile("f", &f).ok());
    ASSERT_TRUE(f->Append("0123456789").ok());
    if (in.what == "call write-sync") ASSERT_TRUE(f->Sync().ok());
    ASSERT_TRUE(f->Close().ok());
    delete f;
  } else if (in.what == "call read") {
    int64_t size = 0;
    leveldb::SequentialFile* f = nullptr;
    if (env->NewSequentialFile("f", &f).ok()) {
      char buf[64];
      leveldb::Slice got;
      while (f->Read(sizeof buf, &got, buf).ok() && !got.empty()) size += static_cast<int64_t>(got.size());
      delete f;
    }
    ctx.emit("size", size);
  }
}

// 10 synced bytes, then 10 unsynced; the fault at 5 ms, a restart at 6 ms, a read at 7 ms.
// `storage_root`: empty for the in-memory file systems, else World::set_storage_root.
void expect_crash_keeps_what_the_os_accepted_power_loss_what_was_synced(const std::string& storage_root) {
  struct Case {
    const char* name;
    Fault (*fault)(HostId);
    int64_t size_after;
  };
  const Case cases[] = {
      {"CrashKeepsEveryWrite", &Fault::crash, 20},
      {"PowerLossKeepsTheSyncedPrefix", &Fault::power_loss, 10},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    std::vector<int64_t> sizes;
    w.world.set_event_sink([&](Time, HostId, const AnalysisEvent& e) { sizes.push_back(e.value); });
    const std::string root = storage_root.empty() ? "" : storage_root + "/" + c.name;
    w.world.set_storage_root(root);
    const HostId h = w.host("h", file_io);
    w.call_at(at(ms(1)), h, "write-sync");
    w.call_at(at(ms(2)), h, "write");
    w.call_at(at(ms(3)), h, "read");
    w.world.fault_at(at(ms(5)), c.fault(h));
    w.world.fault_at(at(ms(6)), Fault::restart(h));
    w.call_at(at(ms(7)), h, "read");
    w.run();
    EXPECT_EQ(sizes, (std::vector<int64_t>{20, c.size_after}));
    EXPECT_TRUE(w.world.fault_errors().empty());
    if (!root.empty()) EXPECT_EQ(std::filesystem::file_size(root + "/h/f"), static_cast<uintmax_t>(c.size_after));
  }
}

TEST(HostStorage, ACrashKeepsWhatTheOsAcceptedAPowerLossKeepsWhatWasSynced) {
  expect_crash_keeps_what_the_os_accepted_power_loss_what_was_synced("");
}

TEST(HostStorage, OnDiskACrashKeepsWhatTheOsAcceptedAPowerLossKeepsWhatWasSynced) {
  const std::string root = testing::TempDir() + "/fabsim_host_storage_" + std::to_string(getpid());
  std::filesystem::remove_all(root);
  expect_crash_keeps_what_the_os_accepted_power_loss_what_was_synced(root);
  std::filesystem::remove_all(root);
}

TEST(HostStorage, OnDiskEachHostHasItsOwnDirectoryUnderTheStorageRoot) {
  const std::string root = testing::TempDir() + "/fabsim_host_dirs_" + std::to_string(getpid());
  std::filesystem::remove_all(root);
  ScriptedWorld w;
  const HostId a = w.host("a", file_io);
  w.world.set_storage_root(root);  // hosts added before and after
  const HostId b = w.host("b", file_io);
  w.call_at(at(ms(1)), a, "write-sync");
  w.call_at(at(ms(1)), b, "write");
  w.run();
  EXPECT_EQ(w.world.host(a).store().directory(), root + "/a");
  EXPECT_EQ(std::filesystem::file_size(root + "/a/f"), 10u);
  EXPECT_EQ(std::filesystem::file_size(root + "/b/f"), 10u);
  std::filesystem::remove_all(root);
}

TEST(HostStorage, APowerLossOfAHostThatIsDownIsAFaultError) {
  ScriptedWorld w;
  const HostId h = w.host("h");
  w.world.fault_at(at(ms(1)), Fault::crash(h));
  w.world.fault_at(at(ms(2)), Fault::power_loss(h));
  w.run();
  ASSERT_EQ(w.world.fault_errors().size(), 1u);
  EXPECT_NE(w.world.fault_errors()[0].find("power loss of h, which is down"), std::string::npos)
      << w.world.fault_errors()[0];
}

}  // namespace
}  // namespace fabsim::kerneltest

namespace fabsim::kerneltest {
namespace {

TEST(HostDisk, DiskWorkHoldsNoCoreAndTheDiskServesOneRequestAtATime) {
  // One core. Two concurrent calls at 0 each charge 1 ms of CPU then 10 ms of disk, and a
  // 1 ms concurrent call arrives at 2 ms. The core is free while
  // the disk works (the third call runs at 2 ms); the second call's disk work waits for the
  // first's: released at 11 ms and 21 ms.
  ScriptedWorld w;
  std::vector<std::pair<Time, std::string>> done;
  w.world.set_event_sink([&](Time t, HostId, const AnalysisEvent& e) { done.emplace_back(t, e.name); });
  const HostId h = laned_host(
      w, "h",
      [](NodeContext& ctx, const Seen& in) {
        if (in.what == "call c-write1" || in.what == "call c-write2") {
          ctx.charge(ms(1));
          ctx.charge_disk(ms(10));
          ctx.emit(in.what.substr(5));
        } else if (in.what == "call c-quick") {
          ctx.charge(ms(1));
          ctx.emit("c-quick");
        }
      },
      1);
  w.call_at(at(ms(0)), h, "c-write1");
  w.call_at(at(ms(0)), h, "c-write2");
  w.call_at(at(ms(2)), h, "c-quick");
  w.run();
  EXPECT_EQ(done, (std::vector<std::pair<Time, std::string>>{
                      {at(ms(3)), "c-quick"}, {at(ms(11)), "c-write1"}, {at(ms(21)), "c-write2"}}));
  EXPECT_EQ(w.world.host(h).stats().disk_busy, ms(20));
  EXPECT_EQ(w.world.host(h).stats().cpu_busy, ms(3));
}

}  // namespace
}  // namespace fabsim::kerneltest
