#include "analysis/report_charts.h"

#include <fmt/format.h>

#include <cmath>

namespace fabsim::report {
namespace {

// Tableau 10: distinct, colour-blind-friendlier than Chart.js's default grey.
constexpr int kPalette[][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {148, 103, 189}, {140, 86, 75},
                               {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},  {214, 39, 40}};
constexpr std::size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);
// Above this many points a line is drawn without point markers.
constexpr std::size_t kMarkerLimit = 60;

Json title_plugin(const std::string& title) {
  return {{"display", !title.empty()}, {"text", title}, {"font", {{"size", 14}, {"weight", "600"}}}};
}

Json axis_title(const std::string& text) { return {{"display", !text.empty()}, {"text", text}}; }

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

// `v` to six decimals: charts need no more, and long runs' pages stay small.
double tidy(double v) { return std::round(v * 1e6) / 1e6; }

}  // namespace

std::string colour(std::size_t index, double alpha) {
  const int* c = kPalette[index % kPaletteSize];
  if (alpha >= 1.0) return fmt::format("rgb({}, {}, {})", c[0], c[1], c[2]);
  return fmt::format("rgba({}, {}, {}, {:.2f})", c[0], c[1], c[2], alpha);
}

Json time_chart(const std::vector<Series>& series, const std::vector<Period>& periods, const TimeChartOptions& o) {
  Json datasets = Json::array();
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    Json points = Json::array();
    for (std::size_t k = 0; k < s.x_s.size() && k < s.y.size(); ++k) {
      // Chart.js spans a gap by distance only where the points are left out: a null point
      // always breaks the line.
      if (s.span_gaps_s && !s.y[k]) continue;
      Json y = s.y[k] ? Json(tidy(*s.y[k])) : Json(nullptr);
      // A bar chart reads an [x, y] pair as a floating bar from x to y, so bars get objects.
      if (o.stacked_bars) points.push_back({{"x", tidy(s.x_s[k])}, {"y", std::move(y)}});
      else points.push_back(Json::array({tidy(s.x_s[k]), std::move(y)}));
    }
    Json d = {{"label", s.label},
              {"data", std::move(points)},
              {"borderColor", colour(i)},
              {"backgroundColor", colour(i, o.stacked_bars ? 0.75 : 0.18)},
              {"borderWidth", o.stacked_bars ? 0 : 1.5},
              // Dense lines go without markers, except where gaps can leave a point alone.
              {"pointRadius", s.x_s.size() <= kMarkerLimit ? 2 : s.span_gaps_s ? 1.2 : 0},
              {"fill", s.fill ? Json(*s.fill) : Json(false)}};
    if (s.stepped) d["stepped"] = true;
    if (s.span_gaps_s) d["spanGaps"] = *s.span_gaps_s;
    datasets.push_back(std::move(d));
  }
  Json ranges = Json::array();
  for (const Period& p : periods) ranges.push_back({{"from", p.from_s}, {"to", optional_number(p.to_s)}, {"label", p.label}});
  Json x = {{"type", "linear"}, {"min", 0}, {"title", axis_title("virtual time (s)")}};
  if (o.x_max_s > 0) x["max"] = o.x_max_s;
  Json y = {{"beginAtZero", true}, {"title", axis_title(o.y_title)}};
  if (o.y_max) y["max"] = *o.y_max;
  if (o.stacked_bars) {
    x["stacked"] = true;
    y["stacked"] = true;
    x["offset"] = false;
  }
  return {{"type", o.stacked_bars ? "bar" : "line"},
          {"data", {{"datasets", std::move(datasets)}}},
          {"options",
           {{"interaction", {{"mode", "nearest"}, {"axis", "x"}, {"intersect", false}}},
            {"scales", {{"x", std::move(x)}, {"y", std::move(y)}}},
            {"plugins",
             {{"title", title_plugin(o.title)},
              {"legend", {{"position", "bottom"}, {"labels", {{"boxWidth", 12}}}}},
              {"fabsimRanges", {{"ranges", std::move(ranges)}}}}}}}};
}

Json bar_chart(const std::vector<std::string>& categories, const std::vector<BarData>& data, const BarChartOptions& o) {
  Json datasets = Json::array();
  for (std::size_t i = 0; i < data.size(); ++i) {
    Json values = Json::array();
    for (const auto& v : data[i].values) values.push_back(optional_number(v));
    datasets.push_back({{"label", data[i].label},
                        {"data", std::move(values)},
                        {"backgroundColor", colour(i, 0.8)},
                        {"borderColor", colour(i)},
                        {"borderWidth", 1}});
  }
  const char* category_axis = o.horizontal ? "y" : "x";
  const char* value_axis = o.horizontal ? "x" : "y";
  Json scales = {{category_axis, {{"stacked", o.stacked}}},
                 {value_axis, {{"stacked", o.stacked}, {"beginAtZero", true}, {"title", axis_title(o.value_title)}}}};
  return {{"type", "bar"},
          {"data", {{"labels", categories}, {"datasets", std::move(datasets)}}},
          {"options",
           {{"indexAxis", category_axis},
            {"scales", std::move(scales)},
            {"plugins",
             {{"title", title_plugin(o.title)},
              {"legend", {{"display", o.legend}, {"position", "bottom"}, {"labels", {{"boxWidth", 12}}}}}}}}}};
}

}  // namespace fabsim::report
