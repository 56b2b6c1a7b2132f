// Commit-time validation of a block, in Fabric 2.2's order (fabric-semantics.md §3.1;
// core/committer/txvalidator/v20, core/common/validation/msgvalidation.go,
// plugindispatcher/dispatcher.go, handlers/validation/builtin/v20). Each stage is its own
// function with its own tests:
//
//   1. validate_transaction  (ValidateTransaction): the envelope's payload, common header
//      (channel header type and epoch, nonce, creator), the creator's signature, then for an
//      endorser transaction the TxID and the transaction's structure (one action, parsable
//      payloads, proposal hash matching the response payload).
//   2. channel check: TARGET_CHAIN_NOT_FOUND for another channel.
//   3. duplicate TxID against the ledger (any earlier transaction, valid or not).
//   4. dispatch_vscc: header extension, response payload, rwset, chaincode ids, duplicate
//      namespaces, then the endorsement policy of every namespace the transaction writes
//      plus the invoked chaincode's (Fabric iterates a Go map here; we use name order).
//   5. mark_txid_duplicates: later VALID copies of a TxID within the block.
//   6. MVCC (mvcc.h) over what is still VALID, giving the update batch.
// Configuration transactions are not modelled: a CONFIG envelope gets
// INVALID_CONFIG_TRANSACTION. Expected outcomes are codes; only storage failures (a TxID
// lookup that errs) fail the whole block, as in Fabric.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/policy/policy_evaluator.h"
#include "core/proto/common/common.pb.h"
#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/ledger/rwset/rwset.pb.h"
#include "core/proto/peer/proposal.pb.h"
#include "core/proto/peer/proposal_response.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "core/status.h"
#include "model/ledger/state.h"
#include "model/ledger/tx_rwset.h"
#include "model/ledger/update_batch.h"

namespace fabsim::validation {

struct ChaincodeDefinition {
  std::string name;
  std::string version;
  CompiledSignaturePolicy endorsement_policy;
  bool init_required = false;  // Fabric's InitRequired: Init exactly once per version (peer/peer.h)
};

// Counts of the work done, for the cost model to charge.
struct ValidationWork {
  uint64_t envelopes = 0;
  uint64_t signatures_verified = 0;  // creator and endorsement signatures checked
  uint64_t policy_evaluations = 0;
  uint64_t reads_checked = 0;        // MVCC public reads
  uint64_t range_queries_checked = 0;
  uint64_t writes_applied = 0;       // state keys in the update batch
};

struct ValidationContext {
  std::string channel_id;
  const crypto::MspManager* msps = nullptr;
  const crypto::Verifier* verifier = nullptr;
  const std::map<std::string, ChaincodeDefinition>* chaincodes = nullptr;
};

// The parsed pieces of an endorser transaction that passed validate_transaction, as VSCC
// needs them. The envelope's payload, the common header's signature header and the
// transaction's single action with its payload are read in place
// (model/protoutil/envelope_view.h) rather than parsed into messages, as the bulk of a
// transaction lies in them; the *_scratch messages hold a full parse in the rare case the
// wire walk defers to the protobuf parser.
struct CheckedTx {
  common::ChannelHeader channel_header;
  protos::ChaincodeEndorsedAction endorsed_action;  // the action payload's action
  protos::ProposalResponsePayload response_payload;

  // dispatch_vscc's working messages: scratch, reused with their buffers when one CheckedTx
  // serves many transactions.
  mutable protos::ChaincodeHeaderExtension extension_scratch;
  mutable protos::ChaincodeAction chaincode_action_scratch;
  mutable std::vector<PolicySigner> signers_scratch;

  common::Payload payload_scratch;
  common::SignatureHeader signature_header_scratch;
  common::SignatureHeader action_signature_header_scratch;
  protos::Transaction transaction_scratch;
  protos::ChaincodeActionPayload action_payload_scratch;
};

// Stage 1. Returns a TxValidationCode. Parses into *out (scratch space: reusing one
// CheckedTx across transactions reuses its buffers); *out is meaningful only when the
// result is VALID.
uint8_t validate_transaction(const common::Envelope& env, const ValidationContext& ctx, CheckedTx* out,
                             ValidationWork* work);
// The same on an envelope's payload and signature bytes (what validate_block reads in place
// from the block).
uint8_t validate_transaction(std::string_view payload, std::string_view signature, const ValidationContext& ctx,
                             CheckedTx* out, ValidationWork* work);

// Stage 4. VSCC for a transaction that passed stages 1-3. On VALID, *rwset_out holds the
// transaction's read-write set and, if given, *parsed_out each namespace's parsed KVRWSet.
uint8_t dispatch_vscc(const CheckedTx& tx, const ValidationContext& ctx, rwset::TxReadWriteSet* rwset_out,
                      ValidationWork* work, std::vector<kvrwset::KVRWSet>* parsed_out = nullptr);

// Stage 5. txids[i] is "" for transactions that are not endorser transactions.
void mark_txid_duplicates(const std::vector<std::string>& txids, std::vector<uint8_t>& codes);

// Whether a TxID is already in the ledger (the block store's index); an error aborts the block.
using TxIdExists = std::function<Result<bool>(const std::string& tx_id)>;

struct BlockValidation {
  std::vector<uint8_t> codes;  // TRANSACTIONS_FILTER, one TxValidationCode per transaction
  std::vector<std::string> tx_ids;
  ledger::UpdateBatch updates;
  // The writes of each VALID transaction, in block order: exactly what
  // ledger::valid_tx_writes() derives from the committed block, handed to the ledger so
  // history need not parse the block again.
  std::vector<ledger::TxWrites> valid_writes;
  ValidationWork work;
  // Per transaction, the work of stages 1-4 (what Fabric runs per transaction on the
  // validator pool: envelope checks, signatures, VSCC), in block order; `work` holds their
  // sum plus the MVCC and state-write counts of stage 6.
  std::vector<ValidationWork> tx_work;
};

// All stages over one block, against the committed state before it.
Result<BlockValidation> validate_block(const common::Block& block, const ValidationContext& ctx,
                                       const ledger::StateReader& committed, const TxIdExists& tx_exists);

}  // namespace fabsim::validation
