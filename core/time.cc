#include "core/time.h"

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

}  // namespace fabsim
