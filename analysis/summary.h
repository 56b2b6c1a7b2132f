// Summary statistics over a set of samples (latencies in ns, sizes, counts): count, min,
// max, mean and nearest-rank percentiles. Deterministic: samples are sorted once.
#pragma once

#include <cstdint>
#include <vector>

namespace fabsim {

class Summary {
 public:
  void add(int64_t v) { samples_.push_back(v); sorted_ = false; }
  uint64_t count() const { return samples_.size(); }
  int64_t min() const;
  int64_t max() const;
  double mean() const;
  // Nearest-rank percentile, p in (0, 100]: the smallest sample such that at least p% of
  // samples are <= it. 0 when empty.
  int64_t percentile(double p) const;

 private:
  void sort() const;
  mutable std::vector<int64_t> samples_;
  mutable bool sorted_ = true;
};

}  // namespace fabsim
