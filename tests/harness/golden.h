// Golden files for transcript tests: compares lines a test produced with a file under
// tests/, or rewrites the file when the environment has FABSIM_REWRITE=1 (for review, as
// etcd raft's -rewrite). A difference names the first line that differs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fabsim::harness {

inline void expect_golden(const std::vector<std::string>& lines, const std::string& path) {
  std::ostringstream actual;
  for (const std::string& l : lines) actual << l << '\n';
  if (const char* r = std::getenv("FABSIM_REWRITE"); r != nullptr && std::string(r) == "1") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual.str();
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path << ": no golden transcript (run with FABSIM_REWRITE=1 to write it)";
  std::ostringstream expected;
  expected << in.rdbuf();
  std::vector<std::string> want;
  std::istringstream split(expected.str());
  for (std::string l; std::getline(split, l);) want.push_back(l);
  for (size_t i = 0; i < std::max(want.size(), lines.size()); ++i) {
    const std::string a = i < lines.size() ? lines[i] : "<end>";
    const std::string w = i < want.size() ? want[i] : "<end>";
    ASSERT_EQ(a, w) << path << ": line " << i + 1 << " differs (FABSIM_REWRITE=1 rewrites the file)";
  }
}

}  // namespace fabsim::harness
