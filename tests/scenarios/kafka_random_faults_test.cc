// Randomized fault schedules under Kafka ordering with Fabric's recommended settings, for the
// rule that what those settings promise to survive never breaks safety and never loses an
// acknowledged transaction, and that ordering recovers once the faults are undone. For each
// seed, KafkaScenarioGenerator (kafka_fault_schedule.h, which says what the schedules cover,
// what the settings promise and what is left out) writes a scenario; its run must show:
//   * report.invariants hold (the peers' ledgers agree, and the Kafka checks of issue 12
//     item 5 as the runner adds them), no node error, every fault applied;
//   * every requested transaction has exactly one outcome, consistent with its record and
//     the metrics (random_schedule.h); none is left without one unless its client
//     crashed; every transaction an OSN acknowledged (SUCCESS) is committed unless its
//     client crashed and forgot it;
//   * ordering recovered: every probe transaction, requested after the recovery bound,
//     commits VALID;
//   * at the end every node is up, no broker halted, the partition leader's ISR holds the
//     three replicas, every replica's log is the leader's, committed to its end, and every
//     peer and every OSN is at the same height, the OSNs with the same last block header,
//     so the same chain (read through the runner's hooks: the report has no OSN heights).
// And the same seed gives the same trace hash (a few seeds run twice). Each of these checks
// is shown to fail on a planted fault outside the promise (KafkaFaultScheduleChecks: a power
// loss of every replica, a broker restarted within its old session, OSNs cut from the
// brokers for good), and the 100 schedules to hold every kind of fault the generator claims
// (KafkaFaultScheduleGenerator), so that neither the checks nor the schedules go soft.
//
// On failure the message holds the seed and the whole scenario: save it as a file and run
// `fabsim run FILE` (add --check-determinism, --trace) to reproduce it outside the test.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/kafka/broker.h"
#include "model/orderer/solo.h"
#include "scenarios/scenario_runner.h"
#include "tests/sanitized_build.h"
#include "tests/scenarios/kafka_fault_schedule.h"
#include "tests/scenarios/random_schedule.h"

namespace fabsim::scenario {
namespace {

using kafka_schedule::GeneratedScenario;
using kafka_schedule::KafkaScenarioGenerator;
using kafka_schedule::kChannel;
using kafka_schedule::kProbeMs;
using kafka_schedule::kProbeRateTps;
using random_schedule::check_outcomes;
using random_schedule::joined;
using random_schedule::ms;
using random_schedule::reproduce;

// Sanitizer builds (make test-asan) run each seed about four times slower: fewer seeds there.
constexpr bool kSanitized = testing_support::kSanitizedBuild;
constexpr uint64_t kSeedCount = kSanitized ? 20 : 100;
// Seeds whose run is repeated to compare the trace hashes.
constexpr uint64_t kDeterminismSeedCount = kSanitized ? 2 : 5;

// ---- the state of the nodes at the end of the run ----------------------------------------------

// Read through the runner's hooks at the end of the last window (the report has no OSN
// heights: with Kafka its cuts count every OSN's blocks).
struct EndState {
  bool seen = false;
  std::vector<std::string> not_up;  // nodes down or paused, brokers halted
  std::map<std::string, uint64_t> osn_heights;
  // Each OSN's last block header (number, previous hash, data hash): equal headers mean
  // equal chains.
  std::map<std::string, std::string> osn_last_block_header;
  std::vector<int32_t> leader_isr;  // of the replica that leads with the highest epoch
  int32_t leader = -1;              // its broker id
  // Each up replica's log of the channel's partition (its records in offset order, or the
  // read error) and high watermark, by broker id.
  std::map<int32_t, std::vector<std::string>> replica_records;
  std::map<int32_t, int64_t> replica_hw;
};

std::vector<std::string> log_records(const kafka::Partition& p) {
  std::vector<std::string> out;
  auto batches = p.log().read(0, UINT64_MAX, p.log().log_end_offset());
  if (!batches.is_ok()) return {"unreadable: " + batches.status().message()};
  for (const auto& batch : batches.value())
    for (const auto& r : batch.records()) out.push_back(r);
  return out;
}

void read_end_state(World& w, EndState& s) {
  s.seen = true;
  int32_t leader_epoch = -1;
  for (HostId h = 0; h < w.host_count(); ++h) {
    Host& host = w.host(h);
    const std::string& name = w.host_names()[h];
    if (!host.up() || host.paused()) {
      s.not_up.push_back(name + (host.up() ? " (paused)" : " (down)"));
      continue;
    }
    if (name.starts_with("orderer")) {
      const auto* o = dynamic_cast<const orderer::SoloOrderer*>(host.process());
      if (o == nullptr) continue;
      s.osn_heights[name] = o->height();
      auto last = o->block_store().block_by_number(o->height() - 1);
      s.osn_last_block_header[name] = last.is_ok() ? last.value().header().SerializeAsString() : "unreadable";
    } else if (name.starts_with("kafka")) {
      const auto* b = dynamic_cast<const kafka::Broker*>(host.process());
      if (b == nullptr) continue;
      if (b->halted()) s.not_up.push_back(name + " (halted)");
      const kafka::Partition* p = b->partition(kChannel, 0);
      if (p == nullptr) continue;
      s.replica_records[b->config().broker_id] = log_records(*p);
      s.replica_hw[b->config().broker_id] = p->high_watermark();
      if (p->role() == kafka::Partition::Role::kLeader && p->leader_epoch() > leader_epoch) {
        leader_epoch = p->leader_epoch();
        s.leader_isr = p->isr();
        s.leader = b->config().broker_id;
      }
    }
  }
}

// ---- running and checking -----------------------------------------------------------------------

struct Run {
  RunReport report;
  EndState end;
};

Result<Run> run_with_end_state(const ScenarioSpec& spec) {
  auto end = std::make_shared<EndState>();
  World* world = nullptr;
  const Time last = Time::zero() + spec.duration + spec.drain;
  RunHooks hooks;
  hooks.on_world = [&world](World& w) { world = &w; };
  hooks.on_window = [&world, end, last](Time now) {
    if (now == last) read_end_state(*world, *end);
  };
  auto r = run_scenario(spec, hooks);
  if (!r.is_ok()) return r.status();
  return Run{std::move(r).value(), *end};
}

ScenarioSpec load_or_fail(uint64_t seed, const std::string& text) {
  return random_schedule::load_or_fail("kafka-random-faults-" + std::to_string(seed) + ".yaml", text);
}

// What the checks below found, by check; each finding a line naming the transaction, node
// or height involved.
using Findings = std::map<std::string, std::vector<std::string>>;

// Every fault is undone by F, so every client is up through the drain: a transaction
// without an outcome is one that a crash made its client forget.
void find_missing_outcomes(const ScenarioSpec& spec, const RunReport& r, std::vector<std::string>& out) {
  const std::set<std::string> crashed = random_schedule::nodes_that_can_lose_requests(spec);
  for (const TxRecord& tx : r.transactions)
    if (tx.outcome == TxRecord::Outcome::kUnknown && !crashed.contains(tx.client))
      out.push_back(tx.id + ": no outcome by the end, though its client " + tx.client + " never crashed");
}

// No acknowledged transaction is lost: every transaction whose broadcast an OSN answered
// with SUCCESS (Kafka acknowledged its record with acks=all) is committed in the end, unless
// its client crashed and forgot it.
void find_lost_acknowledged(const ScenarioSpec& spec, const RunReport& r, std::vector<std::string>& out) {
  const std::set<std::string> crashed = random_schedule::nodes_that_can_lose_requests(spec);
  for (const TxRecord& tx : r.transactions)
    if (tx.ordered && !crashed.contains(tx.client) && tx.outcome != TxRecord::Outcome::kCommitted)
      out.push_back(tx.id + " (TxID " + tx.tx_id + "): acknowledged by an OSN at " + format_time(*tx.ordered) +
                    ", yet " + tx.status_text());
}

// Ordering recovered: every probe transaction (generator 1, after the recovery bound)
// committed VALID.
void find_failed_probes(const RunReport& r, std::vector<std::string>& out) {
  uint64_t probes = 0;
  for (const TxRecord& tx : r.transactions) {
    if (tx.init || tx.generator != 1) continue;
    ++probes;
    if (!tx.valid())
      out.push_back("probe " + tx.id + " (requested at " + format_time(tx.requested) +
                    ", after the recovery bound): " + tx.status_text());
  }
  if (probes != static_cast<uint64_t>(kProbeRateTps * kProbeMs / 1000))
    out.push_back(std::to_string(probes) + " probe transactions instead of " +
                  std::to_string(kProbeRateTps * kProbeMs / 1000));
}

// Every node is up, no broker halted, the leader's ISR holds the three replicas again, every
// replica holds the leader's log with the high watermark at its end, and every peer and OSN
// ends at the same height, the OSNs with the same last block header.
void find_divergence(const RunReport& r, const EndState& s, std::vector<std::string>& out) {
  if (!s.seen) return out.push_back("the end of the run was not observed");
  for (const std::string& n : s.not_up) out.push_back("not up at the end: " + n);
  if (s.leader_isr.size() != 3)
    out.push_back("the partition's ISR at the end has " + std::to_string(s.leader_isr.size()) + " replicas");
  // Quiet and fully replicated, every replica holds the leader's log, all of it committed.
  if (auto leader = s.replica_records.find(s.leader); leader != s.replica_records.end()) {
    const std::vector<std::string>& log = leader->second;
    for (const auto& [broker, records] : s.replica_records) {
      size_t same = 0;
      while (same < std::min(records.size(), log.size()) && records[same] == log[same]) ++same;
      if (same != records.size() || same != log.size())
        out.push_back(fmt::format("broker {}'s log ({} records) differs from the leader {}'s ({}) from offset {}",
                                  broker, records.size(), s.leader, log.size(), same));
      if (s.replica_hw.at(broker) != static_cast<int64_t>(log.size()))
        out.push_back(fmt::format("broker {}'s high watermark is {}, the leader's log end {}", broker,
                                  s.replica_hw.at(broker), log.size()));
    }
  }
  for (const std::string& p : r.peers_down) out.push_back(p + " is down at the end");
  if (r.channels.at(0).peer_heights.size() != 4) out.push_back("not every peer's height is known");
  if (s.osn_heights.empty()) return out.push_back("no OSN is up at the end");
  const auto& [first_osn, height] = *s.osn_heights.begin();
  for (const auto& [osn, h] : s.osn_heights) {
    if (h != height) out.push_back(fmt::format("{} is at height {}, {} at {}", osn, h, first_osn, height));
    if (s.osn_last_block_header.at(osn) != s.osn_last_block_header.at(first_osn))
      out.push_back(osn + "'s last block header differs from " + first_osn + "'s");
  }
  for (const auto& [peer, h] : r.channels.at(0).peer_heights)
    if (h != height) out.push_back(fmt::format("{} is at height {}, {} at {}", peer, h, first_osn, height));
}

Findings check_run(const ScenarioSpec& spec, const Run& run) {
  const RunReport& r = run.report;
  Findings f;
  f["safety"] = r.invariants.violations;
  if (!r.invariants.hold() && f["safety"].empty()) f["safety"].push_back("the invariants do not hold");
  f["node errors"] = r.node_errors;
  f["fault errors"] = r.fault_errors;
  find_missing_outcomes(spec, r, f["missing outcomes"]);
  find_lost_acknowledged(spec, r, f["lost acknowledged"]);
  find_failed_probes(r, f["probe"]);
  find_divergence(r, run.end, f["convergence"]);
  return f;
}

class KafkaFaultSchedules : public testing::TestWithParam<uint64_t> {};

TEST_P(KafkaFaultSchedules, RecommendedSettingsKeepSafetyAndRecover) {
  const uint64_t seed = GetParam();
  const GeneratedScenario g = KafkaScenarioGenerator(seed).generate();
  SCOPED_TRACE(reproduce(seed, g.text));
  const ScenarioSpec spec = load_or_fail(seed, g.text);
  if (HasFailure()) return;
  auto run = run_with_end_state(spec);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  const RunReport& r = run->report;
  EXPECT_EQ(r.peers_checked.size(), 4u) << "every peer's ledger is checked";
  EXPECT_GT(r.invariants.heights_compared, 0u);
  check_outcomes(spec, r);
  SCOPED_TRACE("every fault is undone by " + ms(g.horizon_ms) + " (the run ends at " +
               format_duration(spec.duration + spec.drain) + ")");
  for (const auto& [check, found] : check_run(spec, *run)) EXPECT_TRUE(found.empty()) << check << ":" << joined(found);
}

// Each check fails on a planted fault outside what the settings promise (or never undone):
// the generator's first scenario with its faults replaced by the case's.
struct PlantedCase {
  const char* name;
  const char* faults;  // YAML list entries, one per line
  const char* check;   // the Findings key that must report it
  const char* finding; // a part of one of its lines
};

const PlantedCase kPlanted[] = {
    {"PowerLossOfEveryReplicaLosesAcknowledgedTransactions",
     "  - {at: 15s, power_loss: [kafka0, kafka1, kafka2], for: 10s}\n", "lost acknowledged", "acknowledged by an OSN"},
    {"BrokerRestartedWithinItsSessionHalts", "  - {at: 15s, crash: kafka1, for: 3s}\n", "convergence",
     "kafka1 (halted)"},
    {"OsnsCutFromTheBrokersForGoodStopOrdering", "  - {at: 15s, partition: [orderers, brokers]}\n", "probe",
     "after the recovery bound"},
};

// Names the case in test listings (gtest prints the bytes of a struct otherwise).
void PrintTo(const PlantedCase& c, std::ostream* os) { *os << c.name; }

class KafkaFaultScheduleChecks : public testing::TestWithParam<PlantedCase> {};

TEST_P(KafkaFaultScheduleChecks, FailOnAPlantedFault) {
  const PlantedCase& c = GetParam();
  const std::string generated = KafkaScenarioGenerator(1).generate().text;
  const std::string text = generated.substr(0, generated.find("faults:\n")) + "faults:\n" + c.faults;
  SCOPED_TRACE(text);
  const ScenarioSpec spec = load_or_fail(1, text);
  if (HasFailure()) return;
  auto run = run_with_end_state(spec);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  const Findings f = check_run(spec, *run);
  const std::vector<std::string>& found = f.at(c.check);
  EXPECT_TRUE(std::any_of(found.begin(), found.end(), [&](const std::string& l) { return l.find(c.finding) != std::string::npos; }))
      << c.check << " does not report '" << c.finding << "':" << joined(found);
}

INSTANTIATE_TEST_SUITE_P(KafkaRandomFaults, KafkaFaultScheduleChecks, testing::ValuesIn(kPlanted),
                         [](const testing::TestParamInfo<PlantedCase>& info) { return std::string(info.param.name); });

std::string seed_name(const testing::TestParamInfo<uint64_t>& info) { return "seed" + std::to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(KafkaRandomFaults, KafkaFaultSchedules, testing::Range<uint64_t>(1, kSeedCount + 1), seed_name);

// The schedules hold what kafka_fault_schedule.h says they cover: over the seeds a normal
// build runs, each kind of fault (and each version, each OSN count) in several of them, so
// that a change to the generator cannot quietly crowd a kind out.
TEST(KafkaFaultScheduleGenerator, TheSeedsCoverEveryKindOfFault) {
  constexpr uint64_t kSeeds = 100;
  std::map<std::string, uint64_t> seeds_with;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed)
    for (const std::string& kind : KafkaScenarioGenerator(seed).generate().kinds) ++seeds_with[kind];
  const char* kKinds[] = {
      "kafka 1.0", "kafka 2.0", "2 osns", "3 osns",
      "zookeeper crash", "zookeeper power_loss", "zookeeper pause", "zookeeper isolated",
      "broker crash", "broker power_loss", "broker pause", "broker cut from zookeeper", "broker cut from brokers",
      "broker isolated", "lagging broker", "leader targeted", "controller targeted", "two replicas down",
      "osn crash", "osn power_loss", "osn pause", "every osn down", "osns cut from brokers",
      "fabric partition", "one-way partition", "peer crash", "peer pause", "client crash", "client pause",
      "fabric degrade", "total loss"};
  for (const char* kind : kKinds) EXPECT_GE(seeds_with[kind], 3u) << kind;
  EXPECT_EQ(seeds_with.size(), std::size(kKinds) + (seeds_with.contains("peer power_loss") ? 1 : 0) +
                                   (seeds_with.contains("client power_loss") ? 1 : 0))
      << "a kind the table does not name";
  EXPECT_GE(seeds_with["two replicas down"], 15u);
  EXPECT_GE(seeds_with["broker crash"] + seeds_with["broker power_loss"], 40u);
}

class KafkaFaultScheduleRuns : public testing::TestWithParam<uint64_t> {};

TEST_P(KafkaFaultScheduleRuns, SameSeedGivesTheSameTrace) {
  const uint64_t seed = GetParam();
  const GeneratedScenario g = KafkaScenarioGenerator(seed).generate();
  SCOPED_TRACE(reproduce(seed, g.text));
  EXPECT_EQ(KafkaScenarioGenerator(seed).generate().text, g.text) << "the generator itself is not deterministic";
  const ScenarioSpec spec = load_or_fail(seed, g.text);
  if (HasFailure()) return;
  random_schedule::expect_same_runs(spec);
}

INSTANTIATE_TEST_SUITE_P(KafkaRandomFaults, KafkaFaultScheduleRuns,
                         testing::Range<uint64_t>(1, kDeterminismSeedCount + 1), seed_name);

}  // namespace
}  // namespace fabsim::scenario
