#include "analysis/summary.h"

#include <algorithm>
#include <cmath>

namespace fabsim {

void Summary::sort() const {
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
}

int64_t Summary::min() const {
  if (samples_.empty()) return 0;
  sort();
  return samples_.front();
}

int64_t Summary::max() const {
  if (samples_.empty()) return 0;
  sort();
  return samples_.back();
}

double Summary::mean() const {
  if (samples_.empty()) return 0.0;
  long double sum = 0;
  for (int64_t v : samples_) sum += v;
  return static_cast<double>(sum / samples_.size());
}

int64_t Summary::percentile(double p) const {
  if (samples_.empty()) return 0;
  sort();
  if (p <= 0) return samples_.front();
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples_.size())));
  if (rank < 1) rank = 1;
  if (rank > samples_.size()) rank = samples_.size();
  return samples_[rank - 1];
}

}  // namespace fabsim
