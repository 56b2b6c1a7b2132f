// YamlDocument: a scenario file as a small tree of maps, lists and scalars, each node
// carrying where it came from — a file position, or the `--set` override that wrote it.
//
// yaml-cpp parses the text; this is the only place its exceptions are caught (they become
// Status values naming file:line:column). The tree is then independent of yaml-cpp, so the
// overrides can be applied to it and every later error can name its origin. It also adds
// what yaml-cpp lets through: a duplicate key (found in O(log n) per key, so a map of a
// hundred thousand keys loads in about a second rather than minutes), a key that is not
// plain text, a key or value that is not UTF-8, more than one document, an alias inside
// the node it names, a stream on which yaml-cpp 0.7's LoadAll would never end (a lone ',').
//
// Positions are 0-based in Location and printed 1-based ("file.yaml:3:5"). A node written
// by `--set path=value` has no position; errors name the override instead
// ("--set ordering.batch_timeout=0s").
//
// Ownership: a YamlDocument owns its tree and its source text; nodes are plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fabsim::scenario {

struct Location {
  uint32_t origin = 0;  // 0: the file; k >= 1: the k-th --set override
  int32_t line = -1;    // 0-based; -1 when unknown (an override)
  int32_t column = -1;  // 0-based
};

struct YamlEntry;

struct YamlNode {
  enum class Kind : uint8_t { kNull, kScalar, kMap, kList };

  Kind kind = Kind::kNull;
  std::string text;                // kScalar: the value, unquoted
  bool plain = true;               // kScalar: written without quotes or a tag
  std::vector<YamlEntry> entries;  // kMap, in file order, keys unique
  std::vector<YamlNode> items;     // kList
  Location loc;

  // The value of `key`, or null when absent (kMap only; null for other kinds).
  const YamlNode* find(std::string_view key) const;
  const YamlEntry* find_entry(std::string_view key) const;
  // "a map", "a list", "nothing", or "'text'" for a scalar: the "(got ...)" of an error.
  std::string describe() const;
};

struct YamlEntry {
  std::string key;
  Location key_loc;
  YamlNode value;
};

// `text` with newlines, tabs and other control characters written as escapes (\n, \t,
// \x01), so that a message quoting a value from the file stays on one line; a byte that is
// not part of valid UTF-8 is escaped too (\xff), so the message is valid UTF-8.
std::string one_line(std::string_view text);

// Every name, value and path a scenario holds must be UTF-8: it is written into results.json
// and reports. Nullopt when `text` is valid UTF-8; else what is wrong, to follow a subject
// ("the value " + *problem): "is not valid UTF-8: byte 3 is \xff (got 'ab\xff')".
std::optional<std::string> utf8_problem(std::string_view text);

// Bound on the nodes of a document after aliases are expanded (each use of an alias is a
// copy), so that a file of nested aliases cannot exhaust memory.
inline constexpr size_t kMaxYamlNodes = 1'000'000;

class YamlDocument {
 public:
  // Parses `text` (one YAML document; an empty text gives a null root). `display_name`
  // is what error messages print as the file (e.g. the path).
  static Result<YamlDocument> parse(std::string text, std::string display_name);

  // Applies one `--set path=value` override. The path is keys and list indices separated
  // by '.' (`workload.0.rate`); a key that holds a dot may be written in double quotes
  // (`costs."Org1.peer0".vscc`), or plainly when the map already has that key. Missing maps
  // are created; an index equal to a list's length appends; a larger one is out of range.
  // The value is parsed as YAML (`5s`, `3`, `[a, b]`, `{at: 1s, crash: orderer0}`) and
  // replaces whatever was there.
  Status apply_override(std::string_view assignment);

  const YamlNode& root() const { return root_; }

  // "file.yaml:3:5" (1-based), or "--set a.b=c" for a node written by an override.
  std::string where(const Location& loc) const;
  // "<where>: <path>: <message>" (the path is left out when empty), on one line
  // (one_line).
  Status error(const Location& loc, std::string_view path, std::string_view message) const;
  // The line of the file a location is on (without its newline); empty when the location
  // is not in the file.
  std::string_view source_line(const Location& loc) const;

 private:
  struct Origin {
    std::string name;  // the display name, or "--set <assignment>"
    bool is_file = true;
  };

  std::vector<Origin> origins_;
  std::string text_;
  YamlNode root_;
};

}  // namespace fabsim::scenario
