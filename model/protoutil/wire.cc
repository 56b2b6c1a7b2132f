#include "model/protoutil/wire.h"

namespace fabsim::protoutil {

bool read_varint(std::string_view s, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= s.size()) return false;
    const auto b = static_cast<uint8_t>(s[(*pos)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;  // more than 10 bytes
}

void append_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

WireResult find_field(std::string_view message, uint32_t field, bool is_message, std::string_view* out) {
  *out = {};
  int found = 0;
  size_t pos = 0;
  while (pos < message.size()) {
    uint64_t tag;
    if (!read_varint(message, &pos, &tag)) return WireResult::kMalformed;
    const uint64_t number = tag >> 3;
    const auto wire_type = static_cast<uint32_t>(tag & 7);
    if (number == 0 || number > 0x1fffffff) return WireResult::kMalformed;
    switch (wire_type) {
      case 0: {
        uint64_t v;
        if (!read_varint(message, &pos, &v)) return WireResult::kMalformed;
        break;
      }
      case 1:
        if (message.size() - pos < 8) return WireResult::kMalformed;
        pos += 8;
        break;
      case 5:
        if (message.size() - pos < 4) return WireResult::kMalformed;
        pos += 4;
        break;
      case 2: {
        uint64_t len;
        if (!read_varint(message, &pos, &len) || len > message.size() - pos) return WireResult::kMalformed;
        if (number == field) {
          *out = message.substr(pos, len);
          ++found;
        }
        pos += len;
        break;
      }
      case 3:
      case 4:
        return WireResult::kFallback;
      default:
        return WireResult::kMalformed;
    }
  }
  if (found > 1 && is_message) return WireResult::kFallback;
  return found > 0 ? WireResult::kFound : WireResult::kAbsent;
}

}  // namespace fabsim::protoutil
