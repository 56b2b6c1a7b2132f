#include "core/crypto/der.h"

#include "core/assert.h"

namespace fabsim::crypto::der {

std::string tlv(uint8_t tag, std::string_view content) {
  std::string out;
  out.reserve(content.size() + 6);
  out.push_back(static_cast<char>(tag));
  const size_t len = content.size();
  if (len < 0x80) {
    out.push_back(static_cast<char>(len));
  } else {
    std::string len_bytes;
    for (size_t l = len; l > 0; l >>= 8) len_bytes.insert(len_bytes.begin(), static_cast<char>(l & 0xff));
    FABSIM_ASSERT(len_bytes.size() <= 4);
    out.push_back(static_cast<char>(0x80 | len_bytes.size()));
    out.append(len_bytes);
  }
  out.append(content);
  return out;
}

namespace {
std::string concat(std::initializer_list<std::string_view> children) {
  std::string content;
  for (std::string_view c : children) content.append(c);
  return content;
}
}  // namespace

std::string sequence(std::initializer_list<std::string_view> children) {
  return tlv(0x30, concat(children));
}

std::string set(std::initializer_list<std::string_view> children) {
  // DER sorts SET OF elements; every set we write has a single element.
  FABSIM_ASSERT(children.size() == 1);
  return tlv(0x31, concat(children));
}

std::string unsigned_integer(std::string_view big_endian) {
  size_t i = 0;
  while (i < big_endian.size() && big_endian[i] == '\0') ++i;
  std::string content(big_endian.substr(i));
  if (content.empty() || (static_cast<uint8_t>(content[0]) & 0x80) != 0) content.insert(content.begin(), '\0');
  return tlv(0x02, content);
}

std::string small_integer(uint8_t v) {
  const char b = static_cast<char>(v);
  return unsigned_integer(std::string_view(&b, 1));
}

std::string oid(std::string_view encoded) { return tlv(0x06, encoded); }
std::string utf8_string(std::string_view s) { return tlv(0x0c, s); }
std::string octet_string(std::string_view s) { return tlv(0x04, s); }

std::string bit_string(std::string_view bytes, uint8_t unused_bits) {
  FABSIM_ASSERT(unused_bits < 8);
  FABSIM_ASSERT(unused_bits == 0 || !bytes.empty());
  std::string content(1, static_cast<char>(unused_bits));
  content.append(bytes);
  return tlv(0x03, content);
}

std::string boolean(bool v) { return tlv(0x01, std::string(1, v ? '\xff' : '\x00')); }

std::string utc_time(std::string_view yymmddhhmmssz) {
  FABSIM_ASSERT(yymmddhhmmssz.size() == 13 && yymmddhhmmssz.back() == 'Z');
  return tlv(0x17, yymmddhhmmssz);
}

std::string explicit_tag(uint8_t n, std::string_view inner) {
  FABSIM_ASSERT(n < 31);
  return tlv(static_cast<uint8_t>(0xa0 | n), inner);
}

std::string implicit_primitive(uint8_t n, std::string_view content) {
  FABSIM_ASSERT(n < 31);
  return tlv(static_cast<uint8_t>(0x80 | n), content);
}

}  // namespace fabsim::crypto::der
