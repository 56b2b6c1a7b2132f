// Argument templates for generated transactions (a workload's `mix[].args`): text with
// placeholders that the workload generator fills in for each transaction.
//
//   {key}          a key drawn from the generator's `keys` (prefix + index, e.g. key42)
//   {key2}         a second key drawn from `keys`, different from {key} (needs count >= 2)
//   {seq}          the transaction's number within its generator, from 0
//   {client}       the name of the client node that submits it, e.g. Org1.client0
//   {int:LO:HI}    a whole number drawn uniformly from [LO, HI] (LO <= HI, may be negative)
//   {bytes:N}      N printable pseudo-random bytes (0 <= N <= 64 MiB)
//   {{ and }}      a literal { and }
// Anything else in braces is an error. A template is parsed once, when the scenario is
// loaded; the generator only walks the pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fabsim::scenario {

struct ArgPiece {
  enum class Kind : uint8_t { kLiteral, kKey, kKey2, kSeq, kClient, kInt, kBytes };
  Kind kind = Kind::kLiteral;
  std::string literal;     // kLiteral, with {{ and }} already unescaped
  int64_t lo = 0, hi = 0;  // kInt
  uint64_t bytes = 0;      // kBytes

  bool operator==(const ArgPiece&) const = default;
};

struct ArgTemplate {
  std::string text;              // as written
  std::vector<ArgPiece> pieces;  // adjacent literals merged; empty for ""

  bool uses(ArgPiece::Kind kind) const;
  bool operator==(const ArgTemplate&) const = default;
};

inline constexpr uint64_t kMaxTemplateBytes = 64ull << 20;

// Parses `text`. Errors are invalid_argument naming the placeholder, e.g.
// "unknown placeholder '{kye}' at position 0 (did you mean '{key}'?)"; `error_position`
// (if not null) receives the 0-based byte position the message names.
Result<ArgTemplate> parse_arg_template(std::string_view text, size_t* error_position = nullptr);

}  // namespace fabsim::scenario
