// Network rules (sim/network.h): latency, serialization, store-and-forward routing, loss,
// duplication, ordering, partitions, degradation and per-link randomness. Every expected
// time below is computed by hand from those rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "sim/network.h"
#include "tests/sim/scripted_world.h"

namespace fabsim::kerneltest {
namespace {

LinkParams latency_link(Duration latency, uint64_t bandwidth_bps = 0) {
  LinkParams p;
  p.latency = latency;
  p.bandwidth_bps = bandwidth_bps;
  return p;
}

TEST(Network, LatencyArrivalIsReleaseTimePlusLatency) {
  // The sender handles a call at 1 ms, charges `cpu` and sends: the message leaves at
  // 1 ms + cpu and arrives `latency` later.
  struct Case {
    const char* name;
    Duration cpu;
    Duration latency;
    Time expected;
  };
  const Case cases[] = {
      {"NoCpuNoLatency", ms(0), ms(0), at(ms(1))},
      {"LatencyOnly", ms(0), ms(5), at(ms(6))},
      {"CpuDelaysTheSend", ms(2), ms(5), at(ms(8))},
      {"NanosecondPrecision", ns(7), ns(3), at(ms(1) + ns(10))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    HostId b = 1;
    const HostId a = w.host("a", [&](NodeContext& ctx, const Seen& in) {
      if (in.what != "call go") return;
      ctx.charge(c.cpu);
      ctx.send(b, labelled("m"));
    });
    b = w.host("b");
    w.link(a, b, latency_link(c.latency));
    w.call_at(at(ms(1)), a, "go");
    w.run();
    EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{c.expected, b, "msg m"}}));
  }
}

TEST(Network, SerializationAddsCeilOfBitsOverBandwidth) {
  // Sent at 0 over a 1 ms link: arrival = ceil(bytes * 8e9 / bandwidth) ns + 1 ms.
  struct Case {
    const char* name;
    size_t bytes;
    uint64_t bandwidth_bps;
    Time expected;
  };
  const Case cases[] = {
      {"ExactMillisecond", 125, 1'000'000, at(ms(2))},
      {"KilobyteAtGigabit", 1000, 1'000'000'000, at(ms(1) + us(8))},
      {"RoundsUpToTheNextNanosecond", 1, 3, at(ms(1) + ns(2'666'666'667))},
      {"SubNanosecondRoundsUpToOne", 1, 9'000'000'000, at(ms(1) + ns(1))},
      {"ZeroBandwidthMeansNoSerialization", 1'000'000, 0, at(ms(1))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId b = w.host("b");
    w.link(a, b, latency_link(ms(1), c.bandwidth_bps));
    w.send_at(at(ms(0)), a, b, "m", c.bytes);
    w.run();
    EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{c.expected, b, "msg m"}}));
  }
}

TEST(Network, SerializationIsFifoPerDirection) {
  // 1 Mbit/s: 8 us per byte. m1 (1000 B) serializes 0..8 ms and arrives at 9 ms. m2 (500 B,
  // sent at 2 ms) waits until 8 ms, serializes 4 ms, arrives at 13 ms (not 7 ms). m3 (125 B,
  // sent at 20 ms) finds the link idle: 20 + 1 + 1 = 22 ms.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  w.link(a, b, latency_link(ms(1), 1'000'000));
  w.send_at(at(ms(0)), a, b, "m1", 1000);
  w.send_at(at(ms(2)), a, b, "m2", 500);
  w.send_at(at(ms(20)), a, b, "m3", 125);
  w.run();
  EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{at(ms(9)), b, "msg m1"},
                                                 {at(ms(13)), b, "msg m2"},
                                                 {at(ms(22)), b, "msg m3"}}));
}

TEST(Network, ReverseDirectionSerializesIndependently) {
  // a->b is busy 0..8 ms with m1; b->a's m2 (500 B at 2 ms) leaves at once: 2 + 4 + 1 = 7 ms.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  w.link(a, b, latency_link(ms(1), 1'000'000));
  w.send_at(at(ms(0)), a, b, "m1", 1000);
  w.send_at(at(ms(2)), b, a, "m2", 500);
  w.run();
  EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{at(ms(9)), b, "msg m1"}}));
  EXPECT_EQ(w.seen(a, "msg"), (std::vector<Seen>{{at(ms(7)), a, "msg m2"}}));
}

TEST(Network, MultiHopIsStoreAndForwardSummedOverHops) {
  // A-R: 1 ms, 1 Mbit/s; R-B: 2 ms, 2 Mbit/s; two 1000-byte messages sent at 0.
  // m1: A-R 8 ms + 1 ms -> R at 9 ms; R-B 4 ms + 2 ms -> B at 15 ms.
  // m2: leaves A at 8 ms, R at 17 ms; R-B idle since 13 ms -> B at 17 + 4 + 2 = 23 ms.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId r = w.router("r");
  const HostId b = w.host("b");
  w.link(a, r, latency_link(ms(1), 1'000'000));
  w.link(r, b, latency_link(ms(2), 2'000'000));
  w.send_at(at(ms(0)), a, b, "m1", 1000);
  w.send_at(at(ms(0)), a, b, "m2", 1000);
  w.run();
  EXPECT_EQ(w.world.net().route(a, b), (std::vector<HostId>{a, r, b}));
  EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{at(ms(15)), b, "msg m1"}, {at(ms(23)), b, "msg m2"}}));
}

TEST(Network, RouteIsTheLowestLatencyPath) {
  // A-B direct with `direct` latency; A-R 2 ms, R-B 3 ms. Sent at 0.
  struct Case {
    const char* name;
    Duration direct;
    bool via_router;
    Time expected;
  };
  const Case cases[] = {
      {"TwoFastHopsBeatASlowLink", ms(10), true, at(ms(5))},
      {"FasterDirectLinkWins", ms(4), false, at(ms(4))},
      {"EqualLatencyPrefersFewerHops", ms(5), false, at(ms(5))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId r = w.router("r");
    const HostId b = w.host("b");
    w.link(a, b, latency_link(c.direct));
    w.link(a, r, latency_link(ms(2)));
    w.link(r, b, latency_link(ms(3)));
    w.send_at(at(ms(0)), a, b, "m");
    w.run();
    const std::vector<HostId> expected_route = c.via_router ? std::vector<HostId>{a, r, b} : std::vector<HostId>{a, b};
    EXPECT_EQ(w.world.net().route(a, b), expected_route);
    EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{c.expected, b, "msg m"}}));
  }
}

TEST(Network, LinkDownRecomputesRouteAndLinkUpRestoresIt) {
  // A-B direct 10 ms; A-R 2 ms, R-B 3 ms. Each phase applies its faults, checks the route,
  // sends one message and checks when (if ever) it arrives.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId r = w.router("r");
  const HostId b = w.host("b");
  const LinkId direct = w.link(a, b, latency_link(ms(10)));
  const LinkId ar = w.link(a, r, latency_link(ms(2)));
  w.link(r, b, latency_link(ms(3)));
  struct Phase {
    const char* name;
    std::vector<Fault> faults;
    std::vector<HostId> route;
    std::optional<Duration> transit;
  };
  const Phase phases[] = {
      {"AllUpUsesTheFastPath", {}, {a, r, b}, ms(5)},
      {"FastPathDownUsesTheDirectLink", {Fault::link_down(ar)}, {a, b}, ms(10)},
      {"BothDownLeavesNoRoute", {Fault::link_down(direct)}, {}, std::nullopt},
      {"FastPathUpAgain", {Fault::link_up(ar)}, {a, r, b}, ms(5)},
  };
  Time t = at(ms(0));
  for (const Phase& p : phases) {
    SCOPED_TRACE(p.name);
    w.run_until(t);
    for (const Fault& f : p.faults) ASSERT_TRUE(w.world.apply(f).is_ok());
    EXPECT_EQ(w.world.net().route(a, b), p.route);
    const size_t before = w.seen(b, "msg").size();
    w.world.net().send(a, b, labelled(p.name));
    w.run_until(t + ms(50));
    const auto got = w.seen(b, "msg");
    if (p.transit) {
      ASSERT_EQ(got.size(), before + 1);
      EXPECT_EQ(got.back(), (Seen{t + *p.transit, b, std::string("msg ") + p.name}));
    } else {
      EXPECT_EQ(got.size(), before);
    }
    t += ms(100);
  }
  EXPECT_EQ(w.world.net().stats().no_route, 1u);
}

TEST(Network, RouteChangeNeverLetsAMessageOvertakeAnEarlierOne) {
  // A-X 7 ms, X-B 1 ms (with `loss`); A-R 2 ms, R-B 3 ms, with A-R down until 1 ms.
  // m1 (sent at 0) goes through X: at X at 7 ms, at B at 8 ms. m2 (sent at 1 ms) goes
  // through R and reaches B at 6 ms, before m1: it waits until m1 is delivered (8 ms) or
  // lost at X (7 ms). m3 (sent at 20 ms) arrives at 25 ms.
  struct Case {
    const char* name;
    double loss;
    std::vector<std::pair<Time, const char*>> expected;
  };
  const Case cases[] = {
      {"WaitsUntilTheEarlierOneIsDelivered", 0.0, {{at(ms(8)), "m1"}, {at(ms(8)), "m2"}, {at(ms(25)), "m3"}}},
      {"WaitsUntilTheEarlierOneIsLost", 1.0, {{at(ms(7)), "m2"}, {at(ms(25)), "m3"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId x = w.router("x");
    const HostId r = w.router("r");
    const HostId b = w.host("b");
    w.link(a, x, latency_link(ms(7)));
    LinkParams lossy = latency_link(ms(1));
    lossy.loss = c.loss;
    w.link(x, b, lossy);
    const LinkId ar = w.link(a, r, latency_link(ms(2)));
    w.link(r, b, latency_link(ms(3)));
    w.world.fault_at(at(ms(0)), Fault::link_down(ar));
    w.send_at(at(ms(0)), a, b, "m1");
    w.world.fault_at(at(ms(1)), Fault::link_up(ar));
    w.send_at(at(ms(1)), a, b, "m2");
    w.send_at(at(ms(20)), a, b, "m3");
    w.run();
    EXPECT_EQ(w.world.net().route(a, b), (std::vector<HostId>{a, r, b}));
    std::vector<Seen> expected;
    for (const auto& [t, label] : c.expected) expected.push_back({t, b, std::string("msg ") + label});
    EXPECT_EQ(w.seen(b, "msg"), expected);
  }
}

// Dedicated links. The common topology: hosts a and b, joined by a dedicated link and
// through a switch s (a-s and s-b, `hop` each).
LinkParams dedicated_link(Duration latency, uint64_t bandwidth_bps = 0) {
  LinkParams p = latency_link(latency, bandwidth_bps);
  p.dedicated = true;
  return p;
}

TEST(Network, DedicatedLinkCarriesItsPairEvenWhenSlower) {
  // a-b 20 ms; a-s, s-b 1 ms each (2 ms through the switch). Sent at 0.
  struct Case {
    const char* name;
    bool dedicated;
    bool a_to_b;
    bool via_switch;
    Time expected;
  };
  const Case cases[] = {
      {"AToBTakesTheSlowDedicatedLink", true, true, false, at(ms(20))},
      {"BToATakesItToo", true, false, false, at(ms(20))},
      {"ANonDedicatedSlowLinkIsIgnored", false, true, true, at(ms(2))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId s = w.router("s");
    const HostId b = w.host("b");
    w.link(a, b, c.dedicated ? dedicated_link(ms(20)) : latency_link(ms(20)));
    w.link(a, s, latency_link(ms(1)));
    w.link(s, b, latency_link(ms(1)));
    const HostId from = c.a_to_b ? a : b;
    const HostId to = c.a_to_b ? b : a;
    w.send_at(at(ms(0)), from, to, "m");
    w.run();
    const std::vector<HostId> expected_route =
        c.via_switch ? std::vector<HostId>{from, s, to} : std::vector<HostId>{from, to};
    EXPECT_EQ(w.world.net().route(from, to), expected_route);
    EXPECT_EQ(w.seen(to, "msg"), (std::vector<Seen>{{c.expected, to, "msg m"}}));
  }
}

TEST(Network, DedicatedLinkIsNeverATransitPath) {
  // a-b dedicated 1 ms; a-s, s-b 10 ms; c hangs off a (a-c 1 ms). Through the dedicated
  // link c and b would be 2 ms apart; they must go around it through s (21 ms), also when
  // the message reaches a, one end of the dedicated link, on its way. Sent at 0.
  struct Case {
    const char* name;
    bool c_to_b;
    bool as_down;
    std::vector<std::string> route;  // host names; empty = unreachable
    std::optional<Time> expected;
  };
  const Case cases[] = {
      {"CToBGoesThroughTheSwitch", true, false, {"c", "a", "s", "b"}, at(ms(21))},
      {"BToCGoesThroughTheSwitch", false, false, {"b", "s", "a", "c"}, at(ms(21))},
      {"NoOtherPathMeansNoRoute", true, true, {}, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId s = w.router("s");
    const HostId b = w.host("b");
    const HostId cc = w.host("c");
    w.link(a, b, dedicated_link(ms(1)));
    const LinkId as = w.link(a, s, latency_link(ms(10)));
    w.link(s, b, latency_link(ms(10)));
    w.link(a, cc, latency_link(ms(1)));
    if (c.as_down) w.world.fault_at(at(ms(0)), Fault::link_down(as));
    const HostId from = c.c_to_b ? cc : b;
    const HostId to = c.c_to_b ? b : cc;
    w.send_at(at(ms(0)), from, to, "m");
    w.run();
    const std::vector<std::string> names{"a", "s", "b", "c"};
    std::vector<std::string> route;
    for (HostId h : w.world.net().route(from, to)) route.push_back(names[h]);
    EXPECT_EQ(route, c.route);
    const std::vector<Seen> expected =
        c.expected ? std::vector<Seen>{{*c.expected, to, "msg m"}} : std::vector<Seen>{};
    EXPECT_EQ(w.seen(to, "msg"), expected);
    EXPECT_EQ(w.world.net().stats().no_route, c.expected ? 0u : 1u);
    // The pair itself still uses its dedicated link.
    EXPECT_EQ(w.world.net().route(a, b), (std::vector<HostId>{a, b}));
  }
}

TEST(Network, DedicatedLinkDownFallsBackToTheSwitchAndUpReturnsToIt) {
  // a-b dedicated 20 ms; a-s, s-b 1 ms. Each phase applies its faults, checks the route both
  // ways, sends one message a->b and checks when (if ever) it arrives.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId s = w.router("s");
  const HostId b = w.host("b");
  const LinkId ded = w.link(a, b, dedicated_link(ms(20)));
  const LinkId as = w.link(a, s, latency_link(ms(1)));
  w.link(s, b, latency_link(ms(1)));
  struct Phase {
    const char* name;
    std::vector<Fault> faults;
    std::vector<HostId> route;
    std::optional<Duration> transit;
  };
  const Phase phases[] = {
      {"UpUsesTheDedicatedLink", {}, {a, b}, ms(20)},
      {"DownFallsBackToTheSwitch", {Fault::link_down(ded)}, {a, s, b}, ms(2)},
      {"SwitchDownTooLeavesNoRoute", {Fault::link_down(as)}, {}, std::nullopt},
      {"SwitchUpAgain", {Fault::link_up(as)}, {a, s, b}, ms(2)},
      {"UpAgainReturnsToTheDedicatedLink", {Fault::link_up(ded)}, {a, b}, ms(20)},
      {"SwitchDownDoesNotMatterWhileUp", {Fault::link_down(as)}, {a, b}, ms(20)},
  };
  Time t = at(ms(0));
  for (const Phase& p : phases) {
    SCOPED_TRACE(p.name);
    w.run_until(t);
    for (const Fault& f : p.faults) ASSERT_TRUE(w.world.apply(f).is_ok());
    EXPECT_EQ(w.world.net().route(a, b), p.route);
    EXPECT_EQ(w.world.net().route(b, a), std::vector<HostId>(p.route.rbegin(), p.route.rend()));
    const size_t before = w.seen(b, "msg").size();
    w.world.net().send(a, b, labelled(p.name));
    w.run_until(t + ms(50));
    const auto got = w.seen(b, "msg");
    if (p.transit) {
      ASSERT_EQ(got.size(), before + 1);
      EXPECT_EQ(got.back(), (Seen{t + *p.transit, b, std::string("msg ") + p.name}));
    } else {
      EXPECT_EQ(got.size(), before);
    }
    t += ms(100);
  }
  EXPECT_EQ(w.world.net().stats().no_route, 1u);
}

TEST(Network, SeveralDedicatedLinksUseTheLowestIdThatIsUp) {
  // a-b dedicated 30 ms (first), a-b dedicated 20 ms (second); a-s, s-b 1 ms. The lowest
  // id wins even though it is slower; with both down the pair goes through the switch.
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId s = w.router("s");
  const HostId b = w.host("b");
  const LinkId first = w.link(a, b, dedicated_link(ms(30)));
  const LinkId second = w.link(a, b, dedicated_link(ms(20)));
  w.link(a, s, latency_link(ms(1)));
  w.link(s, b, latency_link(ms(1)));
  struct Phase {
    const char* name;
    std::vector<Fault> faults;
    Duration transit;
  };
  const Phase phases[] = {
      {"BothUpUsesTheFirst", {}, ms(30)},
      {"FirstDownUsesTheSecond", {Fault::link_down(first)}, ms(20)},
      {"BothDownUsesTheSwitch", {Fault::link_down(second)}, ms(2)},
      {"FirstUpAgainUsesTheFirst", {Fault::link_up(first)}, ms(30)},
  };
  Time t = at(ms(0));
  for (const Phase& p : phases) {
    SCOPED_TRACE(p.name);
    w.run_until(t);
    for (const Fault& f : p.faults) ASSERT_TRUE(w.world.apply(f).is_ok());
    w.world.net().send(b, a, labelled(p.name));
    w.run_until(t + ms(50));
    const auto got = w.seen(a, "msg");
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back(), (Seen{t + p.transit, a, std::string("msg ") + p.name}));
    t += ms(100);
  }
}

TEST(Network, DedicatedLinkIsDegradedAndRestoredLikeAnyLink) {
  // As DegradeChangesTheLinkAndRestoreUndoesIt, on a dedicated a-b link (1 ms, 1 Mbit/s,
  // 125-byte messages: 2 ms in transit) next to a faster switch path (a-s, s-b 0 ms): the
  // degraded link keeps the pair's traffic, however slow or lossy it becomes.
  struct Case {
    const char* name;
    LinkDegradation degradation;
    std::optional<Time> degraded_arrival;
  };
  const Case cases[] = {
      {"ExtraLatency", {ms(3), 0.0, 1.0}, at(ms(16))},
      {"LowerBandwidth", {ms(0), 0.0, 0.5}, at(ms(14))},
      {"ExtraLoss", {ms(0), 1.0, 1.0}, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId s = w.router("s");
    const HostId b = w.host("b");
    const LinkId l = w.link(a, b, dedicated_link(ms(1), 1'000'000));
    w.link(a, s, latency_link(ms(0)));
    w.link(s, b, latency_link(ms(0)));
    w.send_at(at(ms(0)), a, b, "normal", 125);
    w.world.fault_at(at(ms(10)), Fault::degrade(l, c.degradation));
    w.send_at(at(ms(11)), a, b, "degraded", 125);
    w.world.fault_at(at(ms(20)), Fault::restore(l));
    w.send_at(at(ms(21)), a, b, "restored", 125);
    w.run_until(at(ms(15)));
    EXPECT_EQ(w.world.net().route(a, b), (std::vector<HostId>{a, b}));
    w.run();
    std::vector<Seen> expected{{at(ms(2)), b, "msg normal"}};
    if (c.degraded_arrival) expected.push_back({*c.degraded_arrival, b, "msg degraded"});
    expected.push_back({at(ms(23)), b, "msg restored"});
    EXPECT_EQ(w.seen(b, "msg"), expected);
    EXPECT_EQ(w.world.net().stats().lost, c.degraded_arrival ? 0u : 1u);
    EXPECT_TRUE(w.world.fault_errors().empty());
  }
}

TEST(Network, DedicatedLinkDownOrUpMidStreamKeepsThePairsOrder) {
  // a-b dedicated (`dedicated` latency, `loss`); a-s, s-b `hop` each. The dedicated link
  // goes down at `down` and up at `up`; m1 is sent at 0, m2 at 2 ms, m3 at 30 ms, a->b.
  struct Case {
    const char* name;
    Duration dedicated;
    double loss;
    Duration hop;
    Time down, up;
    std::vector<std::pair<Time, const char*>> expected;
  };
  const Case cases[] = {
      // m1 on the dedicated link arrives at 20 ms; m2 through the switch reaches b at 4 ms
      // and waits for m1; m3 on the dedicated link again: 30 + 20.
      {"DownMidStreamHoldsTheFasterSwitchPath", ms(20), 0.0, ms(1), at(ms(1)), at(ms(25)),
       {{at(ms(20)), "m1"}, {at(ms(20)), "m2"}, {at(ms(50)), "m3"}}},
      // m1 is lost on the dedicated link when sent: m2 need not wait.
      {"DownMidStreamAfterALossDoesNotWait", ms(20), 1.0, ms(1), at(ms(1)), at(ms(40)),
       {{at(ms(4)), "m2"}, {at(ms(32)), "m3"}}},
      // m1 through the switch arrives at 20 ms; m2 on the dedicated link reaches b at 3 ms
      // and waits for m1; m3: 30 + 1.
      {"UpMidStreamHoldsTheFasterDedicatedLink", ms(1), 0.0, ms(10), at(ms(0)), at(ms(1)),
       {{at(ms(20)), "m1"}, {at(ms(20)), "m2"}, {at(ms(31)), "m3"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId s = w.router("s");
    const HostId b = w.host("b");
    LinkParams ded = dedicated_link(c.dedicated);
    ded.loss = c.loss;
    const LinkId l = w.link(a, b, ded);
    w.link(a, s, latency_link(c.hop));
    w.link(s, b, latency_link(c.hop));
    w.world.fault_at(c.down, Fault::link_down(l));
    w.world.fault_at(c.up, Fault::link_up(l));
    w.send_at(at(ms(0)), a, b, "m1");
    w.send_at(at(ms(2)), a, b, "m2");
    w.send_at(at(ms(30)), a, b, "m3");
    w.run();
    std::vector<Seen> expected;
    for (const auto& [t, label] : c.expected) expected.push_back({t, b, std::string("msg ") + label});
    EXPECT_EQ(w.seen(b, "msg"), expected);
  }
}

TEST(Network, NoRouteDropsTheMessageAndCountsIt) {
  ScriptedWorld w;
  TraceLines trace(w.world.trace());
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  const HostId c = w.host("c");
  w.link(a, c, latency_link(ms(1)));  // b is an island
  w.send_at(at(ms(1)), a, b, "m");
  w.run();
  EXPECT_TRUE(w.world.net().route(a, b).empty());
  EXPECT_TRUE(w.seen(b, "msg").empty());
  EXPECT_EQ(w.world.net().stats().no_route, 1u);
  EXPECT_EQ(w.world.net().stats().delivered, 0u);
  EXPECT_TRUE(trace.find("1ms a drop reason=no-route from=a to=b").has_value());
}

TEST(Network, LossProbabilityDropsThatShareOfMessages) {
  struct Case {
    const char* name;
    double loss;
    uint64_t delivered;
    uint64_t lost;
  };
  const Case cases[] = {
      {"LossOneDropsEveryMessage", 1.0, 0, 20},
      {"LossZeroDropsNone", 0.0, 20, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId b = w.host("b");
    LinkParams p = latency_link(ms(1));
    p.loss = c.loss;
    w.link(a, b, p);
    for (int i = 0; i < 20; ++i) w.send_at(at(ms(i)), a, b, "m" + std::to_string(i));
    w.run();
    EXPECT_EQ(w.seen(b, "msg").size(), c.delivered);
    EXPECT_EQ(w.world.net().stats().delivered, c.delivered);
    EXPECT_EQ(w.world.net().stats().lost, c.lost);
  }
}

TEST(Network, DuplicateOneDeliversEachMessageTwice) {
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  LinkParams p = latency_link(ms(1));
  p.duplicate = 1.0;
  w.link(a, b, p);
  for (int i = 0; i < 3; ++i) w.send_at(at(ms(i)), a, b, "m" + std::to_string(i));
  w.run();
  EXPECT_EQ(w.seen(b, "msg"), (std::vector<Seen>{{at(ms(1)), b, "msg m0"},
                                                 {at(ms(1)), b, "msg m0"},
                                                 {at(ms(2)), b, "msg m1"},
                                                 {at(ms(2)), b, "msg m1"},
                                                 {at(ms(3)), b, "msg m2"},
                                                 {at(ms(3)), b, "msg m2"}}));
  EXPECT_EQ(w.world.net().stats().duplicated, 3u);
  EXPECT_EQ(w.world.net().stats().delivered, 6u);
}

// Three messages 1 us apart over a link with 1 ms latency and up to 10 ms of jitter. With
// this seed the jitter draws would deliver m1, m2, m0 (the reorder test below shows it).
constexpr uint64_t kReorderSeed = 2;

std::vector<Seen> send_with_jitter(uint64_t seed, bool reorder, int messages, HostId* b_out) {
  ScriptedWorld w(seed);
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  LinkParams p = latency_link(ms(1));
  p.jitter = DurationDist::uniform(ms(0), ms(10));
  p.reorder = reorder;
  w.link(a, b, p);
  for (int i = 0; i < messages; ++i) w.send_at(at(us(i)), a, b, "m" + std::to_string(i));
  w.run();
  *b_out = b;
  return w.seen(b, "msg");
}

TEST(Network, JitterNeverReordersWithoutTheReorderFlag) {
  struct Case {
    const char* name;
    uint64_t seed;
    int messages;
  };
  const Case cases[] = {
      {"SeedWhoseJitterWouldReorder", kReorderSeed, 3},
      {"ManyMessages", 1, 50},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HostId b = 0;
    const auto got = send_with_jitter(c.seed, false, c.messages, &b);
    ASSERT_EQ(got.size(), static_cast<size_t>(c.messages));
    for (int i = 0; i < c.messages; ++i) {
      EXPECT_EQ(got[i].what, "msg m" + std::to_string(i));
      if (i > 0) {
        EXPECT_LE(got[i - 1].at, got[i].at);
      }
    }
  }
}

TEST(Network, ReorderFlagLetsJitterReorder) {
  HostId b = 0;
  const auto got = send_with_jitter(kReorderSeed, true, 3, &b);
  std::vector<std::string> order;
  for (const Seen& s : got) order.push_back(s.what);
  EXPECT_EQ(order, (std::vector<std::string>{"msg m1", "msg m2", "msg m0"}));
}

TEST(Network, MessageToSelfArrivesAtTheSameTime) {
  // A call at 1 ms charging 2 ms sends to self: handled at the 3 ms release. A raw send at
  // 7 ms arrives at 7 ms. The 5 ms link to b is not used.
  ScriptedWorld w;
  const HostId a = w.host("a", [](NodeContext& ctx, const Seen& in) {
    if (in.what != "call go") return;
    ctx.charge(ms(2));
    ctx.send(ctx.self(), labelled("after-cpu"));
  });
  const HostId b = w.host("b");
  w.link(a, b, latency_link(ms(5)));
  w.call_at(at(ms(1)), a, "go");
  w.send_at(at(ms(7)), a, a, "raw");
  w.run();
  EXPECT_EQ(w.seen(a, "msg"), (std::vector<Seen>{{at(ms(3)), a, "msg after-cpu"}, {at(ms(7)), a, "msg raw"}}));
}

// Hosts a, b, c, each pair linked with 1 ms. `faults` are applied at 0, then each pair
// sends one message at 1 ms; returns, per pair, whether it arrived (at 2 ms).
struct Pair {
  const char* from;
  const char* to;
  bool delivered;
};
void expect_partition_delivery(const std::vector<Fault>& faults, const std::vector<Pair>& pairs,
                               uint64_t partitioned) {
  ScriptedWorld w;
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  const HostId c = w.host("c");
  w.link(a, b, latency_link(ms(1)));
  w.link(a, c, latency_link(ms(1)));
  w.link(b, c, latency_link(ms(1)));
  for (const Fault& f : faults) ASSERT_TRUE(w.world.apply(f).is_ok());
  for (const Pair& p : pairs) {
    w.send_at(at(ms(1)), w.world.find_host(p.from), w.world.find_host(p.to), std::string(p.from) + ">" + p.to);
  }
  w.run();
  for (const Pair& p : pairs) {
    SCOPED_TRACE(std::string(p.from) + " to " + p.to);
    const std::string label = std::string("msg ") + p.from + ">" + p.to;
    const HostId to = w.world.find_host(p.to);
    const std::vector<Seen> expected = p.delivered ? std::vector<Seen>{{at(ms(2)), to, label}} : std::vector<Seen>{};
    std::vector<Seen> got;
    for (const Seen& s : w.seen(to, "msg"))
      if (s.what == label) got.push_back(s);
    EXPECT_EQ(got, expected);
  }
  EXPECT_EQ(w.world.net().stats().partitioned, partitioned);
}

constexpr HostId kA = 0, kB = 1, kC = 2;

TEST(Network, SymmetricPartitionDropsBothDirections) {
  expect_partition_delivery({Fault::make_partition({{kA}, {kB, kC}}, false)},
                            {{"a", "b", false}, {"b", "a", false}, {"a", "c", false}, {"c", "a", false},
                             {"b", "c", true}, {"c", "b", true}},
                            4);
}

TEST(Network, OneWayPartitionDropsOnlyFromTheFirstGroup) {
  expect_partition_delivery({Fault::make_partition({{kA}, {kB}, {kC}}, true)},
                            {{"a", "b", false}, {"a", "c", false}, {"b", "a", true}, {"c", "a", true},
                             {"b", "c", true}, {"c", "b", true}},
                            2);
}

TEST(Network, HostsInNoGroupAreUnaffectedByAPartition) {
  struct Case {
    const char* name;
    bool one_way;
  };
  for (const Case& c : {Case{"Symmetric", false}, Case{"OneWay", true}}) {
    SCOPED_TRACE(c.name);
    expect_partition_delivery({Fault::make_partition({{kA}, {kB}}, c.one_way)},
                              {{"a", "c", true}, {"c", "a", true}, {"b", "c", true}, {"c", "b", true}}, 0);
  }
}

TEST(Network, HealRestoresDelivery) {
  // Partitions applied at 0; a message at 1 ms is dropped; heal at 5 ms; messages at 6 ms
  // arrive at 7 ms unless a partition is still active between their ends.
  struct Case {
    const char* name;
    std::vector<std::vector<std::vector<HostId>>> partitions;
    Fault heal;
    bool b_after;  // a->b delivered after the heal
    bool c_after;  // a->c delivered after the heal
  };
  const Case cases[] = {
      {"HealById", {{{kA}, {kB}}}, Fault::heal(0), true, true},
      {"HealAll", {{{kA}, {kB}}, {{kA}, {kC}}}, Fault::heal(), true, true},
      {"HealByIdKeepsOtherPartitions", {{{kA}, {kB}}, {{kA}, {kC}}}, Fault::heal(0), true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId b = w.host("b");
    const HostId x = w.host("c");
    w.link(a, b, latency_link(ms(1)));
    w.link(a, x, latency_link(ms(1)));
    for (const auto& groups : c.partitions) ASSERT_TRUE(w.world.apply(Fault::make_partition(groups, false)).is_ok());
    w.send_at(at(ms(1)), a, b, "before");
    w.world.fault_at(at(ms(5)), c.heal);
    w.send_at(at(ms(6)), a, b, "after");
    w.send_at(at(ms(6)), a, x, "after");
    w.run();
    EXPECT_TRUE(w.world.fault_errors().empty());
    auto arrived_after = [](HostId h, bool delivered) {
      return delivered ? std::vector<Seen>{{at(ms(7)), h, "msg after"}} : std::vector<Seen>{};
    };
    EXPECT_EQ(w.seen(b, "msg"), arrived_after(b, c.b_after));
    EXPECT_EQ(w.seen(x, "msg"), arrived_after(x, c.c_after));
  }
}

TEST(Network, PartitionIsCheckedWhenTheMessageArrives) {
  // A 10 ms link, a message sent at 0: what counts is the partition state at 10 ms.
  struct Case {
    const char* name;
    std::vector<std::pair<Time, Fault>> faults;
    bool delivered;
  };
  const Case cases[] = {
      {"PartitionStartingInFlightDrops", {{at(ms(5)), Fault::make_partition({{kA}, {kB}}, false)}}, false},
      {"HealInFlightDelivers",
       {{at(ms(0)), Fault::make_partition({{kA}, {kB}}, false)}, {at(ms(5)), Fault::heal(0)}},
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId b = w.host("b");
    w.link(a, b, latency_link(ms(10)));
    for (const auto& [t, f] : c.faults) w.world.fault_at(t, f);
    w.send_at(at(ms(0)), a, b, "m");
    w.run();
    const std::vector<Seen> expected =
        c.delivered ? std::vector<Seen>{{at(ms(10)), b, "msg m"}} : std::vector<Seen>{};
    EXPECT_EQ(w.seen(b, "msg"), expected);
    EXPECT_EQ(w.world.net().stats().partitioned, c.delivered ? 0u : 1u);
  }
}

TEST(Network, DegradeChangesTheLinkAndRestoreUndoesIt) {
  // 1 ms latency, 1 Mbit/s, 125-byte messages (1 ms to serialize): 2 ms in transit.
  // Sent at 0 (normal), at 11 ms (degraded at 10 ms), at 21 ms (restored at 20 ms).
  struct Case {
    const char* name;
    LinkDegradation degradation;
    std::optional<Time> degraded_arrival;
  };
  const Case cases[] = {
      {"ExtraLatency", {ms(3), 0.0, 1.0}, at(ms(16))},
      {"LowerBandwidth", {ms(0), 0.0, 0.5}, at(ms(14))},
      {"ExtraLoss", {ms(0), 1.0, 1.0}, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedWorld w;
    const HostId a = w.host("a");
    const HostId b = w.host("b");
    const LinkId l = w.link(a, b, latency_link(ms(1), 1'000'000));
    w.send_at(at(ms(0)), a, b, "normal", 125);
    w.world.fault_at(at(ms(10)), Fault::degrade(l, c.degradation));
    w.send_at(at(ms(11)), a, b, "degraded", 125);
    w.world.fault_at(at(ms(20)), Fault::restore(l));
    w.send_at(at(ms(21)), a, b, "restored", 125);
    w.run();
    std::vector<Seen> expected{{at(ms(2)), b, "msg normal"}};
    if (c.degraded_arrival) expected.push_back({*c.degraded_arrival, b, "msg degraded"});
    expected.push_back({at(ms(23)), b, "msg restored"});
    EXPECT_EQ(w.seen(b, "msg"), expected);
    EXPECT_TRUE(w.world.fault_errors().empty());
  }
}

TEST(Network, JitterDrawsArePerLink) {
  // The arrivals on a-b are the same whether or not the world also holds host c and a
  // busy jittery link a-c (added first, so even the host ids differ).
  auto arrivals = [](bool extra) {
    ScriptedWorld w(7);
    const HostId c = extra ? w.host("c") : kNoHost;
    const HostId a = w.host("a");
    const HostId b = w.host("b");
    LinkParams p = latency_link(ms(1));
    p.jitter = DurationDist::uniform(ms(0), ms(5));
    if (extra) w.link(a, c, p);
    w.link(a, b, p);
    for (int i = 0; i < 10; ++i) {
      if (extra) w.send_at(at(ms(10 * i)), a, c, "noise");
      w.send_at(at(ms(10 * i)), a, b, "m" + std::to_string(i));
    }
    w.run();
    std::vector<Duration> transit;
    int i = 0;
    for (const Seen& s : w.seen(b, "msg")) transit.push_back(s.at - at(ms(10 * i++)));
    return transit;
  };
  const auto alone = arrivals(false);
  ASSERT_EQ(alone.size(), 10u);
  // The jitter is really drawn: transit times are not all the same.
  EXPECT_NE(std::count(alone.begin(), alone.end(), alone[0]), 10);
  EXPECT_EQ(arrivals(true), alone);
}

TEST(Network, ParallelLinksDrawFromTheirOwnStreams) {
  // Two links between the same hosts must not share jitter draws: send over the first,
  // take it down, send over the second, and compare the transit times.
  ScriptedWorld w(7);
  const HostId a = w.host("a");
  const HostId b = w.host("b");
  LinkParams p = latency_link(ms(1));
  p.jitter = DurationDist::uniform(ms(0), ms(5));
  const LinkId first = w.link(a, b, p);
  w.link(a, b, p);
  for (int i = 0; i < 5; ++i) w.send_at(at(ms(10 * i)), a, b, "m" + std::to_string(i));
  w.world.fault_at(at(ms(45)), Fault::link_down(first));
  for (int i = 5; i < 10; ++i) w.send_at(at(ms(10 * i)), a, b, "m" + std::to_string(i));
  w.run();
  std::vector<Duration> transit;
  int i = 0;
  for (const Seen& s : w.seen(b, "msg")) transit.push_back(s.at - at(ms(10 * i++)));
  ASSERT_EQ(transit.size(), 10u);
  EXPECT_NE(std::vector<Duration>(transit.begin(), transit.begin() + 5), std::vector<Duration>(transit.begin() + 5, transit.end()));
}

}  // namespace
}  // namespace fabsim::kerneltest
