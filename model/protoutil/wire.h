// Reading fields of serialized protobuf messages without copying them.
//
// find_field() walks the top level of a message's wire bytes and returns a view of one
// length-delimited field (a bytes, string or embedded message field). The walk checks the
// framing of every field the way the protobuf parser does (valid tags, wire types and
// lengths), so "the message parses" and "find_field succeeds" agree for the messages we use
// it on — those whose other fields are bytes or scalars. Two cases it does not model are
// reported as kFallback so the caller parses the message normally: a group wire type, and
// an embedded-message field that occurs more than once (the parser merges the copies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fabsim::protoutil {

enum class WireResult : uint8_t {
  kFound,      // *out views the field's bytes (the last occurrence)
  kAbsent,     // well formed, the field is not present (*out is empty)
  kMalformed,  // the bytes are not a well-formed message
  kFallback,   // well formed as far as walked, but parse it with the protobuf parser
};

// Protobuf's unsigned varint (Go's proto.EncodeVarint): read_varint decodes the one at
// s[*pos] and advances *pos past it, false when it is cut short or longer than 10 bytes;
// append_varint appends the encoding of v.
bool read_varint(std::string_view s, size_t* pos, uint64_t* v);
void append_varint(std::string* out, uint64_t v);

// `field` is the field number. `is_message` says whether the field is an embedded message
// (for which a repeated occurrence means kFallback).
WireResult find_field(std::string_view message, uint32_t field, bool is_message, std::string_view* out);

}  // namespace fabsim::protoutil
