// Wire compatibility of fabsim's Fabric messages (core/proto) with Fabric 2.2, part 2: bytes.
// Each case builds a small message in C++, serializes it, and compares the bytes with hex
// worked out by hand from the protobuf encoding rules (tag = field_number << 3 | wire_type;
// varints in 7-bit groups, low group first; proto3 omits singular fields holding their zero
// value, but always writes a set sub-message, a set oneof member and every repeated element).
// The bytes are then parsed back and must give the same message. Part 1, the schema, is
// tests/core/proto_wire_test.cc.

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/proto/common/common.pb.h"
#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/proto/msp/identities.pb.h"
#include "core/proto/orderer/ab.pb.h"
#include "core/proto/orderer/kafka.pb.h"
#include "core/proto/peer/chaincode.pb.h"
#include "core/proto/peer/chaincode_event.pb.h"
#include "core/proto/peer/proposal.pb.h"
#include "core/proto/peer/proposal_response.pb.h"
#include "core/proto/peer/transaction.pb.h"

namespace fabsim {
namespace {

using google::protobuf::Message;

// Serializes with deterministic map ordering (keys sorted). The C++ runtime seeds its map
// hash per process, so without this a message holding a map has no fixed byte form.
std::string serialize_deterministic(const Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    EXPECT_TRUE(message.SerializeToCodedStream(&coded));
  }
  return bytes;
}

// "08 05 12" style: lowercase, one space between bytes.
std::string to_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : bytes) {
    if (!hex.empty()) hex += ' ';
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

// Re-spaces hand-written hex so that line breaks and double spaces in the table do not matter.
std::string normalize_hex(const std::string& hex) {
  std::istringstream in(hex);
  std::string token;
  std::string out;
  while (in >> token) {
    if (!out.empty()) out += ' ';
    out += token;
  }
  return out;
}

std::string from_hex(const std::string& hex) {
  std::istringstream in(hex);
  std::string token;
  std::string bytes;
  while (in >> token) bytes += static_cast<char>(std::stoi(token, nullptr, 16));
  return bytes;
}

template <typename T>
std::unique_ptr<Message> own(T message) {
  return std::make_unique<T>(std::move(message));
}

struct GoldenCase {
  const char* rule;  // the test name
  std::function<std::unique_ptr<Message>()> build;
  const char* hex;  // the expected bytes, worked out by hand
};

constexpr uint64_t kMaxUint64 = std::numeric_limits<uint64_t>::max();

const std::vector<GoldenCase> kGoldenCases = {
    // --- common: blocks -----------------------------------------------------------------------
    {"BlockHeaderOmitsEmptyDataHash",
     [] {
       common::BlockHeader m;
       m.set_number(5);
       m.set_previous_hash("ab");
       m.set_data_hash("");
       return own(m);
     },
     "08 05 12 02 61 62"},
    {"BlockHeaderNumberIsMultiByteVarint",  // 300 = 0b10_0101100 -> ac 02
     [] {
       common::BlockHeader m;
       m.set_number(300);
       m.set_data_hash("\x01");
       return own(m);
     },
     "08 ac 02 1a 01 01"},
    {"GenesisBlockHeaderOmitsNumberZeroAndNilPreviousHash",
     [] {
       common::BlockHeader m;
       m.set_data_hash("h");
       return own(m);
     },
     "1a 01 68"},
    {"BlockDataWritesEveryEntryEvenEmpty",
     [] {
       common::BlockData m;
       m.add_data("e1");
       m.add_data("");
       return own(m);
     },
     "0a 02 65 31 0a 00"},
    {"NewBlockHasFiveEmptyMetadataSlots",
     [] {
       common::BlockMetadata m;
       for (int i = 0; i < 5; ++i) m.add_metadata("");
       return own(m);
     },
     "0a 00 0a 00 0a 00 0a 00 0a 00"},
    {"GenesisSignaturesMetadataHoldsLastConfigZero",  // Metadata{OrdererBlockMetadata{last_config{0}}}
     [] {
       common::OrdererBlockMetadata value;
       value.mutable_last_config()->set_index(0);
       common::Metadata m;
       m.set_value(serialize_deterministic(value));
       return own(m);
     },
     "0a 02 0a 00"},
    {"LastConfigZeroMetadataIsEmpty",  // Metadata{LastConfig{0}}: every field is zero
     [] {
       common::LastConfig value;
       value.set_index(0);
       common::Metadata m;
       m.set_value(serialize_deterministic(value));
       return own(m);
     },
     ""},
    {"MetadataSignaturesAreRepeatedMessages",
     [] {
       common::Metadata m;
       m.set_value("v");
       common::MetadataSignature* s = m.add_signatures();
       s->set_signature_header("h");
       s->set_signature("s");
       return own(m);
     },
     "0a 01 76 12 06 0a 01 68 12 01 73"},

    // --- common: envelopes and headers ---------------------------------------------------------
    {"EnvelopeIsPayloadThenSignature",
     [] {
       common::Envelope m;
       m.set_signature("s");
       m.set_payload("p");
       return own(m);
     },
     "0a 01 70 12 01 73"},
    {"PayloadNestsHeaderAsLengthDelimited",
     [] {
       common::Payload m;
       m.mutable_header()->set_channel_header("c");
       m.mutable_header()->set_signature_header("s");
       m.set_data("d");
       return own(m);
     },
     "0a 06 0a 01 63 12 01 73 12 01 64"},
    {"ChannelHeaderFieldsInNumberOrder",  // type=ENDORSER_TRANSACTION, version 0 omitted
     [] {
       common::ChannelHeader m;
       m.set_tx_id("t1");
       m.set_channel_id("ch");
       m.mutable_timestamp()->set_seconds(1);
       m.set_type(common::ENDORSER_TRANSACTION);
       return own(m);
     },
     "08 03 1a 02 08 01 22 02 63 68 2a 02 74 31"},
    {"ChannelHeaderNegativeInt32IsTenByteVarint",  // int32, not sint32: sign-extended
     [] {
       common::ChannelHeader m;
       m.set_version(-1);
       return own(m);
     },
     "10 ff ff ff ff ff ff ff ff ff 01"},
    {"SignatureHeaderIsCreatorThenNonce",
     [] {
       common::SignatureHeader m;
       m.set_creator("c");
       m.set_nonce("n");
       return own(m);
     },
     "0a 01 63 12 01 6e"},
    {"SerializedIdentityIsMspidThenIdBytes",
     [] {
       msp::SerializedIdentity m;
       m.set_mspid("Org1MSP");
       m.set_id_bytes("c");
       return own(m);
     },
     "0a 07 4f 72 67 31 4d 53 50 12 01 63"},

    // --- peer: proposals and transactions -------------------------------------------------------
    {"SignedProposalIsBytesThenSignature",
     [] {
       protos::SignedProposal m;
       m.set_proposal_bytes("p");
       m.set_signature("s");
       return own(m);
     },
     "0a 01 70 12 01 73"},
    {"ChaincodeHeaderExtensionIdIsField2",
     [] {
       protos::ChaincodeHeaderExtension m;
       m.mutable_chaincode_id()->set_name("cc");
       return own(m);
     },
     "12 04 12 02 63 63"},
    {"ChaincodeInvocationSpecNestsSpecIdAndArgs",
     [] {
       protos::ChaincodeInvocationSpec m;
       protos::ChaincodeSpec* spec = m.mutable_chaincode_spec();
       spec->set_type(protos::ChaincodeSpec::GOLANG);
       spec->mutable_chaincode_id()->set_name("cc");
       spec->mutable_input()->add_args("f");
       spec->mutable_input()->add_args("x");
       return own(m);
     },
     "0a 10 08 01 12 04 12 02 63 63 1a 06 0a 01 66 0a 01 78"},
    {"TransientMapEntriesSortedByKeyWhenDeterministic",
     [] {
       protos::ChaincodeProposalPayload m;
       m.set_input("i");
       (*m.mutable_transientmap())["b"] = "2";
       (*m.mutable_transientmap())["a"] = "1";
       return own(m);
     },
     "0a 01 69 12 06 0a 01 61 12 01 31 12 06 0a 01 62 12 01 32"},
    {"ChaincodeActionNestsResponseAndChaincodeId",
     [] {
       protos::ChaincodeAction m;
       m.set_results("r");
       m.mutable_response()->set_status(200);
       m.mutable_chaincode_id()->set_name("cc");
       m.mutable_chaincode_id()->set_version("1");
       return own(m);
     },
     "0a 01 72 1a 03 08 c8 01 22 07 12 02 63 63 1a 01 31"},
    {"ChaincodeEventFieldsOneToFour",
     [] {
       protos::ChaincodeEvent m;
       m.set_chaincode_id("cc");
       m.set_tx_id("t");
       m.set_event_name("e");
       m.set_payload("p");
       return own(m);
     },
     "0a 02 63 63 12 01 74 1a 01 65 22 01 70"},
    {"ProposalResponseSkipsFieldThree",
     [] {
       protos::ProposalResponse m;
       m.set_version(1);
       m.mutable_response()->set_status(200);
       m.set_payload("p");
       m.mutable_endorsement()->set_endorser("e");
       return own(m);
     },
     "08 01 22 03 08 c8 01 2a 01 70 32 03 0a 01 65"},
    {"ProposalResponsePayloadIsHashThenExtension",
     [] {
       protos::ProposalResponsePayload m;
       m.set_proposal_hash("h");
       m.set_extension("x");
       return own(m);
     },
     "0a 01 68 12 01 78"},
    {"EndorsementIsEndorserThenSignature",
     [] {
       protos::Endorsement m;
       m.set_endorser("e");
       m.set_signature("s");
       return own(m);
     },
     "0a 01 65 12 01 73"},
    {"ChaincodeEndorsedActionRepeatsEndorsements",
     [] {
       protos::ChaincodeEndorsedAction m;
       m.set_proposal_response_payload("p");
       protos::Endorsement* e = m.add_endorsements();
       e->set_endorser("e");
       e->set_signature("s");
       return own(m);
     },
     "0a 01 70 12 06 0a 01 65 12 01 73"},

    // --- rwset ---------------------------------------------------------------------------------
    {"TxReadWriteSetOmitsKvDataModel",  // DataModel KV is 0
     [] {
       rwset::TxReadWriteSet m;
       m.set_data_model(rwset::TxReadWriteSet::KV);
       rwset::NsReadWriteSet* ns = m.add_ns_rwset();
       ns->set_namespace_("cc");
       ns->set_rwset("r");
       return own(m);
     },
     "12 07 0a 02 63 63 12 01 72"},
    {"KVRWSetReadsThenWrites",
     [] {
       kvrwset::KVRWSet m;
       m.add_reads()->set_key("a");
       kvrwset::KVWrite* w = m.add_writes();
       w->set_key("a");
       w->set_value("1");
       return own(m);
     },
     "0a 03 0a 01 61 1a 06 0a 01 61 1a 01 31"},
    {"KVReadOmitsZeroTxNum",
     [] {
       kvrwset::KVRead m;
       m.set_key("k1");
       m.mutable_version()->set_block_num(3);
       m.mutable_version()->set_tx_num(0);
       return own(m);
     },
     "0a 02 6b 31 12 02 08 03"},
    {"KVReadOfMissingKeyHasNoVersion",
     [] {
       kvrwset::KVRead m;
       m.set_key("k1");
       return own(m);
     },
     "0a 02 6b 31"},
    {"KVReadOfVersionZeroZeroStillWritesVersion",
     [] {
       kvrwset::KVRead m;
       m.set_key("k1");
       m.mutable_version();
       return own(m);
     },
     "0a 02 6b 31 12 00"},
    {"KVWriteDeleteHasNoValue",
     [] {
       kvrwset::KVWrite m;
       m.set_key("k");
       m.set_is_delete(true);
       return own(m);
     },
     "0a 01 6b 10 01"},
    {"KVWriteValueIsField3",
     [] {
       kvrwset::KVWrite m;
       m.set_key("k");
       m.set_value("v");
       return own(m);
     },
     "0a 01 6b 1a 01 76"},
    {"RangeQueryInfoEmptyRawReadsIsStillWritten",
     [] {
       kvrwset::RangeQueryInfo m;
       m.set_start_key("a");
       m.set_end_key("z");
       m.set_itr_exhausted(true);
       m.mutable_raw_reads();
       return own(m);
     },
     "0a 01 61 12 01 7a 18 01 22 00"},
    {"MerkleLeafIsMarshalledQueryReads",  // fabric-semantics.md 3.4: QueryReads{kv_reads}
     [] {
       kvrwset::QueryReads m;
       kvrwset::KVRead* a = m.add_kv_reads();
       a->set_key("a");
       a->mutable_version()->set_block_num(1);
       kvrwset::KVRead* b = m.add_kv_reads();
       b->set_key("b");
       b->mutable_version()->set_block_num(1);
       b->mutable_version()->set_tx_num(1);
       return own(m);
     },
     "0a 07 0a 01 61 12 02 08 01  0a 09 0a 01 62 12 04 08 01 10 01"},
    {"MerkleSummaryDegreeLevelHashes",
     [] {
       kvrwset::QueryReadsMerkleSummary m;
       m.set_max_degree(50);
       m.set_max_level(1);
       m.add_max_level_hashes("h1");
       m.add_max_level_hashes("h2");
       return own(m);
     },
     "08 32 10 01 1a 02 68 31 1a 02 68 32"},

    // --- orderer: broadcast and deliver ----------------------------------------------------------
    {"BroadcastResponseStatusIsVarint",  // SERVICE_UNAVAILABLE = 503 -> f7 03
     [] {
       orderer::BroadcastResponse m;
       m.set_status(common::SERVICE_UNAVAILABLE);
       m.set_info("x");
       return own(m);
     },
     "08 f7 03 12 01 78"},
    {"SeekInfoDeliverNewestUntilMaxUint64",
     [] {
       orderer::SeekInfo m;
       m.mutable_start()->mutable_newest();
       m.mutable_stop()->mutable_specified()->set_number(kMaxUint64);
       m.set_behavior(orderer::SeekInfo::BLOCK_UNTIL_READY);
       return own(m);
     },
     "0a 02 0a 00 12 0d 1a 0b 08 ff ff ff ff ff ff ff ff ff 01"},
    {"SeekSpecifiedZeroIsEmptyOneofMember",
     [] {
       orderer::SeekInfo m;
       m.mutable_start()->mutable_specified()->set_number(0);
       m.mutable_stop()->mutable_specified()->set_number(0);
       m.set_behavior(orderer::SeekInfo::FAIL_IF_NOT_READY);
       return own(m);
     },
     "0a 02 1a 00 12 02 1a 00 18 01"},
    {"DeliverResponseSuccessStatus",
     [] {
       orderer::DeliverResponse m;
       m.set_status(common::SUCCESS);
       return own(m);
     },
     "08 c8 01"},
    {"DeliverResponseZeroStatusInOneofIsWritten",
     [] {
       orderer::DeliverResponse m;
       m.set_status(common::UNKNOWN);
       return own(m);
     },
     "08 00"},

    // --- orderer: Kafka --------------------------------------------------------------------------
    {"KafkaRegularNormalMessage",
     [] {
       orderer::KafkaMessage m;
       orderer::KafkaMessageRegular* r = m.mutable_regular();
       r->set_payload("e");
       r->set_config_seq(2);
       r->set_class_(orderer::KafkaMessageRegular::NORMAL);
       return own(m);
     },
     "0a 07 0a 01 65 10 02 18 01"},
    {"KafkaRegularResubmittedConfigKeepsOriginalOffset",
     [] {
       orderer::KafkaMessageRegular m;
       m.set_payload("e");
       m.set_config_seq(3);
       m.set_class_(orderer::KafkaMessageRegular::CONFIG);
       m.set_original_offset(9);
       return own(m);
     },
     "0a 01 65 10 03 18 02 20 09"},
    {"KafkaTimeToCutIsField2",
     [] {
       orderer::KafkaMessage m;
       m.mutable_time_to_cut()->set_block_number(7);
       return own(m);
     },
     "12 02 08 07"},
    {"KafkaConnectWithEmptyPayloadIsWritten",
     [] {
       orderer::KafkaMessage m;
       m.mutable_connect();
       return own(m);
     },
     "1a 00"},
    {"KafkaMetadataNegativeInt64IsTenByteVarint",  // -3 = 0xff..fd
     [] {
       orderer::KafkaMetadata m;
       m.set_last_offset_persisted(-3);
       m.set_last_original_offset_processed(0);
       m.set_last_resubmitted_config_offset(0);
       return own(m);
     },
     "08 fd ff ff ff ff ff ff ff ff 01"},
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.rule; }

class FabricGoldenBytesTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(FabricGoldenBytesTest, SerializeAndParseBack) {
  const GoldenCase& c = GetParam();
  const std::unique_ptr<Message> built = c.build();
  ASSERT_NE(built, nullptr);
  const std::string bytes = serialize_deterministic(*built);
  EXPECT_EQ(to_hex(bytes), normalize_hex(c.hex)) << built->GetTypeName();

  // The expected bytes parse back into the same message, and re-serialize to themselves.
  const std::string expected = from_hex(c.hex);
  std::unique_ptr<Message> parsed(built->New());
  ASSERT_TRUE(parsed->ParseFromString(expected));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*built, *parsed))
      << "built:  " << built->ShortDebugString() << "\nparsed: " << parsed->ShortDebugString();
  EXPECT_EQ(to_hex(serialize_deterministic(*parsed)), normalize_hex(c.hex));
}

INSTANTIATE_TEST_SUITE_P(ProtoWire, FabricGoldenBytesTest, testing::ValuesIn(kGoldenCases),
                         [](const testing::TestParamInfo<GoldenCase>& info) {
                           return std::string(info.param.rule);
                         });

}  // namespace
}  // namespace fabsim
