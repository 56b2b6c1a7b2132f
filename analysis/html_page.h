// One self-contained HTML page with Chart.js charts: the report of a run (report_html.h)
// and of a sweep build their pages with it.
//
// A page is a title and a list of sections; a section holds HTML blocks, tables and charts
// in the order they were added. Each chart is a Chart.js configuration ({type, data,
// options}, https://www.chartjs.org/docs/3.9.1/) given as JSON. render() returns the whole
// page as one string: Chart.js itself (Debian's libjs-chart.js, compiled into fabsim at
// build time) is inlined, so the file opens offline and fetches nothing.
//
// Safety: text given as text is HTML-escaped; chart configurations are embedded as JSON in
// which '<', '>', '&' and the two JavaScript line separators are \u escapes, so no string
// inside (a scenario name, "</script>") can end the script element. Invalid UTF-8 in text
// or JSON strings is replaced by U+FFFD, never thrown on.
//
// Additions to Chart.js, both set in a chart's options:
//  - options.plugins.fabsimRanges = {ranges: [{from: x0, to: x1 | null, label: "..."}]}
//    shades x-ranges (fault periods) behind the datasets, each labelled at its top; a
//    null `to` reaches the right edge. Optional "color" per range or for all.
//  - Filling between two series is Chart.js's own: a dataset's "fill": "-1".
// Animation is off and charts keep their container's height (height_px).
//
// Marker for tests and tools: once all charts have drawn, <body> carries
// data-charts-status="done"; any script error or failed chart sets it to "error", lists
// the messages in data-chart-errors and logs them with console.error. data-charts-expected
// and data-charts-drawn hold the counts, data-page-height the page's height in CSS pixels
// (for a screenshot of the whole page).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fabsim::html {

// `text` with &, <, >, " and ' replaced by entities: safe as element content and as a
// quoted attribute value.
std::string escape(std::string_view text);

// `value` as JSON text that is safe inside a <script> element: '<', '>', '&', U+2028 and
// U+2029 are written as \u escapes (they can only occur inside JSON strings, where an
// escape means the same character). Invalid UTF-8 becomes U+FFFD.
std::string script_json(const nlohmann::ordered_json& value);

// Chart.js as compiled in (libjs-chart.js's chart.min.js).
std::string_view chartjs_source();

struct Chart {
  nlohmann::ordered_json config;  // a Chart.js configuration: {type, data, options}
  int height_px = 300;            // the chart's height; its width follows the page
  bool wide = true;               // full width, or half: consecutive half charts share a row
};

class Page {
 public:
  explicit Page(std::string title);

  // Starts a new section headed `title` (plain text); what is added next goes into it.
  // Blocks added before the first section go at the top of the page, under the title.
  void section(std::string_view title);
  // HTML the caller made; text inside it must already be escaped.
  void add_html(std::string html);
  // A paragraph of plain text.
  void add_text(std::string_view text);
  // A table of plain-text cells; the first column is left-aligned, the others right-aligned
  // (they are mostly numbers). A row may be shorter than the header.
  void add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  void add_chart(Chart chart);

  std::size_t chart_count() const { return charts_.size(); }
  // The whole page: <!DOCTYPE html> to </html>.
  std::string render() const;

 private:
  void close_charts();

  std::string title_;
  std::string body_;  // the sections' HTML, with a placeholder <canvas> per chart
  bool in_section_ = false;
  bool in_charts_ = false;  // body_ ends inside a <div class="charts"> (consecutive charts share one)
  std::vector<Chart> charts_;
};

}  // namespace fabsim::html
