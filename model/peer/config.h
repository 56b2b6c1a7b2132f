// The peer's configuration: its costs, the channels it has joined, and the node-wide
// settings (model/peer/peer.h composes the components that read them).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/node.h"
#include "core/policy/policy_evaluator.h"
#include "core/time.h"
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

// One channel the peer has joined: Fabric keeps a ledger, a committer, a deliver client and
// an event service per channel.
struct ChannelConfig {
  std::string channel_id;
  const crypto::MspManager* msps = nullptr;  // the channel's MSPs (not owned)
  // Chaincode name -> definition (version, endorsement policy) and kind (kvstore, ...):
  // the chaincodes defined on this channel.
  const std::map<std::string, validation::ChaincodeDefinition>* chaincodes = nullptr;
  std::map<std::string, std::string> chaincode_kinds;
  // The MSP IDs of the channel's application organisations. When set, a proposal whose
  // creator belongs to none of them is refused, as Fabric's peer/Propose ACL
  // (/Channel/Application/Writers) refuses it: the channel's MSPs also hold the orderer
  // organisation's, whose identities may not propose.
  std::set<std::string> application_msp_ids;
  // The channel's BlockValidation policy (not owned). When set, every delivered block after
  // the genesis is checked as Fabric's deliver client does (validation/block_verify.h)
  // before it is validated and committed; a block that fails is dropped with its stream.
  const CompiledSignaturePolicy* block_validation = nullptr;
};

struct PeerConfig {
  std::vector<ChannelConfig> channels;               // distinct ids (none: an idle peer)
  const crypto::SigningIdentity* signer = nullptr;  // this peer's identity (not owned)
  const crypto::Verifier* verifier = nullptr;       // shared per run (not owned)
  // The ordering service nodes Deliver may pull from, in preference order (Fabric's
  // deliver client's endpoint list). Each channel's stream goes to one of them; when the
  // watchdog sees no progress for deliver_retry, the channel fails over to the next one
  // (round robin) and re-opens the stream there from its height. Empty: no Deliver.
  std::vector<HostId> orderers;
  Duration deliver_retry = Duration::seconds(5);
  // Fabric's peer.validatorPoolSize: a block's transactions are validated (envelope checks,
  // signatures, VSCC) by up to this many workers at once (>= 1; Fabric's default is the
  // node's cores, 1 is Fabric 1.0's serial VSCC). MVCC and the ledger commit stay serial.
  uint32_t validator_pool_size = 2;
  PeerCosts costs = default_peer_costs();
  // Each channel's ledger lives in ledger_path(ledger_root, channel) on the host's Env.
  std::string ledger_root = "peer/ledgers";
};

// Where a channel's ledger lives under `root` (Fabric: ledgersData/chains/<channel>).
inline std::string ledger_path(const std::string& root, const std::string& channel) { return root + "/" + channel; }

}  // namespace fabsim::peer
