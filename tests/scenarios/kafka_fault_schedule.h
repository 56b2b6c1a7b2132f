// The fault schedules of tests/scenarios/kafka_random_faults_test.cc: KafkaScenarioGenerator
// writes a scenario file (docs/scenario-format.md) from Rng::stream(seed,
// "kafka-random-faults") alone, for Kafka ordering under Fabric's recommended settings (3
// ZooKeeper nodes, 4 brokers, replication factor 3, min.insync.replicas 2, unclean leader
// election off, acks all; docs/kafka.md): 2 orgs x 2 peers, 1-2 clients per org, 2-3 OSNs,
// Kafka `1.0` or `2.0`, HMAC, a kvstore chaincode (put, get, read-modify-write, delete)
// under a random AND / OR / OutOf policy, random batch settings, an open-loop workload of
// 20-50 tps from 8 s (the cluster is ready at about 6 s) to the fault horizon F (35-50 s),
// then, after kRecoveryMs, a probe of put-only transactions. The faults, all undone by F:
//   * ZooKeeper (0-2): a crash or power loss, a pause, or an isolation (from the other
//     ZooKeeper nodes, or from them and the brokers) of one node;
//   * brokers (1-3): a crash or power loss (3 draws in 8; restarted by `for` or by a
//     `restart`), a pause, a cut from the ZooKeeper nodes only (session expiry, zombie
//     leader), a cut from the other brokers, a full isolation, or a lagging follower (the
//     broker's paths to the other brokers degraded: latency, loss, bandwidth) — of a named
//     broker, of the partition's leader `kafka-leader(mychannel)` or of the controller
//     `kafka-controller()`;
//   * in a quarter of the seeds, two of the partition's three replicas crashed together for
//     10-16 s (ordering must stop — NOT_ENOUGH_REPLICAS, or no leader — and lose nothing);
//   * the Fabric side (1-4): OSN crashes, power losses and pauses (one or several OSNs, all
//     of them too), OSNs cut from the brokers, partitions between random sets of peers,
//     clients and OSNs (sometimes one way), peer and client crashes and pauses, degraded
//     paths between them.
// The kinds are drawn in random order, each placed around those drawn before it; the lines
// are written in random file order, undone by `for` or by an explicit `restart`, `resume`,
// `heal: <label>` or `restore` (role targets always by `for`, whose undo hits the node the
// fault hit: a `restart: kafka-leader(...)` would name another broker).
//
// What the recommended settings promise, and so what the generator keeps to:
//   * at most one broker crashed, paused, cut off or lagging at a time (one replica out of
//     the ISR leaves min.insync.replicas), apart from the two-replica episodes; and
//     kBrokerGapMs between broker faults, so that the last one's broker is back in the ISR
//     (and a leader and a controller are elected, for the role targets) before the next;
//   * at most one ZooKeeper node out at a time (a quorum of the three), kZkGapMs apart;
//   * power_loss of one broker at a time, never of several: Kafka does not fsync by default
//     and takes durability from replication, so losing power on every replica at once may
//     lose acknowledged records by design (KIP-101's double power loss; a whole-cluster
//     power loss fails this test's acknowledged-transaction check, as it should);
//   * a crashed broker restarts only after its old ZooKeeper session expired: Kafka 0.10-2.1
//     abort startup when their /brokers/ids node still exists (the model halts the broker,
//     docs/kafka.md "Brokers"); operators wait out zookeeper.session.timeout.ms. The session
//     expires at most kSessionExpiryMaxMs after the crash while ZooKeeper keeps its leader;
//     but a new ZooKeeper leader restarts every session's clock (seen: a ZooKeeper leader
//     crashed at 15 s, a broker crashed at 16 s: its session expired only at 26 s), so no
//     ZooKeeper fault begins or ends within kZkSettleMs before a broker's restart;
//   * the two-replica episodes are crashes only, with no other broker fault near them.
// Left out: faults outside the crash-stop / omission family (as random_faults_test.cc);
// clock offsets (the Kafka and ZooKeeper timers measure elapsed virtual time, and the
// Fabric side has them in random_faults_test.cc); `heal: all` and faults never undone
// (this test is about recovery); power loss of two or more brokers; the settings that the
// shipped scenarios show losing data (acks 1, unclean election, Kafka 0.10); more than one
// channel. The broker that hosts no replica (kafka3) is faulted by name and as controller.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "tests/scenarios/random_schedule.h"

namespace fabsim::scenario::kafka_schedule {

using random_schedule::Interval;
using random_schedule::kvstore_mix;
using random_schedule::ms;
using random_schedule::random_policy;

// ---- the generator's bounds (milliseconds of virtual time) -------------------------------------

inline constexpr int64_t kWorkloadStartMs = 8'000;  // the OSNs are ready at about 6 s
inline constexpr int64_t kFaultsFromMs = 10'000;
inline constexpr int64_t kHorizonMinMs = 35'000;    // F: every fault is undone by then
inline constexpr int64_t kHorizonMaxMs = 50'000;
// A broker's ZooKeeper session (zookeeper.session.timeout.ms 6 s) expires at the first tick
// (2 s) boundary after its last touch + the timeout: at most 8 s after the crash.
inline constexpr int64_t kSessionExpiryMaxMs = 8'000;
inline constexpr int64_t kBrokerDownMinMs = kSessionExpiryMaxMs + 2'000;
// A ZooKeeper fault may elect a new ZooKeeper leader: followers notice a lost leader after
// syncLimit (2 ticks, 4 s), a leader is established within initLimit (5 ticks, 10 s); then
// every session's clock restarts (up to 8 s more). 4 + 10 + 8 = 22 s, rounded up.
inline constexpr int64_t kZkSettleMs = 24'000;
inline constexpr int64_t kBrokerGapMs = 5'000;  // between two broker faults
inline constexpr int64_t kZkGapMs = 8'000;      // between two ZooKeeper faults (a restarted node syncs)

// Ordering recovers within kRecoveryMs of the last undo (at F at the latest):
//  * brokers: a restarted broker registers at once (its old session has expired, above) and
//    the controller sends it UpdateMetadata and LeaderAndIsr on fresh channels; a broker that
//    was cut off while staying registered gets a controller request it missed again after
//    request.timeout.ms (30 s); followers then fetch (500 ms long polls) and rejoin the ISR;
//  * OSNs: a produce request lost to a failed leader times out after the network timeout
//    (10 s) and is retried on fresh metadata; a consumer retries every 2 s; a chain that is
//    not ready retries its CONNECT every Retry.ShortInterval (5 s).
// 30 + 10 + 5 = 45 s. Then the probe: put-only transactions (blind writes, never an MVCC
// conflict) for kProbeMs, each of which must commit VALID.
inline constexpr int64_t kRecoveryMs = 45'000;
inline constexpr int64_t kProbeMs = 5'000;
inline constexpr int64_t kProbeRateTps = 10;
// The drain after the probe. A transaction of the main workload (requested by F) has an
// outcome by its client's own timers: endorsement 2 x 15 s, broadcast 3 x 5 s, commit wait
// 60 s after the acknowledgement, i.e. by F + 105 s; the run ends at F + 45 + 5 + 60 s =
// F + 110 s. Its block, if any, is cut sooner: the last broadcast reaches an OSN by F + 40 s,
// its produce (with one retry after a 10 s timeout) is appended by F + 51 s, the TIMETOCUT
// follows within the batch timeout (at most 1 s), and a peer whose Deliver stream broke
// re-opens it within two deliver_retry periods (10 s): every peer holds every block by
// about F + 62 s, well before the end.
inline constexpr int64_t kDrainMs = 60'000;

inline constexpr const char* kChannel = "mychannel";
inline constexpr const char* kLeader = "\"kafka-leader(mychannel)\"";
inline constexpr const char* kController = "\"kafka-controller()\"";
inline const std::vector<std::string> kZooKeepers = {"zookeeper0", "zookeeper1", "zookeeper2"};
inline const std::vector<std::string> kBrokers = {"kafka0", "kafka1", "kafka2", "kafka3"};
inline const std::vector<std::string> kReplicas = {"kafka0", "kafka1", "kafka2"};  // the channel's partition: brokers 1-3

// The periods a resource (a node, a path, "some broker", "some ZooKeeper node") is taken,
// kept `gap` apart.
class Occupancy {
 public:
  explicit Occupancy(int64_t gap = 1) : gap_(gap) {}
  bool free(int64_t from, int64_t to) const {
    return std::none_of(taken_.begin(), taken_.end(), [&](const Interval& i) { return i.overlaps(from - gap_, to + gap_); });
  }
  void take(int64_t from, int64_t to) { taken_.push_back({from, to}); }

 private:
  int64_t gap_;
  std::vector<Interval> taken_;
};

struct GeneratedScenario {
  std::string text;
  int64_t horizon_ms = 0;  // F
  // What the schedule holds, by kind ("broker power_loss", "leader targeted", "kafka 2.0",
  // ...): for the test that the seeds cover every kind.
  std::set<std::string> kinds;
};

// One name, or a flow list.
inline std::string list_text(const std::vector<std::string>& names) {
  if (names.size() == 1) return names.front();
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s + "]";
}

inline std::vector<std::string> without(const std::vector<std::string>& all, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& n : all)
    if (n != name) out.push_back(n);
  return out;
}

class KafkaScenarioGenerator {
 public:
  explicit KafkaScenarioGenerator(uint64_t seed) : seed_(seed), rng_(Rng::stream(seed, "kafka-random-faults")) {}

  GeneratedScenario generate() {
    const int clients1 = static_cast<int>(rng_.uniform_int(1, 2));
    const int clients2 = static_cast<int>(rng_.uniform_int(1, 2));
    for (const char* org : {"Org1", "Org2"})
      for (int i = 0; i < 2; ++i) peers_.push_back(std::string(org) + ".peer" + std::to_string(i));
    for (int i = 0; i < clients1; ++i) clients_.push_back("Org1.client" + std::to_string(i));
    for (int i = 0; i < clients2; ++i) clients_.push_back("Org2.client" + std::to_string(i));
    const int osns = static_cast<int>(rng_.uniform_int(2, 3));
    for (int i = 0; i < osns; ++i) osns_.push_back("orderer" + std::to_string(i));
    const char* version = rng_.bernoulli(0.5) ? "1.0" : "2.0";
    note(std::string("kafka ") + version);
    note(std::to_string(osns) + " osns");

    out_.horizon_ms = rng_.uniform_int(kHorizonMinMs / 1000, kHorizonMaxMs / 1000) * 1000;
    const int64_t duration = out_.horizon_ms + kRecoveryMs + kProbeMs;
    std::string t = random_schedule::scenario_head("kafka-random-faults", "tests/scenarios/kafka_random_faults_test.cc",
                                                   seed_, duration, kDrainMs, clients1, clients2);
    t += "ordering: {type: kafka, orderers: " + std::to_string(osns) + ", batch_timeout: " +
         ms(rng_.uniform_int(200, 1000)) + ", batch_size: {max_message_count: " + std::to_string(rng_.uniform_int(10, 100)) +
         "}}\n";
    t += std::string("kafka: {version: \"") + version +
         "\", brokers: 4, zookeepers: 3, replication_factor: 3, min_insync_replicas: 2, "
         "unclean_leader_election: false, acks: all}\n";
    t += "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"" + random_policy(rng_) + "\"}\n";
    t += "crypto: {scheme: hmac}\n";
    t += workload(duration);
    // The kinds of fault, drawn in random order: each is placed around those drawn before it.
    enum class Kind { kZooKeeper, kTwoReplicas, kBroker, kFabric };
    // (The two-replica episode first: it needs the most room.)
    std::vector<Kind> kinds;
    kinds.insert(kinds.end(), static_cast<size_t>(rng_.uniform_int(0, 2)), Kind::kZooKeeper);
    kinds.insert(kinds.end(), static_cast<size_t>(rng_.uniform_int(1, 3)), Kind::kBroker);
    kinds.insert(kinds.end(), static_cast<size_t>(rng_.uniform_int(1, 4)), Kind::kFabric);
    shuffle(kinds);
    if (rng_.bernoulli(0.25)) kinds.insert(kinds.begin(), Kind::kTwoReplicas);
    for (Kind k : kinds) {
      // The variant once; a placement that conflicts with the faults so far is drawn again,
      // a bounded number of times (so long faults are not crowded out by short ones).
      const int64_t broker_kind = std::max<int64_t>(0, rng_.uniform_int(-2, 5));  // crashes: 3 in 8
      const int64_t fabric_kind = rng_.uniform_int(0, 5);
      for (int i = 0; i < 20; ++i) {
        const bool made = k == Kind::kZooKeeper    ? zookeeper_fault()
                          : k == Kind::kTwoReplicas ? two_replicas_down()
                          : k == Kind::kBroker      ? broker_fault(broker_kind)
                                                    : fabric_fault(fabric_kind);
        if (made) break;
      }
    }
    // File order is shuffled: the loader orders the timeline by time.
    shuffle(lines_);
    t += "faults:\n";
    for (const auto& line : lines_) t += "  - " + line + "\n";
    t += "expect:\n  invariants: hold\n";
    out_.text = std::move(t);
    return out_;
  }

 private:
  // Generator 0: the load through the faults. Generator 1: the probe after the recovery bound.
  std::string workload(int64_t duration) {
    std::string w = "workload:\n  - chaincode: kv\n";
    w += "    start: " + ms(kWorkloadStartMs) + "\n    end: " + ms(out_.horizon_ms) + "\n";
    w += "    rate: " + std::to_string(rng_.uniform_int(20, 50)) + "tps\n";
    w += "    keys: {count: " + std::to_string(rng_.uniform_int(20, 500)) +
         (rng_.bernoulli(0.5) ? ", distribution: zipf, theta: 0.9}\n" : "}\n");
    w += kvstore_mix();
    w += "  - chaincode: kv\n";
    w += "    start: " + ms(duration - kProbeMs) + "\n    end: " + ms(duration) + "\n";
    w += "    rate: " + std::to_string(kProbeRateTps) + "tps\n    arrival: fixed\n";
    w += "    keys: {count: 1000, distribution: sequential}\n";
    w += "    mix:\n      - {function: put, weight: 1, args: [\"probe{key}\", \"{seq}\"]}\n";
    return w;
  }

  template <typename T>
  void shuffle(std::vector<T>& v) {
    random_schedule::shuffle(v, rng_);
  }

  // A fault of length in [min, max] that starts at kFaultsFromMs or later and ends by F:
  // {at, end}, or nullopt when the length does not fit.
  std::optional<Interval> window(int64_t min_len, int64_t max_len) {
    const int64_t len = rng_.uniform_int(min_len, max_len);
    if (kFaultsFromMs + len > out_.horizon_ms) return std::nullopt;
    const int64_t at = rng_.uniform_int(kFaultsFromMs, out_.horizon_ms - len);
    return Interval{at, at + len};
  }

  std::string pick(const std::vector<std::string>& from) { return from[rng_.uniform_u64(from.size())]; }

  // A non-empty random subset, in the given order.
  std::vector<std::string> subset(const std::vector<std::string>& from) {
    for (;;) {
      std::vector<std::string> out;
      for (const auto& n : from)
        if (rng_.bernoulli(0.5)) out.push_back(n);
      if (!out.empty()) return out;
    }
  }

  // ---- writing faults -------------------------------------------------------------------------

  // crash, power_loss or pause of `what` over w, undone by `for` or (for named nodes) by an
  // explicit restart / resume.
  void node_fault(const std::string& action, const std::string& what, Interval w) {
    const bool role = what.front() == '"';
    const std::string head = "{at: " + ms(w.from) + ", " + action + ": " + what;
    if (role || rng_.bernoulli(0.5)) {
      add(head + ", for: " + ms(w.to - w.from) + "}");
    } else {
      add(head + "}");
      add("{at: " + ms(w.to) + ", " + (action == "pause" ? "resume" : "restart") + ": " + what + "}");
    }
  }

  void partition(const std::vector<std::string>& sets, Interval w) {
    std::string p = "{at: " + ms(w.from) + ", partition: [";
    for (size_t i = 0; i < sets.size(); ++i) p += (i ? ", " : "") + sets[i];
    p += "]";
    if (rng_.bernoulli(0.2)) {
      p += ", one_way: true";
      note("one-way partition");
    }
    if (rng_.bernoulli(0.5)) {
      add(p + ", for: " + ms(w.to - w.from) + "}");
    } else {
      const std::string label = "p" + std::to_string(++labels_);
      add(p + ", label: " + label + "}");
      add("{at: " + ms(w.to) + ", heal: " + label + "}");
    }
  }

  // Degrades every path between a and b over w, if none of them is degraded meanwhile.
  bool degrade(const std::vector<std::string>& a, const std::vector<std::string>& b, Interval w) {
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& x : a)
      for (const auto& y : b)
        if (x != y) pairs.insert(std::minmax(x, y));
    if (pairs.empty()) return false;
    for (const auto& pr : pairs)
      if (!degraded_[pr].free(w.from, w.to)) return false;
    for (const auto& pr : pairs) degraded_[pr].take(w.from, w.to);
    const std::string between = "between: [" + list_text(a) + ", " + list_text(b) + "]";
    std::string d = "{" + between;
    const int64_t latency = rng_.bernoulli(0.7) ? rng_.uniform_int(20, 400) : 0;
    static constexpr const char* kLoss[] = {"0.05", "0.3", "1"};
    const bool loss = rng_.bernoulli(0.4);
    const bool slow = rng_.bernoulli(0.4);
    if (latency > 0) d += ", latency: " + ms(latency);
    if (loss) d += std::string(", loss: ") + kLoss[rng_.uniform_u64(3)];
    if (d.ends_with("loss: 1")) note("total loss");
    if (slow || (latency == 0 && !loss)) d += rng_.bernoulli(0.5) ? ", bandwidth_factor: 0.01" : ", bandwidth_factor: 0.001";
    d += "}";
    if (rng_.bernoulli(0.5)) {
      add("{at: " + ms(w.from) + ", degrade: " + d + ", for: " + ms(w.to - w.from) + "}");
    } else {
      add("{at: " + ms(w.from) + ", degrade: " + d + "}");
      add("{at: " + ms(w.to) + ", restore: {" + between + "}}");
    }
    return true;
  }

  // crash (a third of them power_loss) or pause.
  std::string crash_action() { return rng_.bernoulli(1.0 / 3) ? "power_loss" : "crash"; }

  // ---- ZooKeeper --------------------------------------------------------------------------------

  bool zookeeper_fault() {
    const auto w = window(2'000, 12'000);
    if (!w || !zk_.free(w->from, w->to) || !zk_event_allowed(w->from) || !zk_event_allowed(w->to)) return false;
    const std::string z = pick(kZooKeepers);
    switch (rng_.uniform_int(0, 2)) {
      case 0: {
        const std::string action = crash_action();
        node_fault(action, z, *w);
        note("zookeeper " + action);
        break;
      }
      case 1:
        node_fault("pause", z, *w);
        note("zookeeper pause");
        break;
      default: {
        std::vector<std::string> rest = without(kZooKeepers, z);
        if (rng_.bernoulli(0.5)) rest.push_back("brokers");
        partition({z, list_text(rest)}, *w);
        note("zookeeper isolated");
        break;
      }
    }
    zk_.take(w->from, w->to);
    zk_events_.push_back(w->from);
    zk_events_.push_back(w->to);
    return true;
  }

  // ---- brokers ----------------------------------------------------------------------------------

  // The rule of the header: no ZooKeeper fault begins or ends within kZkSettleMs before a
  // broker's restart (at the restart's instant included).
  static bool settles_before(int64_t zk_event, int64_t restart) {
    return zk_event <= restart - kZkSettleMs || zk_event > restart;
  }
  bool zk_event_allowed(int64_t e) const {
    return std::all_of(restarts_.begin(), restarts_.end(), [e](int64_t r) { return settles_before(e, r); });
  }

  // The restart of a broker crashed at `from`, at `end` or later: kBrokerDownMinMs after the
  // crash and settled after every ZooKeeper fault so far.
  int64_t restart_after(int64_t from, int64_t end) const {
    end = std::max(end, from + kBrokerDownMinMs);
    for (bool moved = true; moved;) {
      moved = false;
      for (int64_t e : zk_events_)
        if (!settles_before(e, end)) {
          end = e + kZkSettleMs;
          moved = true;
        }
    }
    return end;
  }

  // Crashes or powers off `what` over w (w.to a restart_after), noting the restart.
  void broker_crash(const std::string& action, const std::string& what, Interval w) {
    node_fault(action, what, w);
    restarts_.push_back(w.to);
    note("broker " + action);
  }

  // A named broker (two draws in three), the partition's leader or the controller.
  std::string broker_target() {
    const int64_t k = rng_.uniform_int(0, 5);
    if (k == 0) {
      note("leader targeted");
      return kLeader;
    }
    if (k == 1) {
      note("controller targeted");
      return kController;
    }
    return pick(kBrokers);
  }

  // kind: 0 crash or power loss, 1 pause, 2 cut from ZooKeeper, 3 cut from the brokers, 4
  // isolated, 5 lagging.
  bool broker_fault(int64_t kind) {
    std::optional<Interval> w = kind == 0 ? window(kBrokerDownMinMs, 16'000) : window(2'000, 15'000);
    if (!w) return false;
    if (kind == 0) {
      w->to = restart_after(w->from, w->to);
      if (w->to > out_.horizon_ms) return false;
    }
    if (!brokers_.free(w->from, w->to)) return false;
    switch (kind) {
      case 0: broker_crash(rng_.bernoulli(0.5) ? "power_loss" : "crash", broker_target(), *w); break;
      case 1:
        node_fault("pause", broker_target(), *w);
        note("broker pause");
        break;
      case 2:  // from ZooKeeper only
        partition({broker_target(), "zookeepers"}, *w);
        note("broker cut from zookeeper");
        break;
      case 3: {  // from the other brokers only
        const std::string b = pick(kBrokers);
        partition({b, list_text(without(kBrokers, b))}, *w);
        note("broker cut from brokers");
        break;
      }
      case 4: {  // isolated from everything it talks to but the peers and clients (it never talks to them)
        const std::string b = broker_target();
        std::vector<std::string> rest = b.front() == '"' ? std::vector<std::string>{} : without(kBrokers, b);
        rest.push_back("zookeepers");
        rest.push_back("orderers");
        partition({b, list_text(rest)}, *w);
        note("broker isolated");
        break;
      }
      default: {  // a lagging follower (or leader): its paths to the other brokers degraded
        const std::string b = pick(kBrokers);
        if (!degrade({b}, without(kBrokers, b), *w)) return false;
        note("lagging broker");
        break;
      }
    }
    brokers_.take(w->from, w->to);
    return true;
  }

  // Two of the partition's replicas crash, the second up to 6 s after the first; each stays
  // down 10-16 s (and settled after the ZooKeeper faults). No other broker fault comes near.
  bool two_replicas_down() {
    if (out_.horizon_ms - kFaultsFromMs < 2 * kBrokerDownMinMs) return false;
    const int64_t first = rng_.uniform_int(kFaultsFromMs, out_.horizon_ms - 2 * kBrokerDownMinMs);
    const int64_t second = first + rng_.uniform_int(0, 6'000);
    const int64_t first_end = restart_after(first, first + rng_.uniform_int(kBrokerDownMinMs, 16'000));
    const int64_t second_end = restart_after(second, second + rng_.uniform_int(kBrokerDownMinMs, 16'000));
    const int64_t end = std::max(first_end, second_end);
    if (end > out_.horizon_ms || !brokers_.free(first, end)) return false;
    std::vector<std::string> r = kReplicas;
    const std::string a = r[rng_.uniform_u64(3)];
    r = without(r, a);
    const std::string b = r[rng_.uniform_u64(2)];
    broker_crash("crash", a, {first, first_end});
    broker_crash("crash", b, {second, second_end});
    brokers_.take(first, end);
    note("two replicas down");
    return true;
  }

  // ---- the Fabric side: OSNs, peers, clients --------------------------------------------------

  // The nodes, if none of them is crashed or paused during w (then reserved).
  bool reserve(const std::vector<std::string>& nodes, Interval w) {
    for (const auto& n : nodes)
      if (!busy_[n].free(w.from, w.to)) return false;
    for (const auto& n : nodes) busy_[n].take(w.from, w.to);
    return true;
  }

  std::string set_text(const std::vector<std::string>& nodes) {
    if (nodes == osns_ && rng_.bernoulli(0.5)) return "orderers";
    return list_text(nodes);
  }

  bool fabric_fault(int64_t kind) {
    switch (kind) {
      case 0: {  // OSNs crash or lose power (orderers sync every block)
        const auto w = window(1'000, 10'000);
        const std::vector<std::string> o = subset(osns_);
        if (!w || !reserve(o, *w)) return false;
        const std::string action = crash_action();
        node_fault(action, set_text(o), *w);
        note("osn " + action);
        if (o == osns_) note("every osn down");
        return true;
      }
      case 1: {  // OSNs pause
        const auto w = window(1'000, 8'000);
        const std::vector<std::string> o = subset(osns_);
        if (!w || !reserve(o, *w)) return false;
        node_fault("pause", set_text(o), *w);
        note("osn pause");
        return true;
      }
      case 2: {  // OSNs cut from the brokers
        const auto w = window(1'000, 10'000);
        if (!w) return false;
        partition({set_text(subset(osns_)), "brokers"}, *w);
        note("osns cut from brokers");
        return true;
      }
      case 3: {  // a partition between random sets of peers, clients and OSNs
        std::vector<std::string> all = peers_;
        all.insert(all.end(), clients_.begin(), clients_.end());
        all.insert(all.end(), osns_.begin(), osns_.end());
        const size_t count = rng_.bernoulli(0.2) ? 3 : 2;
        std::vector<std::vector<std::string>> sets(count);
        for (const auto& n : all)
          if (const uint64_t g = rng_.uniform_u64(count + 1); g < count) sets[g].push_back(n);
        std::vector<std::string> texts;
        for (const auto& s : sets)
          if (!s.empty()) texts.push_back(set_text(s));
        const auto w = window(1'000, 10'000);
        if (texts.size() < 2 || !w) return false;
        partition(texts, *w);
        note("fabric partition");
        return true;
      }
      case 4: {  // a peer or a client crashes or pauses
        const auto w = window(1'000, 8'000);
        const std::string n = rng_.bernoulli(0.6) ? pick(peers_) : pick(clients_);
        if (!w || !reserve({n}, *w)) return false;
        const std::string action = rng_.bernoulli(0.5) ? crash_action() : "pause";
        node_fault(action, n, *w);
        note((n.find("peer") != std::string::npos ? "peer " : "client ") + action);
        return true;
      }
      default: {  // degraded paths between peers, clients and OSNs
        const auto w = window(1'000, 10'000);
        std::vector<std::string> fabric = peers_;
        fabric.insert(fabric.end(), osns_.begin(), osns_.end());
        const std::vector<std::string> a = {pick(fabric)};
        std::vector<std::string> b = subset(rng_.bernoulli(0.5) ? osns_ : peers_);
        if (!w || !degrade(a, b, *w)) return false;
        note("fabric degrade");
        return true;
      }
    }
  }

  void add(std::string line) { lines_.push_back(std::move(line)); }
  void note(std::string kind) { out_.kinds.insert(std::move(kind)); }

  uint64_t seed_;
  Rng rng_;
  std::vector<std::string> peers_, clients_, osns_;
  Occupancy brokers_{kBrokerGapMs};  // some broker faulted
  Occupancy zk_{kZkGapMs};           // some ZooKeeper node faulted
  std::vector<int64_t> zk_events_;   // when ZooKeeper faults begin and end
  std::vector<int64_t> restarts_;    // when crashed brokers restart
  std::map<std::string, Occupancy> busy_;                                 // per OSN, peer, client: crashed or paused
  std::map<std::pair<std::string, std::string>, Occupancy> degraded_;   // per path
  int labels_ = 0;
  std::vector<std::string> lines_;  // the faults, in the order they were drawn
  GeneratedScenario out_;
};


}  // namespace fabsim::scenario::kafka_schedule
