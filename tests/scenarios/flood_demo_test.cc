// The flood demo as a regression scenario: whatever faults hit it, every rumor that was
// originated reaches every host by the end (anti-entropy repairs crashes, partitions and
// loss), and the figures are pinned per seed.
#include <gtest/gtest.h>

#include "scenarios/demo_flood.h"

namespace fabsim {
namespace {

struct FloodCase {
  const char* name;
  uint32_t crashes;
  bool partition;
  double loss;
};

class FloodDemoRepairs : public testing::TestWithParam<FloodCase> {};

TEST_P(FloodDemoRepairs, EveryOriginatedRumorReachesEveryHost) {
  FloodDemoConfig c;
  c.seed = 5;
  c.hosts = 40;
  c.crashes = GetParam().crashes;
  c.partition = GetParam().partition;
  c.loss = GetParam().loss;
  const FloodDemoResult r = run_flood_demo(c);
  EXPECT_GT(r.originated.size(), 90u);
  EXPECT_EQ(r.deliveries, r.expected_deliveries());
  EXPECT_TRUE(r.fault_errors.empty());
}

INSTANTIATE_TEST_SUITE_P(Faults, FloodDemoRepairs,
                         testing::Values(FloodCase{"NoFaults", 0, false, 0.0}, FloodCase{"Crashes", 5, false, 0.0},
                                         FloodCase{"Partition", 0, true, 0.0}, FloodCase{"Loss", 0, false, 0.05},
                                         FloodCase{"Everything", 5, true, 0.05}),
                         [](const testing::TestParamInfo<FloodCase>& i) { return std::string(i.param.name); });

TEST(FloodDemo, PartitionDropsMessagesWhileItLasts) {
  FloodDemoConfig c;
  c.seed = 5;
  c.hosts = 40;
  c.partition = true;
  EXPECT_GT(run_flood_demo(c).net.partitioned, 0u);
}

TEST(FloodDemo, CrashedHostsMissRumorsUntilTheyRestart) {
  FloodDemoConfig c;
  c.seed = 5;
  c.hosts = 40;
  c.crashes = 5;
  const FloodDemoResult r = run_flood_demo(c);
  // Some deliveries happened long after origination: the restarted hosts caught up.
  EXPECT_GT(r.latency_ns.max(), Duration::seconds(1).ns);
}

}  // namespace
}  // namespace fabsim
