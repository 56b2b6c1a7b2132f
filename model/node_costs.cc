#include "model/node_costs.h"

namespace fabsim {

peer::PeerCosts peer_costs(const CostModel& m, crypto::SignatureScheme scheme) {
  const uint64_t n = kNominalMessageBytes;
  peer::PeerCosts c;
  c.proposal_check = m.proposal_check + m.verify(scheme, n);  // the creator's signature
  c.chaincode_base = m.chaincode_base;
  c.chaincode_per_op = m.chaincode_per_op;
  c.endorse = m.endorse + m.sign(scheme, n);
  c.block_check = m.block_check;
  c.envelope_check = m.envelope_check;
  c.signature_verify = m.verify(scheme, n);  // per creator or endorsement signature
  c.block_signature_verify = m.verify(scheme, 0);  // the header and metadata: well under 1 KiB
  c.vscc_per_endorsement = m.vscc_per_endorsement;
  c.policy_eval = m.policy_eval;
  c.mvcc_per_tx = m.mvcc_per_tx;
  c.mvcc_per_read = m.mvcc_per_read;
  c.ledger_commit_per_tx = m.ledger_commit_per_tx;
  c.state_write_per_key = m.state_write_per_key;
  c.block_write_per_kb = m.block_write_per_kb;
  c.fsync = m.fsync;
  c.block_event = m.gossip_message;  // one event message marshalled and sent
  return c;
}

orderer::OrdererCosts orderer_costs(const CostModel& m, crypto::SignatureScheme scheme) {
  const uint64_t n = kNominalMessageBytes;
  orderer::OrdererCosts c;
  c.broadcast_check = m.orderer_envelope_check + m.verify(scheme, n);
  c.deliver_check = m.orderer_envelope_check + m.verify(scheme, n);
  c.block_cut = m.block_cut;
  c.block_sign = m.sign(scheme, 0);  // the header and metadata: well under 1 KiB
  c.block_write_per_kb = m.block_write_per_kb;
  c.deliver_per_block = m.gossip_message;  // one stream message marshalled and sent
  return c;
}

model::client::ClientCosts client_costs(const CostModel& m, crypto::SignatureScheme scheme) {
  const uint64_t n = kNominalMessageBytes;
  model::client::ClientCosts c;
  c.proposal_build_sign = m.client_proposal + m.sign(scheme, n);
  c.verify_response = m.verify(scheme, n);  // the endorser's signature on its response
  c.assemble_sign = m.client_envelope + m.sign(scheme, n);
  c.block_event = m.gossip_message;
  return c;
}

peer::PeerCosts peer::default_peer_costs() {
  return peer_costs(CostModel::defaults(), crypto::SignatureScheme::kEcdsaP256);
}

orderer::OrdererCosts orderer::default_orderer_costs() {
  return orderer_costs(CostModel::defaults(), crypto::SignatureScheme::kEcdsaP256);
}

model::client::ClientCosts model::client::default_client_costs() {
  return client_costs(CostModel::defaults(), crypto::SignatureScheme::kEcdsaP256);
}

}  // namespace fabsim
