// `fabsim run --perfetto FILE`: the run as Chrome trace-event JSON, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. docs/formats.md, "perfetto trace".
//
//   * one process per node (pid = host index + 1), one thread per lane of its process
//     (tid = lane index + 1) and one for its disk (tid 100000): every task the node's cores
//     ran is a complete event ("X") on its lane's thread, named by its work label (vscc,
//     mvcc, ledger_commit, ...) or else the lane's name; every disk request one on the disk
//     thread;
//   * the process "transactions" (pid 0): each transaction as a nestable async slice
//     (id = its index in transactions.csv) from request to completion, with its phases
//     (docs/formats.md) nested inside, each naming in `args` the node where it happened;
//   * the thread "faults" of that process: each fault as a slice from when it fired to when
//     it was undone, or an instant when it has no end.
// Times are virtual microseconds with nanosecond digits. Work is streamed to FILE.tmp as the
// run goes; finish() adds the rest and closes it; the caller renames it into place.
#pragma once

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "scenarios/scenario_runner.h"
#include "sim/world.h"

namespace fabsim::cli {

class PerfettoTrace {
 public:
  // Opens `tmp_path` for writing; an error if it cannot be.
  static Result<std::unique_ptr<PerfettoTrace>> open(const std::string& tmp_path);
  ~PerfettoTrace();

  // The world of the run being traced (names of hosts and lanes).
  void attach(World& w);
  void work(HostId h, LaneId lane, const WorkSpan& span);
  // Writes the transactions and faults of `r` and closes the file; false on a write error.
  bool finish(const scenario::RunReport& r);

 private:
  explicit PerfettoTrace(std::FILE* f) : f_(f) {}
  void event(const std::string& json);
  void name_thread(HostId h, uint64_t tid, const std::string& name);

  std::FILE* f_;
  World* world_ = nullptr;
  std::vector<std::string> hosts_;
  std::set<std::pair<HostId, uint64_t>> named_threads_;
  bool first_ = true;
};

}  // namespace fabsim::cli
