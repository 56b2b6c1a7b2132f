// Randomized fault schedules, for the rule that crash faults and message loss never break
// safety (fabric-semantics.md; analysis/invariants.h): whatever nodes crash, pause, lose
// their links or their clocks, and whenever they do, the peers' ledgers agree, every VALID
// transaction satisfies its policy, no TxID is VALID twice, no node reports an error, and
// every requested transaction has exactly one outcome. And one liveness property the model
// guarantees: once every fault is undone, all peers converge on the orderer's chain.
//
// For each seed, ScenarioGenerator writes a scenario file (docs/scenario-format.md) from
// Rng::stream(seed, "random-faults") alone: 2 orgs x 2 peers, 1-2 clients per org, the solo
// orderer, a kvstore chaincode (put, get, read-modify-write, delete on 20-500 keys, uniform
// or zipf) under a random AND / OR / OutOf policy, HMAC signatures, random batch settings,
// a 3-5 s open-loop workload of 50-150 tps, and 1-6 faults at random times up to 3 s into
// the drain, each lasting 0.2-6 s: crash (restarted by `for` or by a `restart`, or never),
// pause (resumed likewise, or never), pause cut short by a crash, partition between random
// node sets (peers, the orderer, clients; two or three sets; sometimes one way; healed by
// `for`, by label, by `heal: all`, or never), degrade of random paths (added latency, loss
// up to total, bandwidth; restored or not) and clock offsets of up to 3 s either way. Node
// sets are written with the group names (`Org1.peers`, `orderers`, ...) where they fit, and
// the faults in random file order. The generator keeps the timeline valid for the loader
// (one crash or pause at a time per node, one degradation at a time per path, `heal: all`
// only when no other partition is active), so a text that does not load is a generator bug
// and fails the test with the text.
//
// Left out on purpose: faults outside the crash-stop / omission family — Byzantine nodes
// (the model's faults never alter a message) and duplicated messages (Fabric's gRPC streams
// never duplicate); lossy links for the whole run (a Deliver stream then stalls at every
// loss, see kDrainMs, so convergence would need a far longer drain); orderer clusters
// (solo only); more than one channel (the runner supports one).
//
// On failure the message holds the seed and the whole scenario: save it as a file and run
// `fabsim run FILE` (add --check-determinism, --trace) to reproduce it outside the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_runner.h"
#include "tests/sanitized_build.h"
#include "tests/scenarios/random_schedule.h"

namespace fabsim::scenario {
namespace {

using random_schedule::check_outcomes;
using random_schedule::Interval;
using random_schedule::joined;
using random_schedule::kvstore_mix;
using random_schedule::ms;
using random_schedule::random_policy;
using random_schedule::reproduce;

// Sanitizer builds (make test-asan) run each seed about four times slower: fewer seeds there.
constexpr bool kSanitized = testing_support::kSanitizedBuild;

constexpr uint64_t kSeedCount = kSanitized ? 30 : 100;
// Seeds whose run is repeated to compare the trace hashes.
constexpr uint64_t kDeterminismSeedCount = kSanitized ? 3 : 10;

// ---- the generator --------------------------------------------------------------------------

// All times in milliseconds of virtual time.
constexpr int64_t kForever = std::numeric_limits<int64_t>::max() / 2;  // room for the 1 ms gaps
constexpr int64_t kFaultLenMinMs = 200;
constexpr int64_t kFaultLenMaxMs = 6'000;
constexpr int64_t kFaultAfterDurationMaxMs = 3'000;  // faults start up to this far into the drain

// The drain, sized so that convergence is guaranteed by the model, not just likely. Every
// undone fault is undone by duration + 9 s (kFaultAfterDurationMaxMs + kFaultLenMaxMs).
// From then on:
//  * a peer's Deliver stream has no liveness signal: a peer that lost blocks (partition,
//    loss, an orderer crash or pause) re-opens its stream only when its watchdog
//    (PeerConfig::deliver_retry, 5 s) has seen no progress over a whole period, i.e. up to
//    two periods (10 s) later; then it fetches every missing block;
//  * a transaction still in flight reaches the orderer at the latest after a second
//    endorsement attempt (ClientConfig::endorsement_timeout 15 s, endorsement_attempts_max
//    2) and three broadcast attempts (broadcast_timeout 5 s, broadcast_attempts_max 3):
//    45 s, then the batch timeout (at most 1 s) cuts its block, which live streams carry
//    to every peer at once.
// So the last block is cut by duration + 55 s and every peer holds it a few milliseconds
// later; a 60 s drain leaves 5 s of margin. (2 s after the last undo would not do: the
// watchdog alone can take 10 s.) The idle drain costs little: only watchdog timers run.
constexpr int64_t kDrainMs = 60'000;

struct NodeInfo {
  std::string name;
  std::string org;  // empty for the orderer
  enum class Role { kPeer, kClient, kOrderer } role = Role::kPeer;
};

struct GeneratedScenario {
  std::string text;
  bool all_undone = true;  // every crash, pause, partition and degradation is undone
  int64_t last_undo_ms = 0;
  int64_t end_ms = 0;      // duration + drain
};

class ScenarioGenerator {
 public:
  explicit ScenarioGenerator(uint64_t seed) : seed_(seed), rng_(Rng::stream(seed, "random-faults")) {}

  GeneratedScenario generate() {
    const int clients1 = static_cast<int>(rng_.uniform_int(1, 2));
    const int clients2 = static_cast<int>(rng_.uniform_int(1, 2));
    add_org("Org1", clients1);
    add_org("Org2", clients2);
    nodes_.push_back({"orderer0", "", NodeInfo::Role::kOrderer});
    busy_.resize(nodes_.size());

    duration_ms_ = rng_.uniform_int(3, 5) * 1000;
    out_.end_ms = duration_ms_ + kDrainMs;
    std::string t = random_schedule::scenario_head("random-faults", "tests/scenarios/random_faults_test.cc", seed_,
                                                   duration_ms_, kDrainMs, clients1, clients2);
    t += "ordering: {batch_timeout: " + ms(rng_.uniform_int(100, 1000)) +
         ", batch_size: {max_message_count: " + std::to_string(rng_.uniform_int(10, 100)) + "}}\n";
    t += "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"" + random_policy(rng_) + "\"}\n";
    t += "crypto: {scheme: hmac}\n";
    t += workload();
    t += faults();
    t += "expect:\n  invariants: hold\n";
    out_.text = std::move(t);
    return out_;
  }

 private:
  void add_org(const std::string& org, int clients) {
    for (int i = 0; i < 2; ++i) nodes_.push_back({org + ".peer" + std::to_string(i), org, NodeInfo::Role::kPeer});
    for (int i = 0; i < clients; ++i)
      nodes_.push_back({org + ".client" + std::to_string(i), org, NodeInfo::Role::kClient});
  }

  std::string workload() {
    std::string w = "workload:\n  - chaincode: kv\n";
    w += "    rate: " + std::to_string(rng_.uniform_int(50, 150)) + "tps\n";
    const int64_t keys = rng_.uniform_int(20, 500);
    w += "    keys: {count: " + std::to_string(keys) +
         (rng_.bernoulli(0.5) ? ", distribution: zipf, theta: 0.9}\n" : "}\n");
    return w + kvstore_mix();
  }

  template <typename T>
  void shuffle(std::vector<T>& v) {
    random_schedule::shuffle(v, rng_);
  }

  // ---- node sets, written with the groups of docs/scenario-format.md where they fit ------

  std::vector<size_t> pick_nodes(size_t min, size_t max) {
    std::vector<size_t> all(nodes_.size());
    std::iota(all.begin(), all.end(), 0);
    shuffle(all);
    all.resize(static_cast<size_t>(rng_.uniform_int(static_cast<int64_t>(min), static_cast<int64_t>(max))));
    std::sort(all.begin(), all.end());
    return all;
  }

  // The set as YAML: one name or a flow list, using `peers`, `<Org>`, `<Org>.peers`,
  // `<Org>.clients` and `orderers` when the set holds the whole group (or not, at random).
  std::string set_text(const std::vector<size_t>& set) {
    std::vector<bool> in(nodes_.size(), false), covered(nodes_.size(), false);
    for (size_t n : set) in[n] = true;
    std::vector<std::string> names;
    auto group = [&](const std::string& name, auto&& member) {
      bool whole = true, any_left = false;
      for (size_t n = 0; n < nodes_.size(); ++n)
        if (member(nodes_[n])) {
          whole = whole && in[n];
          any_left = any_left || !covered[n];
        }
      if (!whole || !any_left || !rng_.bernoulli(0.5)) return;
      names.push_back(name);
      for (size_t n = 0; n < nodes_.size(); ++n)
        if (member(nodes_[n])) covered[n] = true;
    };
    using Role = NodeInfo::Role;
    group("peers", [](const NodeInfo& n) { return n.role == Role::kPeer; });
    for (const char* org : {"Org1", "Org2"}) {
      group(org, [&](const NodeInfo& n) { return n.org == org; });
      group(std::string(org) + ".peers", [&](const NodeInfo& n) { return n.org == org && n.role == Role::kPeer; });
      group(std::string(org) + ".clients", [&](const NodeInfo& n) { return n.org == org && n.role == Role::kClient; });
    }
    group("orderers", [](const NodeInfo& n) { return n.role == Role::kOrderer; });
    for (size_t n : set)
      if (!covered[n]) names.push_back(nodes_[n].name);
    if (names.size() == 1) return names.front();
    std::string s = "[";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s + "]";
  }

  // ---- faults -------------------------------------------------------------------------------

  // How a fault is undone: its `for`, a separate undo fault, or never.
  enum class Undo { kFor, kExplicit, kNever };

  Undo pick_undo(double never) {
    if (rng_.bernoulli(never)) return Undo::kNever;
    return rng_.bernoulli(0.5) ? Undo::kFor : Undo::kExplicit;
  }

  int64_t pick_start() { return rng_.uniform_int(0, duration_ms_ + kFaultAfterDurationMaxMs); }
  int64_t pick_length() { return rng_.uniform_int(kFaultLenMinMs, kFaultLenMaxMs); }

  void note_end(Undo undo, int64_t end) {
    if (undo == Undo::kNever) {
      out_.all_undone = false;
    } else {
      out_.last_undo_ms = std::max(out_.last_undo_ms, end);
    }
  }

  bool is_free(const std::vector<Interval>& busy, int64_t from, int64_t to) const {
    // A 1 ms gap on both sides, so two actions on one node never share an instant.
    return std::none_of(busy.begin(), busy.end(), [&](const Interval& i) { return i.overlaps(from - 1, to + 1); });
  }

  // One or two random nodes, reserved for [at, end) if none of them is crashed or paused
  // meanwhile: their set as the scenario writes it, or empty (nothing reserved).
  std::string reserve_nodes(int64_t at, int64_t end) {
    const std::vector<size_t> set = pick_nodes(1, 2);
    for (size_t n : set)
      if (!is_free(busy_[n], at, end)) return {};
    for (size_t n : set) busy_[n].push_back({at, end});
    return set_text(set);
  }

  // crash (or power loss) or pause of a node set no node of which is crashed or paused
  // meanwhile.
  bool node_fault(bool crash) {
    const int64_t at = pick_start(), len = pick_length();
    const Undo undo = pick_undo(crash ? 0.15 : 0.1);
    const int64_t end = undo == Undo::kNever ? kForever : at + len;
    const std::string what = reserve_nodes(at, end);
    if (what.empty()) return false;
    // A third of the crashes are power losses (every block and state update is synced, so
    // the ledgers must come through them as through a crash).
    const char* action = crash ? (rng_.bernoulli(1.0 / 3) ? "power_loss" : "crash") : "pause";
    const char* inverse = crash ? "restart" : "resume";
    switch (undo) {
      case Undo::kFor:
        add("{at: " + ms(at) + ", " + action + ": " + what + ", for: " + ms(len) + "}");
        break;
      case Undo::kExplicit:
        add("{at: " + ms(at) + ", " + action + ": " + what + "}");
        add("{at: " + ms(end) + ", " + inverse + ": " + what + "}");
        break;
      case Undo::kNever: add("{at: " + ms(at) + ", " + action + ": " + what + "}"); break;
    }
    note_end(undo, end);
    return true;
  }

  // A pause cut short by a crash: the crash clears the pause and drops the queued inputs;
  // the restart (if any) starts from durable storage.
  bool paused_then_crashed() {
    const int64_t at = pick_start(), len = pick_length();
    const int64_t crash_at = at + len / 2;
    const Undo undo = pick_undo(0.15);
    const int64_t end = undo == Undo::kNever ? kForever : at + len;
    const std::string what = reserve_nodes(at, end);
    if (what.empty()) return false;
    add("{at: " + ms(at) + ", pause: " + what + "}");
    const std::string crash = "{at: " + ms(crash_at) + ", crash: " + what;
    switch (undo) {
      case Undo::kFor: add(crash + ", for: " + ms(end - crash_at) + "}"); break;
      case Undo::kExplicit:
        add(crash + "}");
        add("{at: " + ms(end) + ", restart: " + what + "}");
        break;
      case Undo::kNever: add(crash + "}"); break;
    }
    note_end(undo, end);
    return true;
  }

  bool partition() {
    // Each node lands in set 0, set 1, (set 2) or in none; at least two sets non-empty.
    const size_t sets = rng_.bernoulli(0.2) ? 3 : 2;
    std::vector<std::vector<size_t>> groups(sets);
    for (size_t n = 0; n < nodes_.size(); ++n) {
      const uint64_t g = rng_.uniform_u64(sets + 1);
      if (g < sets) groups[g].push_back(n);
    }
    groups.erase(std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.empty(); }), groups.end());
    if (groups.size() < 2) return false;
    const int64_t at = pick_start(), len = pick_length();
    const Undo undo = pick_undo(0.15);
    const int64_t end = undo == Undo::kNever ? kForever : at + len;
    // `heal: all` ends every partition active then: there must be no other one, before or
    // after this one is made.
    if (std::any_of(heal_all_at_.begin(), heal_all_at_.end(), [&](int64_t h) { return at - 1 <= h && h <= end + 1; }))
      return false;
    const bool heal_all = undo == Undo::kExplicit && rng_.bernoulli(0.3) &&
                          std::none_of(partitions_.begin(), partitions_.end(),
                                       [&](const Interval& p) { return p.overlaps(end - 1, end + 2); });
    partitions_.push_back({at, end});
    if (heal_all) heal_all_at_.push_back(end);
    std::string p = "{at: " + ms(at) + ", partition: [";
    for (size_t g = 0; g < groups.size(); ++g) p += (g ? ", " : "") + set_text(groups[g]);
    p += "]";
    if (rng_.bernoulli(0.2)) p += ", one_way: true";
    const std::string label = "p" + std::to_string(++labels_);
    switch (undo) {
      case Undo::kFor: add(p + ", for: " + ms(len) + "}"); break;
      case Undo::kExplicit:
        add(p + ", label: " + label + "}");
        add("{at: " + ms(end) + ", heal: " + (heal_all ? std::string("all") : label) + "}");
        break;
      case Undo::kNever: add(p + "}"); break;
    }
    note_end(undo, end);
    return true;
  }

  bool degrade() {
    const std::vector<size_t> a = pick_nodes(1, 2), b = pick_nodes(1, 3);
    std::set<std::pair<size_t, size_t>> pairs;
    for (size_t x : a)
      for (size_t y : b)
        if (x != y) pairs.insert(std::minmax(x, y));
    if (pairs.empty()) return false;
    const int64_t at = pick_start(), len = pick_length();
    const Undo undo = pick_undo(0.15);
    const int64_t end = undo == Undo::kNever ? kForever : at + len;
    for (const auto& pr : pairs)
      if (!is_free(degraded_[pr], at, end)) return false;
    for (const auto& pr : pairs) degraded_[pr].push_back({at, end});
    const std::string between = "between: [" + set_text(a) + ", " + set_text(b) + "]";
    std::string d = "{" + between;
    static constexpr const char* kLoss[] = {"", "0.05", "0.3", "1"};  // "": none
    const std::string loss = kLoss[rng_.uniform_u64(4)];
    const int64_t latency = rng_.bernoulli(0.6) ? rng_.uniform_int(1, 300) : 0;
    const bool slow = rng_.bernoulli(0.3);
    if (latency > 0) d += ", latency: " + ms(latency);
    if (!loss.empty()) d += ", loss: " + loss;
    if (slow || (latency == 0 && loss.empty())) d += ", bandwidth_factor: 0.01";  // something must change
    d += "}";
    switch (undo) {
      case Undo::kFor: add("{at: " + ms(at) + ", degrade: " + d + ", for: " + ms(len) + "}"); break;
      case Undo::kExplicit:
        add("{at: " + ms(at) + ", degrade: " + d + "}");
        add("{at: " + ms(end) + ", restore: {" + between + "}}");
        break;
      case Undo::kNever: add("{at: " + ms(at) + ", degrade: " + d + "}"); break;
    }
    note_end(undo, end);
    return true;
  }

  bool clock_offset() {
    const int64_t at = pick_start();
    const int64_t offset = rng_.uniform_int(-3000, 3000);
    add("{at: " + ms(at) + ", clock_offset: {node: " + set_text(pick_nodes(1, 3)) + ", offset: " + ms(offset) +
                "}}");
    return true;
  }

  std::string faults() {
    const int64_t count = rng_.uniform_int(1, 6);
    for (int64_t i = 0; i < count; ++i) {
      // A draw that conflicts with the faults so far is drawn again (a bounded number of times).
      for (int attempt = 0; attempt < 20; ++attempt) {
        const uint64_t kind = rng_.uniform_u64(12);
        const bool made = kind < 3    ? node_fault(/*crash=*/true)
                          : kind < 5  ? node_fault(/*crash=*/false)
                          : kind < 6  ? paused_then_crashed()
                          : kind < 9  ? partition()
                          : kind < 11 ? degrade()
                                      : clock_offset();
        if (made) break;
      }
    }
    // File order is shuffled: the loader orders the timeline by time.
    shuffle(lines_);
    std::string f = "faults:\n";
    for (const auto& line : lines_) f += "  - " + line + "\n";
    return f;
  }

  void add(std::string line) { lines_.push_back(std::move(line)); }

  uint64_t seed_;
  Rng rng_;
  std::vector<NodeInfo> nodes_;
  int64_t duration_ms_ = 0;
  std::vector<std::vector<Interval>> busy_;                   // per node: crashed or paused
  std::map<std::pair<size_t, size_t>, std::vector<Interval>> degraded_;  // per path
  std::vector<Interval> partitions_;
  std::vector<int64_t> heal_all_at_;  // times of the `heal: all` faults
  int labels_ = 0;
  std::vector<std::string> lines_;  // the faults, in the order they were drawn
  GeneratedScenario out_;
};

// ---- running and checking -------------------------------------------------------------------

ScenarioSpec load_or_fail(uint64_t seed, const std::string& text) {
  return random_schedule::load_or_fail("random-faults-" + std::to_string(seed) + ".yaml", text);
}

// Once every fault is undone (and given the drain, see kDrainMs), all peers are up and at
// the same height, which holds exactly the blocks the orderer cut (RunReport::cuts counts a
// block whose cut event a crash lost under "unknown").
void check_convergence(const RunReport& r) {
  uint64_t cut = 0;
  for (const auto& [reason, c] : r.cuts) cut += c.blocks;
  EXPECT_TRUE(r.peers_down.empty());
  ASSERT_EQ(r.channels.at(0).peer_heights.size(), 4u);
  const uint64_t height = r.channels.at(0).peer_heights.begin()->second;
  EXPECT_EQ(height, cut + 1) << "the peers' height is not the orderer's blocks plus the genesis block";
  for (const auto& [peer, h] : r.channels.at(0).peer_heights)
    EXPECT_EQ(h, height) << peer << " is not at the height of " << r.channels.at(0).peer_heights.begin()->first;
}

class RandomCrashAndNetworkFaults : public testing::TestWithParam<uint64_t> {};

TEST_P(RandomCrashAndNetworkFaults, SafetyHoldsUnderAnySchedule) {
  const uint64_t seed = GetParam();
  const GeneratedScenario g = ScenarioGenerator(seed).generate();
  SCOPED_TRACE(reproduce(seed, g.text));
  const ScenarioSpec spec = load_or_fail(seed, g.text);
  if (HasFailure()) return;
  auto run = run_scenario(spec);
  ASSERT_TRUE(run.is_ok()) << run.status().message();
  const RunReport& r = *run;
  EXPECT_TRUE(r.invariants.hold()) << "safety violations:" << joined(r.invariants.violations);
  EXPECT_TRUE(r.node_errors.empty()) << "node errors:" << joined(r.node_errors);
  EXPECT_TRUE(r.fault_errors.empty()) << "faults the loader accepted but the run could not apply:"
                                      << joined(r.fault_errors);
  EXPECT_EQ(r.peers_checked.size(), 4u) << "every peer's ledger is checked, up or down";
  EXPECT_GT(r.invariants.heights_compared, 0u);
  check_outcomes(spec, r);
  // The one liveness property of this test (a fault never undone may stall a peer for good).
  if (g.all_undone) {
    SCOPED_TRACE("every fault is undone by " + ms(g.last_undo_ms) + " (the run ends at " + ms(g.end_ms) + ")");
    check_convergence(r);
  }
}

std::string seed_name(const testing::TestParamInfo<uint64_t>& info) { return "seed" + std::to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(RandomFaults, RandomCrashAndNetworkFaults, testing::Range<uint64_t>(1, kSeedCount + 1),
                         seed_name);

class RandomFaultSchedules : public testing::TestWithParam<uint64_t> {};

TEST_P(RandomFaultSchedules, SameSeedGivesTheSameTrace) {
  const uint64_t seed = GetParam();
  const GeneratedScenario g = ScenarioGenerator(seed).generate();
  SCOPED_TRACE(reproduce(seed, g.text));
  EXPECT_EQ(ScenarioGenerator(seed).generate().text, g.text) << "the generator itself is not deterministic";
  const ScenarioSpec spec = load_or_fail(seed, g.text);
  if (HasFailure()) return;
  random_schedule::expect_same_runs(spec);
}

INSTANTIATE_TEST_SUITE_P(RandomFaults, RandomFaultSchedules, testing::Range<uint64_t>(1, kDeterminismSeedCount + 1),
                         seed_name);

}  // namespace
}  // namespace fabsim::scenario
