#include "analysis/html_page.h"

#include <openssl/evp.h>

#include <utility>

namespace fabsim::embedded {
// tools/embed_file.cmake writes these from libjs-chart.js's chart.min.js (analysis/CMakeLists.txt).
extern const unsigned char kChartJs[];
extern const std::size_t kChartJsSize;
}  // namespace fabsim::embedded

namespace fabsim::html {
namespace {

// The page's style: system fonts, a centred column, charts in cards.
constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #ffffff; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 4px 0 12px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.ok { color: #1a7f37; font-weight: 600; }
.bad { color: #cf222e; font-weight: 600; }
code, pre { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
      white-space: pre-wrap; word-break: break-all; margin: 6px 0; }
table { border-collapse: collapse; background: var(--card); margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: right; }
th { background: #eef1f4; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px;
               padding: 8px; position: relative; flex: 1 1 100%; min-width: 0; }
figure.chart.half { flex: 0 1 calc(50% - 6px); }
)css";

// Runs before Chart.js: keeps the marker on <body> (described in html_page.h) and catches
// every script error from here on, Chart.js's own included.
constexpr std::string_view kMarker = R"js(
var fabsimReport = (function () {
  "use strict";
  var body = document.body;
  var report = {
    errors: [],
    drawn: 0,
    expected: document.querySelectorAll('script[type="application/json"][data-chart]').length,
    status: function () {
      body.setAttribute("data-charts-expected", String(report.expected));
      body.setAttribute("data-charts-drawn", String(report.drawn));
      body.setAttribute("data-charts-status",
                        report.errors.length ? "error" : report.drawn === report.expected ? "done" : "drawing");
      body.setAttribute("data-page-height", String(document.documentElement.scrollHeight));
    },
    fail: function (message) {
      report.errors.push(String(message));
      body.setAttribute("data-chart-errors", report.errors.join(" | "));
      console.error("fabsim report: " + message);
      report.status();
    }
  };
  window.addEventListener("error", function (e) { report.fail(e.message || "script error"); });
  report.status();
  return report;
})();
)js";

// Runs after Chart.js: draws every chart from its JSON and counts the drawn ones.
constexpr std::string_view kRunner = R"js(
(function () {
  "use strict";
  var report = fabsimReport;
  if (typeof Chart === "undefined") { report.fail("Chart.js did not load"); return; }

  // Counts a chart once, after its first complete draw.
  var drawnMarker = {
    id: "fabsimDrawn",
    afterRender: function (chart) {
      if (chart.$fabsimDrawn) return;
      chart.$fabsimDrawn = true;
      report.drawn += 1;
      report.status();
    }
  };
  // Shades x-ranges behind the datasets: options.plugins.fabsimRanges.ranges.
  var ranges = {
    id: "fabsimRanges",
    beforeDatasetsDraw: function (chart) {
      var plugins = chart.config.options.plugins || {};
      var spec = plugins.fabsimRanges;
      var x = chart.scales.x;
      if (!spec || !spec.ranges || !x) return;
      var area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      spec.ranges.forEach(function (r, i) {
        var left = Math.max(area.left, x.getPixelForValue(r.from));
        var right = r.to === null || r.to === undefined ? area.right : Math.min(area.right, x.getPixelForValue(r.to));
        if (!(right >= left) || left >= area.right) return;
        right = Math.max(right, left + 2);
        ctx.fillStyle = r.color || spec.color || "rgba(207, 34, 46, 0.12)";
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        if (r.label) {
          ctx.fillStyle = "rgba(150, 20, 30, 0.9)";
          ctx.font = "11px system-ui, sans-serif";
          ctx.textBaseline = "top";
          ctx.fillText(String(r.label), left + 3, area.top + 3 + 13 * (i % 4));
        }
      });
      ctx.restore();
    }
  };

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, "DejaVu Sans", sans-serif';
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (element) {
    var id = element.getAttribute("data-chart");
    try {
      var config = JSON.parse(element.textContent);
      config.plugins = (config.plugins || []).concat([ranges, drawnMarker]);
      new Chart(document.getElementById(id), config);
    } catch (e) {
      report.fail(id + ": " + (e && e.message ? e.message : e));
    }
  });
  report.status();
})();
)js";

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string chart_id(std::size_t index) { return "chart-" + std::to_string(index); }

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string script_json(const nlohmann::ordered_json& value) {
  const std::string text = value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view chartjs_source() {
  return {reinterpret_cast<const char*>(embedded::kChartJs), embedded::kChartJsSize};
}

Page::Page(std::string title) : title_(std::move(title)) {}

void Page::close_charts() {
  if (in_charts_) body_ += "</div>\n";
  in_charts_ = false;
}

void Page::section(std::string_view title) {
  close_charts();
  if (in_section_) body_ += "</section>\n";
  body_ += "<section>\n<h2>" + escape(title) + "</h2>\n";
  in_section_ = true;
}

void Page::add_html(std::string html) {
  close_charts();
  body_ += html;
  body_ += '\n';
}

void Page::add_text(std::string_view text) {
  close_charts();
  body_ += "<p>" + escape(text) + "</p>\n";
}

void Page::add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  close_charts();
  std::string t = "<table>\n<thead><tr>";
  for (const auto& h : header) t += "<th>" + escape(h) + "</th>";
  t += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    t += "<tr>";
    for (const auto& cell : row) t += "<td>" + escape(cell) + "</td>";
    t += "</tr>\n";
  }
  body_ += t + "</tbody>\n</table>\n";
}

void Page::add_chart(Chart chart) {
  const std::string id = chart_id(charts_.size());
  if (!in_charts_) body_ += "<div class=\"charts\">\n";
  in_charts_ = true;
  body_ += "<figure class=\"chart" + std::string(chart.wide ? "" : " half") + "\" style=\"height: " +
           std::to_string(chart.height_px) + "px\"><canvas id=\"" + id + "\"></canvas></figure>\n";
  charts_.push_back(std::move(chart));
}

std::string Page::render() const {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>" + escape(title_) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n"
                     "<body>\n<main>\n<h1>" + escape(title_) + "</h1>\n";
  page += body_;
  if (in_charts_) page += "</div>\n";
  if (in_section_) page += "</section>\n";
  page += "</main>\n";
  for (std::size_t i = 0; i < charts_.size(); ++i)
    page += "<script type=\"application/json\" data-chart=\"" + chart_id(i) + "\">" + script_json(charts_[i].config) +
            "</script>\n";
  // Chart.js as a base64 data: URL, so no byte sequence inside it ("</script", "<!--") can
  // end or confuse the script element, whatever the library's text.
  page += "<script>" + std::string(kMarker) + "</script>\n";
  page += "<script src=\"data:text/javascript;base64," + base64(chartjs_source()) + "\"></script>\n";
  page += "<script>" + std::string(kRunner) + "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace fabsim::html
