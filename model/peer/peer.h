// PeerProcess: a Fabric peer on one channel — endorser and committer — behind the node
// interface (core/node.h), speaking model/protocol.h.
//
// Endorser (kProposal -> kProposalReply): checks the signed proposal as Fabric's
// ValidateProposalMessage does (header types, epoch, nonce and creator, the creator's
// signature over the proposal bytes, the TxID), refuses a TxID already in its ledger and
// a creator outside the channel's application organisations (the peer/Propose ACL),
// simulates the chaincode against its committed state through TxSimulator and a
// ChaincodeStub (for a chaincode defined with init required, Fabric's CheckInit first: an
// invocation before the Init, or a second Init, is an error response; the Init reads and
// writes kInitializedKey and runs the chaincode's init), and signs a ProposalResponse (protoutil::endorse). A chaincode error
// (status >= 400) is answered with that status and no endorsement, as Fabric does.
//
// Concurrency (lanes): proposals run concurrently on the endorser's lane; everything else
// runs one input at a time on the committer's. A block's per-transaction validation work
// (stages 1-4 of validation/tx_validator.h) is charged as parallel tasks on up to
// validator_pool_size cores; block checks, MVCC, the ledger commit and events are serial.
// The endorser reads the state as it is when the proposal is handled, which may be while a
// block's commit work is still being charged (Fabric's state lock would hold the proposal
// until the commit's state update ends: not modelled).
//
// Committer: pulls blocks from the orderer with a Deliver stream from its ledger height
// (kDeliverRequest, SeekInfo{specified height .. max, BLOCK_UNTIL_READY}). Block 0 is the
// channel's genesis (configuration) block: it is committed as the peer joins, without
// validation. Every later block is first checked as Fabric's deliver client checks it
// (validation::verify_block, Fabric's VerifyBlock: number, channel, data hash, the
// orderer's signatures against the BlockValidation policy) when the config names that
// policy; a block that fails is not committed, the peer emits peer.block_rejected and
// cancels the stream, and the watchdog re-opens it. A block that passes goes through
// validation::validate_block and ledger::Ledger::commit_block; then each client
// registered for events (kEventRegister)
// gets a kBlockEvent with every transaction's validation code. A block already committed
// is ignored; one beyond the next means the stream lost a block on the way (a lossy link),
// and the peer re-opens the stream from its height at once. A registration with a start block first gets the BlockEvents of
// the committed blocks from that number on, read back from the ledger. A Deliver stream has no liveness signal in the model, so a
// watchdog re-opens it after `deliver_retry` without progress (a restarted orderer,
// a partition that healed), at the next orderer of PeerConfig::orderers (failover, as
// Fabric's deliver client moves to another endpoint).
//
// Durable: the ledger, on the host's Env. Volatile: streams, registrations.
// Not modelled: gossip (a later issue), private data, chaincode events.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/node.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "model/chaincode/registry.h"
#include "model/chaincode/tx_simulator.h"
#include "model/ledger/ledger.h"
#include "model/validation/tx_validator.h"

namespace fabsim::peer {

// Virtual CPU charged per operation, derived from the cost model by model/node_costs.h
// (zero unless set).
struct PeerCosts {
  Duration proposal_check;    // parse + creator signature verify
  Duration chaincode_base;    // per invocation
  Duration chaincode_per_op;  // per state operation (stub work unit)
  Duration endorse;           // build + sign the response
  Duration block_check;        // per block
  Duration envelope_check;     // per transaction: unmarshal, header checks
  Duration signature_verify;  // per creator/endorsement signature checked
  Duration block_signature_verify;  // per orderer signature on a block
  Duration vscc_per_endorsement;  // per endorsement signature checked
  Duration policy_eval;        // per endorsement-policy evaluation
  Duration mvcc_per_tx;        // per transaction: rwset bookkeeping
  Duration mvcc_per_read;      // per read or range query checked
  Duration ledger_commit_per_tx;  // per transaction: indexes, history
  Duration state_write_per_key;
  Duration block_write_per_kb;
  Duration fsync;             // per committed block
  Duration block_event;        // per subscriber notified
};
// The charges of CostModel::defaults() under ECDSA (model/node_costs.h derives every
// process's charges from the cost model; this is PeerConfig's default).
PeerCosts default_peer_costs();

struct PeerConfig {
  std::string channel_id;
  const crypto::MspManager* msps = nullptr;         // the channel's MSPs (not owned)
  const crypto::SigningIdentity* signer = nullptr;  // this peer's identity (not owned)
  const crypto::Verifier* verifier = nullptr;       // shared per run (not owned)
  // Chaincode name -> definition (version, endorsement policy) and kind (kvstore, ...).
  const std::map<std::string, validation::ChaincodeDefinition>* chaincodes = nullptr;
  std::map<std::string, std::string> chaincode_kinds;
  // The ordering service nodes Deliver may pull from, in preference order (Fabric's
  // deliver client's endpoint list). The stream goes to one of them; when the watchdog sees
  // no progress for deliver_retry, the peer fails over to the next one (round robin) and
  // re-opens the stream there from its height. Empty: no Deliver.
  std::vector<HostId> orderers;
  // The MSP IDs of the channel's application organisations. When set, a proposal whose
  // creator belongs to none of them is refused, as Fabric's peer/Propose ACL
  // (/Channel/Application/Writers) refuses it: the channel's MSPs also hold the orderer
  // organisation's, whose identities may not propose.
  std::set<std::string> application_msp_ids;
  // The channel's BlockValidation policy (not owned). When set, every delivered block after
  // the genesis is checked as Fabric's deliver client does (validation/block_verify.h)
  // before it is validated and committed; a block that fails is dropped with its stream.
  const CompiledSignaturePolicy* block_validation = nullptr;
  Duration deliver_retry = Duration::seconds(5);
  // Fabric's peer.validatorPoolSize: a block's transactions are validated (envelope checks,
  // signatures, VSCC) by up to this many workers at once (>= 1; Fabric's default is the
  // node's cores, 1 is Fabric 1.0's serial VSCC). MVCC and the ledger commit stay serial.
  uint32_t validator_pool_size = 2;
  PeerCosts costs = default_peer_costs();
  std::string ledger_path = "peer/ledger";
};

// Fabric's InitializedKeyName: the reserved key in a chaincode's namespace that records the
// version that ran Init ("\x00" + U+10FFFF in UTF-8 + "initialized").
inline const std::string kInitializedKey = std::string("\x00\xf4\x8f\xbf\xbf", 5) + "initialized";

class PeerProcess : public Process {
 public:
  static constexpr uint64_t kDeliverWatchdogTag = 1;
  // Lanes (core/node.h): the committer handles one block at a time, in order, with the
  // Deliver stream, its watchdog and event registrations (their order against blocks
  // matters); the endorser answers proposals concurrently on any free core and never waits
  // behind a block being validated.
  static constexpr LaneId kCommitterLane = 0;
  static constexpr LaneId kEndorserLane = 1;

  explicit PeerProcess(PeerConfig config);

  std::vector<LaneSpec> lanes() const override;
  LaneId lane_of_message(HostId from, const Message& msg) const override;

  void on_start(NodeContext& ctx) override;
  void on_message(NodeContext& ctx, HostId from, const Message& msg) override;
  void on_timer(NodeContext& ctx, TimerId id, uint64_t tag) override;

  uint64_t height() const { return ledger_ ? ledger_->height() : 0; }
  const ledger::Ledger* ledger() const { return ledger_.get(); }
  uint64_t stream_id() const { return stream_id_; }
  // The orderer the current (or last) Deliver stream goes to; kNoHost without orderers.
  HostId deliver_source() const { return config_.orderers.empty() ? kNoHost : config_.orderers[orderer_index_]; }

 private:
  void endorse(NodeContext& ctx, HostId from, const std::string& bytes);
  void on_deliver_reply(NodeContext& ctx, const std::string& bytes);
  void commit(NodeContext& ctx, common::Block block);
  void open_stream(NodeContext& ctx);
  void close_stream(NodeContext& ctx);  // cancels the current Deliver stream, if any
  // Fabric's CheckInit for a chaincode defined with init required: true when this
  // invocation is the Init (the initialized key is then written), false for an ordinary
  // invocation; an error when the order is wrong.
  Result<bool> check_init(chaincode::TxSimulator& sim, const validation::ChaincodeDefinition& def, bool is_init);
  // The BlockEvent of a committed block; tx_ids may be empty (then read from the envelopes).
  fabsim::BlockEvent block_event(const common::Block& block, const std::vector<uint8_t>& codes,
                                 const std::vector<std::string>& tx_ids) const;
  // Sends `to` the BlockEvents of committed blocks start .. height-1.
  void replay_events(NodeContext& ctx, HostId to, uint64_t start);

  PeerConfig config_;
  chaincode::ChaincodeRegistry registry_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::set<HostId> subscribers_;
  uint64_t stream_id_ = 0;
  HostId stream_orderer_ = kNoHost;  // where stream_id_ was opened
  size_t orderer_index_ = 0;          // into config_.orderers: the current Deliver source
  uint64_t stream_counter_ = 0;
  uint64_t height_at_last_check_ = 0;
  bool failed_ = false;  // the ledger could not be opened or a commit failed: stop
};

}  // namespace fabsim::peer
