// Typed reads of scenario fields from a YamlDocument, each failing with one located message:
//   "<file>:<line>:<col>: <key.path>: <what was expected> (got '<value>')".
// The loader's section readers (scenarios/scenario_loader.cc and its siblings) are built
// from these; nothing here knows the scenario schema beyond the shape of one field.
//
// Conventions shared by every reader:
//   * A scalar field given an empty value (`key:` with nothing) is an error ("got nothing");
//     a list or map field given an empty value is an empty list or map.
//   * Paths are keys and list indices joined by '.', as `--set` writes them
//     (`network.orgs.0.peers`).
//   * Numbers may be written quoted or not; booleans are exactly true or false.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "scenarios/yaml_tree.h"

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define SCENARIO_TRY(expr)                                       \
  do {                                                           \
    if (::fabsim::Status _st = (expr); !_st.is_ok()) return _st; \
  } while (0)

namespace fabsim::scenario {

std::string child_path(std::string_view path, std::string_view key);
std::string child_path(std::string_view path, size_t index);

class FieldReader {
 public:
  explicit FieldReader(const YamlDocument& doc) : doc_(doc) {}

  const YamlDocument& doc() const { return doc_; }
  Status error(const YamlNode& at, std::string_view path, std::string_view message) const {
    return doc_.error(at.loc, path, message);
  }
  Status error_at(const Location& at, std::string_view path, std::string_view message) const {
    return doc_.error(at, path, message);
  }

  // A map (or nothing) whose keys are all in `allowed`; an unknown key is reported at the
  // key, with the closest allowed key suggested.
  Status map(const YamlNode& n, std::string_view path, const std::vector<std::string>& allowed) const;
  // A list (or nothing).
  Status list(const YamlNode& n, std::string_view path) const;
  // The value of a key that must be present in map `m`.
  Result<const YamlNode*> required(const YamlNode& m, std::string_view path, std::string_view key,
                                   std::string_view what) const;

  Status text(const YamlNode& n, std::string_view path, std::string* out) const;  // non-empty
  Status boolean(const YamlNode& n, std::string_view path, bool* out) const;
  Status whole(const YamlNode& n, std::string_view path, uint64_t min, uint64_t max, uint64_t* out) const;
  Status whole32(const YamlNode& n, std::string_view path, uint32_t min, uint32_t max, uint32_t* out) const;
  // A finite number in [min, max], or in [min, max) when `max_exclusive`.
  Status number(const YamlNode& n, std::string_view path, double min, double max, bool max_exclusive,
                double* out) const;
  Status seed(const YamlNode& n, std::string_view path, uint64_t* out) const;

  enum class Sign : uint8_t { kPositive, kNonNegative, kAny };
  Status duration(const YamlNode& n, std::string_view path, Sign sign, Duration* out) const;
  // A size that fits `max` (e.g. UINT32_MAX for Fabric's uint32 batch sizes), > 0.
  Status size(const YamlNode& n, std::string_view path, uint64_t max, uint64_t* out) const;
  Status rate(const YamlNode& n, std::string_view path, double* out) const;  // > 0
  Status bandwidth(const YamlNode& n, std::string_view path, uint64_t* out) const;
  // One of `names`; `*index` is its position.
  Status one_of(const YamlNode& n, std::string_view path, const std::vector<std::string>& names, size_t* index) const;
  // A list of non-empty strings; a single string is a list of one.
  Status text_list(const YamlNode& n, std::string_view path, std::vector<std::string>* out,
                   std::vector<const YamlNode*>* nodes = nullptr) const;

  // The location of byte `pos` of scalar `n`'s value in the file, when the scalar is on one
  // line and its first `pos` bytes appear verbatim there (no escapes); else n's location.
  Location position_in_scalar(const YamlNode& n, size_t pos) const;

 private:
  Status scalar(const YamlNode& n, std::string_view path, std::string_view what) const;

  const YamlDocument& doc_;
};

}  // namespace fabsim::scenario
