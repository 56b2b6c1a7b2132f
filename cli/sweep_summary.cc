#include "cli/sweep_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <map>
#include <set>

#include "cli/run_command.h"

namespace fabsim::cli {

using nlohmann::ordered_json;

namespace {

// Top-level keys of results.json that are inputs, series or texts rather than results.
bool skipped_top_level(const std::string& key) {
  static const std::set<std::string> skipped = {"seed", "resolved_scenario", "faults", "timeseries",
                                                 "failure_messages"};
  return skipped.count(key) > 0;
}

using Metrics = std::vector<std::pair<std::string, std::optional<double>>>;

void flatten(const ordered_json& j, const std::string& path, bool top, Metrics* out) {
  if (j.is_number()) {
    out->emplace_back(path, j.get<double>());
  } else if (j.is_null()) {
    if (!top) out->emplace_back(path, std::nullopt);
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (top && skipped_top_level(key)) continue;
      flatten(value, path.empty() ? key : path + "." + key, false, out);
    }
  } else if (j.is_array() && !j.empty()) {
    bool objects = true, named = true;
    for (const auto& item : j) {
      objects = objects && item.is_object();
      named = named && item.is_object() && item.contains("name") && item["name"].is_string();
    }
    if (!objects) return;  // a series or a list of texts
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string part = named ? j[i]["name"].get<std::string>() : std::to_string(i);
      ordered_json rest = j[i];
      if (named) rest.erase("name");
      flatten(rest, path + "." + part, false, out);
    }
  }
}

// The value at `pointer` in `j` when it is there and of the right kind, else `otherwise`.
bool bool_at(const ordered_json& j, const char* pointer, bool otherwise) {
  const ordered_json::json_pointer p(pointer);
  return j.contains(p) && j.at(p).is_boolean() ? j.at(p).get<bool>() : otherwise;
}
std::vector<std::string> texts_at(const ordered_json& j, const char* pointer) {
  const ordered_json::json_pointer p(pointer);
  std::vector<std::string> texts;
  if (!j.contains(p) || !j.at(p).is_array()) return texts;
  for (const auto& t : j.at(p))
    if (t.is_string()) texts.push_back(t.get<std::string>());
  return texts;
}
std::string first_text(const ordered_json& j, const char* pointer) {
  const std::vector<std::string> texts = texts_at(j, pointer);
  return texts.empty() ? "" : texts[0];
}

std::string with_tail(std::string what, const std::string& stderr_tail) {
  return stderr_tail.empty() ? what : what + ": " + stderr_tail;
}

std::string number_text(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : ""; }
ordered_json number_json(const std::optional<double>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); }

}  // namespace

Metrics flatten_metrics(const ordered_json& results) {
  Metrics out;
  flatten(results, "", true, &out);
  return out;
}

MetricStats metric_stats(const std::vector<double>& values) {
  MetricStats s;
  s.n = values.size();
  if (values.empty()) return s;
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  s.mean = mean;
  if (values.size() < 2) return s;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double n = static_cast<double>(values.size());
  const double sd = std::sqrt(squares / (n - 1));
  const boost::math::students_t_distribution<double> t(n - 1);
  const double half = boost::math::quantile(boost::math::complement(t, 0.025)) * sd / std::sqrt(n);
  s.ci95_low = mean - half;
  s.ci95_high = mean + half;
  return s;
}

void classify_run(int exit_status, const ordered_json* results, const std::string& stderr_tail, SweepRun* run) {
  run->exit_status = exit_status;
  run->has_results = results != nullptr;
  if (results != nullptr) {
    const ordered_json& r = *results;
    run->safety_hold = bool_at(r, "/safety/hold", false);
    run->expectations_met = bool_at(r, "/expectations/met", false);
    run->unmet = texts_at(r, "/expectations/unmet");
    run->metrics = flatten_metrics(r);
  }
  std::string& why = run->failure;
  if (exit_status >= 128) {
    why = with_tail(fmt::format("killed by signal {}", exit_status - 128), stderr_tail);
  } else if (exit_status != 0 && exit_status != 1) {
    why = with_tail(fmt::format("exit status {}", exit_status), stderr_tail);
  } else if (results == nullptr) {
    why = with_tail(fmt::format("exit status {} and no readable results.json", exit_status), stderr_tail);
  } else if (!run->safety_hold) {
    const std::string v = first_text(*results, "/safety/violations");
    why = "safety violated" + (v.empty() ? "" : ": " + v);
  } else if (const std::string e = first_text(*results, "/node_errors"); !e.empty()) {
    why = "node error: " + e;
  } else if (const std::string f = first_text(*results, "/fault_errors"); !f.empty()) {
    why = "fault error: " + f;
  } else if (exit_status == 1 && run->expectations_met) {
    why = with_tail("exit status 1 with every expectation met", stderr_tail);
  }
}

std::vector<std::string> metric_names(const SweepResults& s) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const SweepCell& cell : s.cells)
    for (const SweepRun& run : cell.runs)
      for (const auto& [name, value] : run.metrics)
        if (seen.insert(name).second) names.push_back(name);
  return names;
}

std::vector<MetricStats> cell_stats(const SweepCell& cell, const std::vector<std::string>& names) {
  std::vector<std::map<std::string, std::optional<double>>> runs;
  std::set<std::string> present;  // names some run of the cell has
  for (const SweepRun& run : cell.runs) {
    if (!run.has_results) continue;
    runs.emplace_back(run.metrics.begin(), run.metrics.end());
    for (const auto& [name, value] : run.metrics) present.insert(name);
  }
  std::vector<MetricStats> stats;
  stats.reserve(names.size());
  for (const std::string& name : names) {
    std::vector<double> values;
    if (present.count(name) > 0) {
      for (const auto& run : runs) {
        const auto it = run.find(name);
        if (it == run.end()) {
          values.push_back(0);
        } else if (it->second) {
          values.push_back(*it->second);
        }
      }
    }
    stats.push_back(metric_stats(values));
  }
  return stats;
}

bool cell_expectations_met(const SweepCell& cell) {
  for (const SweepRun& run : cell.runs)
    if (run.has_results && !run.expectations_met) return false;
  return true;
}

std::string cell_text(const std::vector<SweepAxis>& axes, const std::vector<std::string>& values) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < axes.size(); ++i) parts.push_back(axes[i].key + "=" + values[i]);
  return fmt::format("{}", fmt::join(parts, " "));
}

SummaryTable summary_table(const SweepResults& s) {
  const std::vector<std::string> names = metric_names(s);
  const std::vector<std::string> shown = {"caliper.throughput_tps", "latency_ns.p99"};
  SummaryTable t;
  for (const SweepAxis& a : s.axes) t.header.push_back(a.key);
  t.header.insert(t.header.end(), {"runs", "failed", "throughput (tps)", "p99 latency (s)", "expectations"});
  // "mean ± half-interval" scaled by `scale`, or "-" when no run gave a value.
  auto mean_text = [](const MetricStats& m, double scale, int digits) -> std::string {
    if (!m.mean) return "-";
    if (!m.ci95_high) return fmt::format("{:.{}f}", *m.mean * scale, digits);
    return fmt::format("{:.{}f} ± {:.{}f}", *m.mean * scale, digits, (*m.ci95_high - *m.mean) * scale, digits);
  };
  for (const SweepCell& cell : s.cells) {
    std::vector<MetricStats> stats(shown.size());
    for (size_t i = 0; i < shown.size(); ++i)
      if (std::find(names.begin(), names.end(), shown[i]) != names.end()) stats[i] = cell_stats(cell, {shown[i]})[0];
    size_t failed = 0, unmet = 0;
    for (const SweepRun& run : cell.runs) {
      failed += run.failure.empty() ? 0 : 1;
      unmet += run.has_results && !run.expectations_met ? 1 : 0;
    }
    std::vector<std::string> row = cell.values;
    row.insert(row.end(), {std::to_string(cell.runs.size()), std::to_string(failed), mean_text(stats[0], 1, 1),
                           mean_text(stats[1], 1e-9, 3),
                           unmet == 0 ? "met" : fmt::format("unmet in {} of {} runs", unmet, cell.runs.size())});
    t.rows.push_back(row);
  }
  return t;
}

std::string sweep_csv(const SweepResults& s) {
  const std::vector<std::string> names = metric_names(s);
  std::string out;
  std::vector<std::string> header;
  for (const SweepAxis& axis : s.axes) header.push_back(csv_field(axis.key));
  for (const std::string& name : names)
    for (const char* part : {".mean", ".ci95_low", ".ci95_high", ".n"}) header.push_back(csv_field(name + part));
  out += fmt::format("{}\n", fmt::join(header, ","));
  for (const SweepCell& cell : s.cells) {
    std::vector<std::string> row;
    for (const std::string& v : cell.values) row.push_back(csv_field(v));
    for (const MetricStats& m : cell_stats(cell, names)) {
      row.push_back(number_text(m.mean));
      row.push_back(number_text(m.ci95_low));
      row.push_back(number_text(m.ci95_high));
      row.push_back(std::to_string(m.n));
    }
    out += fmt::format("{}\n", fmt::join(row, ","));
  }
  return out;
}

ordered_json sweep_json(const SweepResults& s) {
  const std::vector<std::string> names = metric_names(s);
  ordered_json j;
  j["scenario"] = s.scenario;
  j["file"] = s.file;
  ordered_json axes = ordered_json::array();
  for (const SweepAxis& a : s.axes) axes.push_back({{"key", a.key}, {"values", a.values}});
  j["axes"] = axes;
  j["sets"] = s.sets;
  j["seeds_per_cell"] = s.seeds_per_cell;
  j["expect"] = s.expect;
  j["metrics"] = names;
  uint64_t failed_total = 0;
  ordered_json cells = ordered_json::array();
  for (const SweepCell& cell : s.cells) {
    ordered_json c;
    ordered_json values = ordered_json::object();
    for (size_t i = 0; i < s.axes.size(); ++i) values[s.axes[i].key] = cell.values[i];
    c["values"] = values;
    ordered_json runs = ordered_json::array();
    uint64_t failed = 0;
    for (const SweepRun& run : cell.runs) {
      ordered_json rj = {{"seed", run.seed}, {"exit_status", run.exit_status}};
      rj["safety"] = run.has_results ? ordered_json(run.safety_hold ? "hold" : "violated") : ordered_json(nullptr);
      rj["expectations"] = run.has_results ? ordered_json(run.expectations_met ? "met" : "unmet") : ordered_json(nullptr);
      rj["unmet"] = run.unmet;
      rj["failure"] = run.failure.empty() ? ordered_json(nullptr) : ordered_json(run.failure);
      rj["reproduce"] = run.reproduce;
      failed += run.failure.empty() ? 0 : 1;
      runs.push_back(rj);
    }
    failed_total += failed;
    c["runs"] = runs;
    c["failed_runs"] = failed;
    c["safety_hold"] = std::all_of(cell.runs.begin(), cell.runs.end(),
                                   [](const SweepRun& run) { return !run.has_results || run.safety_hold; });
    c["expectations_met"] = cell_expectations_met(cell);
    ordered_json metrics = ordered_json::object();
    const std::vector<MetricStats> stats = cell_stats(cell, names);
    for (size_t i = 0; i < names.size(); ++i)
      metrics[names[i]] = {{"mean", number_json(stats[i].mean)},
                           {"ci95_low", number_json(stats[i].ci95_low)},
                           {"ci95_high", number_json(stats[i].ci95_high)},
                           {"n", stats[i].n}};
    c["metrics"] = metrics;
    cells.push_back(c);
  }
  j["failed_runs"] = failed_total;
  j["cells"] = cells;
  return j;
}

}  // namespace fabsim::cli
