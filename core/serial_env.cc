#include "core/serial_env.h"

#include "core/assert.h"

namespace fabsim {

SerialEnv::SerialEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) { FABSIM_ASSERT(base != nullptr); }

SerialEnv::~SerialEnv() {
  // Work left here would reference a database that is gone.
  FABSIM_ASSERT_MSG(queue_.empty(), "SerialEnv destroyed with scheduled LevelDB work pending");
}

void SerialEnv::Schedule(void (*fn)(void*), void* arg) {
  FABSIM_ASSERT(fn != nullptr);
  queue_.emplace_back(fn, arg);
  ++scheduled_total_;
}

void SerialEnv::StartThread(void (*fn)(void*), void* arg) {
  FABSIM_ASSERT_MSG(false, "SerialEnv: LevelDB asked for a thread; fabsim is single-threaded");
}

uint64_t SerialEnv::run_pending() {
  FABSIM_ASSERT_MSG(!running_, "SerialEnv::run_pending called from scheduled work");
  running_ = true;
  // A bound, not a limit LevelDB reaches: each item is one flush or compaction, and
  // LevelDB stops rescheduling once no level needs compacting.
  constexpr uint64_t kMaxRunsPerDrain = 1'000'000;
  uint64_t ran = 0;
  while (!queue_.empty()) {
    FABSIM_ASSERT_MSG(ran < kMaxRunsPerDrain, "SerialEnv: LevelDB keeps rescheduling background work");
    auto [fn, arg] = queue_.front();
    queue_.pop_front();
    fn(arg);  // may Schedule() more; the loop picks it up
    ++ran;
  }
  running_ = false;
  return ran;
}

}  // namespace fabsim
