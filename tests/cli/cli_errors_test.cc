// Bad input on the command line: one line on stderr naming the problem, exit status 2,
// no abort, no stack trace.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace fabsim {
namespace {

struct RunResult {
  int status;
  std::string stderr_text;
  std::string stdout_text;
};

RunResult run_cli(const std::string& args) {
  // One file per test and process: CTest runs cases in parallel.
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  const std::string err_file = testing::TempDir() + "fabsim_cli_err_" + name + "_" + std::to_string(getpid()) + ".txt";
  const std::string cmd = std::string(FABSIM_CLI_PATH) + " " + args + " 2>" + err_file;
  RunResult r{};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.stdout_text.append(buf.data(), n);
  const int rc = pclose(p);
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  if (FILE* f = fopen(err_file.c_str(), "r")) {
    while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) r.stderr_text.append(buf.data(), n);
    fclose(f);
  }
  std::remove(err_file.c_str());
  return r;
}

struct ErrorCase {
  const char* name;
  const char* args;
  const char* must_mention;
};

class CliBadInput : public testing::TestWithParam<ErrorCase> {};

TEST_P(CliBadInput, OneLineOnStderrAndExitStatus2) {
  const RunResult r = run_cli(GetParam().args);
  EXPECT_EQ(r.status, 2) << r.stderr_text;
  EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find(GetParam().must_mention), std::string::npos) << r.stderr_text;
  EXPECT_TRUE(r.stdout_text.empty()) << r.stdout_text;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CliBadInput,
    testing::Values(ErrorCase{"UnknownCommand", "frobnicate", "frobnicate"},
                    ErrorCase{"NoCommand", "", "subcommand"},
                    ErrorCase{"UnknownFlag", "demo flood --frobs 3", "--frobs"},
                    ErrorCase{"MalformedSeed", "demo flood --seed 12abc", "--seed"},
                    ErrorCase{"NegativeSeed", "demo flood --seed -5", "--seed"},
                    ErrorCase{"HostsBelowRange", "demo flood --hosts 1", "--hosts"},
                    ErrorCase{"LossAboveOne", "demo flood --loss 1.5", "--loss"},
                    ErrorCase{"DurationWithoutUnit", "demo flood --duration 10", "--duration"},
                    ErrorCase{"DurationWithUnknownUnit", "demo flood --duration 5parsecs", "5parsecs"},
                    ErrorCase{"ZeroDuration", "demo flood --duration 0s", "--duration"},
                    ErrorCase{"BadBandwidth", "demo flood --bandwidth fast", "--bandwidth"},
                    ErrorCase{"DegreeNotBelowHosts", "demo flood --hosts 4 --degree 4", "--degree"},
                    ErrorCase{"MoreCrashesThanHosts", "demo flood --hosts 4 --degree 2 --crashes 5", "--crashes"},
                    ErrorCase{"UnwritableTraceFile", "demo flood --trace /nonexistent/dir/t.txt", "--trace"}),
    [](const testing::TestParamInfo<ErrorCase>& i) { return std::string(i.param.name); });

TEST(CliDemo, PrintsSeedAndReproduceCommand) {
  const RunResult r = run_cli("demo flood --seed 9 --hosts 10 --degree 3 --messages 5 --duration 1s");
  EXPECT_EQ(r.status, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("seed: 9\n"), std::string::npos);
  EXPECT_NE(r.stdout_text.find("reproduce: ./fabsim demo flood --seed 9 --hosts 10 --degree 3 --messages 5"), std::string::npos);
  EXPECT_NE(r.stdout_text.find("trace hash: "), std::string::npos);
}

TEST(CliDemo, CheckDeterminismReportsOk) {
  const RunResult r = run_cli("demo flood --seed 9 --hosts 10 --degree 3 --messages 5 --duration 1s --crashes 2 --check-determinism");
  EXPECT_EQ(r.status, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("determinism: OK"), std::string::npos) << r.stdout_text;
}

TEST(CliDemo, TraceFileIsWrittenWholeWithOneLinePerEvent) {
  const std::string path = testing::TempDir() + "fabsim_trace_test_" + std::to_string(getpid()) + ".txt";
  std::remove(path.c_str());
  const RunResult r = run_cli("demo flood --seed 9 --hosts 10 --degree 3 --messages 5 --duration 1s --crashes 1 --trace " + path);
  ASSERT_EQ(r.status, 0) << r.stderr_text;
  FILE* f = fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) text.append(buf.data(), n);
  fclose(f);
  EXPECT_NE(text.find(" fault crash "), std::string::npos);
  EXPECT_NE(text.find(" deliver from="), std::string::npos);
  const auto events_pos = r.stdout_text.find("trace=");
  ASSERT_NE(events_pos, std::string::npos);
  const long events = std::stol(r.stdout_text.substr(events_pos + 6));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), events);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace fabsim
