// Block hashing as Fabric 2.2 (protoutil BlockHeaderBytes/BlockHeaderHash/BlockDataHash):
// DER header bytes worked out by hand from the DER rules (tag, length, minimal two's
// complement content), SHA-256 values from an independent implementation (Python hashlib).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/ledger/block_hash.h"
#include "model/ledger/ordered_encoding.h"

namespace fabsim::ledger {
namespace {

std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

common::BlockHeader header(uint64_t number, std::string prev = "", std::string data = "") {
  common::BlockHeader h;
  h.set_number(number);
  h.set_previous_hash(prev);
  h.set_data_hash(data);
  return h;
}

struct DerCase {
  const char* name;
  common::BlockHeader header;
  std::string der_hex;
};

TEST(LedgerBlockHash, HeaderBytesAreDerOfNumberPreviousHashDataHash) {
  const std::string h11(64, '1'), h22(64, '2');  // hex of 32 bytes 0x11 / 0x22
  // 200-byte previous hash: OCTET STRING length 200 = 81 c8 (long form); the SEQUENCE
  // holds 3 + 203 + 2 = 208 bytes = 81 d0.
  std::string long_hex = "3081d00201020481c8";
  for (int i = 0; i < 200; ++i) long_hex += "78";  // 'x'
  long_hex += "0400";
  const std::vector<DerCase> cases = {
      {"ZeroIsOneZeroByte_NilHashesAreEmptyOctetStrings", header(0), "300702010004000400"},
      {"127FitsInOneByte", header(127), "300702017f04000400"},
      {"128GetsALeadingZeroBecauseTheTopBitIsSet", header(128), "30080202008004000400"},
      {"255GetsALeadingZero", header(255), "3008020200ff04000400"},
      {"256IsTwoBytesNoPadding", header(256), "30080202010004000400"},
      {"TwoTo63NeedsNineBytes", header(uint64_t{1} << 63), "300f020900800000000000000004000400"},
      {"MaxUint64NeedsNineBytes", header(UINT64_MAX), "300f020900ffffffffffffffff04000400"},
      {"HashesAreOctetStringsInFieldOrder", header(1, unhex(h11), unhex(h22)),
       "30470201010420" + h11 + "0420" + h22},
      {"LongHashUsesLongFormLength", header(2, std::string(200, 'x')), long_hex},
  };
  for (const DerCase& c : cases) {
    EXPECT_EQ(to_hex(block_header_bytes(c.header)), c.der_hex) << c.name;
  }
}

TEST(LedgerBlockHash, HeaderHashIsSha256OfHeaderBytes) {
  EXPECT_EQ(to_hex(block_header_hash(header(0))), "1d1c288c6851505be0b47a0f8e7dfb91ab2abe6ad71cef63a3791d14588d1d0e");
  EXPECT_EQ(to_hex(block_header_hash(header(1, std::string(32, '\x11'), std::string(32, '\x22')))),
            "2a44e23703a89329b8e1050c1fc8855c2b2e1fd990091e145a5cada75d513896");
}

TEST(LedgerBlockHash, DataHashIsSha256OfConcatenatedEntries) {
  common::BlockData empty;
  EXPECT_EQ(to_hex(block_data_hash(empty)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
      << "NoEntriesHashTheEmptyString";
  common::BlockData split;
  split.add_data("a");
  split.add_data("bc");
  EXPECT_EQ(to_hex(block_data_hash(split)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
      << "NoSeparatorsOrLengths: [a, bc] hashes like abc";
  common::BlockData other;
  other.add_data("ab");
  other.add_data("c");
  EXPECT_EQ(block_data_hash(split), block_data_hash(other)) << "OnlyTheConcatenationCounts";
}

TEST(LedgerBlockHash, OrderedUint64EncodingIsFabrics) {
  struct Case {
    uint64_t v;
    const char* hex;
  };
  for (const Case& c : std::vector<Case>{{0, "00"}, {1, "0101"}, {255, "01ff"}, {256, "020100"},
                                         {UINT64_MAX, "08ffffffffffffffff"}}) {
    const std::string enc = encode_ordered_uint64(c.v);
    EXPECT_EQ(to_hex(enc), c.hex) << c.v;
    std::string_view in = enc;
    uint64_t back = 7;
    ASSERT_TRUE(consume_ordered_uint64(&in, &back));
    EXPECT_EQ(back, c.v);
    EXPECT_TRUE(in.empty());
  }
  EXPECT_LT(encode_ordered_uint64(255), encode_ordered_uint64(256)) << "ByteOrderIsNumericOrder";
  std::string_view bad = "\x09";
  uint64_t v = 0;
  EXPECT_FALSE(consume_ordered_uint64(&bad, &v)) << "SizeByteAbove8IsRejected";
  std::string_view short_in("\x02\x01", 2);
  EXPECT_FALSE(consume_ordered_uint64(&short_in, &v)) << "TruncatedIsRejected";
}

}  // namespace
}  // namespace fabsim::ledger
