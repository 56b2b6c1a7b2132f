// Load warnings (ScenarioSpec::warnings, docs/scenario-format.md "Warnings") through the
// commands: `fabsim run` prints each once on stderr as `warning: <where>: <key>: <text>`,
// with and without --quiet and --json (whose stdout stays one line / one JSON document),
// records them in results.json `warnings`, and keeps its exit status; `fabsim sweep` prints
// each once however many cells share it. One case per rule, named after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/sweep_command.h"
#include "tests/cli/run_test_util.h"

namespace fabsim::cli {
namespace {

namespace fs = std::filesystem;
using testing_util::run;
using testing_util::test_dir;

// A two-second Kafka run with an even ZooKeeper ensemble (line 9, column 33) and batch
// sizes within the guide's advice: exactly one warning.
std::string kafka_file(const fs::path& dir, int zookeepers) {
  const fs::path p = dir / "s.yaml";
  std::ofstream(p) << "name: t\n"
                      "seed: 5\n"
                      "duration: 1s\n"
                      "drain: 1s\n"
                      "network:\n"
                      "  orgs:\n"
                      "    - {name: Org1, peers: 1, clients: 1}\n"
                      "ordering: {type: kafka, batch_size: {absolute_max_bytes: 900KB, preferred_max_bytes: 512KB}}\n"
                      "kafka: {brokers: 2, zookeepers: "
                   << zookeepers
                   << "}\n"
                      "crypto: {scheme: hmac}\n"
                      "chaincodes:\n"
                      "  - {name: kv, kind: kvstore}\n";
  return p.string();
}

const std::string kWarningText =
    "kafka.zookeepers: an even ensemble of 2 tolerates as many failures as one of 1 (a write needs 2 of the 2) and "
    "cannot form a majority on either side of an even split; Fabric's Kafka guide asks for an odd number: 3, 5 or 7";

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream s(text);
  for (std::string line; std::getline(s, line);)
    if (line.starts_with(prefix)) out.push_back(line);
  return out;
}

TEST(LoadWarnings, RunPrintsEachWarningOnceOnStderr) {
  const std::string file = kafka_file(test_dir(), 2);
  const auto r = run(RunOptions{file});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines_starting(r.err, "warning: "), std::vector<std::string>{"warning: " + file + ":9:33: " + kWarningText});
  EXPECT_EQ(r.out.find("warning: " + file), std::string::npos) << "stdout: " << r.out;
}

TEST(LoadWarnings, WarningsDoNotChangeTheExitStatus) {
  const fs::path dir = test_dir();
  const auto warned = run(RunOptions{kafka_file(dir, 2)});
  const auto clean = run(RunOptions{kafka_file(dir, 3)});
  EXPECT_EQ(lines_starting(clean.err, "warning: ").size(), 0u) << clean.err;
  EXPECT_EQ(warned.status, clean.status);
  EXPECT_EQ(warned.status, 0);
}

TEST(LoadWarnings, QuietKeepsItsOneLineAndPrintsTheWarningOnStderr) {
  RunOptions o{kafka_file(test_dir(), 2)};
  o.quiet = true;
  const auto r = run(o);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_TRUE(r.out.starts_with("t: ok")) << r.out;
  EXPECT_EQ(lines_starting(r.err, "warning: ").size(), 1u) << r.err;
}

TEST(LoadWarnings, JsonStaysValidAndRecordsTheWarnings) {
  RunOptions o{kafka_file(test_dir(), 2)};
  o.json = true;
  const auto r = run(o);
  EXPECT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::ordered_json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_EQ(j["warnings"].size(), 1u) << j["warnings"].dump();
  EXPECT_EQ(j["warnings"][0]["where"], o.file + ":9:33");
  EXPECT_EQ(j["warnings"][0]["key"], "kafka.zookeepers");
  EXPECT_EQ("kafka.zookeepers: " + j["warnings"][0]["text"].get<std::string>(), kWarningText);
  EXPECT_EQ(lines_starting(r.err, "warning: ").size(), 1u) << r.err;
}

TEST(LoadWarnings, ResultsFileHasAnEmptyListWithoutWarnings) {
  const fs::path dir = test_dir();
  RunOptions o{kafka_file(dir, 3)};
  o.out_dir = (dir / "out").string();
  const auto r = run(o);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::ordered_json::parse(testing_util::read_file(dir / "out" / "results.json"));
  ASSERT_TRUE(j.contains("warnings"));
  EXPECT_EQ(j["warnings"], nlohmann::ordered_json::array());
}

struct SweepWarnings {
  std::string file;                   // the scenario file swept
  std::vector<std::string> warnings;  // the warning lines of the sweep's stderr
};

// A sweep of the Kafka file with `zookeepers` over one --vary axis, one seed per cell.
SweepWarnings sweep_warnings(int zookeepers, const std::string& vary) {
  const fs::path dir = test_dir();
  SweepOptions o;
  o.file = kafka_file(dir, zookeepers);
  o.fabsim = FABSIM_CLI_PATH;
  o.vary = {vary};
  o.seeds = "1";
  o.jobs = "2";
  o.out_dir = (dir / "out").string();
  std::ostringstream out, err;
  EXPECT_EQ(run_sweep_command(o, out, err), 0) << out.str() << err.str();
  return {o.file, lines_starting(err.str(), "warning: ")};
}

TEST(LoadWarnings, SweepPrintsAWarningSharedByEveryCellOnce) {
  const SweepWarnings r = sweep_warnings(2, "kafka.replica_lag_time_max=10s,20s");
  EXPECT_EQ(r.warnings, std::vector<std::string>{"warning: " + r.file + ":9:33: " + kWarningText});
}

TEST(LoadWarnings, SweepPrintsEachCellsOwnWarning) {
  const SweepWarnings r = sweep_warnings(3, "kafka.zookeepers=3,4");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(r.warnings[0].starts_with("warning: --set kafka.zookeepers=4: kafka.zookeepers: an even ensemble of 4"))
      << r.warnings[0];
}

}  // namespace
}  // namespace fabsim::cli
