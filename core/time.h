// Virtual time. fabsim measures time as signed 64-bit nanoseconds since the start of a
// run (int64 covers ~292 years). `Time` is a point, `Duration` a span; both are plain
// integers wrapped in distinct types so that they cannot be mixed up by accident.
// Nothing here reads a clock: virtual time advances only in the kernel (sim/).
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace fabsim {

struct Duration {
  int64_t ns = 0;

  static constexpr Duration nanos(int64_t n) { return {n}; }
  static constexpr Duration micros(int64_t n) { return {n * 1'000}; }
  static constexpr Duration millis(int64_t n) { return {n * 1'000'000}; }
  static constexpr Duration seconds(int64_t n) { return {n * 1'000'000'000}; }
  static constexpr Duration zero() { return {0}; }
  static constexpr Duration max() { return {std::numeric_limits<int64_t>::max()}; }

  constexpr double to_seconds() const { return static_cast<double>(ns) / 1e9; }
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return {ns + o.ns}; }
  constexpr Duration operator-(Duration o) const { return {ns - o.ns}; }
  constexpr Duration operator*(int64_t k) const { return {ns * k}; }
  constexpr Duration& operator+=(Duration o) { ns += o.ns; return *this; }
  constexpr Duration& operator-=(Duration o) { ns -= o.ns; return *this; }
};

struct Time {
  int64_t ns = 0;

  static constexpr Time zero() { return {0}; }
  static constexpr Time max() { return {std::numeric_limits<int64_t>::max()}; }
  static constexpr Time from_ns(int64_t n) { return {n}; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Duration d) const { return {ns + d.ns}; }
  constexpr Time operator-(Duration d) const { return {ns - d.ns}; }
  constexpr Duration operator-(Time o) const { return {ns - o.ns}; }
  constexpr Time& operator+=(Duration d) { ns += d.ns; return *this; }
};

// Exact, human-readable: the largest unit in which the value is >= 1, with the fraction
// written out and trailing zeros trimmed. 0 -> "0s", 1500 -> "1.5us", 2'000'000'000 ->
// "2s", 90 s -> "90s", -3'000'000 -> "-3ms". No precision is lost.
std::string format_duration(Duration d);
inline std::string format_time(Time t) { return format_duration(Duration{t.ns}); }
// For people: three significant digits and a unit with a space, "1.29 s", "12.3 ms",
// "456 us", "0 s"; minutes and hours past 100 s ("2.5 min", "1.5 h"). format_duration is the
// exact form for files that are read back.
std::string format_duration_short(Duration d);
inline std::string format_time_short(Time t) { return format_duration_short(Duration{t.ns}); }

}  // namespace fabsim
