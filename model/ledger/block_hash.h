// Block hashing exactly as Fabric 2.2 does it (protoutil/blockutils.go; fabric-semantics.md
// §8.3), plus SHA-256 on OpenSSL.
//
//  - Header bytes: the DER encoding of
//      SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }
//    with the number as a non-negative big integer (minimal two's complement: a leading
//    zero byte when the top bit of the first byte is set; every uint64 works, as in 2.x),
//    and an empty hash as an empty OCTET STRING (04 00).
//  - Header hash: SHA-256 of the header bytes. A block's "hash" is its header hash; the
//    next block's previous_hash must equal it.
//  - Data hash: SHA-256 of the concatenation of the data entries, no separators or lengths
//    (a block with no entries hashes the empty string).
// Hashes are raw 32-byte strings. All functions are pure.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto/sha256.h"
#include "core/proto/common/common.pb.h"

namespace fabsim::ledger {

// SHA-256 of `data`: 32 raw bytes (core/crypto's, as a string).
inline std::string sha256(std::string_view data) { return crypto::to_string(crypto::sha256(data)); }

std::string block_header_bytes(const common::BlockHeader& header);
std::string block_header_hash(const common::BlockHeader& header);
std::string block_data_hash(const common::BlockData& data);

// Lowercase hex, for messages and txids.
using crypto::to_hex;

}  // namespace fabsim::ledger
