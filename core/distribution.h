// DurationDist: a distribution of non-negative durations, used for link jitter and
// modelled costs. A value type: parse it from a scenario, sample it with a stream.
#pragma once

#include <string>

#include "core/random.h"
#include "core/time.h"

namespace fabsim {

struct DurationDist {
  enum class Kind { kConstant, kUniform, kNormal, kExponential, kLognormal, kPareto };

  Kind kind = Kind::kConstant;
  Duration a;        // constant: the value; uniform: low; normal: mean; exponential: mean;
                     // lognormal: median; pareto: scale (minimum)
  Duration b;        // uniform: high; normal: stddev
  double shape = 0;  // lognormal: sigma; pareto: alpha

  static DurationDist constant(Duration v) { return {Kind::kConstant, v, {}, 0}; }
  static DurationDist uniform(Duration lo, Duration hi) { return {Kind::kUniform, lo, hi, 0}; }
  static DurationDist normal(Duration mean, Duration stddev) { return {Kind::kNormal, mean, stddev, 0}; }
  static DurationDist exponential(Duration mean) { return {Kind::kExponential, mean, {}, 0}; }
  static DurationDist lognormal(Duration median, double sigma) { return {Kind::kLognormal, median, {}, sigma}; }
  static DurationDist pareto(Duration scale, double alpha) { return {Kind::kPareto, scale, {}, alpha}; }

  // True when sampling needs no random draw (a constant).
  bool is_constant() const { return kind == Kind::kConstant; }
  // A sample, truncated below at zero. A constant consumes no draw.
  Duration sample(Rng& rng) const;
  // E.g. "uniform(1ms,3ms)"; "0s" for the zero constant.
  std::string describe() const;
};

}  // namespace fabsim
