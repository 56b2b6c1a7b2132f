#include "core/random.h"

#include <cmath>

#include "core/assert.h"
#include "core/hash.h"

namespace fabsim {

Rng Rng::stream(uint64_t root_seed, std::string_view name) {
  // Two independent mixes so that neither the seed nor the name alone decides the state.
  return Rng(mix64(root_seed ^ 0x5851f42d4c957f2dULL) ^ mix64(fnv1a64(name)));
}

uint64_t Rng::uniform_u64(uint64_t n) {
  FABSIM_ASSERT(n > 0);
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  unsigned __int128 m = static_cast<unsigned __int128>(eng_.next()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(eng_.next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

int64_t Rng::uniform_int(int64_t lo, int64_t hi) {
  FABSIM_ASSERT(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(eng_.next());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + uniform_u64(span + 1));
}

bool Rng::bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return uniform01() < p;
}

double Rng::exponential(double rate) {
  FABSIM_ASSERT(rate > 0.0);
  // 1 - u is in (0, 1], so the log is finite.
  return -std::log(1.0 - uniform01()) / rate;
}

double Rng::normal(double mean, double stddev) {
  double u, v, s;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return mean + stddev * u * std::sqrt(-2.0 * std::log(s) / s);
}

double Rng::lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

double Rng::pareto(double scale, double shape) {
  FABSIM_ASSERT(scale > 0.0 && shape > 0.0);
  return scale / std::pow(1.0 - uniform01(), 1.0 / shape);
}

// ---- Zipf by rejection-inversion -------------------------------------------------------
// Works on ranks k in [1, n] with weight h(k) = k^-theta; we return k - 1.

namespace {
// log1p(x)/x, continuous at 0.
double helper1(double x) {
  return std::fabs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}
// expm1(x)/x, continuous at 0.
double helper2(double x) {
  return std::fabs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}
}  // namespace

ZipfDistribution::ZipfDistribution(uint64_t n, double theta) : n_(n), theta_(theta) {
  FABSIM_ASSERT_MSG(n >= 1, "zipf needs at least one item");
  FABSIM_ASSERT_MSG(theta >= 0.0, "zipf theta must be >= 0");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  s_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

double ZipfDistribution::h(double x) const { return std::exp(-theta_ * std::log(x)); }

double ZipfDistribution::h_integral(double x) const {
  const double log_x = std::log(x);
  return helper2((1.0 - theta_) * log_x) * log_x;
}

double ZipfDistribution::h_integral_inverse(double x) const {
  double t = x * (1.0 - theta_);
  if (t < -1.0) t = -1.0;  // numerical safety near the boundary
  return std::exp(helper1(t) * x);
}

uint64_t ZipfDistribution::sample(Rng& rng) const {
  if (n_ == 1) return 0;
  if (theta_ == 0.0) return rng.uniform_u64(n_);
  for (;;) {
    const double u = h_integral_n_ + rng.uniform01() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    double kd = std::floor(x + 0.5);
    if (kd < 1.0) kd = 1.0;
    if (kd > static_cast<double>(n_)) kd = static_cast<double>(n_);
    if (kd - x <= s_ || u >= h_integral(kd + 0.5) - h(kd)) return static_cast<uint64_t>(kd) - 1;
  }
}

}  // namespace fabsim
