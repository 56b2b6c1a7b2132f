// Wire compatibility of fabsim's Fabric messages (core/proto) with Fabric 2.2, part 1: the
// schema. Each message's fields (name, number, type, label, referenced type, oneof), each
// enum's values and each file's package are checked against tables copied from Fabric's protos
// (hyperledger/fabric-protos, 2.2). A message must have exactly the fields listed, so a field
// Fabric 2.2 does not have (such as ProposalResponse.interest, added in 2.4) fails too.
// Part 2, the byte-level golden encodings, is tests/core/proto_wire_golden_test.cc.

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
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

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using F = google::protobuf::FieldDescriptor;

constexpr F::Label kOpt = F::LABEL_OPTIONAL;  // a proto3 singular field
constexpr F::Label kRep = F::LABEL_REPEATED;

// "common.Envelope" -> "common_Envelope": a valid GoogleTest name.
std::string test_name_of(const std::string& full_name) {
  std::string name = full_name;
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// 1. Fields: one case per message, named after it.

struct FieldRow {
  const char* name;
  int number;
  F::Type type;
  F::Label label;
  const char* type_name = "";  // full name of the message or enum type; "" for scalars
  const char* oneof = "";      // the containing oneof; "" if none
};

struct MessageCase {
  const Descriptor* (*descriptor)();
  const char* full_name;
  std::vector<FieldRow> fields;  // every field the Fabric 2.2 message declares
};

const std::vector<MessageCase> kMessageCases = {
    // common/common.proto
    {common::Envelope::descriptor, "common.Envelope",
     {{"payload", 1, F::TYPE_BYTES, kOpt}, {"signature", 2, F::TYPE_BYTES, kOpt}}},
    {common::Payload::descriptor, "common.Payload",
     {{"header", 1, F::TYPE_MESSAGE, kOpt, "common.Header"}, {"data", 2, F::TYPE_BYTES, kOpt}}},
    {common::Header::descriptor, "common.Header",
     {{"channel_header", 1, F::TYPE_BYTES, kOpt}, {"signature_header", 2, F::TYPE_BYTES, kOpt}}},
    {common::ChannelHeader::descriptor, "common.ChannelHeader",
     {{"type", 1, F::TYPE_INT32, kOpt},
      {"version", 2, F::TYPE_INT32, kOpt},
      {"timestamp", 3, F::TYPE_MESSAGE, kOpt, "google.protobuf.Timestamp"},
      {"channel_id", 4, F::TYPE_STRING, kOpt},
      {"tx_id", 5, F::TYPE_STRING, kOpt},
      {"epoch", 6, F::TYPE_UINT64, kOpt},
      {"extension", 7, F::TYPE_BYTES, kOpt},
      {"tls_cert_hash", 8, F::TYPE_BYTES, kOpt}}},
    {common::SignatureHeader::descriptor, "common.SignatureHeader",
     {{"creator", 1, F::TYPE_BYTES, kOpt}, {"nonce", 2, F::TYPE_BYTES, kOpt}}},
    {common::Block::descriptor, "common.Block",
     {{"header", 1, F::TYPE_MESSAGE, kOpt, "common.BlockHeader"},
      {"data", 2, F::TYPE_MESSAGE, kOpt, "common.BlockData"},
      {"metadata", 3, F::TYPE_MESSAGE, kOpt, "common.BlockMetadata"}}},
    {common::BlockHeader::descriptor, "common.BlockHeader",
     {{"number", 1, F::TYPE_UINT64, kOpt},
      {"previous_hash", 2, F::TYPE_BYTES, kOpt},
      {"data_hash", 3, F::TYPE_BYTES, kOpt}}},
    {common::BlockData::descriptor, "common.BlockData", {{"data", 1, F::TYPE_BYTES, kRep}}},
    {common::BlockMetadata::descriptor, "common.BlockMetadata",
     {{"metadata", 1, F::TYPE_BYTES, kRep}}},
    {common::Metadata::descriptor, "common.Metadata",
     {{"value", 1, F::TYPE_BYTES, kOpt},
      {"signatures", 2, F::TYPE_MESSAGE, kRep, "common.MetadataSignature"}}},
    {common::MetadataSignature::descriptor, "common.MetadataSignature",
     {{"signature_header", 1, F::TYPE_BYTES, kOpt}, {"signature", 2, F::TYPE_BYTES, kOpt}}},
    {common::LastConfig::descriptor, "common.LastConfig", {{"index", 1, F::TYPE_UINT64, kOpt}}},
    {common::OrdererBlockMetadata::descriptor, "common.OrdererBlockMetadata",
     {{"last_config", 1, F::TYPE_MESSAGE, kOpt, "common.LastConfig"},
      {"consenter_metadata", 2, F::TYPE_BYTES, kOpt}}},

    // msp/identities.proto
    {msp::SerializedIdentity::descriptor, "msp.SerializedIdentity",
     {{"mspid", 1, F::TYPE_STRING, kOpt}, {"id_bytes", 2, F::TYPE_BYTES, kOpt}}},

    // peer/proposal.proto
    {protos::SignedProposal::descriptor, "protos.SignedProposal",
     {{"proposal_bytes", 1, F::TYPE_BYTES, kOpt}, {"signature", 2, F::TYPE_BYTES, kOpt}}},
    {protos::Proposal::descriptor, "protos.Proposal",
     {{"header", 1, F::TYPE_BYTES, kOpt},
      {"payload", 2, F::TYPE_BYTES, kOpt},
      {"extension", 3, F::TYPE_BYTES, kOpt}}},
    {protos::ChaincodeHeaderExtension::descriptor, "protos.ChaincodeHeaderExtension",
     {{"payload_visibility", 1, F::TYPE_BYTES, kOpt},
      {"chaincode_id", 2, F::TYPE_MESSAGE, kOpt, "protos.ChaincodeID"}}},
    {protos::ChaincodeProposalPayload::descriptor, "protos.ChaincodeProposalPayload",
     {{"input", 1, F::TYPE_BYTES, kOpt},
      {"TransientMap", 2, F::TYPE_MESSAGE, kRep,
       "protos.ChaincodeProposalPayload.TransientMapEntry"}}},
    {protos::ChaincodeAction::descriptor, "protos.ChaincodeAction",
     {{"results", 1, F::TYPE_BYTES, kOpt},
      {"events", 2, F::TYPE_BYTES, kOpt},
      {"response", 3, F::TYPE_MESSAGE, kOpt, "protos.Response"},
      {"chaincode_id", 4, F::TYPE_MESSAGE, kOpt, "protos.ChaincodeID"}}},

    // peer/chaincode.proto
    {protos::ChaincodeID::descriptor, "protos.ChaincodeID",
     {{"path", 1, F::TYPE_STRING, kOpt},
      {"name", 2, F::TYPE_STRING, kOpt},
      {"version", 3, F::TYPE_STRING, kOpt}}},
    {protos::ChaincodeInput::descriptor, "protos.ChaincodeInput",
     {{"args", 1, F::TYPE_BYTES, kRep},
      {"decorations", 2, F::TYPE_MESSAGE, kRep, "protos.ChaincodeInput.DecorationsEntry"},
      {"is_init", 3, F::TYPE_BOOL, kOpt}}},
    {protos::ChaincodeSpec::descriptor, "protos.ChaincodeSpec",
     {{"type", 1, F::TYPE_ENUM, kOpt, "protos.ChaincodeSpec.Type"},
      {"chaincode_id", 2, F::TYPE_MESSAGE, kOpt, "protos.ChaincodeID"},
      {"input", 3, F::TYPE_MESSAGE, kOpt, "protos.ChaincodeInput"},
      {"timeout", 4, F::TYPE_INT32, kOpt}}},
    {protos::ChaincodeInvocationSpec::descriptor, "protos.ChaincodeInvocationSpec",
     {{"chaincode_spec", 1, F::TYPE_MESSAGE, kOpt, "protos.ChaincodeSpec"}}},

    // peer/chaincode_event.proto
    {protos::ChaincodeEvent::descriptor, "protos.ChaincodeEvent",
     {{"chaincode_id", 1, F::TYPE_STRING, kOpt},
      {"tx_id", 2, F::TYPE_STRING, kOpt},
      {"event_name", 3, F::TYPE_STRING, kOpt},
      {"payload", 4, F::TYPE_BYTES, kOpt}}},

    // peer/proposal_response.proto (2.2 has no field 3 and no `interest = 7`)
    {protos::ProposalResponse::descriptor, "protos.ProposalResponse",
     {{"version", 1, F::TYPE_INT32, kOpt},
      {"timestamp", 2, F::TYPE_MESSAGE, kOpt, "google.protobuf.Timestamp"},
      {"response", 4, F::TYPE_MESSAGE, kOpt, "protos.Response"},
      {"payload", 5, F::TYPE_BYTES, kOpt},
      {"endorsement", 6, F::TYPE_MESSAGE, kOpt, "protos.Endorsement"}}},
    {protos::Response::descriptor, "protos.Response",
     {{"status", 1, F::TYPE_INT32, kOpt},
      {"message", 2, F::TYPE_STRING, kOpt},
      {"payload", 3, F::TYPE_BYTES, kOpt}}},
    {protos::ProposalResponsePayload::descriptor, "protos.ProposalResponsePayload",
     {{"proposal_hash", 1, F::TYPE_BYTES, kOpt}, {"extension", 2, F::TYPE_BYTES, kOpt}}},
    {protos::Endorsement::descriptor, "protos.Endorsement",
     {{"endorser", 1, F::TYPE_BYTES, kOpt}, {"signature", 2, F::TYPE_BYTES, kOpt}}},

    // peer/transaction.proto
    {protos::Transaction::descriptor, "protos.Transaction",
     {{"actions", 1, F::TYPE_MESSAGE, kRep, "protos.TransactionAction"}}},
    {protos::TransactionAction::descriptor, "protos.TransactionAction",
     {{"header", 1, F::TYPE_BYTES, kOpt}, {"payload", 2, F::TYPE_BYTES, kOpt}}},
    {protos::ChaincodeActionPayload::descriptor, "protos.ChaincodeActionPayload",
     {{"chaincode_proposal_payload", 1, F::TYPE_BYTES, kOpt},
      {"action", 2, F::TYPE_MESSAGE, kOpt, "protos.ChaincodeEndorsedAction"}}},
    {protos::ChaincodeEndorsedAction::descriptor, "protos.ChaincodeEndorsedAction",
     {{"proposal_response_payload", 1, F::TYPE_BYTES, kOpt},
      {"endorsements", 2, F::TYPE_MESSAGE, kRep, "protos.Endorsement"}}},

    // ledger/rwset/rwset.proto
    {rwset::TxReadWriteSet::descriptor, "rwset.TxReadWriteSet",
     {{"data_model", 1, F::TYPE_ENUM, kOpt, "rwset.TxReadWriteSet.DataModel"},
      {"ns_rwset", 2, F::TYPE_MESSAGE, kRep, "rwset.NsReadWriteSet"}}},
    {rwset::NsReadWriteSet::descriptor, "rwset.NsReadWriteSet",
     {{"namespace", 1, F::TYPE_STRING, kOpt},
      {"rwset", 2, F::TYPE_BYTES, kOpt},
      {"collection_hashed_rwset", 3, F::TYPE_MESSAGE, kRep,
       "rwset.CollectionHashedReadWriteSet"}}},
    {rwset::CollectionHashedReadWriteSet::descriptor, "rwset.CollectionHashedReadWriteSet",
     {{"collection_name", 1, F::TYPE_STRING, kOpt},
      {"hashed_rwset", 2, F::TYPE_BYTES, kOpt},
      {"pvt_rwset_hash", 3, F::TYPE_BYTES, kOpt}}},

    // ledger/rwset/kvrwset/kv_rwset.proto
    {kvrwset::KVRWSet::descriptor, "kvrwset.KVRWSet",
     {{"reads", 1, F::TYPE_MESSAGE, kRep, "kvrwset.KVRead"},
      {"range_queries_info", 2, F::TYPE_MESSAGE, kRep, "kvrwset.RangeQueryInfo"},
      {"writes", 3, F::TYPE_MESSAGE, kRep, "kvrwset.KVWrite"},
      {"metadata_writes", 4, F::TYPE_MESSAGE, kRep, "kvrwset.KVMetadataWrite"}}},
    {kvrwset::KVRead::descriptor, "kvrwset.KVRead",
     {{"key", 1, F::TYPE_STRING, kOpt}, {"version", 2, F::TYPE_MESSAGE, kOpt, "kvrwset.Version"}}},
    {kvrwset::KVWrite::descriptor, "kvrwset.KVWrite",
     {{"key", 1, F::TYPE_STRING, kOpt},
      {"is_delete", 2, F::TYPE_BOOL, kOpt},
      {"value", 3, F::TYPE_BYTES, kOpt}}},
    {kvrwset::KVMetadataWrite::descriptor, "kvrwset.KVMetadataWrite",
     {{"key", 1, F::TYPE_STRING, kOpt},
      {"entries", 2, F::TYPE_MESSAGE, kRep, "kvrwset.KVMetadataEntry"}}},
    {kvrwset::KVMetadataEntry::descriptor, "kvrwset.KVMetadataEntry",
     {{"name", 1, F::TYPE_STRING, kOpt}, {"value", 2, F::TYPE_BYTES, kOpt}}},
    {kvrwset::Version::descriptor, "kvrwset.Version",
     {{"block_num", 1, F::TYPE_UINT64, kOpt}, {"tx_num", 2, F::TYPE_UINT64, kOpt}}},
    {kvrwset::RangeQueryInfo::descriptor, "kvrwset.RangeQueryInfo",
     {{"start_key", 1, F::TYPE_STRING, kOpt},
      {"end_key", 2, F::TYPE_STRING, kOpt},
      {"itr_exhausted", 3, F::TYPE_BOOL, kOpt},
      {"raw_reads", 4, F::TYPE_MESSAGE, kOpt, "kvrwset.QueryReads", "reads_info"},
      {"reads_merkle_hashes", 5, F::TYPE_MESSAGE, kOpt, "kvrwset.QueryReadsMerkleSummary",
       "reads_info"}}},
    {kvrwset::QueryReads::descriptor, "kvrwset.QueryReads",
     {{"kv_reads", 1, F::TYPE_MESSAGE, kRep, "kvrwset.KVRead"}}},
    {kvrwset::QueryReadsMerkleSummary::descriptor, "kvrwset.QueryReadsMerkleSummary",
     {{"max_degree", 1, F::TYPE_UINT32, kOpt},
      {"max_level", 2, F::TYPE_UINT32, kOpt},
      {"max_level_hashes", 3, F::TYPE_BYTES, kRep}}},

    // orderer/ab.proto (2.2.0 has no SeekNextCommit)
    {orderer::BroadcastResponse::descriptor, "orderer.BroadcastResponse",
     {{"status", 1, F::TYPE_ENUM, kOpt, "common.Status"}, {"info", 2, F::TYPE_STRING, kOpt}}},
    {orderer::SeekNewest::descriptor, "orderer.SeekNewest", {}},
    {orderer::SeekOldest::descriptor, "orderer.SeekOldest", {}},
    {orderer::SeekSpecified::descriptor, "orderer.SeekSpecified",
     {{"number", 1, F::TYPE_UINT64, kOpt}}},
    {orderer::SeekPosition::descriptor, "orderer.SeekPosition",
     {{"newest", 1, F::TYPE_MESSAGE, kOpt, "orderer.SeekNewest", "Type"},
      {"oldest", 2, F::TYPE_MESSAGE, kOpt, "orderer.SeekOldest", "Type"},
      {"specified", 3, F::TYPE_MESSAGE, kOpt, "orderer.SeekSpecified", "Type"}}},
    {orderer::SeekInfo::descriptor, "orderer.SeekInfo",
     {{"start", 1, F::TYPE_MESSAGE, kOpt, "orderer.SeekPosition"},
      {"stop", 2, F::TYPE_MESSAGE, kOpt, "orderer.SeekPosition"},
      {"behavior", 3, F::TYPE_ENUM, kOpt, "orderer.SeekInfo.SeekBehavior"},
      {"error_response", 4, F::TYPE_ENUM, kOpt, "orderer.SeekInfo.SeekErrorResponse"}}},
    {orderer::DeliverResponse::descriptor, "orderer.DeliverResponse",
     {{"status", 1, F::TYPE_ENUM, kOpt, "common.Status", "Type"},
      {"block", 2, F::TYPE_MESSAGE, kOpt, "common.Block", "Type"}}},

    // orderer/kafka.proto
    {orderer::KafkaMessage::descriptor, "orderer.KafkaMessage",
     {{"regular", 1, F::TYPE_MESSAGE, kOpt, "orderer.KafkaMessageRegular", "Type"},
      {"time_to_cut", 2, F::TYPE_MESSAGE, kOpt, "orderer.KafkaMessageTimeToCut", "Type"},
      {"connect", 3, F::TYPE_MESSAGE, kOpt, "orderer.KafkaMessageConnect", "Type"}}},
    {orderer::KafkaMessageRegular::descriptor, "orderer.KafkaMessageRegular",
     {{"payload", 1, F::TYPE_BYTES, kOpt},
      {"config_seq", 2, F::TYPE_UINT64, kOpt},
      {"class", 3, F::TYPE_ENUM, kOpt, "orderer.KafkaMessageRegular.Class"},
      {"original_offset", 4, F::TYPE_INT64, kOpt}}},
    {orderer::KafkaMessageTimeToCut::descriptor, "orderer.KafkaMessageTimeToCut",
     {{"block_number", 1, F::TYPE_UINT64, kOpt}}},
    {orderer::KafkaMessageConnect::descriptor, "orderer.KafkaMessageConnect",
     {{"payload", 1, F::TYPE_BYTES, kOpt}}},
    {orderer::KafkaMetadata::descriptor, "orderer.KafkaMetadata",
     {{"last_offset_persisted", 1, F::TYPE_INT64, kOpt},
      {"last_original_offset_processed", 2, F::TYPE_INT64, kOpt},
      {"last_resubmitted_config_offset", 3, F::TYPE_INT64, kOpt}}},
};

// Names the case in GoogleTest's failure output instead of dumping its bytes.
void PrintTo(const MessageCase& c, std::ostream* os) { *os << c.full_name; }

// The full name of the message or enum a field refers to, or "" for a scalar field.
std::string referenced_type(const FieldDescriptor& field) {
  if (field.message_type() != nullptr) return field.message_type()->full_name();
  if (field.enum_type() != nullptr) return field.enum_type()->full_name();
  return "";
}

class FabricMessageFieldsTest : public testing::TestWithParam<MessageCase> {};

TEST_P(FabricMessageFieldsTest, MatchFabric22) {
  const MessageCase& c = GetParam();
  const Descriptor* message = c.descriptor();
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->full_name(), c.full_name);
  EXPECT_EQ(message->field_count(), static_cast<int>(c.fields.size()))
      << c.full_name << " must declare exactly the fields Fabric 2.2 declares";
  for (const FieldRow& row : c.fields) {
    SCOPED_TRACE(std::string(c.full_name) + "." + row.name);
    const FieldDescriptor* field = message->FindFieldByName(row.name);
    ASSERT_NE(field, nullptr) << "missing field";
    EXPECT_EQ(field->number(), row.number);
    EXPECT_STREQ(field->type_name(), F::TypeName(row.type));
    EXPECT_EQ(field->label(), row.label);
    EXPECT_EQ(referenced_type(*field), row.type_name);
    const std::string oneof =
        field->containing_oneof() != nullptr ? field->containing_oneof()->name() : "";
    EXPECT_EQ(oneof, row.oneof);
  }
}

INSTANTIATE_TEST_SUITE_P(ProtoWire, FabricMessageFieldsTest, testing::ValuesIn(kMessageCases),
                         [](const testing::TestParamInfo<MessageCase>& info) {
                           return test_name_of(info.param.full_name);
                         });

// ---------------------------------------------------------------------------------------------
// 2. Enums: one case per enum, named after it.

struct EnumValueRow {
  const char* name;
  int number;
};

struct EnumCase {
  const EnumDescriptor* (*descriptor)();
  const char* full_name;
  std::vector<EnumValueRow> values;  // every value the Fabric 2.2 enum declares
};

const std::vector<EnumCase> kEnumCases = {
    {protos::TxValidationCode_descriptor, "protos.TxValidationCode",
     {{"VALID", 0},
      {"NIL_ENVELOPE", 1},
      {"BAD_PAYLOAD", 2},
      {"BAD_COMMON_HEADER", 3},
      {"BAD_CREATOR_SIGNATURE", 4},
      {"INVALID_ENDORSER_TRANSACTION", 5},
      {"INVALID_CONFIG_TRANSACTION", 6},
      {"UNSUPPORTED_TX_PAYLOAD", 7},
      {"BAD_PROPOSAL_TXID", 8},
      {"DUPLICATE_TXID", 9},
      {"ENDORSEMENT_POLICY_FAILURE", 10},
      {"MVCC_READ_CONFLICT", 11},
      {"PHANTOM_READ_CONFLICT", 12},
      {"UNKNOWN_TX_TYPE", 13},
      {"TARGET_CHAIN_NOT_FOUND", 14},
      {"MARSHAL_TX_ERROR", 15},
      {"NIL_TXACTION", 16},
      {"EXPIRED_CHAINCODE", 17},
      {"CHAINCODE_VERSION_CONFLICT", 18},
      {"BAD_HEADER_EXTENSION", 19},
      {"BAD_CHANNEL_HEADER", 20},
      {"BAD_RESPONSE_PAYLOAD", 21},
      {"BAD_RWSET", 22},
      {"ILLEGAL_WRITESET", 23},
      {"INVALID_WRITESET", 24},
      {"INVALID_CHAINCODE", 25},
      {"NOT_VALIDATED", 254},
      {"INVALID_OTHER_REASON", 255}}},
    {common::HeaderType_descriptor, "common.HeaderType",
     {{"MESSAGE", 0},
      {"CONFIG", 1},
      {"CONFIG_UPDATE", 2},
      {"ENDORSER_TRANSACTION", 3},
      {"ORDERER_TRANSACTION", 4},
      {"DELIVER_SEEK_INFO", 5},
      {"CHAINCODE_PACKAGE", 6}}},
    {common::BlockMetadataIndex_descriptor, "common.BlockMetadataIndex",
     {{"SIGNATURES", 0},
      {"LAST_CONFIG", 1},
      {"TRANSACTIONS_FILTER", 2},
      {"ORDERER", 3},
      {"COMMIT_HASH", 4}}},
    {common::Status_descriptor, "common.Status",
     {{"UNKNOWN", 0},
      {"SUCCESS", 200},
      {"BAD_REQUEST", 400},
      {"FORBIDDEN", 403},
      {"NOT_FOUND", 404},
      {"REQUEST_ENTITY_TOO_LARGE", 413},
      {"INTERNAL_SERVER_ERROR", 500},
      {"NOT_IMPLEMENTED", 501},
      {"SERVICE_UNAVAILABLE", 503}}},
    {orderer::SeekInfo_SeekBehavior_descriptor, "orderer.SeekInfo.SeekBehavior",
     {{"BLOCK_UNTIL_READY", 0}, {"FAIL_IF_NOT_READY", 1}}},
    {orderer::SeekInfo_SeekErrorResponse_descriptor, "orderer.SeekInfo.SeekErrorResponse",
     {{"STRICT", 0}, {"BEST_EFFORT", 1}}},
    {orderer::KafkaMessageRegular_Class_descriptor, "orderer.KafkaMessageRegular.Class",
     {{"UNKNOWN", 0}, {"NORMAL", 1}, {"CONFIG", 2}}},
    {rwset::TxReadWriteSet_DataModel_descriptor, "rwset.TxReadWriteSet.DataModel", {{"KV", 0}}},
    {protos::ChaincodeSpec_Type_descriptor, "protos.ChaincodeSpec.Type",
     {{"UNDEFINED", 0}, {"GOLANG", 1}, {"NODE", 2}, {"CAR", 3}, {"JAVA", 4}}},
};

void PrintTo(const EnumCase& c, std::ostream* os) { *os << c.full_name; }

class FabricEnumValuesTest : public testing::TestWithParam<EnumCase> {};

TEST_P(FabricEnumValuesTest, MatchFabric22) {
  const EnumCase& c = GetParam();
  const EnumDescriptor* e = c.descriptor();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->full_name(), c.full_name);
  EXPECT_EQ(e->value_count(), static_cast<int>(c.values.size()))
      << c.full_name << " must declare exactly the values Fabric 2.2 declares";
  for (const EnumValueRow& row : c.values) {
    SCOPED_TRACE(std::string(c.full_name) + "." + row.name);
    const auto* by_name = e->FindValueByName(row.name);
    ASSERT_NE(by_name, nullptr) << "missing value";
    EXPECT_EQ(by_name->number(), row.number);
    const auto* by_number = e->FindValueByNumber(row.number);
    ASSERT_NE(by_number, nullptr);
    EXPECT_EQ(by_number->name(), row.name) << "another value shares this number";
  }
}

INSTANTIATE_TEST_SUITE_P(ProtoWire, FabricEnumValuesTest, testing::ValuesIn(kEnumCases),
                         [](const testing::TestParamInfo<EnumCase>& info) {
                           return test_name_of(info.param.full_name);
                         });

// ---------------------------------------------------------------------------------------------
// 3. Packages: one case per .proto file. The package is part of every type name (and so of
// any google.protobuf.Any type URL), so it must be Fabric's; and every file is proto3.

struct PackageCase {
  const char* fabric_file;  // the Fabric file mirrored, as the test name
  const Descriptor* (*descriptor)();
  const char* full_name;
  const char* package;
};

const std::vector<PackageCase> kPackageCases = {
    {"common_common", common::Envelope::descriptor, "common.Envelope", "common"},
    {"msp_identities", msp::SerializedIdentity::descriptor, "msp.SerializedIdentity", "msp"},
    {"peer_chaincode", protos::ChaincodeSpec::descriptor, "protos.ChaincodeSpec", "protos"},
    {"peer_chaincode_event", protos::ChaincodeEvent::descriptor, "protos.ChaincodeEvent",
     "protos"},
    {"peer_proposal", protos::SignedProposal::descriptor, "protos.SignedProposal", "protos"},
    {"peer_proposal_response", protos::ProposalResponsePayload::descriptor,
     "protos.ProposalResponsePayload", "protos"},
    {"peer_transaction", protos::Transaction::descriptor, "protos.Transaction", "protos"},
    {"ledger_rwset_rwset", rwset::TxReadWriteSet::descriptor, "rwset.TxReadWriteSet", "rwset"},
    {"ledger_rwset_kvrwset_kv_rwset", kvrwset::KVRead::descriptor, "kvrwset.KVRead", "kvrwset"},
    {"orderer_ab", orderer::SeekInfo::descriptor, "orderer.SeekInfo", "orderer"},
    {"orderer_kafka", orderer::KafkaMessage::descriptor, "orderer.KafkaMessage", "orderer"},
};

void PrintTo(const PackageCase& c, std::ostream* os) { *os << c.fabric_file; }

class FabricPackageTest : public testing::TestWithParam<PackageCase> {};

TEST_P(FabricPackageTest, IsFabricsAndProto3) {
  const PackageCase& c = GetParam();
  const Descriptor* message = c.descriptor();
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->full_name(), c.full_name);
  EXPECT_EQ(message->file()->package(), c.package);
  EXPECT_EQ(message->file()->syntax(), FileDescriptor::SYNTAX_PROTO3);
}

INSTANTIATE_TEST_SUITE_P(ProtoWire, FabricPackageTest, testing::ValuesIn(kPackageCases),
                         [](const testing::TestParamInfo<PackageCase>& info) {
                           return std::string(info.param.fabric_file);
                         });

}  // namespace
}  // namespace fabsim
