#include "core/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace fabsim {
namespace {

struct Split {
  double number = 0;
  std::string_view unit;
};

// A non-negative decimal number followed by a unit made of letters and '/'.
Result<Split> split(std::string_view text, const char* expected) {
  auto fail = [&] {
    return Status::invalid_argument("'" + std::string(text) + "' is not a valid " + expected);
  };
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return fail();
  Split s;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, s.number);
  if (ec != std::errc() || ptr != text.data() + i || !std::isfinite(s.number)) return fail();
  s.unit = text.substr(i);
  return s;
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  constexpr const char* kExpected = "duration (expected a number with ns, us, ms, s, m or h, e.g. 500ms)";
  auto s = split(text, kExpected);
  if (!s) return s.status();
  double scale;
  if (s->unit == "ns") scale = 1;
  else if (s->unit == "us") scale = 1e3;
  else if (s->unit == "ms") scale = 1e6;
  else if (s->unit == "s") scale = 1e9;
  else if (s->unit == "m") scale = 60e9;
  else if (s->unit == "h") scale = 3600e9;
  else if (s->unit.empty() && s->number == 0) scale = 0;
  else return Status::invalid_argument("'" + std::string(text) + "' is not a valid " + kExpected);
  const double ns = s->number * scale;
  if (ns > 9.2e18) return Status::invalid_argument("'" + std::string(text) + "' is too long a duration");
  if (ns != std::floor(ns))
    return Status::invalid_argument("'" + std::string(text) + "' is finer than a nanosecond");
  return Duration::nanos(static_cast<int64_t>(ns));
}

Result<uint64_t> parse_size(std::string_view text) {
  constexpr const char* kExpected = "size (expected a number with B, KB, MB, GB, KiB, MiB or GiB, e.g. 10MB)";
  auto s = split(text, kExpected);
  if (!s) return s.status();
  double scale;
  if (s->unit == "B") scale = 1;
  else if (s->unit == "KB") scale = 1e3;
  else if (s->unit == "MB") scale = 1e6;
  else if (s->unit == "GB") scale = 1e9;
  else if (s->unit == "KiB") scale = 1024.0;
  else if (s->unit == "MiB") scale = 1024.0 * 1024;
  else if (s->unit == "GiB") scale = 1024.0 * 1024 * 1024;
  else return Status::invalid_argument("'" + std::string(text) + "' is not a valid " + kExpected);
  const double bytes = s->number * scale;
  if (bytes != std::floor(bytes) || bytes > 1.8e19)
    return Status::invalid_argument("'" + std::string(text) + "' is not a whole number of bytes");
  return static_cast<uint64_t>(bytes);
}

Result<double> parse_rate(std::string_view text) {
  constexpr const char* kExpected = "rate (expected a number with tps or /s, e.g. 200tps)";
  auto s = split(text, kExpected);
  if (!s) return s.status();
  if (s->unit != "tps" && s->unit != "/s")
    return Status::invalid_argument("'" + std::string(text) + "' is not a valid " + kExpected);
  return s->number;
}

Result<uint64_t> parse_bandwidth(std::string_view text) {
  constexpr const char* kExpected = "bandwidth (expected a number with bps, kbps, Mbps or Gbps, e.g. 1Gbps)";
  auto s = split(text, kExpected);
  if (!s) return s.status();
  double scale;
  if (s->unit == "bps") scale = 1;
  else if (s->unit == "kbps") scale = 1e3;
  else if (s->unit == "Mbps") scale = 1e6;
  else if (s->unit == "Gbps") scale = 1e9;
  else return Status::invalid_argument("'" + std::string(text) + "' is not a valid " + kExpected);
  const double bps = s->number * scale;
  if (bps < 1 || bps != std::floor(bps) || bps > 1.8e19)
    return Status::invalid_argument("'" + std::string(text) + "' is not a whole, positive number of bits per second");
  return static_cast<uint64_t>(bps);
}

Result<uint64_t> parse_seed(std::string_view text) {
  uint64_t v = 0;
  const bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!digits_only || ec != std::errc() || ptr != text.data() + text.size())
    return Status::invalid_argument("'" + std::string(text) + "' is not a valid seed (expected a whole number from 0 to 18446744073709551615)");
  return v;
}

}  // namespace fabsim
