#include "core/distribution.h"

#include <cmath>

namespace fabsim {
namespace {
Duration from_double_ns(double v) {
  if (!(v > 0.0)) return Duration::zero();  // also catches NaN
  if (v >= 9.2e18) return Duration::max();
  return Duration::nanos(static_cast<int64_t>(std::llround(v)));
}
}  // namespace

Duration DurationDist::sample(Rng& rng) const {
  switch (kind) {
    case Kind::kConstant:
      return a < Duration::zero() ? Duration::zero() : a;
    case Kind::kUniform:
      return b <= a ? a : Duration::nanos(rng.uniform_int(a.ns, b.ns));
    case Kind::kNormal:
      return from_double_ns(rng.normal(static_cast<double>(a.ns), static_cast<double>(b.ns)));
    case Kind::kExponential:
      return a.ns <= 0 ? Duration::zero() : from_double_ns(rng.exponential(1.0 / static_cast<double>(a.ns)));
    case Kind::kLognormal:
      return a.ns <= 0 ? Duration::zero()
                       : from_double_ns(rng.lognormal(std::log(static_cast<double>(a.ns)), shape));
    case Kind::kPareto:
      return a.ns <= 0 || shape <= 0 ? Duration::zero() : from_double_ns(rng.pareto(static_cast<double>(a.ns), shape));
  }
  return Duration::zero();
}

std::string DurationDist::describe() const {
  switch (kind) {
    case Kind::kConstant: return format_duration(a);
    case Kind::kUniform: return "uniform(" + format_duration(a) + "," + format_duration(b) + ")";
    case Kind::kNormal: return "normal(" + format_duration(a) + "," + format_duration(b) + ")";
    case Kind::kExponential: return "exponential(" + format_duration(a) + ")";
    case Kind::kLognormal: return "lognormal(" + format_duration(a) + "," + std::to_string(shape) + ")";
    case Kind::kPareto: return "pareto(" + format_duration(a) + "," + std::to_string(shape) + ")";
  }
  return "?";
}

}  // namespace fabsim
