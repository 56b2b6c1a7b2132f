// Post-run safety checks over the peers' ledgers of one channel (issue: end to end, item 6).
//
//  1. Agreement: at every height two peers both hold, the block header hash and the
//     TRANSACTIONS_FILTER are the same.
//  2. State: peers at the same height hold the same state database (a hash over every
//     key, value, version and the savepoint).
//  3. Policy: every transaction committed VALID satisfies its chaincode's endorsement
//     policy when re-checked from the block alone (envelope checks and VSCC again).
//  4. Uniqueness: no TxID is committed VALID twice.
// A violation names the heights and peers involved. Checks read the ledgers only; they
// never change them.
#pragma once

#include <string>
#include <vector>

#include "model/ledger/ledger.h"
#include "model/validation/tx_validator.h"

namespace fabsim {

struct PeerLedger {
  std::string peer;  // a name for reports, e.g. "Org1.peer0"
  const ledger::Ledger* ledger = nullptr;
};

struct InvariantReport {
  std::vector<std::string> violations;  // empty when every invariant holds
  uint64_t heights_compared = 0;        // (height, peer pair) comparisons made
  uint64_t transactions_rechecked = 0;  // VALID transactions whose policy was re-checked
  bool hold() const { return violations.empty(); }
};

// `ctx` gives the channel, MSPs, verifier and chaincode definitions for the policy re-check.
InvariantReport check_invariants(const std::vector<PeerLedger>& peers, const validation::ValidationContext& ctx);

// The hash of a peer's whole state database, as compared by check 2 (hex).
std::string state_hash(const ledger::Ledger& ledger);

}  // namespace fabsim
