#include "core/crypto/sha256.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 (see below).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <vector>
#include <utility>

#include "core/assert.h"
#include "core/hash.h"

namespace fabsim::crypto {
namespace {
// OpenSSL's low-level SHA-256 (SHA256_Init/Update/Final): the same implementation the EVP
// digest of the default provider runs (with the CPU's SHA extensions where present), but
// without EVP's per-context heap allocations and provider dispatch, which cost more than
// hashing a short message. Deprecated in OpenSSL 3 in favour of EVP, still supported.
static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8, "Sha256::ctx_ is too small for SHA256_CTX");
constexpr size_t kSha256BlockSize = 64;

// Not OpenSSL's one-shot SHA256(): in OpenSSL 3 that goes through EVP_Q_digest, which
// fetches the algorithm again on every call.
template <typename Pieces>
Digest256 hash_pieces(const Pieces& pieces) {
  SHA256_CTX ctx;
  FABSIM_ASSERT(SHA256_Init(&ctx) == 1);
  for (std::string_view p : pieces) FABSIM_ASSERT(SHA256_Update(&ctx, p.data(), p.size()) == 1);
  Digest256 out{};
  FABSIM_ASSERT(SHA256_Final(out.data(), &ctx) == 1);
  return out;
}

// The digest memo of sha256.h: recent inputs of kMinBytes..kMaxBytes with their digests,
// oldest evicted first once they hold more than kBudget bytes. An input is found by a
// 64-bit key sampled from its pieces and accepted only when all its bytes equal the stored
// copy, so a hit returns exactly the digest hashing would (a key shared by different bytes
// is a miss). The index is direct-mapped: a key's slot names the newest entry stored under
// a key with the same low bits, and an entry evicted since (its sequence number below
// first_seq_) or a different key is a miss. Nothing iterates it.
class DigestMemo {
 public:
  static constexpr size_t kMinBytes = 512;
  static constexpr size_t kMaxBytes = size_t{4} << 20;
  static constexpr size_t kBudget = size_t{32} << 20;

  template <typename Pieces>
  Digest256 digest(const Pieces& pieces, size_t total) {
    if (total < kMinBytes || total > kMaxBytes) return hash_pieces(pieces);
    const uint64_t key = sample_key(pieces);
    Slot& slot = index_[key & (kSlots - 1)];
    // Held: not evicted (seq >= first_seq_) and a real entry (an unused slot's seq is past the end).
    if (slot.key == key && slot.seq >= first_seq_ && slot.seq - first_seq_ < entries_.size()) {
      const Entry& e = entries_[slot.seq - first_seq_];
      if (e.bytes.size() == total && equal(e.bytes, pieces)) return e.digest;
    }
    Entry e{{}, hash_pieces(pieces)};
    e.bytes.reserve(total);
    for (std::string_view p : pieces) e.bytes.append(p);
    while (!entries_.empty() && bytes_ + total > kBudget) evict_oldest();
    bytes_ += total;
    slot = Slot{key, first_seq_ + entries_.size()};
    entries_.push_back(std::move(e));
    return entries_.back().digest;
  }

 private:
  struct Entry {
    std::string bytes;  // the input, pieces concatenated
    Digest256 digest;
  };

  // The key samples each piece -- its length, its first and last kSample bytes -- rather
  // than hashing all of it: finding a candidate then costs the same for a 300 KiB block as
  // for a 1 KiB header. Inputs that agree on the samples but differ elsewhere share a key;
  // the byte comparison tells them apart, and the newer one takes the slot over. Only a
  // lookup key, so a multiply-xorshift per word and one final mix64 are enough.
  static constexpr size_t kSample = 32;
  static uint64_t fold(uint64_t h, uint64_t w) {
    h = (h ^ w) * 0x9E3779B185EBCA87ULL;
    return h ^ (h >> 29);
  }
  static uint64_t fold_bytes(uint64_t h, std::string_view s) {
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = fold(h, w);
    }
    uint64_t tail = 0;
    if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);  // (an empty view may have no data)
    return fold(h, tail);
  }
  template <typename Pieces>
  static uint64_t sample_key(const Pieces& pieces) {
    uint64_t h = 0;
    for (std::string_view p : pieces) {
      h = fold(h, p.size());
      if (p.size() <= 2 * kSample) {
        h = fold_bytes(h, p);
      } else {
        h = fold_bytes(h, p.substr(0, kSample));
        h = fold_bytes(h, p.substr(p.size() - kSample));
      }
    }
    return mix64(h);
  }

  template <typename Pieces>
  static bool equal(std::string_view stored, const Pieces& pieces) {
    size_t at = 0;
    for (std::string_view p : pieces) {
      if (p.empty()) continue;  // an empty view may have no data
      if (std::memcmp(stored.data() + at, p.data(), p.size()) != 0) return false;
      at += p.size();
    }
    return true;
  }

  void evict_oldest() {
    const Entry& e = entries_.front();
    bytes_ -= e.bytes.size();
    entries_.pop_front();
    ++first_seq_;
  }

  struct Slot {
    uint64_t key = 0;
    uint64_t seq = UINT64_MAX;  // the entry's sequence number; none yet
  };
  // A power of two, as many as the most entries the budget can hold (32 MiB / 512 B); a
  // slot shared by two keys only turns the older one's lookups into misses.
  static constexpr size_t kSlots = size_t{1} << 16;

  std::deque<Entry> entries_;  // oldest first; entries_[i] has sequence number first_seq_ + i
  uint64_t first_seq_ = 0;
  size_t bytes_ = 0;  // held in entries_
  std::vector<Slot> index_ = std::vector<Slot>(kSlots);
};

DigestMemo& digest_memo() {
  static DigestMemo memo;
  return memo;
}

}  // namespace

Digest256 sha256(std::string_view data) {
  const std::string_view pieces[] = {data};
  return digest_memo().digest(pieces, data.size());
}

Digest256 sha256_concat(std::span<const std::string_view> pieces) {
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  return digest_memo().digest(pieces, total);
}

Sha256::Sha256() { FABSIM_ASSERT(SHA256_Init(reinterpret_cast<SHA256_CTX*>(ctx_)) == 1); }

Sha256::~Sha256() = default;

// A moved-from Sha256 counts as finished: it may not be updated or finished again.
Sha256::Sha256(Sha256&& other) noexcept : finished_(other.finished_) {
  std::memcpy(ctx_, other.ctx_, sizeof(ctx_));
  other.finished_ = true;
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    std::memcpy(ctx_, other.ctx_, sizeof(ctx_));
    finished_ = other.finished_;
    other.finished_ = true;
  }
  return *this;
}

Sha256& Sha256::update(std::string_view data) {
  FABSIM_ASSERT_MSG(!finished_, "Sha256::update after finish");
  FABSIM_ASSERT(SHA256_Update(reinterpret_cast<SHA256_CTX*>(ctx_), data.data(), data.size()) == 1);
  return *this;
}

Digest256 Sha256::finish() {
  FABSIM_ASSERT_MSG(!finished_, "Sha256::finish called twice");
  finished_ = true;
  Digest256 out{};
  FABSIM_ASSERT(SHA256_Final(out.data(), reinterpret_cast<SHA256_CTX*>(ctx_)) == 1);
  return out;
}

// HMAC as RFC 2104 defines it, over the prefetched SHA-256: H((K ^ opad) || H((K ^ ipad) || m)),
// with a key longer than the block size hashed first. Checked against RFC 4231's vectors.
Digest256 hmac_sha256(std::string_view key, std::string_view data) {
  std::array<uint8_t, kSha256BlockSize> k{};
  if (key.size() > kSha256BlockSize) {
    const Digest256 hk = sha256(key);
    std::copy(hk.begin(), hk.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), k.begin());
  }
  std::array<char, kSha256BlockSize> pad{};
  for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = static_cast<char>(k[i] ^ 0x36);
  Sha256 inner;
  inner.update(std::string_view(pad.data(), pad.size())).update(data);
  const Digest256 inner_digest = inner.finish();
  for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = static_cast<char>(k[i] ^ 0x5c);
  Sha256 outer;
  outer.update(std::string_view(pad.data(), pad.size())).update(as_bytes(inner_digest));
  return outer.finish();
}

std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info,
                        size_t length) {
  FABSIM_ASSERT(length > 0 && length <= 255 * kSha256Size);
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  FABSIM_ASSERT(kdf != nullptr);
  EVP_KDF_CTX* kctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  FABSIM_ASSERT(kctx != nullptr);
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads them.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  const int rc = EVP_KDF_derive(kctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params);
  EVP_KDF_CTX_free(kctx);
  FABSIM_ASSERT(rc == 1);
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0x0f];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::invalid_argument("hex string has odd length " + std::to_string(hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::invalid_argument("non-hex character at offset " +
                                      std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace fabsim::crypto
