#include "scenarios/suggest.h"

#include <algorithm>
#include <cctype>

namespace fabsim::scenario {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: i-2, i-1 and i.
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, row);
  }
  return prev[b.size()];
}

namespace {

// How many positions hold different digits in two strings of equal length (a rank among
// candidates at the same distance: a different number is a likelier slip than a letter).
size_t digit_mismatches(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return 0;
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[i])))
      ++n;
  return n;
}

}  // namespace

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  const size_t limit = std::max<size_t>(1, 2 * w.size() / 5);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  size_t best_digits = 0;
  for (const std::string& c : candidates) {
    const std::string lc = lower(c);
    size_t d = edit_distance(w, lc);
    if (d > limit && w.size() >= 3 && lc.starts_with(w)) d = limit;  // a truncated name
    const size_t digits = digit_mismatches(w, lc);
    if (d < best_distance || (d == best_distance && best && digits > best_digits)) {
      best_distance = d;
      best_digits = digits;
      best = c;
    }
  }
  return best;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  if (candidates.empty()) return "";
  if (auto c = closest(word, candidates)) return " (did you mean '" + *c + "'?)";
  constexpr size_t kMaxListed = 12;
  std::string out = " (expected one of: ";
  for (size_t i = 0; i < candidates.size() && i < kMaxListed; ++i)
    out += (i ? ", " : "") + candidates[i];
  if (candidates.size() > kMaxListed) out += ", ... (" + std::to_string(candidates.size()) + " in all)";
  return out + ")";
}

}  // namespace fabsim::scenario
