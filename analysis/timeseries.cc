#include "analysis/timeseries.h"

#include <algorithm>

#include "core/assert.h"

namespace fabsim {

size_t window_count(Duration window, Time end) {
  FABSIM_ASSERT(window.ns > 0);
  if (end.ns <= 0) return 1;
  return static_cast<size_t>((end.ns + window.ns - 1) / window.ns);
}

BusyWindows::BusyWindows(Duration window, Time end, size_t resources)
    : window_(window),
      end_(end),
      windows_(window_count(window, end)),
      busy_ns_(resources, std::vector<int64_t>(windows_, 0)) {}

bool BusyWindows::any(size_t resource) const {
  return std::any_of(busy_ns_[resource].begin(), busy_ns_[resource].end(), [](int64_t ns) { return ns > 0; });
}

void BusyWindows::add(size_t resource, Time from, Time to) {
  if (to > end_) to = end_;
  if (from < Time::zero()) from = Time::zero();
  if (to <= from) return;
  std::vector<int64_t>& bins = busy_ns_[resource];
  size_t k = static_cast<size_t>(from.ns / window_.ns);
  while (from < to && k < windows_) {
    const Time boundary = Time::zero() + window_ * static_cast<int64_t>(k + 1);
    const Time cut = std::min(to, boundary);
    bins[k] += (cut - from).ns;
    from = cut;
    ++k;
  }
}

std::vector<double> BusyWindows::utilisation(size_t resource, double capacity) const {
  std::vector<double> out(windows_, 0.0);
  for (size_t k = 0; k < windows_; ++k) {
    const Time start = Time::zero() + window_ * static_cast<int64_t>(k);
    const Time stop = std::min(end_, start + window_);
    const double length = static_cast<double>((stop - start).ns);
    if (length > 0 && capacity > 0) out[k] = static_cast<double>(busy_ns_[resource][k]) / (capacity * length);
  }
  return out;
}

namespace {

// VALID commits per second in [from, to); nullopt for an empty interval.
std::optional<double> rate(const std::vector<Time>& commits, Time from, Time to) {
  if (to <= from) return std::nullopt;
  const auto lo = std::lower_bound(commits.begin(), commits.end(), from);
  const auto hi = std::lower_bound(commits.begin(), commits.end(), to);
  return static_cast<double>(hi - lo) / (to - from).to_seconds();
}

}  // namespace

FaultImpact fault_impact(const FaultPeriod& p, const std::vector<Time>& valid_commits, Time first_request,
                         Time workload_end, Duration window) {
  FaultImpact impact{p, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  const Time before_from = std::max(first_request, p.at - kImpactSpan);
  impact.before_tps = rate(valid_commits, before_from, p.at);
  const Time end = p.end.value_or(p.at);
  if (p.end) impact.during_tps = rate(valid_commits, p.at, *p.end);
  impact.after_tps = rate(valid_commits, end, std::min(workload_end, end + kImpactSpan));
  if (!impact.before_tps || *impact.before_tps <= 0) return impact;
  // The first commit at or after `end` with enough commits in the window that ends at it.
  const double need = kRecoveredShare * *impact.before_tps * window.to_seconds();
  auto it = std::lower_bound(valid_commits.begin(), valid_commits.end(), end);
  for (; it != valid_commits.end(); ++it) {
    const auto from = std::upper_bound(valid_commits.begin(), it, *it - window);
    if (static_cast<double>(it - from + 1) >= need) {
      impact.recovery = *it - end;
      break;
    }
  }
  return impact;
}

}  // namespace fabsim
