// Reading transactions back out of a stored block, as Fabric's protoutil does. Used by the
// block store (txid index), the history database, and recovery (recomputing a block's
// state updates from the block alone).
//
// The extraction chain for an endorser transaction (protoutil.GetActionFromEnvelope):
//   Envelope.payload -> Payload.data -> Transaction.actions[0].payload
//   -> ChaincodeActionPayload.action -> ChaincodeEndorsedAction.proposal_response_payload
//   -> ProposalResponsePayload.extension -> ChaincodeAction.results -> TxReadWriteSet,
// and each NsReadWriteSet.rwset is a KVRWSet. Only the first action is read (Fabric uses
// actions[0]). Hashed private-data rwsets and key metadata writes are not modelled and are
// ignored. Transactions whose channel header type is not ENDORSER_TRANSACTION (CONFIG, ...)
// contribute no state or history writes here (Fabric applies config through a separate
// processor into a namespace fabsim does not model).
//
// Failures are values: bytes that do not parse give a Corruption status naming the step.
// Pure functions over the given bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/proto/common/common.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/status.h"
#include "model/ledger/update_batch.h"

namespace fabsim::ledger {

// protoutil.GetOrComputeTxIDFromEnvelope: the channel header's tx_id, or when it is empty,
// crypto::compute_tx_id over the signature header's nonce and creator.
Result<std::string> txid_from_envelope(std::string_view envelope_bytes);

// The channel header's type (a common::HeaderType value) of a marshalled envelope.
Result<int32_t> header_type_from_envelope(std::string_view envelope_bytes);

// The TxReadWriteSet of an endorser transaction's envelope (the chain above).
Result<rwset::TxReadWriteSet> rwset_from_envelope(std::string_view envelope_bytes);

// The block's TRANSACTIONS_FILTER: metadata slot 2, raw bytes, one TxValidationCode per
// transaction; empty when the slot is absent.
std::string_view transactions_filter(const common::Block& block);

struct KvWrite {
  std::string ns;
  std::string key;
  bool is_delete = false;
  std::string value;
  bool operator==(const KvWrite&) const = default;
};

struct TxWrites {
  uint64_t tx_num = 0;  // position in the block, counting invalid transactions
  std::vector<KvWrite> writes;  // namespaces and writes in rwset order
};

// The writes of every VALID endorser transaction of the block, in block order. A
// transaction flagged VALID must parse; if it does not, the stored block is corrupt and
// the result is a Corruption status naming the block and transaction. A filter shorter
// than the data is Corruption as well.
Result<std::vector<TxWrites>> valid_tx_writes(const common::Block& block);

// The block's state updates, recomputed from the block alone: the writes of its valid
// transactions folded into an UpdateBatch with versions (block, tx_num).
Result<UpdateBatch> updates_from_block(const common::Block& block);

}  // namespace fabsim::ledger
