// `fabsim run` (cli/run_command.h), called as a function: bad input gives exit status 2, one
// line on `err` naming the place, and no output file; a good run writes results.json,
// transactions.csv and report.html, prints the seed and a reproduce command that reproduces the run; unmet
// expectations give exit status 1 and one line each. One case per rule, named after it.
#include "cli/run_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/report_html.h"
#include "tests/cli/run_test_util.h"

namespace fabsim::cli {
namespace {

namespace fs = std::filesystem;

using testing_util::Outcome;
using testing_util::read_file;
using testing_util::run;
using testing_util::test_dir;

std::string write_file(const fs::path& dir, const std::string& text) {
  const fs::path p = dir / "s.yaml";
  std::ofstream(p) << text;
  return p.string();
}

// Twelve lines, valid but with no workload: cases append from line 13.
const std::string kBase =
    "name: t\n"
    "seed: 5\n"
    "duration: 1s\n"
    "drain: 1s\n"
    "network:\n"
    "  orgs:\n"
    "    - {name: Org1, peers: 1, clients: 1}\n"
    "    - {name: Org2, peers: 1, clients: 1}\n"
    "ordering: {batch_timeout: 200ms}\n"
    "crypto: {scheme: hmac}\n"
    "chaincodes:\n"
    "  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer','Org2MSP.peer')\"}\n";

// kBase and 10 tps on lines 13-14; cases append from line 15.
const std::string kGood = kBase +
                          "workload:\n"
                          "  - {rate: 10tps, arrival: fixed, mix: [{function: put, args: [\"{key}\", v]}]}\n";

// The files a run may leave in its out directory.
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- bad input -----------------------------------------------------------------------------

struct BadInputCase {
  const char* name;
  std::string yaml;
  std::string seed;
  std::vector<std::string> sets;
  std::string place;  // what the message starts with after "fabsim: "; "FILE" stands for the file's path
  std::string what;   // and what it must say after that
};

std::vector<BadInputCase> bad_input_cases() {
  return {
      {"MalformedYaml", kBase + "workload: [\n", "", {}, "FILE:14:1: ", "malformed YAML"},
      {"UnknownKeySuggestsTheClosest", kGood + "ordring: {}\n", "", {}, "FILE:15:1: ",
       "unknown key 'ordring' (did you mean 'ordering'?)"},
      {"UnknownNodeInAFault", kGood + "faults:\n  - {at: 500ms, crash: Org1.peer9}\n", "", {}, "FILE:16:24: ",
       "faults.0.crash: unknown node or group 'Org1.peer9' (did you mean 'Org1.peer0'?)"},
      {"PolicyNamesAnOrgNotOnTheChannel", kGood + "channels:\n  - {name: ch, orgs: [Org1]}\n", "", {}, "FILE:12:",
       "chaincodes.0.endorsement_policy: principal 'Org2MSP.peer' names MSP 'Org2MSP', which is not an organisation "
       "on channel 'ch'"},
      {"NegativeDuration", "name: t\nseed: 5\nduration: -1s\n" + kGood.substr(kGood.find("drain:")), "", {},
       "FILE:3:11: ", "duration: expected a positive duration; durations here cannot be negative (got '-1s')"},
      {"ZeroRate", kBase + "workload:\n  - {rate: 0tps, mix: [{function: put, args: [k, v]}]}\n", "", {}, "FILE:14:12: ",
       "workload.0.rate: expected a rate above 0 (got '0tps')"},
      {"ConflictingFaultsRestartOfANodeThatIsUp", kGood + "faults:\n  - {at: 500ms, restart: Org1.peer0}\n", "", {},
       "FILE:16:26: ", "faults.0.restart: restart of Org1.peer0 at 500ms, which is up"},
      {"BadSeed", kGood, "12abc", {}, "--seed: ", "'12abc' is not a valid seed"},
      {"NegativeSeed", kGood, "-1", {}, "--seed: ", "is not a valid seed"},
      {"BadSetValue", kGood, "", {"network.orgs.0.peers=x"}, "--set network.orgs.0.peers=x: ",
       "network.orgs.0.peers: expected a whole number from 1 to 1000 (got 'x')"},
      {"BadSetKey", kGood, "", {"ordring.batch_timeout=1s"}, "--set ordring.batch_timeout=1s: ",
       "unknown key 'ordring' (did you mean 'ordering'?)"},
      // The loader accepts it, the runner does not (yet): still bad input, still no files.
      {"PeerJoiningAChannelItsOrgIsNotOn",
       "name: t\nduration: 1s\nnetwork:\n  orgs: [{name: Org1}, {name: Org2}]\ncrypto: {scheme: hmac}\n"
       "channels:\n  - {name: ch, orgs: [Org1], peers: [Org1.peer0, Org2.peer0]}\n"
       "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MSP.peer')\"}\n",
       "", {}, "FILE:7:50: ", "channels.0.peers.1: peer 'Org2.peer0' cannot join channel 'ch': its organisation Org2"},
  };
}

class RunCommandBadInput : public testing::TestWithParam<BadInputCase> {};

TEST_P(RunCommandBadInput, ExitStatus2OneLineNamingThePlaceAndNoOutputFiles) {
  const BadInputCase& c = GetParam();
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, c.yaml);
  o.seed = c.seed;
  o.sets = c.sets;
  o.out_dir = (dir / "out").string();
  o.trace_file = (dir / "trace.txt").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  std::string place = c.place;
  if (place.starts_with("FILE")) place = o.file + place.substr(4);
  EXPECT_TRUE(r.err.starts_with("fabsim: " + place)) << r.err;
  EXPECT_NE(r.err.find(c.what), std::string::npos) << r.err;
  EXPECT_EQ(files_in(dir / "out"), std::vector<std::string>{});
  for (const auto& f : files_in(dir)) EXPECT_TRUE(f == "s.yaml" || f == "out") << f;  // no trace, no temporaries
  EXPECT_FALSE(fs::exists(o.trace_file));
  EXPECT_FALSE(fs::exists(o.trace_file + ".tmp"));
}

INSTANTIATE_TEST_SUITE_P(RunCommand, RunCommandBadInput, testing::ValuesIn(bad_input_cases()),
                         [](const testing::TestParamInfo<BadInputCase>& i) { return std::string(i.param.name); });

TEST(RunCommand, MissingFileIsBadInput) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = (dir / "nope.yaml").string();
  o.out_dir = (dir / "out").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(o.file), std::string::npos) << r.err;
  EXPECT_EQ(files_in(dir / "out"), std::vector<std::string>{});
}

TEST(RunCommand, OutThatIsAFileIsBadInput) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.out_dir = (dir / "taken").string();
  std::ofstream(o.out_dir) << "x";
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.err.starts_with("fabsim: --out: ")) << r.err;
  EXPECT_EQ(read_file(o.out_dir), "x");
}

// ---- a good run ----------------------------------------------------------------------------

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

// The value printed after `prefix` at the start of a line of `out` ("" if none).
std::string printed(const std::string& out, const std::string& prefix) {
  for (const auto& line : lines_of(out))
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  return "";
}

TEST(RunCommand, GoodRunWritesResultsJsonTransactionsCsvAndReportHtml) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.out_dir = (dir / "out").string();
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(files_in(dir / "out"), (std::vector<std::string>{"report.html", "results.json", "timeseries.csv", "transactions.csv"}));
  // The report is made from results.json alone: rendering the written file gives it again.
  EXPECT_EQ(read_file(dir / "out" / "report.html"),
            render_report_html(nlohmann::ordered_json::parse(read_file(dir / "out" / "results.json"))));

  const auto j = nlohmann::json::parse(read_file(dir / "out" / "results.json"), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded());
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  std::vector<std::string> want = {"fabsim",         "scenario",       "seed",           "reproduce",
                                   "simulated_ns",   "caliper",        "latency_ns",
                                   "phases",  "latency_histogram", "transactions",   "invalid_by_code",  "failure_messages",
                                   "timeseries", "faults", "fault_timeline",
                                   "failed_by_reason", "blocks_by_cut_reason", "safety",
                                   "channels",       "ledger_codes",   "node_errors",   "kafka_halts",   "fault_targets",
                                   "fault_errors",   "network",        "trace_hash",
                                   "trace_events",   "kernel_events",  "expectations",   "warnings",
                                   "input",          "resolved_scenario"};
  std::sort(keys.begin(), keys.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(keys, want);
  EXPECT_EQ(j["seed"], 5);
  EXPECT_EQ(j["scenario"], "t");
  EXPECT_EQ(j["expectations"]["met"], true);
  EXPECT_EQ(j["trace_hash"], printed(r.out, "trace hash: "));
  EXPECT_EQ(j["transactions"]["requested"], 10);  // 10 tps, fixed, for 1 s

  const std::vector<std::string> csv = lines_of(read_file(dir / "out" / "transactions.csv"));
  ASSERT_EQ(csv.size(), 1u + 10u);
  EXPECT_TRUE(csv[0].starts_with("id,tx_id,generator,client,")) << csv[0];
  // The TxID's first 8 hex digits, as in the trace lines.
  ASSERT_GT(csv[1].size(), 13u);
  EXPECT_EQ(csv[1].find_first_not_of("0123456789abcdef", 4), 12u) << csv[1];
  EXPECT_TRUE(csv[1].substr(12).starts_with(",0,Org1.client0,kv,mychannel,put,0,")) << csv[1];
  for (size_t i = 1; i < csv.size(); ++i) EXPECT_TRUE(csv[i].ends_with(",VALID")) << csv[i];
  EXPECT_NE(r.out.find("results: "), std::string::npos);

  // One row per window of the run (duration + drain), the window's start first.
  const std::vector<std::string> series = lines_of(read_file(dir / "out" / "timeseries.csv"));
  const uint64_t windows = j["timeseries"]["start_ns"].size();
  EXPECT_EQ(series.size(), 1u + windows);
  EXPECT_TRUE(series[0].starts_with("window_start_ns,window_ns,throughput_tps,send_rate_tps,")) << series[0];
  EXPECT_TRUE(series[1].starts_with("0,1000000000,")) << series[1];
}

TEST(RunCommand, PrintsTheSeedAndAReproduceLine) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  const Outcome a = run(o);
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_NE(a.out.find("\nseed: 5\n"), std::string::npos) << a.out;
  EXPECT_EQ(printed(a.out, "reproduce: "), "./fabsim run " + o.file + " --seed 5");

  o.seed = "9";
  o.sets = {"ordering.batch_timeout=300ms", "workload.0.rate=20tps"};
  const Outcome b = run(o);
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_NE(b.out.find("\nseed: 9\n"), std::string::npos) << b.out;
  EXPECT_EQ(printed(b.out, "reproduce: "), "./fabsim run " + o.file +
                                              " --seed 9 --set ordering.batch_timeout=300ms --set workload.0.rate=20tps");
}

TEST(RunCommand, ReproduceCommandQuotesForTheShell) {
  RunOptions o;
  o.file = "my scenarios/it's.yaml";
  o.sets = {"faults.0={at: 1s, crash: orderer0}"};
  EXPECT_EQ(reproduce_command(o, 3),
            "./fabsim run 'my scenarios/it'\\''s.yaml' --seed 3 --set 'faults.0={at: 1s, crash: orderer0}'");
}

TEST(RunCommand, TheReproduceCommandGivesTheSameTraceHash) {
  // A Poisson workload, so that the seed matters; the run is given a seed and a --set.
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.seed = "77";
  o.sets = {"workload.0.arrival=poisson"};
  const Outcome first = run(o);
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string hash = printed(first.out, "trace hash: ");
  ASSERT_FALSE(hash.empty());

  // Parse the printed command back into options (its words need no quoting here).
  std::istringstream words(printed(first.out, "reproduce: "));
  std::vector<std::string> w;
  for (std::string s; words >> s;) w.push_back(s);
  ASSERT_GE(w.size(), 5u);
  ASSERT_EQ(w[0], "./fabsim");
  ASSERT_EQ(w[1], "run");
  RunOptions again;
  again.file = w[2];
  for (size_t i = 3; i + 1 < w.size(); i += 2) {
    if (w[i] == "--seed") again.seed = w[i + 1];
    else if (w[i] == "--set") again.sets.push_back(w[i + 1]);
    else FAIL() << "unexpected word " << w[i];
  }
  EXPECT_EQ(again.seed, "77");
  const Outcome second = run(again);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(printed(second.out, "trace hash: "), hash);

  // And the seed is what makes it: another seed, another run.
  again.seed = "78";
  EXPECT_NE(printed(run(again).out, "trace hash: "), hash);
}

TEST(RunCommand, UnmetExpectationsExitWith1AndPrintEachOne) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood +
                               "expect:\n"
                               "  committed: {min: 1000}\n"
                               "  throughput_tps: {max: 1}\n"
                               "  latency_p50: {max: 1ms}\n");
  o.out_dir = (dir / "out").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("expectations: 3 unmet\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  unmet: throughput_tps: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  unmet: latency_p50: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  unmet: committed: 10 is below the minimum 1000\n"), std::string::npos) << r.out;
  // The results are still written, and say so.
  const auto j = nlohmann::json::parse(read_file(dir / "out" / "results.json"));
  EXPECT_EQ(j["expectations"]["met"], false);
  EXPECT_EQ(j["expectations"]["unmet"].size(), 3u);
}

TEST(RunCommand, MetExpectationsExitWith0) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood + "expect:\n  committed: {min: 10, max: 10}\n  invariants: hold\n");
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("expectations: met\n"), std::string::npos) << r.out;
}

TEST(RunCommand, CheckDeterminismRunsTwiceAndAgrees) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.sets = {"workload.0.arrival=poisson", "faults.0={at: 300ms, crash: Org1.peer0, for: 200ms}"};
  o.check_determinism = true;
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("determinism: OK"), std::string::npos) << r.out;
}

TEST(RunCommand, TraceFileIsWrittenWholeWithoutTemporary) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.trace_file = (dir / "trace.txt").string();
  o.out_dir = (dir / "out").string();
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string trace = read_file(o.trace_file);
  const auto j = nlohmann::json::parse(read_file(dir / "out" / "results.json"));
  EXPECT_GT(j["trace_events"].get<int64_t>(), 0);
  EXPECT_EQ(std::count(trace.begin(), trace.end(), '\n'), j["trace_events"].get<int64_t>());
  EXPECT_FALSE(fs::exists(o.trace_file + ".tmp"));
}

// ---- the run directory (cli/run_directory.h) ----------------------------------------------

// Sets TMPDIR for the scope of a test, so the temporary run directory lands where it can be
// watched.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const fs::path& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    fs::create_directories(dir);
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) ::setenv("TMPDIR", old_->c_str(), 1);
    else ::unsetenv("TMPDIR");
  }

 private:
  std::optional<std::string> old_;
};

TEST(RunCommand, MostTransactionsFailingGivesAWarningAndTheChaincodesMessages) {
  const fs::path dir = test_dir();
  RunOptions o;
  // A range whose limit is not a number: it loads (the arity is right) and kvstore refuses
  // every one at endorsement.
  o.file = write_file(dir, kBase + "workload:\n  - {rate: 10tps, arrival: fixed, mix: [{function: range, args: [a, b, many]}]}\n");
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 0) << r.err;  // no expectations: the run itself succeeds
  EXPECT_NE(r.out.find("warning: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x endorsement_error: kvstore: "), std::string::npos) << r.out;
}

// kvstore refuses every one of these at endorsement (a range limit that is not a number).
const std::string kAllFail =
    kBase + "workload:\n  - {rate: 10tps, arrival: fixed, mix: [{function: range, args: [a, b, many]}]}\n";

TEST(RunCommand, AFailureRateBoundMakesARunOfFailuresFailItsExpectations) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kAllFail + "expect: {failure_rate: {max: 0.1}}\n");
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 1) << r.err << r.out;
  EXPECT_NE(r.out.find("unmet: failure_rate: 1 is above the maximum 0.1"), std::string::npos) << r.out;
}

TEST(RunCommand, TheFailureWarningThresholdIsSettable) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kAllFail);
  o.warn_failures = "1";
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("warning: "), std::string::npos) << r.out;  // all failed, but not more than all
}

TEST(RunCommand, BadFlagValuesAreBadInputAndWriteNothing) {
  struct Case {
    const char* what;
    std::string RunOptions::*field;
    std::string value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"window zero", &RunOptions::window, "0s", "fabsim: --window: must be positive"},
      {"window not a duration", &RunOptions::window, "soon", "fabsim: --window: "},
      {"window too small for the run", &RunOptions::window, "1us", "makes more than 100000 windows"},
      {"share above one", &RunOptions::warn_failures, "1.5", "fabsim: --warn-failures: expected a share"},
      {"share not a number", &RunOptions::warn_failures, "half", "fabsim: --warn-failures: expected a share"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const fs::path dir = test_dir();
    RunOptions o;
    o.file = write_file(dir, kGood);
    o.out_dir = (dir / "out").string();
    o.*(c.field) = c.value;
    const Outcome r = run(o);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(files_in(dir / "out"), std::vector<std::string>{});
  }
}

TEST(RunCommand, QuietPrintsOneLineWithTheVerdictAndTheReproduceCommand) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.quiet = true;
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(lines_of(r.out).size(), 1u) << r.out;
  EXPECT_TRUE(r.out.starts_with("t: ok (seed 5, trace ")) << r.out;
  EXPECT_NE(r.out.find("; reproduce: ./fabsim run " + o.file + " --seed 5"), std::string::npos) << r.out;
}

TEST(RunCommand, JsonPrintsResultsJsonAndNothingElse) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.json = true;
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["seed"], 5);
  EXPECT_EQ(j["expectations"]["met"], true);
  EXPECT_TRUE(j["phases"].contains("batch_wait"));
}

// The Chrome trace-event format (what ui.perfetto.dev and chrome://tracing read): a
// "traceEvents" array; every async begin has its end with the same id, nested inside the
// transaction's own slice; complete events have a duration; every node is a named process.
TEST(RunCommand, PerfettoWritesATraceOfTransactionsWorkAndFaults) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood + "faults:\n  - {at: 500ms, crash: Org2.peer0, for: 300ms}\n");
  o.perfetto = (dir / "run.json").string();
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_FALSE(fs::exists(o.perfetto + ".tmp"));
  const auto j = nlohmann::json::parse(read_file(o.perfetto), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded());
  std::map<uint64_t, std::vector<std::pair<std::string, double>>> open;  // id -> stack of (name, ts)
  std::set<std::string> processes, phases, work;
  int transactions = 0, faults = 0;
  for (const auto& e : j["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
    if (ph == "X" && e["cat"] == "fault") ++faults;
    if (ph == "X" && e["cat"] == "cpu") work.insert(e["name"].get<std::string>());
    if (ph == "X") EXPECT_GE(e["dur"].get<double>(), 0.0) << e.dump();
    if (ph == "b") {
      auto& stack = open[e["id"].get<uint64_t>()];
      if (stack.empty()) ++transactions; else phases.insert(e["name"].get<std::string>());
      stack.push_back({e["name"], e["ts"].get<double>()});
    }
    if (ph == "e") {
      auto& stack = open[e["id"].get<uint64_t>()];
      ASSERT_FALSE(stack.empty()) << e.dump();
      EXPECT_EQ(stack.back().first, e["name"]) << e.dump();
      EXPECT_GE(e["ts"].get<double>(), stack.back().second) << e.dump();
      stack.pop_back();
    }
  }
  for (const auto& [id, stack] : open) EXPECT_TRUE(stack.empty()) << id;
  EXPECT_GE(transactions, 5);  // the ones with an outcome (a crashed endorser leaves some without)
  EXPECT_LE(transactions, 10);
  EXPECT_EQ(faults, 1);
  for (const char* p : {"endorse", "broadcast", "batch_wait", "delivery", "vscc", "mvcc", "ledger_commit", "commit_event"})
    EXPECT_TRUE(phases.contains(p)) << p;
  for (const char* w : {"vscc", "mvcc", "ledger_commit", "endorser"}) EXPECT_TRUE(work.contains(w)) << w;
  for (const char* n : {"transactions", "Org1.peer0", "Org2.peer0", "orderer0", "Org1.client0"})
    EXPECT_TRUE(processes.contains(n)) << n;
}

TEST(RunCommand, PerfettoToAnUnwritablePlaceIsBadInputAndWritesNothing) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.out_dir = (dir / "out").string();
  o.perfetto = (dir / "no-such-dir" / "run.json").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.err.starts_with("fabsim: --perfetto: cannot write")) << r.err;
  EXPECT_EQ(files_in(dir / "out"), std::vector<std::string>{});
}

TEST(RunCommand, QuietAndJsonTogetherAreBadInput) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.quiet = o.json = true;
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "fabsim: --quiet and --json: choose one\n");
  EXPECT_EQ(r.out, "");
}

TEST(RunCommand, KeepDataHoldsEachHostsDurableDataInADirectoryOfItsOwn) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.keep_data = (dir / "data").string();
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(printed(r.out, "data: "), o.keep_data);
  const std::vector<std::string> hosts = files_in(dir / "data");
  for (const char* host : {"Org1.peer0", "Org2.peer0", "orderer0"})
    EXPECT_NE(std::find(hosts.begin(), hosts.end(), host), hosts.end()) << host;
  EXPECT_TRUE(fs::exists(dir / "data" / "Org1.peer0" / "peer" / "ledgers" / "mychannel" / "blocks" / "blockfile_000000"));
  EXPECT_TRUE(fs::exists(dir / "data" / "orderer0" / "orderer" / "chains" / "mychannel" / "index" / "CURRENT"));
}

TEST(RunCommand, KeepDataIntoADirectoryThatIsNotEmptyIsBadInputAndWritesNothing) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.keep_data = (dir / "data").string();
  fs::create_directories(o.keep_data);
  std::ofstream(dir / "data" / "mine") << "x";
  o.out_dir = (dir / "out").string();
  o.trace_file = (dir / "trace.txt").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(r.err, "fabsim: --keep-data: '" + o.keep_data + "' exists and is not an empty directory\n");
  EXPECT_EQ(files_in(dir / "data"), std::vector<std::string>{"mine"});
  EXPECT_EQ(read_file(dir / "data" / "mine"), "x");
  EXPECT_EQ(files_in(dir), (std::vector<std::string>{"data", "s.yaml"})) << "no out directory, no trace";
}

TEST(RunCommand, KeepDataThatIsAFileIsBadInput) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.keep_data = (dir / "taken").string();
  std::ofstream(o.keep_data) << "x";
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(r.err.starts_with("fabsim: --keep-data: ")) << r.err;
  EXPECT_EQ(read_file(o.keep_data), "x");
}

TEST(RunCommand, KeepDataIsEmptiedAgainWhenTheRunIsBadInput) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.keep_data = (dir / "data").string();
  o.trace_file = (dir / "no-such-dir" / "trace.txt").string();  // refused after the data directory is made
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(fs::exists(o.keep_data)) << "the command created it, so it removes it";
}

TEST(RunCommand, TheTemporaryRunDirectoryIsRemovedAfterTheRun) {
  const fs::path dir = test_dir();
  ScopedTmpdir tmp(dir / "tmp");
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.sets = {"faults.0={at: 300ms, power_loss: Org1.peer0, for: 200ms}"};
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(printed(r.out, "data: "), "") << "nothing kept";
  EXPECT_EQ(files_in(dir / "tmp"), std::vector<std::string>{});
}

TEST(RunCommand, TheTemporaryRunDirectoryIsRemovedAfterAnErrorExit) {
  const fs::path dir = test_dir();
  ScopedTmpdir tmp(dir / "tmp");
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.trace_file = (dir / "no-such-dir" / "trace.txt").string();  // refused after the run directory is made
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(files_in(dir / "tmp"), std::vector<std::string>{});
}

TEST(RunCommand, CheckDeterminismGivesEachRunItsOwnDataDirectory) {
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write_file(dir, kGood);
  o.keep_data = (dir / "data").string();
  o.check_determinism = true;
  const Outcome r = run(o);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(files_in(dir / "data"), (std::vector<std::string>{"run1", "run2"}));
  for (const char* run : {"run1", "run2"})
    EXPECT_TRUE(fs::exists(dir / "data" / run / "Org1.peer0" / "peer" / "ledgers" / "mychannel")) << run;
}

}  // namespace
}  // namespace fabsim::cli

namespace fabsim::cli {
namespace {

TEST(RunCommand, TransactionsCsvQuotesFieldsWithCommasAndQuotes) {
  scenario::RunReport r;
  scenario::TxRecord t;
  t.id = "t1";
  t.client = "Org1.client0";
  t.chaincode = "kv";
  t.channel = "ch";
  t.function = "odd,\"name\"";
  r.transactions.push_back(t);
  const std::string csv = transactions_csv(r);
  const std::string row = csv.substr(csv.find('\n') + 1);
  EXPECT_EQ(row.rfind("t1,,0,Org1.client0,kv,ch,\"odd,\"\"name\"\"\",0,", 0), 0u) << row;
}

}  // namespace
}  // namespace fabsim::cli
