// The sections of the HTML report of a run (report_html.h), each a function that adds its
// part of the page from the results.json object. Internal to analysis/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/html_page.h"
#include "analysis/report_charts.h"
#include "analysis/report_json.h"

namespace fabsim::report {

// The windows of results.json "timeseries", with x positions in seconds: a window's middle
// for rates and utilisations, its end for values sampled at the end (heights, queues).
struct Windows {
  double window_s = 0;
  std::vector<double> mid_s;
  std::vector<double> end_s;

  // `j` as a series over these windows, or empty when it is not an array of their length.
  std::vector<std::optional<double>> series(const Json* j) const {
    auto v = numbers(array(j));
    return v.size() == mid_s.size() ? v : std::vector<std::optional<double>>{};
  }
};

std::optional<Windows> read_windows(const Json* timeseries);

// What every section reads.
struct Context {
  const Json* r = nullptr;  // the results object; nullptr when the input is not an object
  double end_s = 0;              // the run's simulated end, for the time axes
  std::vector<Period> faults;    // shaded on every time chart
  std::optional<Windows> windows;
};

// Shaded periods from results.json "faults" (entries without a start are skipped; a
// clock_offset, a moment, is a line).
std::vector<Period> read_faults(const Json* faults);

// A muted "no data: <what>" line.
void no_data(html::Page& page, std::string_view what);
// A count or other scalar as text, "-" when absent.
std::string count_text(const Json* j);
// The largest present value, or 0.
double peak(const std::vector<std::optional<double>>& v);
std::vector<std::optional<double>> scaled(std::vector<std::optional<double>> v, double factor);

// Text and tables (report_sections.cc).
void summary_section(html::Page& page, const Context& c);
void failures_section(html::Page& page, const Context& c);
void faults_section(html::Page& page, const Context& c);
void channels_section(html::Page& page, const Context& c);
void kafka_section(html::Page& page, const Context& c);
// Charts (report_chart_sections.cc).
void over_time_section(html::Page& page, const Context& c);
void latency_distribution_section(html::Page& page, const Context& c);
void phases_section(html::Page& page, const Context& c);
void resources_section(html::Page& page, const Context& c);
void blocks_section(html::Page& page, const Context& c);

}  // namespace fabsim::report
