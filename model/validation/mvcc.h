// MVCC validation: Fabric's ValidateAndPrepareBatch (fabric-semantics.md §3.1 stage B,
// §3.2, §3.3). Runs sequentially in block order over the transactions that are still VALID
// after the earlier checks, against the committed state plus the updates of the block's
// earlier valid transactions.
//
// Per transaction, namespaces are visited in the rwset's order; in each namespace: public
// reads (MVCC_READ_CONFLICT), then range queries in issue order (PHANTOM_READ_CONFLICT).
// The first failure decides. A transaction whose rwset does not parse gets
// INVALID_OTHER_REASON. The writes of each transaction that stays VALID are applied to the
// batch with version (block number, transaction index); invalid transactions' writes are
// never applied. Private-data (hashed) reads are not modelled.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/status.h"
#include "model/ledger/state.h"
#include "model/ledger/update_batch.h"

namespace fabsim::validation {

using ledger::UpdateBatch;

// One transaction as MVCC sees it. `rwset` is null for a transaction already marked
// invalid (it is skipped); `code` is its TxValidationCode so far (protos::TxValidationCode
// numbers; 0 = VALID) and is updated in place.
struct MvccTx {
  const rwset::TxReadWriteSet* rwset = nullptr;
  uint8_t code = 0;
  // Optional: each namespace's KVRWSet already parsed (in rwset order), e.g. by VSCC.
  const std::vector<kvrwset::KVRWSet>* parsed = nullptr;
};

// Fills the codes and returns the batch to commit. A storage error aborts the whole block
// (a non-OK Result), as in Fabric.
Result<UpdateBatch> validate_and_prepare_batch(const ledger::StateReader& committed, uint64_t block_num,
                                               std::span<MvccTx> txs);

// The range-query re-run over committed state + batch: (key, version) of every live key in
// [start, end) — or [start, end] when `include_end_key` (a partially iterated query).
struct RangeResult {
  std::string key;
  ledger::Height version;
};
Result<std::vector<RangeResult>> rerun_range(const ledger::StateReader& committed, const UpdateBatch& batch,
                                             const std::string& ns, const std::string& start, const std::string& end,
                                             bool include_end_key);

// Whether a recorded range query still holds (true) or is a phantom (false).
Result<bool> range_query_valid(const ledger::StateReader& committed, const UpdateBatch& batch, const std::string& ns,
                               const kvrwset::RangeQueryInfo& rqi);

}  // namespace fabsim::validation
