// SHA-256, HMAC-SHA-256, HKDF-SHA-256 and hex helpers against published vectors
// (FIPS 180-2 "abc", RFC 4231 test case 2, RFC 5869 test case 1).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/sha256.h"

namespace fabsim::crypto {
namespace {

std::string unhex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.is_ok()) << r.status().to_string();
  return r.is_ok() ? r.value() : std::string();
}

struct HashCase {
  const char* name;
  std::string input;
  const char* sha256_hex;
};

TEST(CryptoSha256, MatchesPublishedVectors) {
  const HashCase cases[] = {
      {"Fips180Abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"EmptyInput", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(to_hex(sha256(c.input)), c.sha256_hex);
  }
}

TEST(CryptoSha256, IncrementalEqualsOneShotOfTheConcatenation) {
  Sha256 h;
  h.update("ab").update("").update("c");
  EXPECT_EQ(h.finish(), sha256("abc"));
}

// The digest memo behind sha256() and sha256_concat() (inputs of 512 B to 4 MiB) must
// answer exactly as hashing does. The reference is the incremental Sha256, which never
// goes through the memo.
Digest256 reference(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

TEST(CryptoSha256Memo, RepeatedInputGetsThePublishedDigest) {
  const std::string million_a(1'000'000, 'a');  // FIPS 180-2's third vector
  const char* want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(to_hex(sha256(million_a)), want);
  EXPECT_EQ(to_hex(sha256(million_a)), want);  // now remembered
}

TEST(CryptoSha256Memo, InputDifferingInOneByteIsNotAHit) {
  std::string a(4096, 'x');
  std::string b = a;
  b[2048] = 'y';
  EXPECT_EQ(sha256(a), reference(a));
  EXPECT_EQ(sha256(b), reference(b));
  EXPECT_NE(sha256(a), sha256(b));
}

TEST(CryptoSha256Memo, ConcatEqualsTheDigestOfTheConcatenationWhateverTheSplit) {
  std::string whole;
  for (int i = 0; i < 3000; ++i) whole.push_back(static_cast<char>(i * 7));
  const std::string_view w = whole;
  const Digest256 want = reference(whole);
  EXPECT_EQ(sha256(whole), want);
  for (size_t split : {size_t{0}, size_t{1}, size_t{511}, size_t{1500}, whole.size()}) {
    SCOPED_TRACE(split);
    EXPECT_EQ(sha256_concat({w.substr(0, split), w.substr(split)}), want);
    EXPECT_EQ(sha256_concat({w.substr(0, split / 2), w.substr(split / 2, split - split / 2), w.substr(split)}), want);
  }
}

TEST(CryptoSha256Memo, SizesAroundTheMemoBoundsHashCorrectly) {
  for (size_t n : {size_t{511}, size_t{512}, size_t{4} << 20, (size_t{4} << 20) + 1}) {
    SCOPED_TRACE(n);
    const std::string data(n, static_cast<char>(n & 0x7f));
    EXPECT_EQ(sha256(data), reference(data));
    EXPECT_EQ(sha256(data), reference(data));
  }
}

TEST(CryptoSha256Memo, AnswersStayRightAfterEviction) {
  // 40 distinct 1 MiB inputs overflow the 32 MiB the memo keeps; the first ones are then
  // hashed again (evicted) and the last ones answered from the memo.
  std::vector<std::string> inputs;
  for (int i = 0; i < 40; ++i) inputs.emplace_back(size_t{1} << 20, static_cast<char>('A' + i));
  for (const std::string& in : inputs) EXPECT_EQ(sha256(in), reference(in));
  for (const std::string& in : inputs) EXPECT_EQ(sha256(in), reference(in));
}

TEST(CryptoHmacSha256, Rfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoHkdfSha256, Rfc5869TestCase1) {
  const std::string ikm(22, '\x0b');
  const std::string salt = unhex("000102030405060708090a0b0c");
  const std::string info = unhex("f0f1f2f3f4f5f6f7f8f9");
  EXPECT_EQ(to_hex(hkdf_sha256(ikm, salt, info, 42)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(CryptoHex, RoundTripsAndIsLowercase) {
  const std::string bytes("\x00\x01\x7f\x80\xfe\xff", 6);
  EXPECT_EQ(to_hex(bytes), "00017f80feff");
  EXPECT_EQ(unhex("00017F80FEff"), bytes);
}

struct BadHexCase {
  const char* name;
  const char* input;
};

TEST(CryptoHex, RejectsMalformedInput) {
  const BadHexCase cases[] = {
      {"OddLength", "abc"},
      {"NonHexCharacter", "0g"},
      {"Whitespace", "00 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = from_hex(c.input);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(CryptoConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

}  // namespace
}  // namespace fabsim::crypto
