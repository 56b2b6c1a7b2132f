// validation::verify_block (model/validation/block_verify.h): Fabric's VerifyBlock as the
// peer's deliver client runs it. One case per rule; each starts from a block signed by the
// orderer as SoloOrderer signs it and breaks one thing.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/policy/policy_parser.h"
#include "core/random.h"
#include "model/ledger/block_hash.h"
#include "model/protoutil/proto_io.h"
#include "model/protoutil/block_signature.h"
#include "model/validation/block_verify.h"

namespace fabsim::validation {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;
using protoutil::marshal;
constexpr uint64_t kSeed = 17;
constexpr uint64_t kNumber = 7;

// The fixture's helpers are public: the case table below builds its blocks with them.
class BlockVerifyTest : public testing::Test {
 public:
  BlockVerifyTest()
      : org1_ca_(kSeed, "Org1MSP", "Org1"),
        orderer_ca_(kSeed, "OrdererMSP", "Orderer"),
        outsider_ca_(kSeed, "Org3MSP", "Org3"),
        orderer_(orderer_ca_.issue("orderer0", NodeOu::kOrderer), SignatureScheme::kHmacSha256, kSeed),
        peer_(org1_ca_.issue("peer0.org1", NodeOu::kPeer), SignatureScheme::kHmacSha256, kSeed),
        outsider_(outsider_ca_.issue("orderer3", NodeOu::kOrderer), SignatureScheme::kHmacSha256, kSeed),
        verifier_(crypto::make_verifier(SignatureScheme::kHmacSha256, kSeed)),
        policy_(*CompiledSignaturePolicy::compile(*parse_signature_policy("OR('OrdererMSP.member')"))) {
    for (const crypto::CertificateAuthority* ca : {&org1_ca_, &orderer_ca_}) {
      auto msp = crypto::Msp::create(crypto::MspConfig{ca->msp_id(), ca->certificate(), true, {}});
      EXPECT_TRUE(msp.is_ok());
      EXPECT_TRUE(msps_.add(std::move(msp).value()).is_ok());
    }
  }

  BlockVerifyContext context() const { return {"mychannel", &msps_, verifier_.get(), &policy_}; }

  static std::string envelope(const std::string& channel) {
    common::ChannelHeader chdr;
    chdr.set_type(common::ENDORSER_TRANSACTION);
    chdr.set_channel_id(channel);
    common::Payload payload;
    payload.mutable_header()->set_channel_header(marshal(chdr));
    payload.set_data("tx");
    common::Envelope env;
    env.set_payload(marshal(payload));
    return marshal(env);
  }

  // A block of two transactions with no signature yet.
  static common::Block unsigned_block(const std::string& channel = "mychannel") {
    common::Block b;
    b.mutable_header()->set_number(kNumber);
    b.mutable_header()->set_previous_hash("previous");
    b.mutable_data()->add_data(envelope(channel));
    b.mutable_data()->add_data(envelope(channel));
    b.mutable_header()->set_data_hash(ledger::block_data_hash(b.data()));
    for (int i = 0; i < 5; ++i) b.mutable_metadata()->add_metadata();
    return b;
  }

  // Adds a signature by `who` to the block's SIGNATURES metadata, as the orderer does.
  static void sign(common::Block* b, const crypto::SigningIdentity& who) {
    if (b->metadata().metadata(common::SIGNATURES).empty()) {
      common::Metadata sigs;
      sigs.set_value("last-config");
      b->mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
    }
    EXPECT_TRUE(protoutil::add_block_signature(b, who, "nonce").is_ok());
  }

  common::Block signed_block() const {
    common::Block b = unsigned_block();
    sign(&b, orderer_);
    return b;
  }

  crypto::CertificateAuthority org1_ca_, orderer_ca_, outsider_ca_;
  crypto::SigningIdentity orderer_, peer_, outsider_;
  std::unique_ptr<crypto::Verifier> verifier_;
  CompiledSignaturePolicy policy_;
  crypto::MspManager msps_;
};

struct Case {
  const char* rule;
  std::function<common::Block(const BlockVerifyTest&)> block;
  const char* error;  // a part of the message; nullptr when the block must pass
};

class BlockVerifyRule : public BlockVerifyTest, public testing::WithParamInterface<Case> {};

TEST_P(BlockVerifyRule, Rule) {
  const Case& c = GetParam();
  const Status s = verify_block(c.block(*this), kNumber, context());
  if (c.error == nullptr) {
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  } else {
    EXPECT_FALSE(s.is_ok());
    EXPECT_NE(s.message().find(c.error), std::string::npos) << s.message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    BlockVerify, BlockVerifyRule,
    testing::Values(
        Case{"ABlockSignedByTheOrdererPasses", [](const BlockVerifyTest& t) { return t.signed_block(); }, nullptr},
        Case{"TheNumberMustBeTheExpectedOne",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.mutable_header()->set_number(kNumber + 1);
               return b;
             },
             "not the expected 7"},
        Case{"TheHeaderMustBePresent",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.clear_header();
               return b;
             },
             "no header"},
        Case{"AnEmptyBlockNamesNoChannel",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.mutable_data()->clear_data();
               return b;
             },
             "block is empty"},
        Case{"TheFirstEnvelopeMustNameThisChannel",
             [](const BlockVerifyTest& t) {
               common::Block b = BlockVerifyTest::unsigned_block("otherchannel");
               BlockVerifyTest::sign(&b, t.orderer_);
               return b;
             },
             "for channel 'otherchannel'"},
        Case{"SignaturesMetadataMustParse",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.mutable_metadata()->set_metadata(common::SIGNATURES, "\xff\xff");
               return b;
             },
             "SIGNATURES"},
        Case{"DataMustMatchTheHeaderDataHash",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.mutable_data()->add_data(BlockVerifyTest::envelope("mychannel"));
               return b;
             },
             "data_hash"},
        Case{"AHeaderChangedAfterSigningFailsThePolicy",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.mutable_header()->set_previous_hash("forged");
               return b;
             },
             "BlockValidation"},
        Case{"AnUnsignedBlockFailsThePolicy", [](const BlockVerifyTest&) { return BlockVerifyTest::unsigned_block(); },
             "BlockValidation"},
        Case{"ABlockWithoutMetadataHasNoSignatures",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               b.clear_metadata();
               return b;
             },
             "SIGNATURES"},
        Case{"ASignatureByAPeerFailsThePolicy",
             [](const BlockVerifyTest& t) {
               common::Block b = BlockVerifyTest::unsigned_block();
               BlockVerifyTest::sign(&b, t.peer_);
               return b;
             },
             "BlockValidation"},
        Case{"ASignerOfAnUnknownMspCountsAsAbsent",
             [](const BlockVerifyTest& t) {
               common::Block b = BlockVerifyTest::unsigned_block();
               BlockVerifyTest::sign(&b, t.outsider_);
               return b;
             },
             "BlockValidation"},
        Case{"ASignatureThatDoesNotVerifyFailsThePolicy",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               common::Metadata sigs;
               EXPECT_TRUE(sigs.ParseFromString(b.metadata().metadata(common::SIGNATURES)));
               std::string* sig = sigs.mutable_signatures(0)->mutable_signature();
               (*sig)[0] = static_cast<char>((*sig)[0] ^ 1);
               b.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
               return b;
             },
             "BlockValidation"},
        Case{"ASignatureHeaderThatDoesNotParseIsAnError",
             [](const BlockVerifyTest& t) {
               common::Block b = t.signed_block();
               common::Metadata sigs;
               EXPECT_TRUE(sigs.ParseFromString(b.metadata().metadata(common::SIGNATURES)));
               sigs.mutable_signatures(0)->set_signature_header("\xff\xff");
               b.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
               return b;
             },
             "signature header"},
        Case{"ASignerOutsideThePolicyBesideTheOrdererDoesNotMatter",
             [](const BlockVerifyTest& t) {
               common::Block b = BlockVerifyTest::unsigned_block();
               BlockVerifyTest::sign(&b, t.peer_);
               BlockVerifyTest::sign(&b, t.orderer_);
               return b;
             },
             nullptr},
        Case{"ASignatureThatDoesNotVerifyBesideTheOrderersDoesNotMatter",
             [](const BlockVerifyTest& t) {
               common::Block b = BlockVerifyTest::unsigned_block();
               BlockVerifyTest::sign(&b, t.orderer_);
               common::Metadata sigs;
               EXPECT_TRUE(sigs.ParseFromString(b.metadata().metadata(common::SIGNATURES)));
               *sigs.add_signatures() = sigs.signatures(0);  // a second copy, then broken
               std::string* sig = sigs.mutable_signatures(1)->mutable_signature();
               (*sig)[0] = static_cast<char>((*sig)[0] ^ 1);
               b.mutable_metadata()->set_metadata(common::SIGNATURES, marshal(sigs));
               return b;
             },
             nullptr}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.rule); });

TEST_F(BlockVerifyTest, CountsTheSignaturesItVerified) {
  common::Block b = unsigned_block();
  sign(&b, peer_);
  sign(&b, orderer_);
  sign(&b, outsider_);  // does not deserialize: not verified
  uint64_t checked = 99;
  EXPECT_TRUE(verify_block(b, kNumber, context(), &checked).is_ok());
  EXPECT_EQ(checked, 2u);
}

// Rule: a damaged block is refused with InvalidArgument or passes — never a crash. The
// signed block's bytes are mutated deterministically (byte flips, truncation); whatever
// still parses as a common.Block is verified. Run under the sanitizers by make test-asan.
TEST_F(BlockVerifyTest, DamagedBlocksAreRefusedNeverACrash) {
  const std::string bytes = signed_block().SerializeAsString();
  Rng rng(77);
  int parsed = 0, refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string m = bytes;
    if (rng.uniform_u64(4) == 0) {
      m.resize(rng.uniform_u64(m.size() + 1));
    } else {
      for (int e = 1 + static_cast<int>(rng.uniform_u64(3)); e > 0; --e)
        m[rng.uniform_u64(m.size())] = static_cast<char>(rng.next_u64());
    }
    common::Block b;
    if (!b.ParseFromString(m)) continue;
    ++parsed;
    const Status st = verify_block(b, kNumber, context());
    if (!st.is_ok()) {
      ++refused;
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.to_string();
    }
  }
  EXPECT_GT(parsed, 100);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace fabsim::validation
