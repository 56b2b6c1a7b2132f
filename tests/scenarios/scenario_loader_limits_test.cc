// The loader's limits on input (issue 11, "Bad input"; docs/scenario-format.md, "Limits"):
// text that is not UTF-8, rates whose gaps would overflow the clock or whose transactions
// would exhaust memory, networks and closed loops too large, files that are not regular or
// are too big, and a big map that must load in seconds, not minutes. One case per rule.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scenarios/scenario_loader.h"
#include "scenarios/yaml_tree.h"

namespace fabsim::scenario {
namespace {

namespace fs = std::filesystem;

// Valid: lines 1-7 (one open-loop generator on line 7).
const std::string kBase =
    "name: t\n"
    "duration: 60s\n"
    "network:\n"
    "  orgs: [{name: Org1}]\n"
    "chaincodes: [{name: kv, kind: kvstore}]\n"
    "workload:\n"
    "  - {rate: 10tps, mix: [{function: put, args: [k, v]}]}\n";

struct LimitCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> sets;
  std::string expected;  // a substring of the message; empty: the scenario loads
};

std::vector<LimitCase> limit_cases() {
  const std::string phases = "  - {phases: [{duration: 10s, rate: 1tps}, {duration: 10s, rate: RATE}], "
                             "mix: [{function: put, args: [k, v]}]}\n";
  auto with_phase_rate = [&](const std::string& rate) {
    std::string p = phases;
    p.replace(p.find("RATE"), 4, rate);
    return kBase + p;
  };
  return {
      // ---- UTF-8 -------------------------------------------------------------------
      {"ValueNotUtf8", "name: t\xff\n" + kBase.substr(8), {},
       "t.yaml:1:7: name: the value is not valid UTF-8: byte 2 is \\xff (got 't\\xff')"},
      {"KeyNotUtf8", kBase + "\xc0\xaf: 1\n", {}, "t.yaml:8:1: the key is not valid UTF-8: byte 1 is \\xc0"},
      {"SurrogateIsNotUtf8", kBase + "description: \"\xed\xa0\x80\"\n", {},
       "t.yaml:8:14: description: the value is not valid UTF-8: byte 1 is \\xed"},
      {"OverrideNotUtf8", kBase, {"description=\xfe"},
       "--set description=\\xfe: is not valid UTF-8: byte 13 is \\xfe (got 'description=\\xfe')"},
      {"OverridePathNotUtf8", kBase, {"descr\xfe=x"}, "--set descr\\xfe=x: is not valid UTF-8: byte 6 is \\xfe"},
      {"Utf8IsAccepted", "name: \"caf\xc3\xa9 \xf0\x9f\x90\x9d\"\n" + kBase.substr(8), {"description=na\xc3\xafve"}, ""},
      // ---- rates -------------------------------------------------------------------
      {"RateBelowTheClocksReach", kBase, {"workload.0.rate=0.000000000001tps"},
       "workload.0.rate: expected a rate of at least 4.34e-09tps (got '0.000000000001tps'): a gap between arrivals can reach "
       "40 mean gaps (1/rate), and after the window ends at 60s such a gap must still fit in the simulator's clock"},
      {"RateJustAboveTheClocksReachLoads", kBase, {"workload.0.rate=0.000000005tps"}, ""},
      {"RateLimitFollowsTheWindowsEnd", kBase, {"duration=2500000h", "workload.0.rate=0.0000001tps"},
       "expected a rate of at least 1.79e-07tps (got '0.0000001tps'): a gap between arrivals can reach 40 mean gaps "
       "(1/rate), and after the window ends at 9000000000s"},
      {"RateAboveOnePerNanosecond", kBase, {"workload.0.rate=1000000000000tps"},
       "workload.0.rate: expected a rate of at most 1e+09tps (one arrival per nanosecond, the clock's resolution) "
       "(got '1000000000000tps')"},
      {"RateRequestingTooManyTransactions", kBase, {"workload.0.rate=200000tps"},
       "workload.0.rate: the run would request about 1.2e+07 transactions (rate x window, 1.2e+07 here"},
      {"RateRequestsAreCountedOverTheWindow", kBase, {"workload.0.rate=200000tps", "workload.0.end=30s"}, ""},
      {"RequestsAreSummedOverGenerators", kBase,
       {"workload.0.rate=100000tps", "workload.1={rate: 100000tps, mix: [{function: put, args: [k, v]}]}"},
       "workload.1.rate: the run would request about 1.2e+07 transactions (rate x window, 6e+06 here"},
      {"PhaseRateBelowTheClocksReach", with_phase_rate("0.000000000001tps"), {},
       "workload.1.phases.1.rate: expected a rate of at least"},
      {"PhaseRateAboveOnePerNanosecond", with_phase_rate("2000000000tps"), {}, "workload.1.phases.1.rate: expected a rate of at most"},
      {"PhaseRequestsCountTheirOwnDuration", with_phase_rate("2000000tps"), {},
       "workload.1.phases.1.rate: the run would request about 2e+07 transactions (rate x window, 2e+07 here"},
      // ---- sizes -------------------------------------------------------------------
      {"InFlightAboveTheLimit", kBase,
       {"network.orgs.0.clients=200", "workload.0={outstanding: 501, mix: [{function: put, args: [k, v]}]}"},
       "workload.0.outstanding: the closed-loop generators would keep 100200 transactions in flight (clients x "
       "outstanding, 100200 here); the limit is 100000"},
      {"InFlightAtTheLimitLoads", kBase,
       {"network.orgs.0.clients=200", "workload.0={outstanding: 500, mix: [{function: put, args: [k, v]}]}"}, ""},
      {"NetworkAboveTheNodeLimit",
       "name: t\nduration: 1s\nnetwork:\n  orgs:\n" + [] {
         std::string orgs;
         for (int i = 0; i < 6; ++i) orgs += "    - {name: O" + std::to_string(i) + ", peers: 1000, clients: 1000}\n";
         return orgs;
       }(),
       {}, "t.yaml:10:7: network.orgs.5: the organisations so far have 12000 peers and clients together; the limit is 10000"},
  };
}

class LoaderLimits : public testing::TestWithParam<LimitCase> {};

TEST_P(LoaderLimits, Rule) {
  const LimitCase& c = GetParam();
  LoaderOptions options;
  auto spec = load_scenario_text(c.yaml, "t.yaml", c.sets, options);
  if (c.expected.empty()) {
    EXPECT_TRUE(spec.is_ok()) << spec.status().message();
    return;
  }
  ASSERT_FALSE(spec.is_ok());
  EXPECT_NE(spec.status().message().find(c.expected), std::string::npos) << spec.status().message();
  EXPECT_EQ(spec.status().message().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Rules, LoaderLimits, testing::ValuesIn(limit_cases()),
                         [](const testing::TestParamInfo<LimitCase>& i) { return std::string(i.param.name); });

TEST(OneLine, EscapesBytesThatAreNotUtf8AndKeepsThoseThatAre) {
  EXPECT_EQ(one_line("a\xff" "b\n\xc3\xa9\xc3"), "a\\xffb\\n\xc3\xa9\\xc3");
}

// ---- big maps ----------------------------------------------------------------------------

// A map of `keys` entries under `costs` (3 MB for 190,000 keys), optionally with the first
// key again at the end.
std::string big_map(size_t keys, bool duplicate_last) {
  std::string text = "name: t\nduration: 1s\ncosts:\n";
  char line[32];
  for (size_t i = 0; i < keys; ++i) {
    snprintf(line, sizeof line, "  k%07zu: 1ms\n", i);
    text += line;
  }
  if (duplicate_last) text += "  k0000000: 2ms\n";
  return text;
}

TEST(BigMap, AThreeMegabyteMapLoadsInSecondsNotMinutes) {
  // The old duplicate-key check compared each key with every earlier one: minutes.
  const std::string text = big_map(190'000, false);
  ASSERT_GT(text.size(), 3'000'000u);
  const auto t0 = std::chrono::steady_clock::now();
  auto doc = YamlDocument::parse(text, "big.yaml");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(doc.is_ok()) << doc.status().message();
  EXPECT_EQ(doc->root().find("costs")->entries.size(), 190'000u);
  // Not a speed measurement (docs/performance.md has those): a guard against the quadratic
  // check, which took minutes here (now ~1.3 s of CPU in a release build, two parses: see
  // yaml_tree.cc, DocumentCounter), with room for a loaded machine or a sanitizer build.
  EXPECT_LT(s, 20.0) << "parsing a 3 MB map took " << s << " s";
}

TEST(BigMap, ADuplicateKeyInABigMapIsStillFoundWhereItIs) {
  auto doc = YamlDocument::parse(big_map(50'000, true), "big.yaml");
  ASSERT_FALSE(doc.is_ok());
  EXPECT_EQ(doc.status().message(), "big.yaml:50004:3: costs: duplicate key 'k0000000' (first at line 4)");
}

// ---- the scenario file ---------------------------------------------------------------------

fs::path test_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir =
      fs::path(testing::TempDir()) / (std::string("fabsim_limits_") + info->name() + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ScenarioFile, AFifoIsRefusedWithoutWaitingForAWriter) {
  const fs::path p = test_dir() / "pipe.yaml";
  ASSERT_EQ(mkfifo(p.c_str(), 0644), 0);
  auto spec = load_scenario_file(p.string());
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().message(), p.string() + ": is not a regular file (a pipe, a device or a socket); a "
                                                   "scenario file must be a regular file");
}

TEST(ScenarioFile, ACharacterDeviceIsRefused) {
  auto spec = load_scenario_file("/dev/zero");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_NE(spec.status().message().find("/dev/zero: is not a regular file"), std::string::npos);
}

TEST(ScenarioFile, ADirectoryIsRefused) {
  const fs::path dir = test_dir();
  auto spec = load_scenario_file(dir.string());
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().message(), dir.string() + ": is a directory, not a scenario file");
}

TEST(ScenarioFile, AFileAboveTheLimitIsRefused) {
  const fs::path p = test_dir() / "big.yaml";
  std::ofstream(p) << kBase;
  fs::resize_file(p, kMaxScenarioFileBytes + 1);
  auto spec = load_scenario_file(p.string());
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().message(), p.string() + ": the scenario file has 16777217 bytes; the limit is 16777216");
}

TEST(ScenarioFile, AFileAtTheLimitIsRead) {
  const fs::path p = test_dir() / "full.yaml";
  std::string text = kBase + "#";
  text.resize(kMaxScenarioFileBytes, '#');
  std::ofstream(p) << text;
  auto spec = load_scenario_file(p.string());
  EXPECT_TRUE(spec.is_ok()) << spec.status().message();
}

TEST(ScenarioFile, AFileWhoseSizeIsNotKnownAheadIsReadWhole) {
  // /proc files report size 0 and are read until their end.
  auto spec = load_scenario_file("/proc/self/status");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_NE(spec.status().message().find("/proc/self/status:1:1: unknown key 'Name'"), std::string::npos)
      << spec.status().message();
}

TEST(ScenarioFile, ASymbolicLinkToARegularFileIsFollowed) {
  const fs::path dir = test_dir();
  std::ofstream(dir / "s.yaml") << kBase;
  fs::create_symlink(dir / "s.yaml", dir / "link.yaml");
  auto spec = load_scenario_file((dir / "link.yaml").string());
  EXPECT_TRUE(spec.is_ok()) << spec.status().message();
}

TEST(ScenarioFile, APathThatIsNotUtf8IsRefusedBeforeOpening) {
  auto spec = load_scenario_file("/nonexistent/\xff.yaml");
  ASSERT_FALSE(spec.is_ok());
  EXPECT_EQ(spec.status().message(),
            "the scenario file's path is not valid UTF-8: byte 14 is \\xff (got '/nonexistent/\\xff.yaml')");
}

}  // namespace
}  // namespace fabsim::scenario
