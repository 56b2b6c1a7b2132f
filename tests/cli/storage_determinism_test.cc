// A run gives the same result whether the hosts' durable data is in memory (the library's
// default) or on disk in a run directory (World::set_storage_root; what `fabsim run` uses):
// shipped scenarios with crashes, restarts and power losses, run both ways, agree on the
// trace hash and on everything the report says about the ledgers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/cost_model.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_runner.h"

namespace fabsim::scenario {
namespace {

namespace fs = std::filesystem;

struct ShippedCase {
  const char* name;
  const char* file;  // under the source directory
  std::vector<std::string> sets;
};

class StorageDeterminism : public testing::TestWithParam<ShippedCase> {};

TEST_P(StorageDeterminism, TheSameScenarioAndSeedGiveTheSameTraceHashOnDiskAndInMemory) {
  const ShippedCase& c = GetParam();
  LoaderOptions lo;
  lo.cost_names = cost_names();
  auto spec = load_scenario_file(std::string(FABSIM_SOURCE_DIR) + "/" + c.file, c.sets, lo);
  ASSERT_TRUE(spec.is_ok()) << spec.status().message();

  auto in_memory = run_scenario(*spec);
  ASSERT_TRUE(in_memory.is_ok()) << in_memory.status().message();

  const fs::path root = fs::path(testing::TempDir()) / (std::string("fabsim_storage_") + c.name + "_" +
                                                          std::to_string(getpid()));
  fs::remove_all(root);
  RunHooks hooks;
  hooks.on_world = [&](World& w) { w.set_storage_root(root.string()); };
  auto on_disk = run_scenario(*spec, hooks);
  ASSERT_TRUE(on_disk.is_ok()) << on_disk.status().message();
  EXPECT_TRUE(fs::is_directory(root / "orderer0" / "orderer" / "chains" / "mychannel")) << "the run used the disk";
  fs::remove_all(root);

  EXPECT_EQ(on_disk->trace_hash, in_memory->trace_hash);
  EXPECT_EQ(on_disk->trace_events, in_memory->trace_events);
  EXPECT_EQ(on_disk->channels.at(0).peer_heights, in_memory->channels.at(0).peer_heights);
  EXPECT_EQ(on_disk->ledger_codes, in_memory->ledger_codes);
  EXPECT_EQ(on_disk->metrics.succeeded, in_memory->metrics.succeeded);
  EXPECT_EQ(on_disk->node_errors, in_memory->node_errors);
  EXPECT_TRUE(on_disk->invariants.hold());
  EXPECT_GT(on_disk->metrics.succeeded, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Shipped, StorageDeterminism,
    testing::Values(ShippedCase{"PowerLoss", "tests/scenarios/power-loss.yaml", {}},
                    ShippedCase{"PeerCrash", "scenarios/peer-crash.yaml", {"crypto.scheme=hmac"}}),
    [](const testing::TestParamInfo<ShippedCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace fabsim::scenario
