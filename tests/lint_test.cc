// The determinism lint and the layering check must fail on what they forbid (so they are
// not tests that cannot fail) and pass on the real tree.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fabsim {
namespace {

namespace fs = std::filesystem;

class TempTree {
 public:
  TempTree() {
    root_ = fs::temp_directory_path() / ("fabsim_lint_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    for (const char* d : {"core", "sim", "model", "analysis"}) fs::create_directories(root_ / d);
  }
  ~TempTree() { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  int run(const char* script) {
    const std::string cmd = std::string(FABSIM_SOURCE_DIR) + "/tools/" + script + " " + root_.string() + " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

 private:
  fs::path root_;
};

struct LintCase {
  const char* name;
  const char* file;
  const char* code;
  int expected_status;
};

class DeterminismLint : public testing::TestWithParam<LintCase> {};

TEST_P(DeterminismLint, Rule) {
  TempTree t;
  t.write(GetParam().file, GetParam().code);
  EXPECT_EQ(t.run("lint_determinism.sh"), GetParam().expected_status);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, DeterminismLint,
    testing::Values(
        LintCase{"SystemClockIsRejected", "core/a.cc", "auto t = std::chrono::system_clock::now();\n", 1},
        LintCase{"SteadyClockIsRejected", "sim/a.cc", "auto t = std::chrono::steady_clock::now();\n", 1},
        LintCase{"HighResolutionClockIsRejected", "model/a.h", "using C = std::chrono::high_resolution_clock;\n", 1},
        LintCase{"TimeCallIsRejected", "core/a.cc", "long t = time(nullptr);\n", 1},
        LintCase{"GettimeofdayIsRejected", "core/a.cc", "gettimeofday(&tv, 0);\n", 1},
        LintCase{"ClockGettimeIsRejected", "sim/a.cc", "clock_gettime(CLOCK_REALTIME, &ts);\n", 1},
        LintCase{"StdThreadIsRejected", "model/a.cc", "std::thread t([]{});\n", 1},
        LintCase{"StdAsyncIsRejected", "model/a.cc", "auto f = std::async([]{ return 1; });\n", 1},
        LintCase{"RandIsRejected", "core/a.cc", "int x = rand();\n", 1},
        LintCase{"SrandIsRejected", "core/a.cc", "srand(1);\n", 1},
        LintCase{"RandomDeviceIsRejected", "sim/a.cc", "std::random_device rd;\n", 1},
        LintCase{"Mt19937IsRejected", "sim/a.cc", "std::mt19937 g(1);\n", 1},
        LintCase{"StdDistributionIsRejected", "model/a.cc", "std::uniform_int_distribution<int> d(1, 6);\n", 1},
        LintCase{"RandomHeaderIsRejected", "core/a.h", "#include <random>\n", 1},
        LintCase{"CommentsAreIgnored", "core/a.cc", "// never use std::thread or rand() here\nint x = 1;\n", 0},
        LintCase{"OurOwnNamesAreAllowed", "core/a.cc", "int operand(); int grand(); Time handle_time(); int runtime(int);\n", 0},
        LintCase{"AnalysisIsNotLinted", "analysis/a.cc", "auto t = std::chrono::steady_clock::now();\n", 0}),
    [](const testing::TestParamInfo<LintCase>& i) { return std::string(i.param.name); });

class LayeringCheck : public testing::TestWithParam<LintCase> {};

TEST_P(LayeringCheck, Rule) {
  TempTree t;
  t.write(GetParam().file, GetParam().code);
  EXPECT_EQ(t.run("check_layers.sh"), GetParam().expected_status);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, LayeringCheck,
    testing::Values(LintCase{"SimMustNotIncludeModel", "sim/a.cc", "#include \"model/demo/flood.h\"\n", 1},
                    LintCase{"ModelMustNotIncludeSim", "model/a.cc", "#include \"sim/world.h\"\n", 1},
                    LintCase{"CoreMustNotIncludeSim", "core/a.h", "#include \"sim/trace.h\"\n", 1},
                    LintCase{"AnalysisMustNotIncludeSim", "analysis/a.h", "#include \"sim/world.h\"\n", 1},
                    LintCase{"SimMayIncludeCore", "sim/a.cc", "#include \"core/time.h\"\n#include \"sim/b.h\"\n", 0},
                    LintCase{"ModelMayIncludeCore", "model/a.cc", "#include \"core/node.h\"\n", 0},
                    LintCase{"SystemHeadersAreNotLayers", "model/a.cc", "#include <vector>\n", 0}),
    [](const testing::TestParamInfo<LintCase>& i) { return std::string(i.param.name); });

TEST(SourceTree, PassesTheDeterminismLint) {
  const std::string cmd = std::string(FABSIM_SOURCE_DIR) + "/tools/lint_determinism.sh " + FABSIM_SOURCE_DIR + " >/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(SourceTree, PassesTheLayeringCheck) {
  const std::string cmd = std::string(FABSIM_SOURCE_DIR) + "/tools/check_layers.sh " + FABSIM_SOURCE_DIR + " >/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace fabsim
