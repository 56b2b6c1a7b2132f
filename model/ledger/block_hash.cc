#include "model/ledger/block_hash.h"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/assert.h"
#include "core/crypto/sha256.h"

namespace fabsim::ledger {
namespace {

constexpr unsigned char kDerInteger = 0x02;
constexpr unsigned char kDerOctetString = 0x04;
constexpr unsigned char kDerSequence = 0x30;

// DER definite length: short form below 128, else 0x80|n followed by n big-endian bytes.
void append_der_length(std::string* out, uint64_t len) {
  if (len < 0x80) {
    out->push_back(static_cast<char>(len));
    return;
  }
  unsigned char be[8];
  int n = 0;
  for (uint64_t v = len; v != 0; v >>= 8) be[n++] = static_cast<unsigned char>(v & 0xff);
  out->push_back(static_cast<char>(0x80 | n));
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>(be[i]));
}

void append_der(std::string* out, unsigned char tag, std::string_view content) {
  out->push_back(static_cast<char>(tag));
  append_der_length(out, content.size());
  out->append(content);
}

// Minimal two's complement of a non-negative number (Go's asn1 encoding of a big.Int).
std::string der_integer_content(uint64_t v) {
  std::string be;
  for (uint64_t x = v; x != 0; x >>= 8) be.insert(be.begin(), static_cast<char>(x & 0xff));
  if (be.empty()) be.push_back('\0');                                      // zero is 02 01 00
  if (static_cast<unsigned char>(be[0]) & 0x80) be.insert(be.begin(), '\0');  // stay positive
  return be;
}


}  // namespace

std::string block_header_bytes(const common::BlockHeader& header) {
  std::string body;
  append_der(&body, kDerInteger, der_integer_content(header.number()));
  append_der(&body, kDerOctetString, header.previous_hash());
  append_der(&body, kDerOctetString, header.data_hash());
  std::string out;
  append_der(&out, kDerSequence, body);
  return out;
}

std::string block_header_hash(const common::BlockHeader& header) { return sha256(block_header_bytes(header)); }

std::string block_data_hash(const common::BlockData& data) {
  std::vector<std::string_view> entries(data.data().begin(), data.data().end());
  return crypto::to_string(crypto::sha256_concat(entries));  // the entries' concatenation
}


}  // namespace fabsim::ledger
