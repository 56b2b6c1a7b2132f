// SerialEnv: a leveldb::Env wrapper that makes LevelDB single-threaded and deterministic.
//
// Why: LevelDB runs memtable flushes and compactions through Env::Schedule, which in the
// default Env (and in the memenv, which forwards Schedule to Env::Default()) starts a
// background thread. Reads and writes stay correct either way, but the files LevelDB
// leaves behind — and so what a "crash" loses and what a full scan of the files shows —
// would depend on thread timing. fabsim forbids threads in core/ and model/.
//
// How: Schedule(fn, arg) does not start anything; it appends (fn, arg) to a FIFO queue.
// run_pending() runs the queue, including work queued by the work it runs, until it is
// empty. It cannot run inline inside Schedule: LevelDB calls Schedule while holding its
// DB mutex, and the scheduled BGWork locks that same (non-recursive) mutex. So the owner
// of the databases (core/kv_db.h) calls run_pending() after every LevelDB call returns,
// when no LevelDB lock is held — exactly where a background thread could have run. Because
// pending work is always drained before the next call, LevelDB never waits for background
// work (a wait would deadlock a single thread): imm_ is always flushed and level-0 never
// reaches the stop trigger before the next write.
//
// Also: NowMicros() returns 0 (LevelDB uses it for statistics only), SleepForMicroseconds()
// returns at once (LevelDB's 1 ms write slowdown), and StartThread() is a programmer error
// (LevelDB itself never calls it).
//
// Ownership: wraps, does not own, `base`; `base` must outlive it. Not thread-safe (nothing
// in fabsim is). Invariant: pending() == 0 whenever control is outside a LevelDB call made
// through KvDb.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include <leveldb/env.h>

namespace fabsim {

class SerialEnv : public leveldb::EnvWrapper {
 public:
  explicit SerialEnv(leveldb::Env* base);
  ~SerialEnv() override;
  SerialEnv(const SerialEnv&) = delete;
  SerialEnv& operator=(const SerialEnv&) = delete;

  // Queues fn(arg); runs nothing.
  void Schedule(void (*fn)(void*), void* arg) override;
  // Aborts: threads are not allowed.
  void StartThread(void (*fn)(void*), void* arg) override;
  uint64_t NowMicros() override { return 0; }
  void SleepForMicroseconds(int micros) override {}

  // Runs queued work in FIFO order until the queue is empty; returns how many items ran.
  // Must not be called from inside a LevelDB call (see the header comment).
  uint64_t run_pending();

  uint64_t pending() const { return queue_.size(); }
  // Everything ever scheduled, for tests and diagnostics.
  uint64_t scheduled_total() const { return scheduled_total_; }

 private:
  std::deque<std::pair<void (*)(void*), void*>> queue_;
  uint64_t scheduled_total_ = 0;
  bool running_ = false;  // guards against re-entrant run_pending()
};

}  // namespace fabsim
