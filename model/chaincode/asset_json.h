// The asset record of the `asset` chaincode and its JSON form, byte-compatible with what
// fabric-samples asset-transfer-basic (Go) stores: encoding/json of
//   struct Asset { AppraisedValue int; Color string; ID string; Owner string; Size int }
// i.e. {"AppraisedValue":300,"Color":"blue","ID":"asset1","Owner":"Tomoko","Size":5}
// (fields in that alphabetical order, no spaces).
//
// Writer: Go's string escaping — \" \\ \n \r \t; other control bytes as \u00XX; '<', '>'
// and '&' as \u003c \u003e \u0026 (HTML-safe); U+2028/U+2029 as \u2028/\u2029; each
// invalid UTF-8 byte as \ufffd. (Go before 1.22 writes \b and \f as \u0008, \u000c; so do
// we.)
// Reader: like Go's json.Unmarshal into that struct — one object; keys matched
// case-insensitively; unknown keys (with any JSON value) ignored; a repeated key's last
// value wins; null leaves a field unchanged; Size/AppraisedValue must be JSON integers
// within int64; anything else is an error naming the problem.
//
// Ownership: plain functions over values; no state. Invariant: asset_from_json(
// asset_to_json(a)) == a for every Asset whose strings are valid UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace fabsim::chaincode {

struct Asset {
  int64_t appraised_value = 0;
  std::string color;
  std::string id;
  std::string owner;
  int64_t size = 0;
  bool operator==(const Asset&) const = default;
};

std::string asset_to_json(const Asset& asset);
Result<Asset> asset_from_json(std::string_view json);

// `text` as a JSON string literal, quotes included, escaped as Go's encoding/json does.
std::string json_quote(std::string_view text);

}  // namespace fabsim::chaincode
