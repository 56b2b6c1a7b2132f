#include "cli/run_input.h"

#include <fmt/format.h>
#include <utf8cpp/utf8.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>

#include "cli/build_info.h"
#include "core/assert.h"
#include "core/cost_model.h"
#include "core/units.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/yaml_tree.h"

namespace fabsim::cli {
namespace {

using Json = nlohmann::ordered_json;

// "<path>:<line>:<column>" (1-based) of byte `offset` of `text`.
std::string where(const std::string& path, std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}:{}", path, line, column);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A scanner over text that nlohmann has already accepted as JSON, for the byte ranges of
// the top-level object's values (nlohmann keeps no positions).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t skip_space(size_t i) const {
    while (i < text_.size() && is_space(text_[i])) ++i;
    return i;
  }
  // `i` at a '"': the index after the closing quote.
  size_t skip_string(size_t i) const {
    FABSIM_ASSERT(text_[i] == '"');
    for (++i; i < text_.size(); ++i) {
      if (text_[i] == '\\') ++i;
      else if (text_[i] == '"') return i + 1;
    }
    return text_.size();
  }
  // `i` at a value: the index after it.
  size_t skip_value(size_t i) const {
    if (text_[i] == '"') return skip_string(i);
    if (text_[i] != '{' && text_[i] != '[') {
      while (i < text_.size() && !is_space(text_[i]) && text_[i] != ',' && text_[i] != '}' && text_[i] != ']') ++i;
      return i;
    }
    int depth = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == '"') {
        i = skip_string(i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i;
      if (depth == 0) return i;
    }
    return i;
  }

  // Key -> [begin, end) of its value, for the object that starts at `begin`. A repeated
  // key keeps its last value, as nlohmann does.
  std::map<std::string, std::pair<size_t, size_t>> members(size_t begin) const {
    std::map<std::string, std::pair<size_t, size_t>> out;
    FABSIM_ASSERT(text_[begin] == '{');
    size_t i = skip_space(begin + 1);
    while (i < text_.size() && text_[i] == '"') {
      const size_t key_end = skip_string(i);
      const std::string key = Json::parse(text_.substr(i, key_end - i)).get<std::string>();
      i = skip_space(key_end);
      FABSIM_ASSERT(text_[i] == ':');
      const size_t value = skip_space(i + 1);
      const size_t value_end = skip_value(value);
      out[key] = {value, value_end};
      i = skip_space(value_end);
      if (i < text_.size() && text_[i] == ',') i = skip_space(i + 1);
    }
    return out;
  }

 private:
  std::string_view text_;
};

// The value of `key` in the recorded "fabsim" object, or "unknown".
std::string recorded(const Json& fabsim, const char* key) {
  if (fabsim.is_object() && fabsim.contains(key) && fabsim[key].is_string()) return fabsim[key].get<std::string>();
  return "unknown";
}

// results.json records the text, and JSON text is UTF-8 (nlohmann refuses other bytes).
Status check_utf8(const std::string& path, const std::string& text) {
  const size_t at = utf8::find_invalid(text);
  if (at == std::string::npos) return Status::ok();
  return Status::invalid_argument(where(path, text, at) +
                                  fmt::format(": the file is not UTF-8 text (byte 0x{:02X}); results.json records the "
                                              "file's text, which must be UTF-8",
                                              static_cast<unsigned char>(text[at])));
}

}  // namespace

Result<std::optional<ResultsFile>> read_results_file(const std::string& path, const std::string& text) {
  const bool json_name = path.size() >= 5 && path.ends_with(".json");
  Scanner scan(text);
  const size_t begin = scan.skip_space(0);
  if (!json_name && (begin == text.size() || text[begin] != '{')) return std::optional<ResultsFile>();
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    if (!json_name) return std::optional<ResultsFile>();  // YAML, perhaps: the loader will tell
    // e.what(): "[json.exception.parse_error.101] parse error at line 3, column 5: <what>"
    std::string what = e.what();
    const size_t header = what.find(": ", what.find("parse error"));
    if (header != std::string::npos) what = what.substr(header + 2);
    return Status::invalid_argument(where(path, text, e.byte > 0 ? e.byte - 1 : 0) + ": malformed JSON: " + what);
  }
  if (!j.is_object() || (!j.contains("fabsim") && !j.contains("resolved_scenario"))) return std::optional<ResultsFile>();
  if (!j.contains("fabsim"))
    return Status::invalid_argument(where(path, text, begin) +
                                    ": a results file without 'fabsim' was written before results files could be run "
                                    "again; its resolved_scenario is not in the scenario file format (run the "
                                    "scenario file it came from instead)");
  const auto members = scan.members(begin);
  const auto scenario = members.find("resolved_scenario");
  if (scenario == members.end())
    return Status::invalid_argument(where(path, text, begin) +
                                    ": missing key 'resolved_scenario' (a results file holds the scenario it ran "
                                    "there; without it there is nothing to run)");
  const auto [from, to] = scenario->second;
  if (text[from] != '{')
    return Status::invalid_argument(where(path, text, from) +
                                    ": resolved_scenario: expected the scenario as a map (got '" +
                                    scenario::one_line(text.substr(from, std::min<size_t>(to - from, 40))) + "')");
  ResultsFile out;
  out.fabsim = j["fabsim"];
  out.input = j.contains("input") ? j["input"] : Json();
  if (j.contains("trace_hash") && j["trace_hash"].is_string()) out.trace_hash = j["trace_hash"].get<std::string>();
  out.scenario_text = text;
  for (size_t i = 0; i < out.scenario_text.size(); ++i)
    if ((i < from || i >= to) && out.scenario_text[i] != '\n') out.scenario_text[i] = ' ';
  return std::optional<ResultsFile>(std::move(out));
}

std::string reproducing_lines(const std::string& path, const ResultsFile& file) {
  const std::string commit = recorded(file.fabsim, "commit");
  std::string out = fmt::format("reproducing: the resolved scenario of {} (fabsim {}, commit {}{})\n", path,
                                recorded(file.fabsim, "version"), commit,
                                file.trace_hash.empty() ? "" : ", trace hash " + file.trace_hash);
  if (commit != fabsim_commit())
    out += fmt::format("warning: {} was written by commit {}, this fabsim is commit {}: the run may differ\n", path,
                       commit, fabsim_commit());
  return out;
}

Result<RunInput> load_run_input(const RunOptions& o) {
  RunInput in;
  std::vector<std::string> overrides = o.sets;
  if (!o.seed.empty()) {
    auto seed = parse_seed(o.seed);
    if (!seed) return Status::invalid_argument(scenario::one_line("--seed: " + seed.status().message()));
    in.seed = *seed;
    overrides.push_back(fmt::format("seed={}", *seed));
  }
  auto text = scenario::read_scenario_file(o.file);
  if (!text) return text.status();
  auto results = read_results_file(o.file, *text);
  if (!results) return results.status();
  in.results = std::move(results).value();
  scenario::LoaderOptions options;
  options.cost_names = cost_names();
  auto spec = scenario::load_scenario_text(in.results ? in.results->scenario_text : *text, o.file, overrides, options);
  if (!spec) return spec.status();
  in.spec = std::move(spec).value();
  in.json = {{"file", o.file}};
  if (in.results) {
    in.json["reproduces"] = in.results->input;
  } else {
    if (Status s = check_utf8(o.file, *text); !s.is_ok()) return s;
    in.json["text"] = std::move(text).value();
  }
  in.json["sets"] = o.sets;
  in.json["seed"] = in.seed ? Json(*in.seed) : Json();
  return in;
}

std::optional<bool> reproduces_trace_hash(const ResultsFile& file, uint64_t trace_hash) {
  if (file.trace_hash.empty()) return std::nullopt;
  return fmt::format("{:016x}", trace_hash) == file.trace_hash;
}

std::string reproduced_line(const std::string& path, const ResultsFile& file, uint64_t trace_hash) {
  const auto same = reproduces_trace_hash(file, trace_hash);
  if (!same) return "";
  if (*same) return fmt::format("reproduced: the trace hash is the one in {}\n", path);
  return fmt::format("not reproduced: the trace hash is {:016x}, the one in {} is {}\n", trace_hash, path,
                     file.trace_hash);
}

}  // namespace fabsim::cli
