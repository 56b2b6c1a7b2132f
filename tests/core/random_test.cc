// Random streams and distributions: reference vectors for the engines, golden values that
// pin every distribution's sequence, and statistical checks (deterministic: fixed seeds).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/distribution.h"
#include "core/random.h"

namespace fabsim {
namespace {

TEST(Xoshiro256ss, MatchesReferenceVectorsFromState1234) {
  auto x = Xoshiro256ss::from_state(1, 2, 3, 4);
  EXPECT_EQ(x.next(), 11520u);
  EXPECT_EQ(x.next(), 0u);
  EXPECT_EQ(x.next(), 1509978240u);
  EXPECT_EQ(x.next(), 1215971899390074240u);
}

TEST(SplitMix64, MatchesReferenceVectorsFromSeed0) {
  SplitMix64 sm(0);
  EXPECT_EQ(sm.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(sm.next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(sm.next(), 0x06c45d188009454fULL);
}

// One golden sequence through every distribution, in a fixed order. If this changes,
// every recorded run changes: treat it as a format change.
TEST(RngGolden, EveryDistributionIsPinned) {
  Rng r = Rng::stream(42, "golden");
  EXPECT_EQ(r.next_u64(), 5747624771278074022ULL);
  EXPECT_EQ(r.next_u64(), 15824101813219596172ULL);
  EXPECT_EQ(r.uniform_u64(1000), 288u);
  EXPECT_EQ(r.uniform_u64(1000), 777u);
  EXPECT_EQ(r.uniform_int(-5, 5), -1);
  EXPECT_EQ(r.uniform_int(1, 1000), 751);
  EXPECT_DOUBLE_EQ(r.uniform01(), 0.92516052672447135);
  EXPECT_DOUBLE_EQ(r.uniform01(), 0.12113958849813378);
  EXPECT_TRUE(r.bernoulli(0.5));
  EXPECT_TRUE(r.bernoulli(0.5));
  EXPECT_DOUBLE_EQ(r.exponential(2.0), 0.34883437796980077);
  EXPECT_DOUBLE_EQ(r.normal(10, 2), 7.3049181079757837);
  EXPECT_DOUBLE_EQ(r.lognormal(0, 1), 0.46776735748575654);
  EXPECT_DOUBLE_EQ(r.pareto(1, 2), 1.1734346946024132);
  ZipfDistribution z(1000, 0.99);
  const std::vector<uint64_t> zipf_expected{1, 150, 109, 259, 2, 162, 20, 624};
  for (uint64_t e : zipf_expected) EXPECT_EQ(z.sample(r), e);
  ZipfDistribution z1(10, 1.0);
  const std::vector<uint64_t> zipf1_expected{1, 0, 5, 6, 0, 5, 4, 6};
  for (uint64_t e : zipf1_expected) EXPECT_EQ(z1.sample(r), e);
}

TEST(RngStreams, SameSeedAndNameGiveTheSameStream) {
  Rng a = Rng::stream(42, "net/link/a/b");
  Rng b = Rng::stream(42, "net/link/a/b");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(RngStreams, NamesAndSeedsGiveIndependentStreams) {
  EXPECT_EQ(Rng::stream(42, "a").next_u64(), 6195495179377413082ULL);
  EXPECT_EQ(Rng::stream(42, "b").next_u64(), 13243989116759059842ULL);
  EXPECT_EQ(Rng::stream(43, "a").next_u64(), 7038246851954358653ULL);
}

TEST(RngStreams, DrawingFromOneStreamDoesNotShiftAnother) {
  Rng a1 = Rng::stream(7, "a");
  Rng b1 = Rng::stream(7, "b");
  const uint64_t b_first = b1.next_u64();
  Rng a2 = Rng::stream(7, "a");
  for (int i = 0; i < 1000; ++i) a2.next_u64();
  Rng b2 = Rng::stream(7, "b");
  EXPECT_EQ(b2.next_u64(), b_first);
  (void)a1;
}

TEST(RngUniform, IntStaysInClosedRangeAndHitsBothEnds) {
  Rng r(1);
  bool lo = false, hi = false;
  for (int i = 0; i < 10000; ++i) {
    const int64_t v = r.uniform_int(1, 6);
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 6);
    lo |= v == 1;
    hi |= v == 6;
  }
  EXPECT_TRUE(lo && hi);
}

TEST(RngUniform, FullInt64RangeIsAllowed) {
  Rng r(1);
  r.uniform_int(INT64_MIN, INT64_MAX);  // must not assert or divide by zero
  SUCCEED();
}

TEST(RngUniform, IsUnbiasedAcrossBuckets) {
  Rng r(3);
  std::vector<int> counts(10);
  const int n = 200000;
  for (int i = 0; i < n; ++i) ++counts[r.uniform_u64(10)];
  double chi2 = 0;
  for (int c : counts) chi2 += std::pow(c - n / 10.0, 2) / (n / 10.0);
  EXPECT_LT(chi2, 27.88);  // 9 degrees of freedom, p = 0.001
}

TEST(RngBernoulli, ZeroAndOneDrawNothing) {
  Rng a(5), b(5);
  EXPECT_FALSE(a.bernoulli(0.0));
  EXPECT_TRUE(a.bernoulli(1.0));
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

struct MomentCase {
  const char* name;
  double (*draw)(Rng&);
  double mean;
  double tolerance;
};

class RngMoments : public testing::TestWithParam<MomentCase> {};

TEST_P(RngMoments, SampleMeanMatchesTheory) {
  Rng r(11);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += GetParam().draw(r);
  EXPECT_NEAR(sum / n, GetParam().mean, GetParam().tolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Distributions, RngMoments,
    testing::Values(MomentCase{"ExponentialMeanIsOneOverRate", [](Rng& r) { return r.exponential(4.0); }, 0.25, 0.005},
                    MomentCase{"NormalMeanIsMean", [](Rng& r) { return r.normal(3.0, 2.0); }, 3.0, 0.02},
                    MomentCase{"NormalVarianceIsStddevSquared",
                               [](Rng& r) { double v = r.normal(0.0, 2.0); return v * v; }, 4.0, 0.05},
                    MomentCase{"LognormalMeanIsExpMuPlusHalfSigma2", [](Rng& r) { return r.lognormal(0.0, 0.5); },
                               std::exp(0.125), 0.01},
                    MomentCase{"ParetoMeanIsAlphaXmOverAlphaMinusOne", [](Rng& r) { return r.pareto(1.0, 3.0); }, 1.5, 0.02},
                    MomentCase{"Uniform01MeanIsOneHalf", [](Rng& r) { return r.uniform01(); }, 0.5, 0.005}),
    [](const testing::TestParamInfo<MomentCase>& i) { return std::string(i.param.name); });

struct ZipfCase {
  const char* name;
  uint64_t n;
  double theta;
};

class ZipfExact : public testing::TestWithParam<ZipfCase> {};

// Compares sampled frequencies with the exact pmf P(k) ∝ 1/(k+1)^theta (chi-square).
TEST_P(ZipfExact, FrequenciesMatchThePmf) {
  const auto [name, n, theta] = GetParam();
  ZipfDistribution z(n, theta);
  Rng r(99);
  const int draws = 300000;
  std::vector<int> counts(n);
  for (int i = 0; i < draws; ++i) {
    const uint64_t k = z.sample(r);
    ASSERT_LT(k, n);
    ++counts[k];
  }
  double norm = 0;
  for (uint64_t k = 0; k < n; ++k) norm += std::pow(k + 1.0, -theta);
  double chi2 = 0;
  for (uint64_t k = 0; k < n; ++k) {
    const double expected = draws * std::pow(k + 1.0, -theta) / norm;
    chi2 += std::pow(counts[k] - expected, 2) / expected;
  }
  // n - 1 degrees of freedom; a generous bound (mean n-1, sd sqrt(2(n-1))).
  EXPECT_LT(chi2, (n - 1) + 6 * std::sqrt(2.0 * (n - 1)));
}

INSTANTIATE_TEST_SUITE_P(Rules, ZipfExact,
                         testing::Values(ZipfCase{"ThetaZeroIsUniform", 20, 0.0}, ZipfCase{"ThetaHalf", 20, 0.5},
                                         ZipfCase{"ThetaPoint99AsInYcsb", 50, 0.99}, ZipfCase{"ThetaOneExactly", 50, 1.0},
                                         ZipfCase{"ThetaAboveOne", 30, 1.5}),
                         [](const testing::TestParamInfo<ZipfCase>& i) { return std::string(i.param.name); });

TEST(ZipfDistribution, SingleItemAlwaysZero) {
  ZipfDistribution z(1, 0.99);
  Rng r(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(z.sample(r), 0u);
}

TEST(ZipfDistribution, HugeNNeedsNoMemoryAndStaysInRange) {
  ZipfDistribution z(uint64_t{1} << 40, 0.99);
  Rng r(1);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(z.sample(r), uint64_t{1} << 40);
}

TEST(DurationDist, ConstantConsumesNoDraw) {
  Rng a(1), b(1);
  EXPECT_EQ(DurationDist::constant(Duration::millis(2)).sample(a), Duration::millis(2));
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(DurationDist, NormalIsTruncatedAtZero) {
  Rng r(1);
  const auto d = DurationDist::normal(Duration::zero(), Duration::millis(1));
  for (int i = 0; i < 1000; ++i) EXPECT_GE(d.sample(r).ns, 0);
}

TEST(DurationDist, UniformStaysInRange) {
  Rng r(1);
  const auto d = DurationDist::uniform(Duration::micros(1), Duration::micros(3));
  for (int i = 0; i < 1000; ++i) {
    const Duration v = d.sample(r);
    EXPECT_GE(v, Duration::micros(1));
    EXPECT_LE(v, Duration::micros(3));
  }
}

}  // namespace
}  // namespace fabsim
