// InMemoryState: the reference StateReader's range and lookup rules.
#include <gtest/gtest.h>

#include "model/ledger/state.h"

namespace fabsim::ledger {
namespace {

std::vector<std::string> keys(const StateReader& s, const std::string& ns, const std::string& a, const std::string& b) {
  std::vector<std::string> out;
  auto it = s.range(ns, a, b);
  std::string k;
  VersionedValue v;
  while (it->next(&k, &v)) out.push_back(k);
  return out;
}

TEST(InMemoryState, AbsentKeyHasNoVersion) {
  InMemoryState s;
  auto r = s.get_state("cc", "k");
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->has_value());
}

TEST(InMemoryState, RangeIsByteOrderedStartInclusiveEndExclusive) {
  InMemoryState s;
  for (const char* k : {"key1", "key10", "key7", "key9"}) s.put("cc", k, "v", {1, 0});
  EXPECT_EQ(keys(s, "cc", "key1", "key7"), (std::vector<std::string>{"key1", "key10"}));
}

TEST(InMemoryState, EmptyBoundsMeanFirstAndPastLastKey) {
  InMemoryState s;
  s.put("a", "x", "v", {1, 0});
  s.put("cc", "k1", "v", {1, 0});
  s.put("cc", "k2", "v", {1, 1});
  s.put("dd", "k0", "v", {1, 0});
  EXPECT_EQ(keys(s, "cc", "", ""), (std::vector<std::string>{"k1", "k2"}));
}

}  // namespace
}  // namespace fabsim::ledger
