// Endorser: the peer's proposal handling (Fabric's core/endorser), for every channel the
// peer has joined.
//
// kProposal -> kProposalReply: checks the signed proposal as Fabric's
// ValidateProposalMessage does (header types, epoch, nonce and creator, the channel — one
// the peer has joined —, the creator's signature over the proposal bytes, the TxID),
// refuses a TxID already in the channel's ledger and a creator outside the channel's
// application organisations (the peer/Propose ACL), simulates the chaincode against the
// channel's committed state through TxSimulator and a ChaincodeStub (for a chaincode
// defined with init required, Fabric's CheckInit first: an invocation before the Init, or a
// second Init, is an error response; the Init reads and writes kInitializedKey and runs the
// chaincode's init), and signs a ProposalResponse (protoutil::endorse). A chaincode error
// (status >= 400) is answered with that status and no endorsement, as Fabric does.
//
// The endorser reads the state as it is when the proposal is handled, which may be while a
// block's commit work is still being charged (Fabric's state lock would hold the proposal
// until the commit's state update ends: not modelled).
// Ownership: borrows the channel configs, ledgers, signer, verifier and costs.
#pragma once

#include <map>
#include <string>

#include "core/node.h"
#include "model/chaincode/registry.h"
#include "model/chaincode/tx_simulator.h"
#include "model/ledger/ledger.h"
#include "model/peer/config.h"

namespace fabsim::peer {

// Fabric's InitializedKeyName: the reserved key in a chaincode's namespace that records the
// version that ran Init ("\x00" + U+10FFFF in UTF-8 + "initialized").
inline const std::string kInitializedKey = std::string("\x00\xf4\x8f\xbf\xbf", 5) + "initialized";

class Endorser {
 public:
  explicit Endorser(const PeerConfig* peer) : peer_(peer), registry_(chaincode::ChaincodeRegistry::builtin()) {}

  // A joined channel whose ledger is open.
  void add_channel(const ChannelConfig* channel, const ledger::Ledger* ledger) {
    channels_[channel->channel_id] = {channel, ledger};
  }
  void on_proposal(NodeContext& ctx, HostId from, const std::string& bytes);

 private:
  struct Channel {
    const ChannelConfig* config = nullptr;
    const ledger::Ledger* ledger = nullptr;
  };
  // Fabric's CheckInit for a chaincode defined with init required: true when this
  // invocation is the Init (the initialized key is then written), false for an ordinary
  // invocation; an error when the order is wrong.
  static Result<bool> check_init(chaincode::TxSimulator& sim, const validation::ChaincodeDefinition& def, bool is_init);

  const PeerConfig* peer_;
  chaincode::ChaincodeRegistry registry_;
  std::map<std::string, Channel> channels_;
};

}  // namespace fabsim::peer
