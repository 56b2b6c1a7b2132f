// A verification cache for one run: the same (signer, digest, signature) is verified by many
// virtual nodes -- every peer validates every block's signatures -- and all of them get the
// same answer, so only the first costs a real verification.
//
// CachingVerifier wraps a scheme's Verifier. It is keyed by
//   (SHA-256 of the signer's DER certificate -- the identity key --, digest, signature bytes)
// and stores the full outcome (OK or the error Status), so a bad signature is also answered
// from the cache, with the same message. With the cache switched off every call goes to the
// inner verifier. Outcomes are identical either way (tests/core/crypto_verify_cache_test.cc);
// the cache changes real time only -- never a result and never modelled cost, which the
// caller charges per verification regardless.
//
// Bound: two generations of at most `capacity` entries each. When the current generation is
// full it becomes the previous one and the older previous one is dropped; a hit in the
// previous generation is copied forward. Memory stays under 2 * capacity entries; eviction
// order is a deterministic function of the calls, and lookups never iterate, so no
// unordered-container order reaches anything.
//
// Not thread-safe (fabsim is single-threaded). verify_digest is const as the Verifier
// interface requires; the cache and counters are mutable state behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/crypto/signature.h"

namespace fabsim::crypto {

struct VerifyCacheStats {
  uint64_t requests = 0;            // verify_digest calls
  uint64_t hits = 0;                // answered from the cache
  uint64_t real_verifications = 0;  // passed to the inner verifier
};

class CachingVerifier final : public Verifier {
 public:
  static constexpr size_t kDefaultCapacity = size_t{1} << 16;

  // `inner` must be non-null. `capacity` (per generation) must be > 0.
  explicit CachingVerifier(std::unique_ptr<Verifier> inner, bool enabled = true,
                           size_t capacity = kDefaultCapacity);

  SignatureScheme scheme() const override { return inner_->scheme(); }
  Status verify_digest(const Certificate& signer, const Digest256& digest,
                       std::string_view signature) const override;

  // Switching off also drops every cached entry.
  void set_enabled(bool enabled);
  bool enabled() const { return enabled_; }
  const VerifyCacheStats& stats() const { return stats_; }
  size_t size() const { return current_.size() + previous_.size(); }

 private:
  // Into the current generation, rotating generations first if it is full.
  void insert(std::string key, const Status& outcome) const;

  // Keys are (signer hash ‖ digest ‖ signature); both hashes are SHA-256 outputs, so eight
  // bytes of each make a well-spread bucket hash without hashing the whole key again.
  struct KeyHash {
    size_t operator()(const std::string& key) const noexcept;
  };
  using Map = std::unordered_map<std::string, Status, KeyHash>;

  std::unique_ptr<Verifier> inner_;
  bool enabled_;
  size_t capacity_;
  mutable Map current_;
  mutable Map previous_;
  mutable std::string key_;  // the key being looked up, reused: a lookup allocates nothing
  mutable VerifyCacheStats stats_;
};

}  // namespace fabsim::crypto
