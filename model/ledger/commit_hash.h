// COMMIT_HASH (fabric-semantics.md §8.5; Fabric 2.2 kv_ledger.go addBlockCommitHash and
// txmgr/update_batch_bytes.go deterministicBytesForPubAndHashUpdates).
//
//   commit_hash(block) = SHA-256( varint(len(filter)) || filter || update_batch_bytes
//                                 || commit_hash(previous block) )
// stored in block metadata slot 4 as a marshalled common.Metadata{value = commit_hash}.
//
// update_batch_bytes is Fabric's txmgr.Updates{repeated KVWrite kvwrites = 1} marshalled,
// with KVWrite{namespace = 1, collection = 2, key = 3, isDelete = 4, value = 5,
// version_bytes = 6}: one KVWrite per batch entry in (namespace, key) byte order, the
// namespace set only on the first entry of each namespace, version_bytes =
// Height.ToBytes() (ordered_encoding.h), proto3 rules (empty/false fields omitted). The
// empty namespace (Fabric's channel-config namespace) is skipped. No private data, so no
// collection entries.
//
// When the ledger computes it (Ledger::commit_block, as Fabric): for block 1, and for any
// later block when the previous commit hash is non-empty — so a chain that starts at the
// genesis block carries a hash on every block after it. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/proto/common/common.pb.h"
#include "core/status.h"
#include "model/ledger/update_batch.h"

namespace fabsim::ledger {

std::string update_batch_bytes(const UpdateBatch& batch);

std::string compute_commit_hash(std::string_view txs_filter, std::string_view update_batch_bytes,
                                std::string_view previous_commit_hash);

// Computes the block's commit hash from its TRANSACTIONS_FILTER and `batch`, stores it in
// metadata slot 4 (adding empty slots up to 5 if the block has fewer), and returns it.
std::string add_block_commit_hash(common::Block* block, const UpdateBatch& batch,
                                  std::string_view previous_commit_hash);

// The commit hash stored in the block's slot 4; empty when the slot is absent or empty.
// Corruption when the slot holds bytes that do not parse as common.Metadata.
Result<std::string> stored_commit_hash(const common::Block& block);

}  // namespace fabsim::ledger
