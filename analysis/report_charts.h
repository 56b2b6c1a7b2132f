// Chart.js configurations for the HTML report (report_html.h): lines over virtual time
// with fault periods shaded, bar charts, and a colour palette. Each function returns a
// configuration for html::Chart (html_page.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/report_json.h"

namespace fabsim::report {

// Colour `index` of a fixed palette (as "rgb(r, g, b)"), and the same with `alpha`.
std::string colour(std::size_t index, double alpha = 1.0);

// A line over time: y values at x seconds; absent values leave a gap. Points are written
// as [x, y] pairs (bars: {x, y}) rounded to six decimals.
struct Series {
  std::string label;
  std::vector<double> x_s;
  std::vector<std::optional<double>> y;
  std::optional<std::string> fill;  // Chart.js "fill", e.g. "-1" fills down to the previous series
  bool stepped = false;             // a step line (heights, counts)
  // Join the line over absent values up to this far apart (x units); longer gaps stay gaps.
  // The absent points are then left out of the data.
  std::optional<double> span_gaps_s;
};

// A shaded period on a time chart (a fault): from `from_s` to `to_s` (nullopt: to the end).
struct Period {
  double from_s;
  std::optional<double> to_s;
  std::string label;
};

struct TimeChartOptions {
  std::string title;
  std::string y_title;
  double x_max_s = 0;                 // the end of the run; 0 leaves the axis to Chart.js
  std::optional<double> y_max;        // e.g. 100 for a percentage (Chart.js scales it otherwise)
  bool stacked_bars = false;          // bars stacked per window instead of lines
};

Json time_chart(const std::vector<Series>& series, const std::vector<Period>& periods, const TimeChartOptions& o);

// A bar chart over categories: one dataset per entry of `datasets` (label, values).
struct BarData {
  std::string label;
  std::vector<std::optional<double>> values;
};
struct BarChartOptions {
  std::string title;
  std::string value_title;
  bool horizontal = false;
  bool stacked = false;
  bool legend = true;
};
Json bar_chart(const std::vector<std::string>& categories, const std::vector<BarData>& datasets,
               const BarChartOptions& o);

}  // namespace fabsim::report
