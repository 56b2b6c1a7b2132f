// A minimal DER (ITU-T X.690) writer: just what core/crypto/ca.cc needs to lay out an X.509
// v3 certificate byte by byte, so that certificates are a pure function of their fields and
// the deterministic signature (OpenSSL's X509_sign would draw a random nonce).
//
// Each function returns one complete TLV. Inputs are already-encoded TLVs where a
// constructed type takes children. Lengths use the definite short or long form, as DER
// requires; nothing here can fail.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace fabsim::crypto::der {

std::string tlv(uint8_t tag, std::string_view content);
std::string sequence(std::initializer_list<std::string_view> children);
std::string set(std::initializer_list<std::string_view> children);
// INTEGER from an unsigned big-endian magnitude: leading zero bytes dropped, a 0x00 prepended
// when the top bit is set, so the value stays positive. An empty or all-zero input encodes 0.
std::string unsigned_integer(std::string_view big_endian);
std::string small_integer(uint8_t v);
// `encoded` is the OID's content octets (e.g. "\x55\x04\x03" for 2.5.4.3).
std::string oid(std::string_view encoded);
std::string utf8_string(std::string_view s);
std::string octet_string(std::string_view s);
// BIT STRING with `unused_bits` (0..7) unused bits in the last byte.
std::string bit_string(std::string_view bytes, uint8_t unused_bits = 0);
std::string boolean(bool v);
// "YYMMDDHHMMSSZ"
std::string utc_time(std::string_view yymmddhhmmssz);
// [n] EXPLICIT: a constructed context-specific tag around one encoded element.
std::string explicit_tag(uint8_t n, std::string_view inner);
// [n] IMPLICIT for a primitive: context-specific primitive tag with raw content.
std::string implicit_primitive(uint8_t n, std::string_view content);

}  // namespace fabsim::crypto::der
