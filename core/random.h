// Seeded randomness for fabsim. Never use <random>'s engines or distributions on the
// simulated path: their output differs between standard libraries.
//
// - `Xoshiro256ss`: the engine (xoshiro256**, Blackman & Vigna), seeded through SplitMix64.
// - `Rng`: an engine plus our own distributions. Each draw consumes a fixed, documented
//   number of engine outputs (or a data-dependent number for the rejection samplers), so
//   sequences are pinned by golden-value tests.
// - Streams: `Rng::stream(root_seed, name)` derives an independent generator from the
//   run's seed and a stream name (e.g. "net/link/3", "host/7/proc"). Adding a node or a
//   draw in one stream never shifts another.
#pragma once

#include <cstdint>
#include <string_view>

namespace fabsim {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t s_;
};

class Xoshiro256ss {
 public:
  explicit Xoshiro256ss(uint64_t seed) {
    SplitMix64 sm(seed);
    for (auto& w : s_) w = sm.next();
  }
  // Raw state, for checking against the reference implementation's vectors.
  static Xoshiro256ss from_state(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3) {
    Xoshiro256ss x(0);
    x.s_[0] = s0;
    x.s_[1] = s1;
    x.s_[2] = s2;
    x.s_[3] = s3;
    return x;
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

class Rng {
 public:
  explicit Rng(uint64_t seed) : eng_(seed) {}

  // An independent stream for (root seed, name). Same inputs, same stream, always.
  static Rng stream(uint64_t root_seed, std::string_view name);

  uint64_t next_u64() { return eng_.next(); }

  // Uniform in [0, n), unbiased (Lemire's multiply-and-reject). n must be > 0.
  uint64_t uniform_u64(uint64_t n);
  // Uniform in [lo, hi], both inclusive. Requires lo <= hi.
  int64_t uniform_int(int64_t lo, int64_t hi);
  // Uniform in [0, 1) with 53 random bits: one engine output.
  double uniform01() { return static_cast<double>(eng_.next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform_real(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // True with probability p (p <= 0: never, p >= 1: always, and no draw is made then).
  bool bernoulli(double p);
  // Exponential with the given rate (mean 1/rate). rate > 0.
  double exponential(double rate);
  // Normal (Marsaglia's polar method, no cached spare: each call is self-contained).
  double normal(double mean, double stddev);
  // exp(normal(mu, sigma)).
  double lognormal(double mu, double sigma);
  // Pareto type I: scale x_m > 0, shape alpha > 0; values >= x_m.
  double pareto(double scale, double shape);

 private:
  Xoshiro256ss eng_;
};

// Zipf over items {0, ..., n-1} with exponent theta >= 0: P(k) ∝ 1/(k+1)^theta, so item 0
// is the most popular. Exact sampling by rejection-inversion (Hörmann & Derflinger 1996):
// O(1) setup and memory, O(1) expected draws per sample. theta = 0 is uniform.
class ZipfDistribution {
 public:
  ZipfDistribution(uint64_t n, double theta);
  uint64_t sample(Rng& rng) const;
  uint64_t n() const { return n_; }
  double theta() const { return theta_; }

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  uint64_t n_;
  double theta_;
  double h_integral_x1_ = 0;
  double h_integral_n_ = 0;
  double s_ = 0;
};

}  // namespace fabsim
