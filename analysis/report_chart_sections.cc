#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "analysis/report_sections.h"

namespace fabsim::report {

using html::escape;
using html::Page;

namespace {

// A chart draws at most this many series (the highest peaks); the rest are named as left out.
constexpr std::size_t kSeriesLimit = 12;
constexpr int kChartHeight = 280;

// One chart of the series in object `by_name` ({"name": [per window]}), at most
// kSeriesLimit of them (the highest peaks), leaving out the ones that stay at zero.
void named_series_chart(Page& page, const Context& c, const Json* by_name, const std::vector<double>& x,
                        TimeChartOptions o, double factor, std::string_view what) {
  if (object(by_name) == nullptr) return no_data(page, what);
  std::vector<std::pair<double, Series>> found;
  std::vector<std::string> zero;
  for (auto it = by_name->begin(); it != by_name->end(); ++it) {
    auto v = c.windows->series(&it.value());
    if (v.empty()) continue;
    const double top = peak(v);
    if (top <= 0) {
      zero.push_back(it.key());
      continue;
    }
    found.push_back({top, Series{it.key(), x, scaled(std::move(v), factor)}});
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (found.empty()) return no_data(page, fmt::format("{}: zero in every window", what));
  // A percentage axis runs to 100% only when some series comes near it.
  if (o.y_max && found.front().first * factor < *o.y_max / 2) o.y_max.reset();
  std::vector<Series> series;
  for (std::size_t i = 0; i < found.size() && i < kSeriesLimit; ++i) series.push_back(std::move(found[i].second));
  page.add_chart({time_chart(series, c.faults, o), kChartHeight, true});
  std::string note;
  if (found.size() > kSeriesLimit) note += fmt::format("{} more with lower peaks are not drawn. ", found.size() - kSeriesLimit);
  if (!zero.empty()) {
    note += "Zero throughout, not drawn:";
    for (std::size_t i = 0; i < zero.size() && i < kSeriesLimit; ++i) note += (i ? ", " : " ") + zero[i];
    note += zero.size() > kSeriesLimit ? fmt::format(" and {} more.", zero.size() - kSeriesLimit) : std::string(".");
  }
  if (!note.empty()) page.add_html("<p class=\"muted\">" + escape(note) + " All are in results.json.</p>");
}

// Blocks by cut reason ({"reason": {"blocks", "transactions", "bytes"}}) as a chart and a table.
void cut_reasons(Page& page, const Json* cuts, const std::string& title) {
  if (object(cuts) == nullptr) return no_data(page, "results.json has no \"blocks_by_cut_reason\"");
  std::vector<std::string> reasons;
  std::vector<std::optional<double>> blocks;
  std::vector<std::vector<std::string>> rows;
  for (auto it = cuts->begin(); it != cuts->end(); ++it) {
    const Json* v = &it.value();
    reasons.push_back(it.key());
    blocks.push_back(number(find(v, {"blocks"})));
    rows.push_back({it.key(), count_text(find(v, {"blocks"})), count_text(find(v, {"transactions"})),
                    count_text(find(v, {"bytes"}))});
  }
  if (peak(blocks) <= 0) return no_data(page, "no block was cut");
  BarChartOptions o{title, "blocks"};
  o.legend = false;
  page.add_chart({bar_chart(reasons, {{"blocks", blocks}}, o), 220, false});
  page.add_table({"Cut reason", "Blocks", "Transactions", "Bytes"}, rows);
}

}  // namespace

void over_time_section(Page& page, const Context& c) {
  page.section("Over time");
  if (!c.windows) return no_data(page, "results.json has no \"timeseries\"");
  const Json* ts = find(c.r, {"timeseries"});
  const Windows& w = *c.windows;
  if (!c.faults.empty()) page.add_html("<p class=\"muted\">Shaded: fault periods.</p>");

  std::vector<Series> rates;
  for (auto [key, label] : {std::pair{"throughput_tps", "throughput (VALID commits/s)"}, std::pair{"send_rate_tps", "send rate (requests/s)"}}) {
    auto v = w.series(find(ts, {key}));
    if (!v.empty()) rates.push_back({label, w.mid_s, std::move(v)});
  }
  if (rates.empty()) no_data(page, "throughput over time");
  else page.add_chart({time_chart(rates, c.faults, {"Throughput", "TPS", c.end_s}), kChartHeight, true});

  std::vector<Series> latency;
  double top = 0;
  for (auto [key, label] : {std::pair{"latency_p50_ns", "p50"}, std::pair{"latency_p95_ns", "p95"}, std::pair{"latency_p99_ns", "p99"}}) {
    auto v = w.series(find(ts, {key}));
    if (v.empty()) continue;
    top = std::max(top, peak(v));
    latency.push_back({label, w.mid_s, std::move(v), latency.empty() ? std::nullopt : std::optional<std::string>("-1")});
    // Blocks come every few windows, so windows without a completion alternate with others:
    // the line goes on over up to two empty windows; a longer stop (an outage) stays a gap.
    latency.back().span_gaps_s = 3 * w.window_s;
  }
  if (latency.empty() || top <= 0) {
    no_data(page, "latency over time (no VALID transaction completed)");
  } else {
    const TimeUnit unit = unit_for(top);
    for (Series& s : latency) s.y = scaled(std::move(s.y), 1.0 / unit.ns_per_unit);
    page.add_chart({time_chart(latency, c.faults, {"Latency of VALID transactions (by completion window)",
                                                           std::string("latency (") + unit.name + ")", c.end_s}),
                    kChartHeight, true});
  }

  const Json* failures = object(find(ts, {"failures"}));
  if (failures != nullptr) {
    TimeChartOptions o{"Failures by reason", "transactions", c.end_s};
    o.stacked_bars = true;
    named_series_chart(page, c, failures, w.mid_s, o, 1.0, "failures over time");
  }

  const Json* heights = object(find(ts, {"peer_heights"}));
  if (heights == nullptr) return no_data(page, "peer heights over time");
  for (auto it = heights->begin(); it != heights->end(); ++it) {
    std::vector<Series> peers;
    if (object(&it.value()) == nullptr) continue;
    for (auto p = it.value().begin(); p != it.value().end(); ++p) {
      auto v = w.series(&p.value());
      if (!v.empty()) peers.push_back({p.key(), w.end_s, std::move(v), std::nullopt, true});
    }
    if (peers.empty()) continue;
    page.add_chart({time_chart(peers, c.faults, {"Block height, channel " + it.key(), "height", c.end_s}),
                    kChartHeight, heights->size() == 1});
  }
}

// Buckets are (upper[i-1], upper[i]]; `counts` has one more entry than `upper_ns` when the
// last bucket has no upper bound (a null upper bound says the same). Empty buckets before
// the first and after the last transaction are left out.
void latency_distribution_section(Page& page, const Context& c) {
  page.section("Latency distribution");
  const Json* h = find(c.r, {"latency_histogram"});
  auto uppers = numbers(array(find(h, {"upper_ns"})));
  const auto counts = numbers(array(find(h, {"counts"})));
  if (counts.size() == uppers.size() + 1) uppers.push_back(std::nullopt);
  if (counts.empty() || uppers.size() != counts.size() || peak(counts) <= 0)
    return no_data(page, "latency histogram (no VALID transaction, or results.json has no \"latency_histogram\")");
  std::vector<std::string> labels;
  std::optional<double> previous;
  for (const auto& upper : uppers) {
    labels.push_back(upper ? "\u2264 " + readable_ns(upper) : "> " + readable_ns(previous));
    if (upper) previous = upper;
  }
  std::size_t first = 0, last = counts.size();
  while (counts[first].value_or(0) <= 0) ++first;  // peak(counts) > 0: a bucket is not empty
  while (counts[last - 1].value_or(0) <= 0) --last;
  BarChartOptions o{"Latency of VALID transactions", "transactions"};
  o.legend = false;
  page.add_chart({bar_chart({labels.begin() + first, labels.begin() + last},
                            {{"transactions", {counts.begin() + first, counts.begin() + last}}}, o),
                  kChartHeight, true});
}

void phases_section(Page& page, const Context& c) {
  page.section("Where the time goes");
  const Json* phases = object(find(c.r, {"phases"}));
  std::vector<std::string> names;
  std::vector<std::optional<double>> means, p99s;
  std::vector<std::vector<std::string>> rows;
  if (phases != nullptr) {
    for (auto it = phases->begin(); it != phases->end(); ++it) {
      const Json* p = &it.value();
      auto at = [&](const char* key) { return number(find(p, {key})); };
      names.push_back(it.key());
      means.push_back(at("mean_ns"));
      p99s.push_back(at("p99_ns"));
      rows.push_back({it.key(), count_text(find(p, {"count"})), readable_ns(at("mean_ns")),
                      readable_ns(at("p50_ns")), readable_ns(at("p95_ns")), readable_ns(at("p99_ns"))});
    }
  } else if (const Json* old = object(find(c.r, {"phase_mean_ns"}))) {
    // results.json before per-phase percentiles: three coarse phases, means only.
    page.add_text("This results.json has only the three coarse phases of older fabsim versions (means only).");
    for (auto it = old->begin(); it != old->end(); ++it) {
      names.push_back(it.key());
      means.push_back(number(&it.value()));
      p99s.push_back(std::nullopt);
      rows.push_back({it.key(), "-", readable_ns(means.back()), "-", "-", "-"});
    }
  }
  if (peak(means) <= 0 && peak(p99s) <= 0) return no_data(page, "phase durations (no transaction has both ends of a phase)");
  const TimeUnit unit = unit_for(std::max(peak(means), peak(p99s)));
  std::vector<BarData> stack;
  for (std::size_t i = 0; i < names.size(); ++i)
    stack.push_back({names[i], {means[i] ? std::optional<double>(*means[i] / unit.ns_per_unit) : std::nullopt}});
  BarChartOptions stacked{"Mean transaction, phase by phase", std::string("mean (") + unit.name + ")", true, true};
  page.add_chart({bar_chart({"mean"}, stack, stacked), 170, true});
  const bool have_p99 = peak(p99s) > 0;
  BarChartOptions bars{have_p99 ? "Mean and p99 per phase" : "Mean per phase", std::string("duration (") + unit.name + ")",
                       true};
  std::vector<BarData> per_phase = {{"mean", scaled(means, 1.0 / unit.ns_per_unit)}};
  if (have_p99) per_phase.push_back({"p99", scaled(p99s, 1.0 / unit.ns_per_unit)});
  page.add_chart({bar_chart(names, per_phase, bars), std::max(220, 46 * static_cast<int>(names.size())), true});
  // Each phase's share of the summed means: where the time of a mean transaction goes.
  double total = 0;
  for (const auto& m : means) total += m.value_or(0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i].push_back(means[i] && total > 0 ? fmt::format("{:.0f}%", 100 * *means[i] / total) : "-");
  page.add_table({"Phase", "Transactions", "Mean", "p50", "p95", "p99", "Share of mean"}, rows);
}

void resources_section(Page& page, const Context& c) {
  page.section("Resources");
  if (!c.windows) return no_data(page, "results.json has no \"timeseries\"");
  const Json* ts = find(c.r, {"timeseries"});
  const Windows& w = *c.windows;
  TimeChartOptions cpu{"CPU utilisation per node", "busy cores / cores (%)", c.end_s, 100};
  named_series_chart(page, c, find(ts, {"cpu_utilisation"}), w.mid_s, cpu, 100, "CPU utilisation");
  TimeChartOptions queue{"Inputs waiting per node and lane (at each window's end)", "inputs", c.end_s};
  named_series_chart(page, c, find(ts, {"queue_length"}), w.end_s, queue, 1, "queue lengths");
  TimeChartOptions disk{"Disk utilisation per node", "busy (%)", c.end_s, 100};
  named_series_chart(page, c, find(ts, {"disk_utilisation"}), w.mid_s, disk, 100, "disk utilisation");
  TimeChartOptions link{"Link utilisation (per direction)", "of bandwidth (%)", c.end_s, 100};
  named_series_chart(page, c, find(ts, {"link_utilisation"}), w.mid_s, link, 100, "link utilisation");
}

void blocks_section(Page& page, const Context& c) {
  page.section("Blocks by cut reason");
  cut_reasons(page, find(c.r, {"blocks_by_cut_reason"}), "Blocks by cut reason");
}

}  // namespace fabsim::report
