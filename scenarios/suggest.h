// "Did you mean ...?" for unknown keys and names: the closest candidate by edit distance.
// Used for scenario keys, node and group names, enum values, cost names and TxValidationCode
// names, so every "unknown X" error reads the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fabsim::scenario {

// Edit distance with adjacent transpositions (optimal string alignment: insert, delete,
// substitute and swap two neighbours cost 1 each), on bytes. "ecdas" -> "ecdsa" is 1.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, compared case-insensitively, if it is close enough to be a
// likely typo: distance <= max(1, 2 * word.size() / 5), or `word` is a case-insensitive
// prefix of it (at least 3 characters). Among equally close candidates, one that differs
// only by a digit in the same place wins ("Org1.peer9" suggests "Org1.peer0", not
// "Org1.peers"); then the earlier candidate, so the answer is deterministic.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// The tail of an "unknown X" message: " (did you mean 'ordering'?)" when a candidate is
// close, else " (expected one of: a, b, c)" listing at most 12 candidates, else "" when
// there are none.
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace fabsim::scenario
