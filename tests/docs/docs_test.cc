// Docs that run (issue 11, item 9): every fenced code block of README.md and docs/*.md that
// is a scenario or a command is checked here, so the docs stay true.
//
// - A ```yaml block is a whole scenario and must load with the real loader (and the cost
//   names the binary accepts), unless an HTML comment on the line before its fence marks it
//   as a fragment (README.md, "Docs that run", lists the markers):
//     <!-- fragment: inside the base scenario -->            appended to kBaseScenario, loads
//     <!-- fragment: under faults: of the base scenario -->  appended under `faults:`, loads
//     ...; rejected with the message below                   fails with the text of the next
//                                                             fenced block (file name aside)
//     <!-- fragment: not checked, <why> -->                  not loaded, the reason is required
// - In a ```sh block, every line that calls fabsim (`./fabsim`, `fabsim`, `.../fabsim`,
//   also after a wrapper such as `/usr/bin/time -v`, which is dropped) is run from the source
//   root through the built binary, in order, so a line may use what an earlier one wrote.
//   `make` lines are never run (they build and run this suite); their target must be a rule
//   of the Makefile and the line must be marked `<!-- not run: <the line> (<why>) -->`. A
//   fabsim line may be marked the same way. Other lines (git, cmake, benchmarks) are not
//   checked. A line whose comment says `exit N` must exit with N, every other line with 0.
// - To keep `make test` fast, a run of a .yaml file gets `--set crypto.scheme=hmac`, and a
//   scenario longer than kShortDuration that still loads when cut to it and pins no scripted
//   transaction (`expect.tx`) gets `--set duration=5s --set 'expect={invariants: hold}'` (its
//   own bounds are for the full run; the scenario.* tests run every shipped file in full with
//   them). A sweep gets `--seeds 1` and an `--out` in the temporary directory; `/tmp/` in a
//   command means that directory.
// - `--set` blocks marked <!-- overrides of the complete example --> are applied to it.
// - The complete example of docs/scenario-format.md runs to its end (with HMAC signatures)
//   and meets its `expect`.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/cost_model.h"
#include "scenarios/scenario_loader.h"

namespace fabsim::docs {
namespace {

namespace fs = std::filesystem;

// The scenario a fragment is loaded inside: six lines, so that a fragment under `faults:`
// starts on line 8, as the example in docs/scenario-format.md ("faults") says.
constexpr const char* kBaseScenario =
    "name: s\n"
    "duration: 10s\n"
    "network:\n"
    "  orgs: [{name: Org1, peers: 2, clients: 1}, {name: Org2, peers: 2, clients: 1}]\n"
    "channels: [{name: mychannel, orgs: [Org1, Org2]}]\n"
    "chaincodes: [{name: kv, channel: mychannel, kind: kvstore}]\n";
constexpr const char* kShortDuration = "5s";

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

struct Block {
  std::string file;                  // relative to the source root
  int line = 0;                      // of the opening fence, from 1
  std::string info;                  // the fence's info string: yaml, sh, ...
  std::string text;                  // the lines between the fences
  std::vector<std::string> markers;  // the HTML comments on the lines right above the fence
  std::string where() const { return file + ":" + std::to_string(line); }
};

// Every fenced block of a Markdown file, in order.
std::vector<Block> fenced_blocks(const std::string& rel) {
  std::vector<std::string> lines;
  std::stringstream in(read_text(fs::path(FABSIM_SOURCE_DIR) / rel));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Block> blocks;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string t = trim(lines[i]);
    if (t.rfind("```", 0) != 0) continue;
    Block b{rel, static_cast<int>(i + 1), trim(t.substr(3)), "", {}};
    static const std::regex comment(R"(^\s*<!--\s*(.*?)\s*-->\s*$)");
    for (size_t j = i; j > 0; --j) {
      std::smatch m;
      if (!std::regex_match(lines[j - 1], m, comment)) break;
      b.markers.insert(b.markers.begin(), m[1].str());
    }
    size_t j = i + 1;
    for (; j < lines.size() && trim(lines[j]).rfind("```", 0) != 0; ++j) b.text += lines[j] + "\n";
    EXPECT_LT(j, lines.size()) << b.where() << ": the fence is never closed";
    blocks.push_back(b);
    i = j;
  }
  return blocks;
}

std::vector<std::string> doc_files() {
  std::vector<std::string> files{"README.md"};
  for (const auto& e : fs::directory_iterator(fs::path(FABSIM_SOURCE_DIR) / "docs"))
    if (e.path().extension() == ".md") files.push_back("docs/" + e.path().filename().string());
  std::sort(files.begin() + 1, files.end());
  return files;
}

scenario::LoaderOptions loader_options() {
  scenario::LoaderOptions o;
  o.cost_names = fabsim::cost_names();  // the names the binary accepts
  return o;
}

// The marker that begins with `prefix`, without it; empty when there is none.
std::string marker(const Block& b, const std::string& prefix) {
  for (const auto& m : b.markers)
    if (m.rfind(prefix, 0) == 0) return trim(m.substr(prefix.size()));
  return "";
}

// The first line of the next fenced block after `b` in the same file.
std::string next_block_first_line(const std::vector<Block>& blocks, size_t i) {
  if (i + 1 >= blocks.size()) return "";
  const std::string& t = blocks[i + 1].text;
  return t.substr(0, t.find('\n'));
}

// Checks one ```yaml block: a whole scenario, or a fragment as its marker says.
void check_yaml_block(const std::vector<Block>& blocks, size_t i) {
  const Block& b = blocks[i];
  const std::string fragment = marker(b, "fragment:");
  if (fragment.empty()) {
    auto r = scenario::load_scenario_text(b.text, b.where(), {}, loader_options());
    EXPECT_TRUE(r.is_ok()) << b.where() << ": a yaml block that is not a whole scenario must be marked "
                           << "<!-- fragment: ... -->; loading it gave: " << r.status().message();
    return;
  }
  static const std::regex checked(R"(^(?:under (\w+): of |inside )the base scenario(; rejected with the message below)?$)");
  std::smatch m;
  if (!std::regex_match(fragment, m, checked)) {
    EXPECT_TRUE(fragment.rfind("not checked, ", 0) == 0 && fragment.size() > 13)
        << b.where() << ": unknown fragment marker '" << fragment << "'";
    return;
  }
  std::string text = kBaseScenario;
  if (m[1].matched) text += m[1].str() + ":\n";
  text += b.text;
  auto r = scenario::load_scenario_text(text, "s.yaml", {}, loader_options());
  if (!m[2].matched) {
    EXPECT_TRUE(r.is_ok()) << b.where() << ": the fragment does not load inside the base scenario: "
                           << r.status().message();
    return;
  }
  ASSERT_FALSE(r.is_ok()) << b.where() << ": the fragment loads, but the doc says it is rejected";
  EXPECT_EQ(r.status().message(), next_block_first_line(blocks, i)) << b.where();
}

TEST(DocsYaml, EveryYamlBlockIsAScenarioOrACheckedFragment) {
  int yaml_blocks = 0;
  for (const auto& file : doc_files()) {
    const auto blocks = fenced_blocks(file);
    for (size_t i = 0; i < blocks.size(); ++i)
      if (blocks[i].info == "yaml") {
        ++yaml_blocks;
        check_yaml_block(blocks, i);
      }
  }
  EXPECT_GE(yaml_blocks, 5) << "the docs' yaml blocks were not found";
}

// The complete example of docs/scenario-format.md: the first block after its heading.
Block complete_example() {
  const std::string doc = read_text(fs::path(FABSIM_SOURCE_DIR) / "docs/scenario-format.md");
  const size_t heading = doc.find("\n## A complete example\n");
  EXPECT_NE(heading, std::string::npos);
  if (heading == std::string::npos) return {};
  const int heading_line = static_cast<int>(std::count(doc.begin(), doc.begin() + heading, '\n')) + 2;
  for (const Block& b : fenced_blocks("docs/scenario-format.md"))
    if (b.line > heading_line) return b;
  return {};
}

// Blocks of `--set` lines marked <!-- overrides of the complete example -->: each line,
// applied alone to the complete example, loads; with `; each line is the message it gives`,
// each line is an override and the exact error it gives (`--set K=V: message`).
TEST(DocsOverrides, EveryDocumentedOverrideDoesWhatItsBlockSays) {
  const Block example = complete_example();
  ASSERT_EQ(example.info, "yaml");
  int checked = 0;
  for (const auto& file : doc_files())
    for (const Block& b : fenced_blocks(file)) {
      const bool loads = std::count(b.markers.begin(), b.markers.end(), "overrides of the complete example");
      const bool fails = std::count(b.markers.begin(), b.markers.end(),
                                    "overrides of the complete example; each line is the message it gives");
      if (!loads && !fails) continue;
      std::stringstream in(b.text);
      for (std::string line; std::getline(in, line); ++checked) {
        ASSERT_EQ(line.rfind("--set ", 0), 0u) << b.where() << ": " << line;
        std::string set = fails ? line.substr(6, line.find(": ") - 6) : line.substr(6);
        if (set.size() > 1 && set.front() == '\'' && set.back() == '\'') set = set.substr(1, set.size() - 2);
        auto r = scenario::load_scenario_text(example.text, "example.yaml", {set}, loader_options());
        if (loads) {
          EXPECT_TRUE(r.is_ok()) << b.where() << ": " << line << ": " << r.status().message();
        } else {
          ASSERT_FALSE(r.is_ok()) << b.where() << ": " << line << " loads";
          EXPECT_EQ(r.status().message(), line) << b.where();
        }
      }
    }
  EXPECT_GE(checked, 9) << "the --set examples of docs/scenario-format.md were not found";
}

int run_shell(const std::string& script) {
  const int status = std::system(script.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The complete example runs to its end and meets its own `expect` section. It takes ~30 s
// with ECDSA on the 2-core development machine, so it runs with HMAC signatures (~10 s):
// the same transactions, blocks and faults, only cheaper signing and verification.
TEST(DocsCompleteExample, MeetsItsOwnExpectations) {
  const auto example = complete_example();
  ASSERT_EQ(example.info, "yaml");
  ASSERT_NE(example.text.find("\nexpect:\n"), std::string::npos) << "the complete example has no expect section";
  const fs::path dir = fs::path(testing::TempDir()) / ("fabsim_docs_example_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "example.yaml") << example.text;
  const std::string out = (dir / "run.out").string();
  const int status = run_shell(std::string(FABSIM_CLI_PATH) + " run " + (dir / "example.yaml").string() +
                               " --set crypto.scheme=hmac >" + out + " 2>&1");
  const std::string report = read_text(out);
  EXPECT_EQ(status, 0) << report;
  EXPECT_NE(report.find("\nexpectations: met\n"), std::string::npos) << report;
  fs::remove_all(dir);
}

// A scenario or a command under another info string would escape the checks below.
TEST(DocsBlocks, ScenariosAndCommandsUseTheInfoStringsTheTestReads) {
  for (const auto& file : doc_files())
    for (const Block& b : fenced_blocks(file))
      for (const char* other : {"yml", "bash", "shell", "console", "zsh", "shell-session"})
        EXPECT_NE(b.info, other) << b.where() << ": write ```yaml for a scenario and ```sh for commands";
}

// --- commands ---

// One line of a ```sh block: the command, its `>` redirection and its `#` comment, split
// outside quotes (a `#` or `>` counts only after a space).
struct CommandLine {
  std::string command, redirect, comment;
};

CommandLine split_line(const std::string& s) {
  size_t redirect = std::string::npos, comment = s.size();
  char quote = 0;
  for (size_t i = 0; i < s.size() && comment == s.size(); ++i) {
    const bool after_space = i == 0 || s[i - 1] == ' ';
    if (quote) {
      if (s[i] == quote) quote = 0;
    } else if (s[i] == '\'' || s[i] == '"') {
      quote = s[i];
    } else if (s[i] == '#' && after_space) {
      comment = i;
    } else if (s[i] == '>' && after_space && redirect == std::string::npos) {
      redirect = i;
    }
  }
  CommandLine c;
  c.command = trim(s.substr(0, std::min(redirect, comment)));
  if (redirect != std::string::npos) c.redirect = trim(s.substr(redirect, comment - redirect));
  if (comment < s.size()) c.comment = trim(s.substr(comment + 1));
  return c;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> w;
  std::stringstream in(s);
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

bool is_fabsim(const std::string& word) {
  return word == "fabsim" || word == "./fabsim" || (word.size() > 7 && word.ends_with("/fabsim"));
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

// The arguments that keep a documented run short (see the top of this file).
std::string shortening(const std::vector<std::string>& w) {
  if (w.size() < 3 || (w[1] != "run" && w[1] != "sweep") || !w[2].ends_with(".yaml")) return "";
  std::string extra = " --set crypto.scheme=hmac";
  const std::string file = std::string(FABSIM_SOURCE_DIR) + "/" + w[2];
  auto full = scenario::load_scenario_file(file, {}, loader_options());
  auto cut = scenario::load_scenario_file(file, {std::string("duration=") + kShortDuration}, loader_options());
  if (full.is_ok() && cut.is_ok() && full->duration > cut->duration && full->expect.tx.empty())
    extra += std::string(" --set duration=") + kShortDuration + " --set 'expect={invariants: hold}'";
  if (w[1] == "sweep") extra += " --seeds 1";
  return extra;
}

class DocsCommands : public testing::TestWithParam<std::string> {};

// Runs or checks every fabsim and make line of one doc file's ```sh blocks, in order.
TEST_P(DocsCommands, EveryFabsimAndMakeLineRunsOrIsMarked) {
  const std::string source = FABSIM_SOURCE_DIR;
  const fs::path tmp = fs::path(testing::TempDir()) /
                       ("fabsim_docs_" + replace_all(GetParam(), "/", "_") + "_" + std::to_string(getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  const std::string makefile = read_text(fs::path(source) / "Makefile");
  int n = 0;
  for (const Block& b : fenced_blocks(GetParam())) {
    if (b.info != "sh") continue;
    std::vector<std::string> not_run;
    for (const auto& m : b.markers)
      if (m.rfind("not run:", 0) == 0) not_run.push_back(trim(m.substr(8)));
    std::stringstream in(replace_all(b.text, "\\\n", " "));
    for (std::string line; std::getline(in, line);) {
      const CommandLine c = split_line(line);
      std::vector<std::string> w = words(c.command);
      const auto f = std::find_if(w.begin(), w.end(), is_fabsim);
      if (w.empty() || (w[0] != "make" && f == w.end())) continue;
      const bool marked = std::any_of(not_run.begin(), not_run.end(), [&](const std::string& m) {
        return m.rfind(c.command + " (", 0) == 0 && m.ends_with(")") && m.size() > c.command.size() + 3;
      });
      const std::string where = b.where() + ": " + c.command;
      if (w[0] == "make") {
        const std::string target = w.size() > 1 ? w[1] : "all";
        EXPECT_NE(makefile.find("\n" + target + ":"), std::string::npos) << where << ": no such Makefile target";
        EXPECT_TRUE(marked) << where << ": make lines are not run here; mark it <!-- not run: " << c.command
                            << " (why) -->";
        continue;
      }
      if (marked) continue;
      w.erase(w.begin(), f);  // a wrapper such as /usr/bin/time is dropped
      std::string args;
      for (size_t k = 1; k < w.size(); ++k) args += " " + replace_all(w[k], "/tmp/", tmp.string() + "/");
      args += shortening(w);
      if (w.size() > 1 && w[1] == "sweep" && c.command.find("--out") == std::string::npos)
        args += " --out " + (tmp / ("sweep" + std::to_string(n))).string();
      const std::string out = (tmp / ("cmd" + std::to_string(n))).string();
      const std::string stdout_to =
          c.redirect.empty() ? ">" + out + ".out" : replace_all(c.redirect, "/tmp/", tmp.string() + "/");
      const std::string script =
          "cd '" + source + "' && " + FABSIM_CLI_PATH + args + " " + stdout_to + " 2>" + out + ".err";
      std::smatch exit;
      const int expected =
          std::regex_search(c.comment, exit, std::regex(R"(\bexit (\d+)\b)")) ? std::stoi(exit[1].str()) : 0;
      EXPECT_EQ(run_shell(script), expected) << where << "\nran: " << script << "\nstderr:\n" << read_text(out + ".err");
      ++n;
    }
  }
  fs::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Docs, DocsCommands, testing::ValuesIn(doc_files()), [](const auto& info) {
  std::string name = info.param;
  for (char& ch : name)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

}  // namespace
}  // namespace fabsim::docs
