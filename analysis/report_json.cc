#include "analysis/report_json.h"

#include <fmt/format.h>

#include <cmath>

namespace fabsim::report {

const Json* find(const Json* j, std::initializer_list<std::string_view> path) {
  for (std::string_view key : path) {
    if (j == nullptr || !j->is_object()) return nullptr;
    auto it = j->find(std::string(key));
    if (it == j->end()) return nullptr;
    j = &*it;
  }
  return j;
}

const Json* array(const Json* j) { return j != nullptr && j->is_array() ? j : nullptr; }
const Json* object(const Json* j) { return j != nullptr && j->is_object() ? j : nullptr; }

std::optional<double> number(const Json* j) {
  if (j == nullptr || !j->is_number()) return std::nullopt;
  const double v = j->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

std::string scalar(const Json* j) {
  if (j == nullptr) return "";
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number_float()) return fmt::format("{:.6g}", j->get<double>());
  if (j->is_number() || j->is_boolean()) return j->dump();
  return "";
}

std::vector<std::optional<double>> numbers(const Json* j) {
  std::vector<std::optional<double>> out;
  if (array(j) == nullptr) return out;
  out.reserve(j->size());
  for (const Json& v : *j) out.push_back(number(&v));
  return out;
}

TimeUnit unit_for(double max_ns) {
  const double magnitude = std::fabs(max_ns);
  if (magnitude >= 1e9) return {1e9, "s"};
  if (magnitude >= 1e6) return {1e6, "ms"};
  if (magnitude >= 1e3) return {1e3, "\u00b5s"};
  return {1, "ns"};
}

std::string readable_ns(std::optional<double> ns) {
  if (!ns) return "-";
  const TimeUnit u = unit_for(*ns);
  const double v = *ns / u.ns_per_unit;
  const double magnitude = std::fabs(v);
  const char* format = magnitude >= 100 || u.ns_per_unit == 1 ? "{:.0f} {}" : magnitude >= 10 ? "{:.1f} {}" : "{:.2f} {}";
  return fmt::format(fmt::runtime(format), v, u.name);
}

std::string seconds_3(std::optional<double> ns) { return ns ? fmt::format("{:.3f}", *ns / 1e9) : "-"; }

std::string decimal_1(std::optional<double> v) { return v ? fmt::format("{:.1f}", *v) : "-"; }

}  // namespace fabsim::report
