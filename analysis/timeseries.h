// A run's time series: what happened per window of virtual time (issue 11, item 2), and the
// fault periods with their effect on throughput. The runner (scenarios/scenario_runner.h)
// fills it; the reports (results.json, timeseries.csv, report.html, the text timeline)
// read it. docs/formats.md describes every series.
//
// Windows: [k·window, (k+1)·window) for k = 0 .. size()-1, covering the run up to its end
// (duration + drain); the last window may be cut short by the end, and its rates and
// utilisations are over the part that exists. A quantity "at the window's end" is sampled at
// min((k+1)·window, end).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace fabsim {

struct TimeSeries {
  Duration window = Duration::seconds(1);
  std::vector<Time> start;  // each window's start
  std::vector<Duration> length;  // each window's length (the last may be shorter)
  // Transactions, by the window they end in (request for send rate).
  std::vector<double> throughput_tps;  // VALID commits per second
  std::vector<double> send_rate_tps;   // requests per second
  std::vector<std::optional<Duration>> latency_p50, latency_p95, latency_p99;  // VALID, request to commit
  // Client failures by reason, and committed-invalid transactions by code name.
  std::map<std::string, std::vector<uint64_t>> failures;
  // Channel -> peer -> ledger height at the window's end (as the peers' commit events tell).
  std::map<std::string, std::map<std::string, std::vector<uint64_t>>> peer_heights;
  // Node -> busy core-time / (cores × window length), in [0, 1].
  std::map<std::string, std::vector<double>> cpu_utilisation;
  // "<node>/<lane>" -> inputs waiting on the lane at the window's end.
  std::map<std::string, std::vector<uint64_t>> queue_length;
  // Node -> the disk's busy time / window length.
  std::map<std::string, std::vector<double>> disk_utilisation;
  // "<a>-><b>" (one direction of a link) -> serialization time / window length.
  std::map<std::string, std::vector<double>> link_utilisation;

  size_t size() const { return start.size(); }
};

// Busy time per window for a set of resources (the cores of a node, a disk, a link
// direction): intervals are split at window boundaries.
class BusyWindows {
 public:
  BusyWindows(Duration window, Time end, size_t resources);
  void add(size_t resource, Time from, Time to);
  // Busy time / (capacity × the window's length), per window.
  std::vector<double> utilisation(size_t resource, double capacity) const;
  // Whether the resource was busy at all.
  bool any(size_t resource) const;

 private:
  Duration window_;
  Time end_;
  size_t windows_;
  std::vector<std::vector<int64_t>> busy_ns_;  // [resource][window]
};

// The windows of a run that ends at `end` (at least one).
size_t window_count(Duration window, Time end);

// A fault as it happened: from when it fired to when it was undone (its `for`, or a later
// fault that undoes it: restart, resume, heal, restore); no end when it lasted to the end of
// the run or is a moment (a clock offset).
struct FaultPeriod {
  Time at;
  std::optional<Time> end;
  std::string action;                // "crash", "partition", ...
  std::vector<std::string> targets;  // the nodes it hit (roles resolved), or the groups' text
  std::string text;                  // "crash peer0.org1 for 10s", as written
};

// Throughput around a fault (VALID commits per second): `before` over the 10 s before it
// fired (from the first request), `during` while it lasted, `after` over the 10 s after it
// ended (to the end of the workload); recovery: from its end (or when it fired, for a fault
// with no end) to the first moment the throughput over the preceding window is at least 90%
// of `before`, if that happens before the run ends.
struct FaultImpact {
  FaultPeriod period;
  std::optional<double> before_tps, during_tps, after_tps;
  std::optional<Duration> recovery;
};

inline constexpr Duration kImpactSpan = Duration::seconds(10);
inline constexpr double kRecoveredShare = 0.9;

// `valid_commits`: the times VALID transactions completed, sorted. `first_request` and
// `workload_end` bound the before and after spans.
FaultImpact fault_impact(const FaultPeriod& p, const std::vector<Time>& valid_commits, Time first_request,
                         Time workload_end, Duration window);

}  // namespace fabsim
