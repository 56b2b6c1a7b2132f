// Bad input to `fabsim run`, found by trying (issue 11, "Bad input"): each gets one line on
// stderr naming the place, exit status 2, and leaves no output file, no temporary file and no
// --out directory behind. The real binary runs each case (with a time limit: a hang fails the
// case instead of the suite). One case per rule, named after it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fabsim {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test (CTest runs cases in parallel).
fs::path test_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  const fs::path dir = fs::path(testing::TempDir()) / ("fabsim_bad_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// Every file and directory below `dir`, relative to it, sorted.
std::vector<std::string> tree(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Outcome {
  int status = -1;  // the exit status; 128 + signal when killed; -2 when it did not end in time
  std::string out, err;
};

// Runs `fabsim run ARGS...` in `dir` with stdin from `stdin_path`, for at most 60 s.
Outcome fabsim_run(const fs::path& dir, std::vector<std::string> args, const std::string& stdin_path = "/dev/null") {
  args.insert(args.begin(), {FABSIM_CLI_PATH, "run"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const fs::path out_path = dir / ".stdout", err_path = dir / ".stderr";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  pid_t pid = -1;
  Outcome r;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return r;
  posix_spawn_file_actions_destroy(&fa);
  int ws = 0;
  for (int waited_ms = 0;; waited_ms += 20) {
    if (waitpid(pid, &ws, WNOHANG) == pid) break;
    if (waited_ms > 60'000) {
      kill(pid, SIGKILL);
      waitpid(pid, &ws, 0);
      r.status = -2;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (r.status != -2) r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  fs::remove(out_path);
  fs::remove(err_path);
  return r;
}

// A small valid scenario: 10 tps for 1 s, HMAC signatures; cases spoil one thing.
const std::string kGood =
    "name: t\n"
    "seed: 5\n"
    "duration: 1s\n"
    "network: {orgs: [{name: Org1, peers: 1, clients: 1}]}\n"
    "ordering: {batch_timeout: 200ms}\n"
    "crypto: {scheme: hmac}\n"
    "chaincodes: [{name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer')\"}]\n"
    "workload:\n"
    "  - {rate: 10tps, arrival: fixed, mix: [{function: put, args: [\"{key}\", v]}]}\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The rule's common part: status 2, one line on stderr starting "fabsim: <place>" and
// holding `what`, nothing on stdout (the refusal comes before the run's header), and `dir`
// holding exactly `files_before` (no output, no temporary, no --out directory).
void expect_refused(const Outcome& r, const std::string& place, const std::string& what, const fs::path& dir,
                    const std::vector<std::string>& files_before) {
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.err.starts_with("fabsim: " + place)) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "") << r.out;
  EXPECT_EQ(tree(dir), files_before);
}

// ---- text that is not UTF-8 -------------------------------------------------------------------

struct Utf8Case {
  const char* name;
  std::string from, to;  // kGood with `from` replaced by `to`
  std::vector<std::string> extra_args;
  std::string place, what;  // "FILE" in place stands for the scenario file
};

class NotUtf8 : public testing::TestWithParam<Utf8Case> {};

TEST_P(NotUtf8, IsRefusedAtLoadWithItsPlaceAndNoOutputsEvenWithCheckDeterminism) {
  const Utf8Case& c = GetParam();
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", replaced(kGood, c.from, c.to));
  std::vector<std::string> args = {"s.yaml", "--out", "out", "--trace", "trace.txt", "--check-determinism"};
  args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
  const Outcome r = fabsim_run(dir, args);
  std::string place = c.place;
  if (place.starts_with("FILE")) place = "s.yaml" + place.substr(4);
  expect_refused(r, place, c.what, dir, {"s.yaml"});
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, NotUtf8,
    testing::Values(Utf8Case{"InAName", "name: t", "name: t\xff", {}, "FILE:1:7: name: ",
                             "the value is not valid UTF-8: byte 2 is \\xff (got 't\\xff')"},
                    Utf8Case{"InAChaincodeFunction", "function: put", "function: p\xc3\x28t", {}, "FILE:9:",
                             "workload.0.mix.0.function: the value is not valid UTF-8: byte 2 is \\xc3"},
                    Utf8Case{"InAKey", "seed: 5", "se\xed\xa0\x80" "d: 5", {}, "FILE:2:1: ",
                             "the key is not valid UTF-8: byte 3 is \\xed"},
                    Utf8Case{"InASeed", "", "", {"--seed", "1\xff"}, "--seed: ", "'1\\xff' is not a valid seed"},
                    Utf8Case{"InASetValue", "", "", {"--set", "description=caf\xe9"}, "--set description=caf\\xe9: ",
                             "is not valid UTF-8: byte 16 is \\xe9"}),
    [](const testing::TestParamInfo<Utf8Case>& i) { return std::string(i.param.name); });

TEST(BadInput, AFilePathThatIsNotUtf8IsRefusedNamingThePath) {
  const fs::path dir = test_dir();
  write_file(dir / "s\xff.yaml", kGood);
  const Outcome r = fabsim_run(dir, {"s\xff.yaml", "--out", "out", "--check-determinism"});
  expect_refused(r, "the scenario file's path ", "is not valid UTF-8: byte 2 is \\xff (got 's\\xff.yaml')", dir,
                 {"s\xff.yaml"});
}

TEST(BadInput, AFilePathWithANewlineGivesAMessageOnOneLine) {
  const fs::path dir = test_dir();
  expect_refused(fabsim_run(dir, {"no\nsuch.yaml", "--out", "out"}), "no\\nsuch.yaml: ",
                 "cannot open the scenario file: No such file or directory", dir, {});
}

// ---- rates and sizes -----------------------------------------------------------------------

struct LimitCase {
  const char* name;
  std::vector<std::string> sets;
  std::string place, what;
};

class Limits : public testing::TestWithParam<LimitCase> {};

TEST_P(Limits, AreLocatedErrorsAtLoad) {
  const LimitCase& c = GetParam();
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  std::vector<std::string> args = {"s.yaml", "--out", "out"};
  for (const auto& s : c.sets) args.insert(args.end(), {"--set", s});
  expect_refused(fabsim_run(dir, args), c.place, c.what, dir, {"s.yaml"});
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, Limits,
    testing::Values(
        LimitCase{"ATinyRateWhoseGapsOverflowTheClock", {"workload.0.rate=0.000000000001tps"},
                  "--set workload.0.rate=0.000000000001tps: workload.0.rate: ", "expected a rate of at least 4.34e-09tps"},
        LimitCase{"AnAbsurdRateAboveOnePerNanosecond", {"workload.0.rate=1000000000000tps"},
                  "--set workload.0.rate=1000000000000tps: workload.0.rate: ", "expected a rate of at most 1e+09tps"},
        LimitCase{"ARateThatWouldRequestMoreThanTenMillionTransactions", {"workload.0.rate=20000000tps"},
                  "--set workload.0.rate=20000000tps: workload.0.rate: ",
                  "the run would request about 2e+07 transactions"},
        LimitCase{"ATinyPhaseRate", {"workload.0={phases: [{duration: 1s, rate: 0.000000000001tps}], mix: [{function: put, args: [k, v]}]}"},
                  "--set workload.0=", "workload.0.phases.0.rate: expected a rate of at least"},
        LimitCase{"TooManyTransactionsInFlight", {"network.orgs.0.clients=1000",
                   "workload.0={outstanding: 1000, mix: [{function: put, args: [k, v]}]}"},
                  "--set workload.0=", "workload.0.outstanding: the closed-loop generators would keep 1000000 "
                                       "transactions in flight"},
        LimitCase{"TooManyNodes", {"network.orgs.0.peers=1000", "network.orgs.0.clients=1000",
                   "network.orgs.1={name: Org2, peers: 1000, clients: 1000}",
                   "network.orgs.2={name: Org3, peers: 1000, clients: 1000}",
                   "network.orgs.3={name: Org4, peers: 1000, clients: 1000}",
                   "network.orgs.4={name: Org5, peers: 1000, clients: 1000}",
                   "network.orgs.5={name: Org6, peers: 1000, clients: 1000}"},
                  "--set network.orgs.5=", "network.orgs.5: the organisations so far have 12000 peers and clients"}),
    [](const testing::TestParamInfo<LimitCase>& i) { return std::string(i.param.name); });

// ---- what the scenario file is ---------------------------------------------------------------

TEST(BadInput, AFifoAsTheScenarioFileIsRefusedWithoutWaitingForAWriter) {
  const fs::path dir = test_dir();
  ASSERT_EQ(mkfifo((dir / "pipe.yaml").c_str(), 0644), 0);
  expect_refused(fabsim_run(dir, {"pipe.yaml", "--out", "out"}), "pipe.yaml: ", "is not a regular file", dir,
                 {"pipe.yaml"});
}

TEST(BadInput, ADeviceAsTheScenarioFileIsRefusedWithoutReadingIt) {
  const fs::path dir = test_dir();
  expect_refused(fabsim_run(dir, {"/dev/zero", "--out", "out"}), "/dev/zero: ", "is not a regular file", dir, {});
}

TEST(BadInput, StdinFromAPipeAsTheScenarioFileIsRefused) {
  const fs::path dir = test_dir();
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0644), 0);
  // The child's stdin is the FIFO, opened for reading; a writer holds it open meanwhile.
  std::thread writer([&] { std::ofstream(dir / "fifo") << kGood; });
  const Outcome r = fabsim_run(dir, {"/dev/stdin", "--out", "out"}, (dir / "fifo").string());
  writer.join();
  expect_refused(r, "/dev/stdin: ", "is not a regular file", dir, {"fifo"});
}

TEST(BadInput, AScenarioFileAboveTheSizeLimitIsRefusedWithoutReadingIt) {
  const fs::path dir = test_dir();
  write_file(dir / "big.yaml", kGood);
  fs::resize_file(dir / "big.yaml", (16u << 20) + 1);  // sparse: no 16 MiB written
  expect_refused(fabsim_run(dir, {"big.yaml", "--out", "out"}), "big.yaml: ",
                 "the scenario file has 16777217 bytes; the limit is 16777216", dir, {"big.yaml"});
}

// ---- flags ---------------------------------------------------------------------------------

struct FlagCase {
  const char* name;
  std::vector<std::string> args;  // after the file
  std::string what;               // the line on stderr holds it
};

class EmptyFlag : public testing::TestWithParam<FlagCase> {};

TEST_P(EmptyFlag, IsRefusedNotIgnored) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  std::vector<std::string> args = {"s.yaml"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  const Outcome r = fabsim_run(dir, args);
  expect_refused(r, "", GetParam().what, dir, {"s.yaml"});
}

INSTANTIATE_TEST_SUITE_P(BadInput, EmptyFlag,
                         testing::Values(FlagCase{"Seed", {"--seed", ""}, "--seed: expected a value, got an empty one"},
                                         FlagCase{"Out", {"--out", ""}, "--out: expected a value, got an empty one"},
                                         FlagCase{"Trace", {"--trace", ""}, "--trace: expected a value"},
                                         FlagCase{"KeepData", {"--keep-data", ""}, "--keep-data: expected a value"}),
                         [](const testing::TestParamInfo<FlagCase>& i) { return std::string(i.param.name); });

// ---- outputs that cannot be written ------------------------------------------------------------

TEST(BadInput, AnOutThatCannotBeWrittenIsRefusedBeforeTheRun) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  // /proc takes no new files, not even from root.
  expect_refused(fabsim_run(dir, {"s.yaml", "--out", "/proc"}), "--out: ", "cannot write into directory '/proc'", dir,
                 {"s.yaml"});
}

TEST(BadInput, AnOutBelowAFileIsRefusedBeforeTheRunAndCreatesNothing) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  write_file(dir / "file", "x");
  expect_refused(fabsim_run(dir, {"s.yaml", "--out", "file/out"}), "--out: ", "cannot create directory 'file/out'",
                 dir, {"file", "s.yaml"});
  // A newline in the path is escaped: the message stays on one line.
  expect_refused(fabsim_run(dir, {"s.yaml", "--out", "file/a\nb"}), "--out: ", "cannot create directory 'file/a\\nb'",
                 dir, {"file", "s.yaml"});
}

TEST(BadInput, ATraceThatCannotBeWrittenIsRefusedBeforeTheRunAndLeavesNoOutDirectory) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  expect_refused(fabsim_run(dir, {"s.yaml", "--out", "out", "--trace", "no-such-dir/trace.txt"}), "--trace: ",
                 "cannot write 'no-such-dir/trace.txt.tmp'", dir, {"s.yaml"});
}

TEST(BadInput, KeepDataThatIsNotEmptyIsRefusedBeforeTheRunAndLeavesNoOutDirectory) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  fs::create_directories(dir / "data");
  write_file(dir / "data" / "x", "x");
  expect_refused(fabsim_run(dir, {"s.yaml", "--out", "out", "--keep-data", "data"}), "--keep-data: ",
                 "exists and is not an empty directory", dir, {"data", "data/x", "s.yaml"});
}

TEST(BadInput, KeepDataBelowAFileIsRefusedBeforeTheRun) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml", kGood);
  write_file(dir / "file", "x");
  expect_refused(fabsim_run(dir, {"s.yaml", "--out", "out", "--keep-data", "file/data"}), "--keep-data: ",
                 "cannot create directory 'file/data'", dir, {"file", "s.yaml"});
}

TEST(BadInput, ARefusalByTheRunnerAfterTheHeaderLeavesNoOutDirectoryNorKeptData) {
  const fs::path dir = test_dir();
  // It loads, but the runner refuses it: the Init has no client on its channel.
  write_file(dir / "s.yaml",
             "name: t\nduration: 1s\nnetwork:\n  orgs: [{name: Org1, clients: 0}, {name: Org2}]\n"
             "crypto: {scheme: hmac}\nchannels:\n  - {name: ch, orgs: [Org1]}\n"
             "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer')\", init: []}\n");
  const Outcome r = fabsim_run(dir, {"s.yaml", "--out", "new/out", "--keep-data", "kept", "--trace", "t.txt"});
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("the Init needs a client"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("scenario: t"), std::string::npos) << r.out;  // the header came first
  EXPECT_EQ(tree(dir), std::vector<std::string>{"s.yaml"});
}

TEST(BadInput, ARefusalByTheRunnerKeepsAnOutDirectoryThatExistedBefore) {
  const fs::path dir = test_dir();
  write_file(dir / "s.yaml",
             "name: t\nduration: 1s\nnetwork:\n  orgs: [{name: Org1, clients: 0}, {name: Org2}]\n"
             "crypto: {scheme: hmac}\nchannels:\n  - {name: ch, orgs: [Org1]}\n"
             "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer')\", init: []}\n");
  fs::create_directories(dir / "out");
  write_file(dir / "out" / "mine.txt", "x");
  const Outcome r = fabsim_run(dir, {"s.yaml", "--out", "out"});
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_EQ(tree(dir), (std::vector<std::string>{"out", "out/mine.txt", "s.yaml"}));
}

}  // namespace
}  // namespace fabsim
