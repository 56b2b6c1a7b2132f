#include "analysis/report_html.h"

#include "analysis/report_sections.h"

namespace fabsim {

std::string render_report_html(const nlohmann::ordered_json& results) {
  report::Context c{report::object(&results)};
  const std::string name = report::scalar(report::find(c.r, {"scenario"}));
  html::Page page("fabsim report" + (name.empty() ? std::string() : ": " + name));
  c.end_s = report::number(report::find(c.r, {"simulated_ns"})).value_or(0) / 1e9;
  c.faults = report::read_faults(report::find(c.r, {"faults"}));
  c.windows = report::read_windows(report::find(c.r, {"timeseries"}));
  report::summary_section(page, c);
  report::failures_section(page, c);
  report::faults_section(page, c);
  report::kafka_section(page, c);
  report::over_time_section(page, c);
  report::latency_distribution_section(page, c);
  report::phases_section(page, c);
  report::resources_section(page, c);
  report::blocks_section(page, c);
  report::channels_section(page, c);
  return page.render();
}

}  // namespace fabsim
