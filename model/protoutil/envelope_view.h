// The outer layers of a transaction envelope read in place: views of the bytes fields that a
// committer needs, with exactly the outcome parsing them into the generated messages would
// have, but without copying the (large) bytes fields into message strings at each level.
//
//   Envelope    {payload = 1, signature = 2}                       read_envelope
//   Payload     {header = 1 {channel_header = 1, signature_header = 2}, data = 2}
//                                                                  read_payload
//   Transaction {repeated actions = 1 {header = 1, payload = 2}}   read_single_action
//   SignatureHeader {creator = 1, nonce = 2}                       read_signature_header
//   ChaincodeActionPayload {chaincode_proposal_payload = 1, action = 2}
//                                                                  read_action_payload
//
// Every field of these messages is bytes or a message of bytes, so the wire walk of
// protoutil::find_field decides "parses" exactly as the protobuf parser does (valid tags,
// wire types and lengths at every level, the last occurrence of a bytes field wins, other
// wire types under a known number are unknown fields). Where the walk defers (a group, or a
// message field that occurs more than once and that the parser would merge) the bytes are
// parsed into the caller's scratch message and the views point into it. Views point into
// the given bytes or into *scratch and are valid while both are.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/proto/common/common.pb.h"
#include "core/proto/peer/transaction.pb.h"

namespace fabsim::protoutil {

struct EnvelopeView {
  std::string_view payload;
  std::string_view signature;
};
// false when the bytes do not parse as a common.Envelope.
bool read_envelope(std::string_view bytes, common::Envelope* scratch, EnvelopeView* out);

struct PayloadView {
  std::string_view channel_header;    // of the header
  std::string_view signature_header;  // of the header
  std::string_view data;
};
enum class PayloadRead : uint8_t {
  kOk,
  kMalformed,  // the bytes do not parse as a common.Payload
  kNoHeader,   // they parse, but the header is absent (has_header() would be false)
};
PayloadRead read_payload(std::string_view bytes, common::Payload* scratch, PayloadView* out);

struct ActionView {
  std::string_view header;
  std::string_view payload;
};
// true when the bytes parse as a protos.Transaction with exactly one action; *out views it.
bool read_single_action(std::string_view bytes, protos::Transaction* scratch, ActionView* out);

struct SignatureHeaderView {
  std::string_view creator;
  std::string_view nonce;
};
// false when the bytes do not parse as a common.SignatureHeader.
bool read_signature_header(std::string_view bytes, common::SignatureHeader* scratch, SignatureHeaderView* out);

// A ChaincodeActionPayload: the proposal payload is viewed in place; the action (whose
// endorsements a validator walks) is parsed into *action, a message the caller may reuse
// from one transaction to the next (its repeated endorsements and strings keep their
// buffers, where a ChaincodeActionPayload's Clear would free its action).
enum class ActionPayloadRead : uint8_t {
  kOk,
  kMalformed,  // the bytes do not parse as a protos.ChaincodeActionPayload
  kNoAction,   // they parse, but the action is absent (has_action() would be false)
};
ActionPayloadRead read_action_payload(std::string_view bytes, protos::ChaincodeActionPayload* scratch,
                                      std::string_view* chaincode_proposal_payload,
                                      protos::ChaincodeEndorsedAction* action);

}  // namespace fabsim::protoutil
