// Replays inputs through the fuzz target (scenario_fuzz_target.h) without a fuzzing engine:
// the regression test of the normal build (ctest fuzz.replay) runs the seed corpus and every
// input the fuzzer found through it, so they stay fixed.
//
//   fabsim_fuzz_replay PATH...
// Each PATH is a file (one input) or a directory (each regular file in it, in name order).
// A Markdown file (*.md) gives one input per ```yaml block. A crash ends the process (the
// target aborts); a path that cannot be read is exit status 2. Prints the count replayed.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/scenario_fuzz_target.h"

namespace fs = std::filesystem;

namespace {

bool read_file(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = std::move(s).str();
  return !in.bad();
}

// The ```yaml blocks of a Markdown text.
std::vector<std::string> yaml_blocks(const std::string& md) {
  std::vector<std::string> out;
  std::istringstream in(md);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line.rfind("```yaml", 0) == 0) {
      inside = true;
      block.clear();
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
      out.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return out;
}

int replay(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      for (const auto& e : fs::directory_iterator(argv[i], ec))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
    } else {
      files.emplace_back(argv[i]);
    }
    if (ec) {
      std::fprintf(stderr, "fabsim_fuzz_replay: %s: cannot list\n", argv[i]);
      return 2;
    }
    for (const fs::path& f : files) {
      std::string text;
      if (!read_file(f, &text)) {
        std::fprintf(stderr, "fabsim_fuzz_replay: %s: cannot read\n", f.c_str());
        return 2;
      }
      if (f.extension() == ".md") {
        for (const std::string& block : yaml_blocks(text)) {
          replay(block);
          ++count;
        }
      } else {
        replay(text);
        ++count;
      }
    }
  }
  std::printf("fabsim_fuzz_replay: %zu inputs replayed, no crash\n", count);
  return count > 0 ? 0 : 2;
}
