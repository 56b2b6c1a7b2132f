// A fixed, varied chain for the ledger's commit, recovery and determinism tests: a config
// genesis block, then blocks mixing valid and invalid transactions, overwrites of hot
// keys, deletes, several namespaces and an unparseable (invalid) envelope now and then.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tests/model/ledger_test_util.h"

namespace fabsim::ledger::testing {

struct WorkBlock {
  common::Block block;
  UpdateBatch updates;  // computed by ChainBuilder from the specs, not by the code under test
};

inline std::vector<WorkBlock> workload(int blocks) {
  ChainBuilder chain;
  std::vector<WorkBlock> out;
  WorkBlock genesis;
  genesis.block = chain.next({{"genesis-config", {}, 0, Kind::kConfig}}, &genesis.updates);
  out.push_back(std::move(genesis));
  for (int b = 1; b < blocks; ++b) {
    const std::string s = std::to_string(b);
    std::vector<TxSpec> txs;
    txs.push_back({"put-" + s, {{"cc", "k" + std::to_string(b % 6), "v" + s}, {"cc", "seq" + s, s}}});
    txs.push_back({"conflict-" + s, {{"cc", "k0", "never"}}, protos::MVCC_READ_CONFLICT});
    txs.push_back({"other-" + s, {{"cc2", "k" + std::to_string(b % 3), "w" + s}}});
    if (b % 3 == 0) txs.push_back({"del-" + s, {{"cc", "k" + std::to_string((b + 1) % 6), std::nullopt}}});
    if (b % 4 == 0) txs.push_back({"", {}, protos::INVALID_OTHER_REASON, Kind::kGarbage});
    txs.push_back({"last-" + s, {{"cc", "k" + std::to_string(b % 6), "last" + s}}});
    WorkBlock wb;
    wb.block = chain.next(txs, &wb.updates);
    out.push_back(std::move(wb));
  }
  return out;
}

}  // namespace fabsim::ledger::testing
