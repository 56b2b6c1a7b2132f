// results.json reproduces the run (cli/run_input.h): it records fabsim's version and
// commit, the input, and the resolved scenario; `fabsim run results.json` runs that scenario
// and gives the same trace hash; flags on top apply; a results file that cannot be run is a
// located error with exit status 2 and no output. One case per rule, named after it. (The
// round trip of every shipped scenario is a CTest test per file: tests/CMakeLists.txt.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/build_info.h"
#include "cli/run_command.h"
#include "cli/run_input.h"
#include "tests/cli/run_test_util.h"

namespace fabsim::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

using testing_util::Outcome;
using testing_util::read_file;
using testing_util::run;
using testing_util::test_dir;

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

bool has_line(const std::string& out, const std::string& line) {
  return ("\n" + out).find("\n" + line + "\n") != std::string::npos;
}

// Runs `file` with --out `out` and returns its results.json.
Json run_to(const std::string& file, const fs::path& out, Outcome* outcome,
            const std::vector<std::string>& sets = {}, const std::string& seed = "") {
  RunOptions o;
  o.file = file;
  o.out_dir = out.string();
  o.sets = sets;
  o.seed = seed;
  *outcome = run(o);
  if (!fs::exists(out / "results.json")) return Json();
  return Json::parse(read_file(out / "results.json"));
}

const char* kSmall = R"yaml(name: small
seed: 5
duration: 1s
drain: 1s
network: {orgs: [{name: Org1}, {name: Org2}]}
ordering: {batch_timeout: 200ms}
crypto: {scheme: hmac}
chaincodes: [{name: kv, kind: kvstore, endorsement_policy: "OR('Org1MSP.peer','Org2MSP.peer')"}]
workload: [{rate: 10tps, mix: [{function: put, args: ["{key}", v]}]}]
faults: [{at: 500ms, crash: Org2.peer0, for: 200ms}]
)yaml";

// ---- what results.json records -------------------------------------------------------------

TEST(ResultsJson, RecordsFabsimsVersionAndCommit) {
  const fs::path dir = test_dir();
  Outcome r;
  const Json j = run_to(write(dir / "s.yaml", kSmall), dir / "out", &r);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(j["fabsim"], Json({{"version", fabsim_version()}, {"commit", fabsim_commit()}}));
  EXPECT_EQ(j.begin().key(), "fabsim");
}

TEST(ResultsJson, RecordsTheInputFileItsTextTheSetsAndTheSeedFlag) {
  const fs::path dir = test_dir();
  const std::string file = write(dir / "s.yaml", kSmall);
  Outcome r;
  const Json j = run_to(file, dir / "out", &r, {"workload.0.rate=20tps"}, "7");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(j["input"], Json({{"file", file}, {"text", kSmall}, {"sets", {"workload.0.rate=20tps"}}, {"seed", 7}}));
  const Json plain = run_to(file, dir / "plain", &r);
  EXPECT_EQ(plain["input"]["sets"], Json::array());
  EXPECT_EQ(plain["input"]["seed"], Json());
}

TEST(ResultsJson, RecordsTheResolvedScenarioInTheFilesShapeWithTheFlagsApplied) {
  const fs::path dir = test_dir();
  Outcome r;
  const Json j = run_to(write(dir / "s.yaml", kSmall), dir / "out", &r, {"workload.0.rate=20tps"}, "7");
  ASSERT_EQ(r.status, 0) << r.err;
  const Json& s = j["resolved_scenario"];
  EXPECT_EQ(s["name"], "small");
  EXPECT_EQ(s["seed"], 7);
  EXPECT_EQ(s["workload"][0]["rate"], "20tps");
  EXPECT_EQ(s["network"]["orgs"][1], Json({{"name", "Org2"}, {"msp_id", "Org2MSP"}, {"peers", 1}, {"clients", 1}}));
  EXPECT_EQ(s["faults"][0], Json({{"at", "500ms"}, {"crash", {"Org2.peer0"}}, {"for", "200ms"}}));
}

// ---- running a results file ------------------------------------------------------------------

TEST(RunResultsFile, GivesTheSameTraceHashAndSaysItReproduced) {
  const fs::path dir = test_dir();
  Outcome first, second;
  const Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &first);
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string results = (dir / "a" / "results.json").string();
  const Json b = run_to(results, dir / "b", &second);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(b["trace_hash"], a["trace_hash"]);
  EXPECT_EQ(b["resolved_scenario"], a["resolved_scenario"]);
  EXPECT_TRUE(has_line(second.out, "reproducing: the resolved scenario of " + results + " (fabsim " +
                                       fabsim_version() + ", commit " + fabsim_commit() + ", trace hash " +
                                       a["trace_hash"].get<std::string>() + ")"))
      << second.out;
  EXPECT_TRUE(has_line(second.out, "reproduced: the trace hash is the one in " + results)) << second.out;
  EXPECT_EQ(second.out.find("warning:"), std::string::npos) << second.out;
}

TEST(RunResultsFile, RecordsTheInputItReproduces) {
  const fs::path dir = test_dir();
  Outcome r;
  const Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &r);
  const std::string results = (dir / "a" / "results.json").string();
  const Json b = run_to(results, dir / "b", &r);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(b["input"], Json({{"file", results}, {"reproduces", a["input"]}, {"sets", Json::array()}, {"seed", nullptr}}));
}

TEST(RunResultsFile, AppliesSetAndSeedOnTopAndDoesNotClaimToReproduce) {
  const fs::path dir = test_dir();
  Outcome r;
  const Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &r);
  const std::string results = (dir / "a" / "results.json").string();
  const Json b = run_to(results, dir / "b", &r, {"workload.0.rate=20tps"}, "9");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(b["seed"], 9);
  EXPECT_EQ(b["resolved_scenario"]["workload"][0]["rate"], "20tps");
  EXPECT_NE(b["trace_hash"], a["trace_hash"]);
  EXPECT_EQ(b["reproduce"], "./fabsim run " + results + " --seed 9 --set workload.0.rate=20tps");
  EXPECT_EQ(r.out.find("reproduced:"), std::string::npos) << r.out;
  // The reproduce line of the second run reproduces it.
  const Json c = run_to(results, dir / "c", &r, {"workload.0.rate=20tps"}, "9");
  EXPECT_EQ(c["trace_hash"], b["trace_hash"]);
}

TEST(RunResultsFile, WarnsWhenWrittenByAnotherCommit) {
  const fs::path dir = test_dir();
  Outcome r;
  Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &r);
  a["fabsim"]["commit"] = "0123456789abcdef0123456789abcdef01234567";
  const std::string results = write(dir / "old.json", a.dump(2));
  const Json b = run_to(results, dir / "b", &r);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, "warning: " + results +
                                  " was written by commit 0123456789abcdef0123456789abcdef01234567, this fabsim is "
                                  "commit " + fabsim_commit() + ": the run may differ"))
      << r.out;
  EXPECT_EQ(b["trace_hash"], a["trace_hash"]);
}

TEST(RunResultsFile, FailsWhenTheTraceHashDiffersFromTheRecordedOne) {
  const fs::path dir = test_dir();
  Outcome r;
  Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &r);
  const std::string hash = a["trace_hash"];
  a["trace_hash"] = "0000000000000000";
  const std::string results = write(dir / "changed.json", a.dump(2));
  run_to(results, dir / "b", &r);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has_line(r.out, "not reproduced: the trace hash is " + hash + ", the one in " + results +
                                  " is 0000000000000000"))
      << r.out;
  EXPECT_TRUE(has_line(r.out, "expectations: met")) << r.out;
}

TEST(RunResultsFile, IsRecognisedByContentWhateverItsName) {
  const fs::path dir = test_dir();
  Outcome r;
  const Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &r);
  const Json b = run_to(write(dir / "results.yaml", a.dump()), dir / "b", &r);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(b["trace_hash"], a["trace_hash"]);
}

TEST(RunResultsFile, AScenarioWrittenInJsonIsAScenario) {
  const fs::path dir = test_dir();
  Outcome r;
  const Json a = run_to(write(dir / "s.yaml", kSmall), dir / "a", &r);
  const Json b = run_to(write(dir / "scenario.json", a["resolved_scenario"].dump(2)), dir / "b", &r);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(b["trace_hash"], a["trace_hash"]);
  EXPECT_EQ(r.out.find("reproducing:"), std::string::npos) << r.out;
}

// ---- results files that cannot be run ------------------------------------------------------

struct BadCase {
  const char* name;
  const char* file_name;
  std::string text;
  std::string message;  // after "fabsim: "; FILE stands for the path
};

// gtest names a failing case by it.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> bad_cases() {
  const std::string fabsim = R"("fabsim": {"version": "0.1.0", "commit": "unknown"})";
  return {
      {"NotJsonInAJsonFile", "r.json", "{\n  " + fabsim + ",\n  \"resolved_scenario\": {\"name\": ",
       "FILE:3:33: malformed JSON: syntax error while parsing value - unexpected end of input; expected '[', '{', or "
       "a literal"},
      {"WithoutResolvedScenario", "r.json", "\n  {" + fabsim + "}",
       "FILE:2:3: missing key 'resolved_scenario' (a results file holds the scenario it ran there; without it there "
       "is nothing to run)"},
      {"WithAResolvedScenarioThatIsNotAMap", "r.json", "{" + fabsim + ",\n \"resolved_scenario\": [1, 2]}",
       "FILE:2:23: resolved_scenario: expected the scenario as a map (got '[1, 2]')"},
      {"WrittenBeforeResultsFilesCouldBeRun", "r.json",
       R"({"scenario": "t", "resolved_scenario": {"name": "t", "costs_by_node": {}}})",
       "FILE:1:1: a results file without 'fabsim' was written before results files could be run again; its "
       "resolved_scenario is not in the scenario file format (run the scenario file it came from instead)"},
      {"WithAResolvedScenarioThatFailsToLoad", "r.yaml",
       "{" + fabsim + ",\n \"resolved_scenario\": {\"name\": \"t\", \"duration\": \"1s\",\n   \"network\": "
                      "{\"orgs\": [{\"name\": \"Org1\", \"peers\": 0}]}}}\n",
       "FILE:3:51: network.orgs.0.peers: expected a whole number from 1 to 1000 (got '0')"},
  };
}

class BadResultsFile : public testing::TestWithParam<BadCase> {};

TEST_P(BadResultsFile, IsALocatedErrorWithExitStatus2AndNoOutput) {
  const BadCase& c = GetParam();
  const fs::path dir = test_dir();
  RunOptions o;
  o.file = write(dir / c.file_name, c.text);
  o.out_dir = (dir / "out").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  std::string want = c.message;
  want.replace(want.find("FILE"), 4, o.file);
  EXPECT_EQ(r.err, "fabsim: " + want + "\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(RunInput, AFileThatIsNotUtf8IsRefusedAtTheByteSinceResultsJsonRecordsItsText) {
  const fs::path dir = test_dir();
  RunOptions o;
  std::string text = kSmall;
  text.insert(text.find("duration:"), "# caf\xe9\n");
  o.file = write(dir / "latin1.yaml", text);
  o.out_dir = (dir / "out").string();
  const Outcome r = run(o);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "fabsim: " + o.file +
                       ":3:6: the file is not UTF-8 text (byte 0xE9); results.json records the file's text, which "
                       "must be UTF-8\n");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

INSTANTIATE_TEST_SUITE_P(Rules, BadResultsFile, testing::ValuesIn(bad_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fabsim::cli
