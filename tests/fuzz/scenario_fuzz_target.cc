#include "tests/fuzz/scenario_fuzz_target.h"

#include <sys/mman.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <utf8cpp/utf8.h>

#include "cli/run_command.h"

namespace {

// Ends the process with what went wrong: the fuzzing engine records the input as a crash.
[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz target: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The scenario text as a file, so the command's own file reading runs: an anonymous
// in-memory file, named by its /proc/self/fd path. Closed when the input is done.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view text) : fd_(memfd_create("fuzz-scenario", MFD_CLOEXEC)) {
    if (fd_ < 0) fail("memfd_create", "");
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = write(fd_, text.data() + done, text.size() - done);
      if (n <= 0) fail("write to the in-memory file", "");
      done += static_cast<size_t>(n);
    }
  }
  ~MemoryFile() { close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

void check_message(std::string_view message) {
  if (message.empty()) fail("an empty error message", "");
  if (message.find('\n') != std::string_view::npos) fail("an error message on more than one line", message);
  if (!utf8::is_valid(message.begin(), message.end())) fail("an error message that is not UTF-8", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);
  const MemoryFile file(text);

  // `fabsim run FILE <args>`: CLI11 takes the arguments in reverse order.
  std::vector<std::string> args;
  if (nul != std::string_view::npos) {
    std::string_view rest = input.substr(nul + 1);
    while (true) {
      const size_t next = rest.find('\0');
      args.emplace_back(rest.substr(0, next));
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }
  args.push_back(file.path());
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  fabsim::cli::RunOptions options;
  CLI::App app{"fabsim run (fuzz)"};
  fabsim::cli::add_run_options(app, options);
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    return 0;  // refused, as the command refuses it (exit status 2)
  }

  auto spec = fabsim::cli::load_run_scenario(options);
  if (!spec.is_ok()) {
    check_message(spec.status().message());
    return 0;
  }
  // A scenario that loads must be writable as results.json is written after a run.
  const fabsim::scenario::RunReport empty;
  const std::string reproduce = fabsim::cli::reproduce_command(options, spec->seed);
  const std::string json = fabsim::cli::results_json(*spec, empty, {}, reproduce).dump(2);
  if (json.empty()) fail("empty results.json", "");
  return 0;
}
