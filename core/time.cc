#include "core/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <cstdlib>

namespace fabsim {

std::string format_duration(Duration d) {
  if (d.ns == 0) return "0s";
  const bool negative = d.ns < 0;
  // Work in unsigned to represent |INT64_MIN|.
  const uint64_t mag = negative ? 0 - static_cast<uint64_t>(d.ns) : static_cast<uint64_t>(d.ns);
  struct Unit { uint64_t scale; int digits; const char* name; };
  static constexpr Unit kUnits[] = {{1'000'000'000, 9, "s"}, {1'000'000, 6, "ms"}, {1'000, 3, "us"}, {1, 0, "ns"}};
  const Unit* unit = &kUnits[3];
  for (const Unit& u : kUnits) {
    if (mag >= u.scale) { unit = &u; break; }
  }
  std::string out = negative ? "-" : "";
  out += std::to_string(mag / unit->scale);
  uint64_t frac = mag % unit->scale;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, static_cast<size_t>(unit->digits) - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  out += unit->name;
  return out;
}

std::string format_duration_short(Duration d) {
  if (d.ns == 0) return "0 s";
  const double mag = std::fabs(static_cast<double>(d.ns));
  struct Unit { double scale; const char* name; };
  static constexpr Unit kUnits[] = {{3600e9, "h"}, {60e9, "min"}, {1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
  const Unit* unit = &kUnits[5];
  for (const Unit& u : kUnits) {
    // Minutes and hours only past 100 s; every other unit from one of it.
    const double from = u.scale >= 60e9 ? std::max(u.scale, 100e9) : u.scale;
    if (mag >= from) { unit = &u; break; }
  }
  const double v = mag / unit->scale;
  // Three significant digits, without trailing zeros after the point.
  std::string text = v >= 100 ? fmt::format("{:.0f}", v) : v >= 10 ? fmt::format("{:.1f}", v) : fmt::format("{:.2f}", v);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return (d.ns < 0 ? "-" : "") + text + " " + unit->name;
}

}  // namespace fabsim
