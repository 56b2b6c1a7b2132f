// Parsing of quantities with units, as scenario files and flags write them.
//   durations: "250ns", "10us", "1.5ms", "2s", "1m" (minutes), "1h"; a bare "0" is zero.
//   sizes:     "512B", "10KB", "2MB", "1GB" (powers of 1000), "4KiB", "10MiB", "1GiB" (1024)
//   rates:     "200tps" or "200/s" (events per second), may be fractional
//   bandwidth: "1Gbps", "100Mbps", "10kbps", "800bps" (bits per second)
// Errors are Status::invalid_argument naming the text and what was expected.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace fabsim {

Result<Duration> parse_duration(std::string_view text);
Result<uint64_t> parse_size(std::string_view text);
Result<double> parse_rate(std::string_view text);
Result<uint64_t> parse_bandwidth(std::string_view text);
// A run seed: a whole decimal number from 0 to 2^64-1, nothing else (no sign, no spaces).
Result<uint64_t> parse_seed(std::string_view text);

}  // namespace fabsim
