// A process may keep databases open on its host's durable Env; tearing the world down must
// destroy the process before the Env it uses.
#include <gtest/gtest.h>

#include "core/kv_db.h"
#include "sim/world.h"

namespace fabsim {
namespace {

class HoldsADatabase : public Process {
 public:
  void on_start(NodeContext& ctx) override {
    auto db = KvDb::open(ctx.mutable_store().env(), "/db");
    ASSERT_TRUE(db.is_ok());
    db_ = std::move(db).value();
  }
  void on_message(NodeContext&, HostId, const Message&) override {}

 private:
  std::unique_ptr<KvDb> db_;
};

TEST(HostLifetime, ProcessIsDestroyedBeforeItsDurableStore) {
  {
    World w(1);
    w.add_host("a", 1, [](HostId, const DurableStore&) { return std::make_unique<HoldsADatabase>(); });
    w.start();
    w.run_until(Time::zero() + Duration::millis(1));
  }  // would crash if the Env went first
  SUCCEED();
}

}  // namespace
}  // namespace fabsim
