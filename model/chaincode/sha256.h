// SHA-256 for the chaincode simulation layer: the hash Fabric's ledger uses for the merkle
// summary of range-query reads (fabric-semantics.md §3.4). A thin wrapper over OpenSSL's
// one-shot EVP digest; deterministic, no state. Returns the 32 raw digest bytes (not hex).
// Ownership: the caller owns the returned string; nothing is retained.
#pragma once

#include <string>
#include <string_view>

namespace fabsim::chaincode {

inline constexpr size_t kSha256Bytes = 32;

// The 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);

}  // namespace fabsim::chaincode
