// Byte encodings shared by the ledger's LevelDB databases.
//
// Fabric's EncodeOrderPreservingVarUint64 (common/ledger/util): one byte holding the count
// n (0..8) of significant bytes, then those n bytes big-endian. Zero is the single byte 00.
// Byte order of encodings equals numeric order, so (block, tx) keys sort by height.
// Fabric's Height.ToBytes is the two encodings of block number and tx number, back to
// back. Decoders take a view, consume from its front, and return false on malformed input
// (stored bytes are never trusted: a false return becomes a Corruption status upstream).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/ledger/state.h"

namespace fabsim::ledger {

inline void append_ordered_uint64(std::string* out, uint64_t v) {
  int n = 0;
  for (uint64_t x = v; x != 0; x >>= 8) ++n;
  out->push_back(static_cast<char>(n));
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::string encode_ordered_uint64(uint64_t v) {
  std::string out;
  append_ordered_uint64(&out, v);
  return out;
}

inline bool consume_ordered_uint64(std::string_view* in, uint64_t* v) {
  if (in->empty()) return false;
  auto n = static_cast<unsigned char>((*in)[0]);
  if (n > 8 || in->size() < 1u + n) return false;
  uint64_t x = 0;
  for (unsigned i = 1; i <= n; ++i) x = (x << 8) | static_cast<unsigned char>((*in)[i]);
  in->remove_prefix(1u + n);
  *v = x;
  return true;
}

inline void append_height(std::string* out, Height h) {
  append_ordered_uint64(out, h.block_num);
  append_ordered_uint64(out, h.tx_num);
}

inline std::string height_bytes(Height h) {
  std::string out;
  append_height(&out, h);
  return out;
}

inline bool consume_height(std::string_view* in, Height* h) {
  return consume_ordered_uint64(in, &h->block_num) && consume_ordered_uint64(in, &h->tx_num);
}

}  // namespace fabsim::ledger
