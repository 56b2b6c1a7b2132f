// RunDirectory: where the hosts' durable data of a `fabsim run` lives (World::set_storage_root).
//
// By default a fresh directory under $TMPDIR (or /tmp), "fabsim-run-XXXXXX", made with
// mkdtemp and removed with everything in it when the RunDirectory is destroyed — at the end
// of the run, and on every error exit (a process killed by a signal leaves it behind). With
// `--keep-data DIR` the data stays in DIR, which must not exist or be an empty directory;
// discard() (an error exit) empties it again and removes it if this run created it.
//
// Layout: <dir>/<host name>/... — each host's files as its processes name them (a peer's
// ledgers under peer/ledgers/<channel>/, the orderer's under orderer/chains/<channel>/). With two runs
// (--check-determinism) each gets its own: <dir>/run1/<host name>/, <dir>/run2/<host name>/.
//
// Not thread-safe. Never throws: failures are reported as Status values.
#pragma once

#include <string>

#include "core/status.h"

namespace fabsim::cli {

class RunDirectory {
 public:
  // A temporary directory, removed by the destructor.
  static Result<RunDirectory> temporary();
  // `dir` kept after the run. Fails (InvalidArgument) if `dir` exists and is not an empty
  // directory, or cannot be created.
  static Result<RunDirectory> keep(const std::string& dir);

  RunDirectory(RunDirectory&& other) noexcept;
  RunDirectory& operator=(RunDirectory&&) = delete;
  RunDirectory(const RunDirectory&) = delete;
  ~RunDirectory();

  const std::string& path() const { return path_; }
  bool kept() const { return keep_; }
  // The storage root of run `n` (1-based) of `runs`: path() for a single run, path()/run<n>
  // otherwise.
  std::string run_root(int n, int runs) const;
  // Removes what the runs wrote (an error exit): the whole directory if this command
  // created it, otherwise its contents.
  void discard();

 private:
  RunDirectory(std::string path, bool keep, bool created) : path_(std::move(path)), keep_(keep), created_(created) {}
  std::string path_;  // empty once moved from or discarded
  bool keep_ = false;
  bool created_ = false;
};

}  // namespace fabsim::cli
