// sweep.html (cli/sweep_summary.h): the summary table, the failed runs, then per metric
// group (the first part of the metric's name) a legend and one chart per metric that
// changes across the sweep — x the first axis's values, one line per combination of the
// other axes' values, its 95% interval as a shaded band; metrics in nanoseconds drawn in
// seconds — and a table of the metrics that do not change.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "analysis/html_page.h"
#include "cli/sweep_summary.h"

namespace fabsim::cli {

using nlohmann::ordered_json;

namespace {

// Distinct colours for the lines; a band is its line's colour, mostly transparent.
const std::vector<std::string>& palette() {
  static const std::vector<std::string> colours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return colours;
}

// The cells grouped into lines: for each combination of the axes after the first (in grid
// order), the cell index at each value of the first axis.
struct Lines {
  std::vector<std::string> labels;             // per line: "key=v ..." of the other axes
  std::vector<std::vector<size_t>> cell_of_x;  // per line, per x
};

Lines lines_of(const SweepResults& s) {
  Lines lines;
  const size_t xs = s.axes[0].values.size();
  const size_t per_x = s.cells.size() / xs;  // the first axis is outermost
  for (size_t line = 0; line < per_x; ++line) {
    std::vector<SweepAxis> rest(s.axes.begin() + 1, s.axes.end());
    std::vector<std::string> values(s.cells[line].values.begin() + 1, s.cells[line].values.end());
    lines.labels.push_back(rest.empty() ? "mean" : cell_text(rest, values));
    std::vector<size_t> cells;
    for (size_t x = 0; x < xs; ++x) cells.push_back(x * per_x + line);
    lines.cell_of_x.push_back(cells);
  }
  return lines;
}

// The lines' colours and labels as HTML, once per group: the charts' own legends would list
// each band's two bounds as well.
std::string legend_html(const Lines& lines) {
  std::string html = "<p>";
  for (size_t l = 0; l < lines.labels.size(); ++l)
    html += fmt::format(
        "<span style=\"display:inline-block;width:18px;height:4px;vertical-align:middle;background:{}\"></span> {} "
        "&nbsp; ",
        palette()[l % palette().size()], html::escape(lines.labels[l]));
  return html + "&mdash; the mean over the seeds; shaded: its 95% interval (Student's t).</p>";
}

// Whether a metric counts nanoseconds: a part of its name ends in "_ns".
bool in_nanoseconds(const std::string& name) {
  size_t start = 0;
  while (start <= name.size()) {
    const size_t end = std::min(name.find('.', start), name.size());
    if (end - start >= 3 && name.compare(end - 3, 3, "_ns") == 0) return true;
    start = end + 1;
  }
  return false;
}

html::Chart metric_chart(const SweepResults& s, const Lines& lines, const std::string& name,
                         const std::vector<std::vector<MetricStats>>& stats, size_t metric) {
  const double scale = in_nanoseconds(name) ? 1e-9 : 1;
  const auto value_or_null = [scale](const std::optional<double>& v) {
    return v ? ordered_json(*v * scale) : ordered_json(nullptr);
  };
  ordered_json datasets = ordered_json::array();
  for (size_t l = 0; l < lines.labels.size(); ++l) {
    const std::string& colour = palette()[l % palette().size()];
    ordered_json low = ordered_json::array(), high = ordered_json::array(), mean = ordered_json::array();
    for (size_t cell : lines.cell_of_x[l]) {
      const MetricStats& m = stats[cell][metric];
      low.push_back(value_or_null(m.ci95_low));
      high.push_back(value_or_null(m.ci95_high));
      mean.push_back(value_or_null(m.mean));
    }
    // The band: the low bound, then the high bound filled down to it ("-1").
    datasets.push_back({{"label", lines.labels[l] + " (95% low)"}, {"data", low}, {"borderColor", colour + "40"},
                        {"borderWidth", 1}, {"pointRadius", 0}, {"fill", false}});
    datasets.push_back({{"label", lines.labels[l] + " (95% high)"}, {"data", high}, {"borderColor", colour + "40"},
                        {"backgroundColor", colour + "26"}, {"borderWidth", 1}, {"pointRadius", 0}, {"fill", "-1"}});
    datasets.push_back({{"label", lines.labels[l]}, {"data", mean}, {"borderColor", colour},
                        {"backgroundColor", colour}, {"borderWidth", 2}, {"pointRadius", 3}, {"fill", false}});
  }
  ordered_json config = {
      {"type", "line"},
      {"data", {{"labels", s.axes[0].values}, {"datasets", datasets}}},
      {"options",
       {{"plugins", {{"title", {{"display", true}, {"text", name}}}, {"legend", {{"display", false}}}}},
        {"scales",
         {{"x", {{"title", {{"display", true}, {"text", s.axes[0].key}}}}},
          {"y", {{"title", {{"display", true}, {"text", scale == 1 ? name : name + " (s)"}}}}}}}}}};
  return html::Chart{config, 320, lines.labels.size() <= 2};
}

// Whether every cell has the same mean (or none) for the metric.
bool unchanging(const std::vector<std::vector<MetricStats>>& stats, size_t metric) {
  for (const auto& cell : stats)
    if (cell[metric].mean != stats[0][metric].mean) return false;
  return true;
}

}  // namespace

std::string sweep_html(const SweepResults& s) {
  html::Page page("fabsim sweep: " + s.scenario);
  size_t runs = 0, failed = 0;
  for (const SweepCell& cell : s.cells)
    for (const SweepRun& run : cell.runs) {
      ++runs;
      failed += run.failure.empty() ? 0 : 1;
    }
  std::vector<std::string> axes;
  for (const SweepAxis& a : s.axes) axes.push_back(fmt::format("{} = {}", a.key, fmt::join(a.values, ", ")));
  page.add_text(fmt::format("{}: {} cells x {} seeds = {} runs, {} failed. Axes: {}.{}", s.file, s.cells.size(),
                            s.seeds_per_cell, runs, failed, fmt::join(axes, "; "),
                            s.sets.empty() ? "" : fmt::format(" Every cell: --set {}.", fmt::join(s.sets, ", --set "))));
  page.section("Cells");
  const SummaryTable table = summary_table(s);
  page.add_table(table.header, table.rows);
  if (failed > 0) {
    page.section("Failed runs");
    std::vector<std::vector<std::string>> rows;
    for (const SweepCell& cell : s.cells)
      for (const SweepRun& run : cell.runs)
        if (!run.failure.empty())
          rows.push_back({cell_text(s.axes, cell.values), std::to_string(run.seed), run.failure, run.reproduce});
    page.add_table({"cell", "seed", "why", "reproduce"}, rows);
  }

  const std::vector<std::string> names = metric_names(s);
  std::vector<std::vector<MetricStats>> stats;
  for (const SweepCell& cell : s.cells) stats.push_back(cell_stats(cell, names));
  const Lines lines = lines_of(s);
  std::vector<std::vector<std::string>> constant;
  std::string group;
  for (size_t m = 0; m < names.size(); ++m) {
    if (unchanging(stats, m)) {
      const auto& mean = stats[0][m].mean;
      constant.push_back({names[m], mean ? fmt::format("{}", *mean) : "-"});
      continue;
    }
    const std::string this_group = names[m].substr(0, names[m].find('.'));
    if (this_group != group) {
      group = this_group;
      page.section(group);
      page.add_html(legend_html(lines));
    }
    page.add_chart(metric_chart(s, lines, names[m], stats, m));
  }
  if (!constant.empty()) {
    page.section("Metrics that are the same in every cell");
    page.add_table({"metric", "mean"}, constant);
  }
  return page.render();
}

}  // namespace fabsim::cli
