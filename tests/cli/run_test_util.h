// Shared by the tests that call `fabsim run` as a function (cli/run_command.h): a fresh
// directory per test case, reading a file back, and one run's exit status and output.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/run_command.h"

namespace fabsim::cli::testing_util {

// A fresh directory for the running test case (CTest runs cases in parallel), named after it.
inline std::filesystem::path test_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  const std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) / ("fabsim_run_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

struct Outcome {
  int status = -1;
  std::string out, err;
};

inline Outcome run(const RunOptions& o) {
  std::ostringstream out, err;
  Outcome r;
  r.status = run_scenario_command(o, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace fabsim::cli::testing_util
