#include "core/crypto/verify_cache.h"

#include <cstdint>
#include <cstring>

#include "core/assert.h"

namespace fabsim::crypto {

CachingVerifier::CachingVerifier(std::unique_ptr<Verifier> inner, bool enabled, size_t capacity)
    : inner_(std::move(inner)), enabled_(enabled), capacity_(capacity) {
  FABSIM_ASSERT(inner_ != nullptr);
  FABSIM_ASSERT(capacity_ > 0);
}

void CachingVerifier::set_enabled(bool enabled) {
  enabled_ = enabled;
  if (!enabled_) {
    current_.clear();
    previous_.clear();
  }
}

void CachingVerifier::insert(std::string key, const Status& outcome) const {
  if (current_.size() >= capacity_) {
    previous_ = std::move(current_);
    current_.clear();
  }
  current_.emplace(std::move(key), outcome);
}

size_t CachingVerifier::KeyHash::operator()(const std::string& key) const noexcept {
  if (key.size() < 2 * kSha256Size) return std::hash<std::string>()(key);  // not a key we build
  uint64_t signer = 0, digest = 0;
  std::memcpy(&signer, key.data(), sizeof signer);
  std::memcpy(&digest, key.data() + kSha256Size, sizeof digest);
  return static_cast<size_t>(digest ^ (signer * 0x9e3779b97f4a7c15ULL) ^ key.size());
}

Status CachingVerifier::verify_digest(const Certificate& signer, const Digest256& digest,
                                      std::string_view signature) const {
  ++stats_.requests;
  if (!enabled_) {
    ++stats_.real_verifications;
    return inner_->verify_digest(signer, digest, signature);
  }
  key_.clear();
  key_.append(as_bytes(signer.der_sha256()));
  key_.append(as_bytes(digest));
  key_.append(signature);
  if (auto it = current_.find(key_); it != current_.end()) {
    ++stats_.hits;
    return it->second;
  }
  if (auto it = previous_.find(key_); it != previous_.end()) {
    ++stats_.hits;
    Status s = it->second;
    previous_.erase(it);
    insert(key_, s);
    return s;
  }
  ++stats_.real_verifications;
  Status s = inner_->verify_digest(signer, digest, signature);
  insert(key_, s);
  return s;
}

}  // namespace fabsim::crypto
