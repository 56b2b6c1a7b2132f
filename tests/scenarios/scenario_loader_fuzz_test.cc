// Mutation fuzz of the scenario loader, for the rule on bad input: a wrong scenario file or
// `--set` override gets ONE clear error that names its place — the file's line:column or a
// key path, or the `--set` text — and never a crash, an abort, an assertion failure, an
// uncaught exception or a hang (docs/scenario-format.md, "Errors").
//
// Every shipped scenario file (scenarios/*.yaml, tests/scenarios/*.yaml) is mutated a fixed
// number of times: bytes and lines deleted, duplicated, swapped or replaced, numbers and
// units spoiled, the text cut short. Then random `--set` overrides are applied to the file
// as it is. A mutated input that loads is fine (nothing runs); one that does not must give
// the error the rule asks for.
//
// Deterministic: input k of a file draws only from Rng::stream(kSeed, "<file>/<k>") (or
// ".../set/<k>"), so the trace of a failure (file, index, what was done) reproduces it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_model.h"
#include "core/random.h"
#include "scenarios/scenario_loader.h"
#include "tests/sanitized_build.h"
#include "scenarios/yaml_tree.h"

namespace fabsim::scenario {
namespace {

constexpr uint64_t kSeed = 20240611;

// Sanitizer builds (make test-asan) run each load about 2.5 times slower: half the inputs there.
constexpr bool kSanitized = testing_support::kSanitizedBuild;

constexpr int kMutationsPerFile = kSanitized ? 250 : 500;
constexpr int kOverrideLoadsPerFile = kSanitized ? 100 : 200;

// Characters that mean something to YAML, or to nothing at all.
const std::vector<std::string> kInteresting = {
    ":", "-", "[", "{", "'", "\"", "#", "&", "*", "!", "|", ">", "\t", std::string(1, '\0'), "\xff", "\n"};
const std::vector<std::string> kNumbers = {"-1", "0", "99999999999999999999", "1e308"};

// The keys a key path starts with (docs/scenario-format.md).
const std::vector<std::string> kTopKeys = {"name",    "description", "seed",     "duration",   "drain",
                                           "network", "ordering",    "channels", "chaincodes", "crypto",
                                           "costs",   "nodes",       "workload", "faults",     "expect"};

struct ShippedFile {
  std::string display;  // relative to the source tree, e.g. scenarios/quickstart.yaml
  std::string text;
};

void PrintTo(const ShippedFile& f, std::ostream* os) { *os << f.display; }

std::vector<ShippedFile> shipped_files() {
  const std::filesystem::path root(FABSIM_SOURCE_DIR);
  std::vector<ShippedFile> files;
  for (const char* dir : {"scenarios", "tests/scenarios"})
    for (const auto& entry : std::filesystem::directory_iterator(root / dir))
      if (entry.path().extension() == ".yaml") {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        files.push_back({std::filesystem::relative(entry.path(), root).generic_string(), std::move(text).str()});
      }
  std::sort(files.begin(), files.end(),
            [](const ShippedFile& a, const ShippedFile& b) { return a.display < b.display; });
  return files;
}

LoaderOptions options() {
  LoaderOptions lo;
  lo.cost_names = fabsim::cost_names();
  return lo;
}

// ---- the rule ----------------------------------------------------------------------------

size_t line_count(std::string_view text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1; }

// Reads a number >= 1 at the front of `s`.
bool take_position_number(std::string_view* s, size_t* out) {
  size_t n = 0;
  while (n < s->size() && std::isdigit(static_cast<unsigned char>((*s)[n])))
    ++n;
  if (n == 0 || n > 9) return false;
  *out = std::stoul(std::string(s->substr(0, n)));
  s->remove_prefix(n);
  return *out >= 1;
}

// Whether `m` starts "<display>:<line>:<column>: " with a line of `text`, or
// "<display>: <key.path>: " with a path from a top-level key; the rest is the message.
bool names_a_file_place(std::string_view m, const std::string& display, std::string_view text) {
  if (!m.starts_with(display)) return false;
  m.remove_prefix(display.size());
  size_t line = 0, column = 0;
  std::string_view pos = m;
  if (pos.starts_with(":")) {
    pos.remove_prefix(1);
    if (take_position_number(&pos, &line) && pos.starts_with(":")) {
      pos.remove_prefix(1);
      if (take_position_number(&pos, &column) && pos.starts_with(": ") && pos.size() > 2)
        return line <= line_count(text);
    }
  }
  if (!m.starts_with(": ")) return false;
  m.remove_prefix(2);
  const size_t end = m.find(": ");
  if (end == std::string_view::npos || end + 2 >= m.size()) return false;
  const std::string_view path = m.substr(0, end);
  const std::string_view first = path.substr(0, path.find('.'));
  return std::find(kTopKeys.begin(), kTopKeys.end(), first) != kTopKeys.end();
}

// Whether `m` starts "--set <one of `sets`>: " followed by a message.
bool names_an_override(std::string_view m, const std::vector<std::string>& sets) {
  for (const std::string& s : sets) {
    const std::string head = "--set " + one_line(s) + ": ";
    if (m.starts_with(head) && m.size() > head.size()) return true;
  }
  return false;
}

// The rule for one load: it returned (we are here), and an error is one line that names
// the file's place or one of the overrides.
void expect_one_located_error(const Result<ScenarioSpec>& r, const std::string& display, std::string_view text,
                              const std::vector<std::string>& sets = {}) {
  if (r.is_ok()) return;
  const std::string& m = r.status().message();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
  EXPECT_TRUE(names_a_file_place(m, display, text) || names_an_override(m, sets))
      << "names no place (" << display << ":line:column, a key path or the --set text): " << one_line(m);
}

// ---- mutations of a file ---------------------------------------------------------------

struct Mutation {
  std::string text;
  std::string what;  // for the trace
};

std::string quote(std::string_view s) { return "'" + one_line(s) + "'"; }

// "line 3 column 5" of byte `pos` (1-based, as the loader prints them).
std::string position_of(std::string_view text, size_t pos) {
  const size_t line = static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(pos), '\n'));
  const size_t newline = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
  const size_t column = newline == std::string_view::npos ? pos : pos - newline - 1;
  return "line " + std::to_string(line + 1) + " column " + std::to_string(column + 1);
}

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& v) {
  return v[rng.uniform_u64(v.size())];
}

// The lines of `text`, each with its newline.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    const size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines)
    out += l;
  return out;
}

// A number that starts a value (not the digit in Org1 or peer0): [start, end) of its
// digits and '.', then [end, unit_end) of the letters and '/' of its unit, if any.
struct NumberSpan {
  size_t start, end, unit_end;
};

std::vector<NumberSpan> numbers_of(const std::string& text) {
  std::vector<NumberSpan> out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool starts = std::isdigit(c) && (i == 0 || (!std::isalnum(static_cast<unsigned char>(text[i - 1])) &&
                                                       text[i - 1] != '_' && text[i - 1] != '.'));
    if (!starts) {
      ++i;
      continue;
    }
    NumberSpan s{i, i, i};
    while (s.end < text.size() && (std::isdigit(static_cast<unsigned char>(text[s.end])) || text[s.end] == '.'))
      ++s.end;
    s.unit_end = s.end;
    while (s.unit_end < text.size() &&
           (std::isalpha(static_cast<unsigned char>(text[s.unit_end])) || text[s.unit_end] == '/'))
      ++s.unit_end;
    out.push_back(s);
    i = s.unit_end;
  }
  return out;
}

std::optional<Mutation> delete_byte(const std::string& t, Rng& rng) {
  if (t.empty()) return std::nullopt;
  const size_t pos = rng.uniform_u64(t.size());
  return Mutation{t.substr(0, pos) + t.substr(pos + 1),
                  "delete byte " + quote(t.substr(pos, 1)) + " at " + position_of(t, pos)};
}

std::optional<Mutation> duplicate_byte(const std::string& t, Rng& rng) {
  if (t.empty()) return std::nullopt;
  const size_t pos = rng.uniform_u64(t.size());
  return Mutation{t.substr(0, pos + 1) + t.substr(pos),
                  "duplicate byte " + quote(t.substr(pos, 1)) + " at " + position_of(t, pos)};
}

std::optional<Mutation> replace_byte(const std::string& t, Rng& rng) {
  if (t.empty()) return std::nullopt;
  const size_t pos = rng.uniform_u64(t.size());
  const std::string& c = pick(rng, kInteresting);
  return Mutation{t.substr(0, pos) + c + t.substr(pos + 1),
                  "replace byte " + quote(t.substr(pos, 1)) + " at " + position_of(t, pos) + " with " + quote(c)};
}

std::optional<Mutation> delete_line(const std::string& t, Rng& rng) {
  std::vector<std::string> lines = lines_of(t);
  if (lines.empty()) return std::nullopt;
  const size_t i = rng.uniform_u64(lines.size());
  lines.erase(lines.begin() + static_cast<ptrdiff_t>(i));
  return Mutation{join_lines(lines), "delete line " + std::to_string(i + 1)};
}

std::optional<Mutation> duplicate_line(const std::string& t, Rng& rng) {
  std::vector<std::string> lines = lines_of(t);
  if (lines.empty()) return std::nullopt;
  const size_t i = rng.uniform_u64(lines.size());
  lines.insert(lines.begin() + static_cast<ptrdiff_t>(i), lines[i]);
  return Mutation{join_lines(lines), "duplicate line " + std::to_string(i + 1)};
}

std::optional<Mutation> swap_lines(const std::string& t, Rng& rng) {
  std::vector<std::string> lines = lines_of(t);
  if (lines.size() < 2) return std::nullopt;
  const size_t i = rng.uniform_u64(lines.size());
  const size_t j = (i + 1 + rng.uniform_u64(lines.size() - 1)) % lines.size();
  std::swap(lines[i], lines[j]);
  return Mutation{join_lines(lines), "swap lines " + std::to_string(i + 1) + " and " + std::to_string(j + 1)};
}

std::optional<Mutation> replace_number(const std::string& t, Rng& rng) {
  const std::vector<NumberSpan> spans = numbers_of(t);
  if (spans.empty()) return std::nullopt;
  const NumberSpan& s = pick(rng, spans);
  const std::string& n = pick(rng, kNumbers);
  return Mutation{
      t.substr(0, s.start) + n + t.substr(s.end),
      "replace number " + quote(t.substr(s.start, s.end - s.start)) + " at " + position_of(t, s.start) + " with " + n};
}

std::optional<Mutation> replace_unit(const std::string& t, Rng& rng) {
  std::vector<NumberSpan> spans = numbers_of(t);
  std::erase_if(spans, [](const NumberSpan& s) { return s.unit_end == s.end; });
  if (spans.empty()) return std::nullopt;
  const NumberSpan& s = pick(rng, spans);
  const std::string unit = t.substr(s.end, s.unit_end - s.end);
  std::string upper = unit;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> spoilt = {"x" + unit, unit.substr(0, unit.size() - 1) + "z", "", upper, unit + unit,
                                           " " + unit};
  const std::string& u = pick(rng, spoilt);
  return Mutation{t.substr(0, s.end) + u + t.substr(s.unit_end),
                  "replace unit " + quote(unit) + " at " + position_of(t, s.end) + " with " + quote(u)};
}

std::optional<Mutation> truncate(const std::string& t, Rng& rng) {
  if (t.empty()) return std::nullopt;
  const size_t pos = rng.uniform_u64(t.size());
  return Mutation{t.substr(0, pos), "truncate at " + position_of(t, pos)};
}

using Mutator = std::optional<Mutation> (*)(const std::string&, Rng&);

struct MutatorCase {
  const char* name;
  Mutator mutate;
};

const std::vector<MutatorCase> kMutators = {
    {"DeleteByte", delete_byte},       {"DuplicateByte", duplicate_byte}, {"ReplaceByte", replace_byte},
    {"DeleteLine", delete_line},       {"DuplicateLine", duplicate_line}, {"SwapLines", swap_lines},
    {"ReplaceNumber", replace_number}, {"ReplaceUnit", replace_unit},     {"Truncate", truncate},
};

// Mutation k of `text`: kind k mod (mutators + 1); the last kind stacks two to four.
std::optional<Mutation> mutate(const std::string& text, size_t k, Rng& rng) {
  auto one = [&rng](const MutatorCase& c, const std::string& t) -> std::optional<Mutation> {
    auto m = c.mutate(t, rng);
    if (m) m->what = std::string(c.name) + ": " + m->what;
    return m;
  };
  const size_t kind = k % (kMutators.size() + 1);
  if (kind < kMutators.size()) return one(kMutators[kind], text);
  Mutation m{text, ""};
  const uint64_t n = 2 + rng.uniform_u64(3);
  for (uint64_t i = 0; i < n; ++i) {
    auto next = one(pick(rng, kMutators), m.text);
    if (!next) continue;
    m.what += (m.what.empty() ? "" : "; then ") + next->what;
    m.text = std::move(next->text);
  }
  return m;
}

// ---- random overrides --------------------------------------------------------------------

// Every key path of the tree, with its node (keys holding a dot are quoted, as --set takes
// them).
struct PathNode {
  std::string path;
  const YamlNode* node;
};

void collect_paths(const YamlNode& n, const std::string& path, std::vector<PathNode>* out) {
  if (!path.empty()) out->push_back({path, &n});
  const auto child = [&](const std::string& seg) { return path.empty() ? seg : path + "." + seg; };
  for (const YamlEntry& e : n.entries)
    collect_paths(e.value, child(e.key.find('.') == std::string::npos ? e.key : "\"" + e.key + "\""), out);
  for (size_t i = 0; i < n.items.size(); ++i)
    collect_paths(n.items[i], child(std::to_string(i)), out);
}

std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> segs;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return segs;
    start = dot + 1;
  }
}

std::string join_segments(const std::vector<std::string>& segs) {
  std::string out;
  for (size_t i = 0; i < segs.size(); ++i)
    out += (i ? "." : "") + segs[i];
  return out;
}

// A key path for an override: half the time one of the file's (`*at` is then its node),
// else one spoilt in some way.
std::string random_path(const std::vector<PathNode>& paths, Rng& rng, const YamlNode** at) {
  const PathNode& base = pick(rng, paths);
  *at = nullptr;
  std::vector<std::string> segs = segments_of(base.path);
  switch (rng.uniform_u64(16)) {
    case 0: {  // misspelt: one character of one key deleted, doubled or changed
      std::string& s = segs[rng.uniform_u64(segs.size())];
      const size_t pos = rng.uniform_u64(s.size());
      switch (rng.uniform_u64(3)) {
        case 0: s.erase(pos, 1); break;
        case 1: s.insert(pos, 1, s[pos]); break;
        default: s[pos] = static_cast<char>('a' + rng.uniform_u64(26)); break;
      }
      return join_segments(segs);
    }
    case 1: {  // a list index out of range, e.g. workload.7.rate
      static const std::vector<std::string> kBig = {"7", "42", "99999999999999999999", "-1"};
      std::vector<size_t> indexes;
      for (size_t i = 0; i < segs.size(); ++i)
        if (segs[i].find_first_not_of("0123456789") == std::string::npos) indexes.push_back(i);
      if (indexes.empty()) return base.path + "." + pick(rng, kBig);
      segs[pick(rng, indexes)] = pick(rng, kBig);
      return join_segments(segs);
    }
    case 2: return "";
    case 3: {  // an empty key: a..b, .a or a.
      switch (rng.uniform_u64(3)) {
        case 0: segs.insert(segs.begin() + static_cast<ptrdiff_t>(rng.uniform_u64(segs.size() + 1)), ""); break;
        case 1: return "." + base.path;
        default: return base.path + ".";
      }
      return join_segments(segs);
    }
    case 4: {  // quotes: a quoted key, or an unclosed one
      std::string& s = segs[rng.uniform_u64(segs.size())];
      s = rng.uniform_u64(2) == 0 ? "\"" + s + "\"" : "\"" + s;
      return join_segments(segs);
    }
    case 5: {  // below a key, perhaps below a single value
      static const std::vector<std::string> kBelow = {"x", "0", "rate", "name"};
      return base.path + "." + pick(rng, kBelow);
    }
    case 6: {  // odd characters in a key
      std::string& s = segs[rng.uniform_u64(segs.size())];
      s.insert(rng.uniform_u64(s.size() + 1), pick(rng, kInteresting));
      return join_segments(segs);
    }
    case 7: return segs[0] + "." + std::to_string(rng.uniform_u64(3));  // an index into a top-level key
    default: *at = base.node; return base.path;
  }
}

// A value for an override: YAML's special characters, negative, huge, badly unitted,
// empty, of the wrong shape, or a value of the file (`at`'s, when a path was taken from
// it, or another key's), perhaps with its number or unit spoilt.
std::string random_value(const std::vector<PathNode>& paths, const YamlNode* at, Rng& rng) {
  static const std::vector<std::string> kValues = {
      // negative, zero, huge, not a number
      "-1", "-5s", "-200tps", "0", "0s", "0tps", "99999999999999999999", "1e308", "-1e308", "1e308s", "nan", "inf",
      // bad units
      "5xs", "10tpz", "1GBs", "3 MiB",
      // empty, or of another shape
      "", "~", "null", "[]", "{}", "[a, b]", "true", "Org1.peer0", "[Org1, orderers]", "{at: 1s, crash: Org1.peer0}",
      // malformed YAML, aliases, tags, quotes, a block scalar
      "[[", "{a: [}", "&a [*a]", "*a", "!!str 5", "'1s", "\"1s", "|\n  x",
      // valid somewhere
      "1s", "200tps"};
  switch (rng.uniform_u64(5)) {
    case 0: return pick(rng, kInteresting);
    case 1: return pick(rng, kValues);
    case 2: return pick(rng, kNumbers);
    default: {
      const YamlNode& n = at && rng.uniform_u64(4) != 0 ? *at : *pick(rng, paths).node;
      if (n.kind != YamlNode::Kind::kScalar) return pick(rng, kValues);
      std::optional<Mutation> spoilt;
      switch (rng.uniform_u64(3)) {
        case 0: spoilt = replace_unit(n.text, rng); break;
        case 1: spoilt = replace_number(n.text, rng); break;
        default: break;
      }
      return spoilt ? spoilt->text : n.text;
    }
  }
}

// One --set argument: path=value, or with the '=' missing, the value empty, or an extra '='.
std::string random_override(const std::vector<PathNode>& paths, Rng& rng) {
  const YamlNode* at = nullptr;
  const std::string path = random_path(paths, rng, &at);
  switch (rng.uniform_u64(16)) {
    case 0: return path;
    case 1: return path + "=";
    case 2: return path + "=" + random_value(paths, at, rng) + "=";
    default: return path + "=" + random_value(paths, at, rng);
  }
}

// ---- the tests ---------------------------------------------------------------------------

// The checks above accept what the rule allows and nothing else.
TEST(ScenarioLoaderFuzzOracle, APlaceIsAPositionAKeyPathOrTheOverride) {
  const std::string text = "a\nb\nc\n";
  EXPECT_TRUE(names_a_file_place("t.yaml:3:1: unknown key 'x'", "t.yaml", text));
  EXPECT_TRUE(names_a_file_place("t.yaml:4:1: expected a map", "t.yaml", text));  // the end of the text
  EXPECT_TRUE(names_a_file_place("t.yaml: workload.0.rate: expected a rate", "t.yaml", text));
  EXPECT_FALSE(names_a_file_place("t.yaml:5:1: past the end", "t.yaml", text));
  EXPECT_FALSE(names_a_file_place("t.yaml:0:1: lines count from 1", "t.yaml", text));
  EXPECT_FALSE(names_a_file_place("t.yaml:3:1: ", "t.yaml", text));
  EXPECT_FALSE(names_a_file_place("t.yaml: malformed YAML: end of map not found", "t.yaml", text));
  EXPECT_FALSE(names_a_file_place("u.yaml:3:1: another file", "t.yaml", text));
  EXPECT_FALSE(names_a_file_place("unknown key 'x'", "t.yaml", text));
  EXPECT_TRUE(names_an_override("--set a\\nb=1: expected path=value", {"x=1", "a\nb=1"}));
  EXPECT_FALSE(names_an_override("--set a=1: expected path=value", {"a=2"}));
  EXPECT_FALSE(names_an_override("--set a=1: ", {"a=1"}));
}

class ScenarioLoaderFuzz : public testing::TestWithParam<ShippedFile> {};

TEST_P(ScenarioLoaderFuzz, MutatedFileLoadsOrGivesOneLocatedError) {
  const ShippedFile& f = GetParam();
  ASSERT_TRUE(load_scenario_text(f.text, f.display, {}, options()).is_ok()) << "the shipped file itself must load";
  size_t errors = 0;
  for (int k = 0; k < kMutationsPerFile; ++k) {
    Rng rng = Rng::stream(kSeed, f.display + "/" + std::to_string(k));
    const auto m = mutate(f.text, static_cast<size_t>(k), rng);
    ASSERT_TRUE(m.has_value()) << "mutation " << k << " does not apply";
    SCOPED_TRACE(f.display + " mutation " + std::to_string(k) + " (seed " + std::to_string(kSeed) + "): " + m->what);
    const auto r = load_scenario_text(m->text, f.display, {}, options());
    expect_one_located_error(r, f.display, m->text);
    errors += r.is_ok() ? 0 : 1;
    if (HasFailure()) return;  // the first failure is the one to read
  }
  EXPECT_GT(errors, 0u) << "no mutation was rejected: the mutations do nothing";
}

TEST_P(ScenarioLoaderFuzz, RandomOverridesLoadOrGiveOneErrorNamingThem) {
  const ShippedFile& f = GetParam();
  auto doc = YamlDocument::parse(f.text, f.display);
  ASSERT_TRUE(doc.is_ok()) << doc.status().message();
  std::vector<PathNode> paths;
  collect_paths(doc->root(), "", &paths);
  ASSERT_FALSE(paths.empty());
  size_t errors = 0;
  for (int k = 0; k < kOverrideLoadsPerFile; ++k) {
    Rng rng = Rng::stream(kSeed, f.display + "/set/" + std::to_string(k));
    std::vector<std::string> sets(rng.uniform_u64(4) == 0 ? 2 : 1);
    std::string what;
    for (std::string& s : sets) {
      s = random_override(paths, rng);
      what += " --set " + quote(s);
    }
    SCOPED_TRACE(f.display + " override load " + std::to_string(k) + " (seed " + std::to_string(kSeed) + "):" + what);
    const auto r = load_scenario_text(f.text, f.display, sets, options());
    expect_one_located_error(r, f.display, f.text, sets);
    errors += r.is_ok() ? 0 : 1;
    if (HasFailure()) return;
  }
  EXPECT_GT(errors, 0u) << "no override was rejected: the overrides do nothing";
}

INSTANTIATE_TEST_SUITE_P(ShippedScenarios, ScenarioLoaderFuzz, testing::ValuesIn(shipped_files()),
                         [](const testing::TestParamInfo<ShippedFile>& i) {
                           std::string name = i.param.display.substr(0, i.param.display.size() - 5);  // no .yaml
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace fabsim::scenario
