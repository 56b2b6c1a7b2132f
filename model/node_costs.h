// From the cost model (core/cost_model.h: one Duration per Fabric operation, signatures and
// hashing charged separately) to the per-operation charges each process takes in its
// config (PeerCosts, OrdererCosts, ClientCosts). One function per role; each field's
// formula is next to it in node_costs.cc and in docs/cost-model.md ("How the nodes charge").
// This is the one source of the processes' charges: the structs have no defaults of their
// own, and a config's default `costs` is its role's function over CostModel::defaults()
// under ECDSA (default_peer_costs() and its siblings, declared next to each struct).
//
// Sizes: a process charges a fixed amount per operation, so the hashing part of a
// signature or verification is taken at a nominal size: 3 KiB for a proposal, a proposal
// response or a transaction envelope (the per-transaction size [S4] uses), and the
// per-KiB charges that depend on a block's real size (block_write_per_kb) are passed on
// as rates.
#pragma once

#include "core/cost_model.h"
#include "core/crypto/signature.h"
#include "model/client/client.h"
#include "model/orderer/solo.h"
#include "model/peer/peer.h"

namespace fabsim {

inline constexpr uint64_t kNominalMessageBytes = 3 * 1024;

peer::PeerCosts peer_costs(const CostModel& m, crypto::SignatureScheme scheme);
orderer::OrdererCosts orderer_costs(const CostModel& m, crypto::SignatureScheme scheme);
model::client::ClientCosts client_costs(const CostModel& m, crypto::SignatureScheme scheme);

}  // namespace fabsim
