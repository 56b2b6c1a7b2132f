// Building and taking apart Fabric transactions, as Fabric's protoutil does:
// proposal -> proposal response (endorsement) -> signed transaction envelope.
//
//  - make_proposal (CreateChaincodeProposalWithTxIDNonceAndTransient + signing): a
//    ChaincodeInvocationSpec inside a ChaincodeProposalPayload, a Header whose ChannelHeader
//    is ENDORSER_TRANSACTION with TxID = hex(SHA-256(nonce ‖ creator)), epoch 0 and a
//    ChaincodeHeaderExtension naming the chaincode, signed by the client.
//  - proposal_hash (GetProposalHash1/2): SHA-256(channel header ‖ signature header ‖
//    ChaincodeProposalPayload bytes without the transient map).
//  - endorse (CreateProposalResponse): ProposalResponsePayload{proposal_hash, extension =
//    ChaincodeAction{results = rwset, events, response, chaincode_id}}, signed by the endorser
//    over prp bytes ‖ endorser identity.
//  - assemble_transaction (CreateSignedTx): checks that the responses agree, then builds
//    Transaction{[TransactionAction{signature header, ChaincodeActionPayload{proposal
//    payload, ChaincodeEndorsedAction{prp, endorsements}}}]} in a Payload signed by the client.
// Timestamps come from the caller (virtual time); nothing here reads a clock. The messages
// built here carry no map entries, so their serialization is deterministic.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/signing_identity.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/proto/peer/proposal.pb.h"
#include "core/proto/peer/proposal_response.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "core/status.h"
#include "core/time.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::protoutil {

struct ProposalSpec {
  std::string channel_id;
  std::string chaincode;
  std::string function;
  std::vector<std::string> args;  // after the function name
  std::string nonce;              // crypto::make_nonce
  Time timestamp;                 // the client's local time
  bool is_init = false;           // ChaincodeInput.is_init: the Init of a chaincode with init required
};

struct Proposal {
  protos::SignedProposal signed_proposal;
  protos::Proposal proposal;
  common::Header header;
  common::ChannelHeader channel_header;
  common::SignatureHeader signature_header;
  protos::ChaincodeProposalPayload payload;
  std::string tx_id;
};

Proposal make_proposal(const ProposalSpec& spec, const crypto::SigningIdentity& creator);

// SHA-256(channel_header ‖ signature_header ‖ chaincode_proposal_payload).
std::string proposal_hash(std::string_view channel_header, std::string_view signature_header,
                          std::string_view chaincode_proposal_payload);

struct EndorsementSpec {
  rwset::TxReadWriteSet results;
  protos::Response response;  // status 200 for success
  std::string chaincode_name;
  std::string chaincode_version;
  std::string events;         // a marshalled ChaincodeEvent, or empty
};

protos::ProposalResponse endorse(const Proposal& proposal, const EndorsementSpec& spec,
                                 const crypto::SigningIdentity& endorser);

// Fails (InvalidArgument) when there are no responses, a response is not a success, or
// the responses' payloads differ (the endorsers disagree on results).
Result<common::Envelope> assemble_transaction(const Proposal& proposal,
                                              const std::vector<protos::ProposalResponse>& responses,
                                              const crypto::SigningIdentity& creator);

}  // namespace fabsim::protoutil
