// The wire protocol between fabsim's virtual Fabric nodes: which message kinds exist
// (core/node.h Message::kind), what each payload is, and who sends it to whom. Every
// payload is a marshalled protobuf message — Fabric's own where Fabric has one, else a
// simulator message from core/proto/fabsim/node_messages.proto.
//
//   client  -> peer     kProposal          protos.SignedProposal
//   peer    -> client   kProposalReply     fabsim.ProposalReply
//   client  -> orderer  kBroadcast         common.Envelope (a signed transaction)
//   orderer -> client   kBroadcastReply    fabsim.BroadcastReply (one per kBroadcast, in order)
//   peer    -> orderer  kDeliverRequest    fabsim.DeliverRequest (SeekInfo inside)
//   orderer -> peer     kDeliverReply      fabsim.DeliverReply (blocks, then a final status)
//   peer    -> orderer  kDeliverCancel     fabsim.DeliverCancel
//   orderer -> itself   kOrderedEnvelope   common.Envelope: Broadcast hands an accepted
//                                          envelope to the channel's chain (a post)
//   orderer -> itself   kOrderRequest      fabsim.OrderRequest: the same hand-off for a chain
//                                          that answers Broadcast itself (Kafka), with whom
//   orderer -> itself   kChainStart        (no payload): start the channel's chain on its lane
//   client  -> peer     kEventRegister     fabsim.EventRegistration
//   peer    -> client   kBlockEvent        fabsim.BlockEvent (one per committed block)
//
// Streams (Deliver, events) are modelled as a request followed by any number of replies;
// a crash of either end ends them: the restarted side opens a new one. Messages between
// two hosts arrive in the order sent (sim/network.h), which is what gRPC streams give.
#pragma once

#include <cstdint>
#include <string>

#include "core/node.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::model {

enum MessageKind : uint32_t {
  kProposal = 100,
  kProposalReply = 101,
  kBroadcast = 110,
  kBroadcastReply = 111,
  kOrderedEnvelope = 112,
  kOrderRequest = 113,
  kChainStart = 114,
  kDeliverRequest = 120,
  kDeliverReply = 121,
  kDeliverCancel = 122,
  kEventRegister = 130,
  kBlockEvent = 131,
};

// A Message of `kind` carrying `m` marshalled; `tx_id`: the Fabric TxID it concerns, if
// one (Message::tx keeps its first 8 hex digits for trace lines).
template <typename M>
Message make_message(uint32_t kind, const M& m, std::string_view tx_id = {}) {
  return Message{kind, make_bytes(protoutil::marshal(m)), std::string(tx_id.substr(0, 8))};
}

}  // namespace fabsim::model
