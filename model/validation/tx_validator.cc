#include "model/validation/tx_validator.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "core/crypto/creator_check.h"
#include "core/crypto/sha256.h"
#include "core/crypto/txid.h"
#include "core/proto/peer/chaincode_event.pb.h"
#include "model/protoutil/envelope_view.h"
#include "model/protoutil/txutil.h"
#include "model/validation/mvcc.h"

namespace fabsim::validation {
namespace {

using Code = protos::TxValidationCode;

bool signature_header_valid(const protoutil::SignatureHeaderView& shdr) {
  return !shdr.nonce.empty() && !shdr.creator.empty();
}

// checkSignatureFromCreator, after its nil-argument check.
bool creator_signature_valid(std::string_view creator, std::string_view signature, std::string_view message,
                             const ValidationContext& ctx, ValidationWork* work) {
  if (creator.empty() || signature.empty() || message.empty()) return false;
  const Status s = crypto::check_signature_from_creator(*ctx.msps, *ctx.verifier, creator, message, signature);
  if (s.is_ok() || s.code() == StatusCode::kCorruption) ++work->signatures_verified;  // a signature was checked
  return s.is_ok();
}

// validateEndorserTransaction: exactly one action with a valid signature header, parsable
// action payload and response payload, and a proposal hash that matches.
bool endorser_transaction_valid(const protoutil::PayloadView& payload, CheckedTx* out) {
  protoutil::ActionView act;
  if (!protoutil::read_single_action(payload.data, &out->transaction_scratch, &act)) return false;
  protoutil::SignatureHeaderView action_shdr;
  if (!protoutil::read_signature_header(act.header, &out->action_signature_header_scratch, &action_shdr) ||
      !signature_header_valid(action_shdr))
    return false;
  std::string_view chaincode_proposal_payload;
  if (protoutil::read_action_payload(act.payload, &out->action_payload_scratch, &chaincode_proposal_payload,
                                     &out->endorsed_action) != protoutil::ActionPayloadRead::kOk)
    return false;  // does not parse, or has no action
  if (!protoutil::parse(&out->response_payload, out->endorsed_action.proposal_response_payload())) return false;
  const std::string hash = protoutil::proposal_hash(payload.channel_header, act.header, chaincode_proposal_payload);
  return hash == out->response_payload.proposal_hash();
}

}  // namespace

uint8_t validate_transaction(const common::Envelope& env, const ValidationContext& ctx, CheckedTx* out,
                             ValidationWork* work) {
  return validate_transaction(env.payload(), env.signature(), ctx, out, work);
}

uint8_t validate_transaction(std::string_view payload_bytes, std::string_view signature,
                             const ValidationContext& ctx, CheckedTx* out, ValidationWork* work) {
  ++work->envelopes;
  // Parsed straight into *out: a caller that reuses one CheckedTx for many transactions
  // reuses its buffers too (protobuf's Clear keeps string capacity). The payload itself is
  // read in place (protoutil/envelope_view.h).
  CheckedTx& tx = *out;
  protoutil::PayloadView payload;
  switch (protoutil::read_payload(payload_bytes, &tx.payload_scratch, &payload)) {
    case protoutil::PayloadRead::kOk: break;
    case protoutil::PayloadRead::kMalformed: return Code::BAD_PAYLOAD;
    case protoutil::PayloadRead::kNoHeader: return Code::BAD_COMMON_HEADER;
  }
  protoutil::SignatureHeaderView shdr;
  if (!protoutil::parse(&tx.channel_header, payload.channel_header) ||
      !protoutil::read_signature_header(payload.signature_header, &tx.signature_header_scratch, &shdr))
    return Code::BAD_COMMON_HEADER;
  const int32_t type = tx.channel_header.type();
  if (type != common::ENDORSER_TRANSACTION && type != common::CONFIG_UPDATE && type != common::CONFIG)
    return Code::BAD_COMMON_HEADER;
  if (tx.channel_header.epoch() != 0 || !signature_header_valid(shdr)) return Code::BAD_COMMON_HEADER;
  if (!creator_signature_valid(shdr.creator, signature, payload_bytes, ctx, work))
    return Code::BAD_CREATOR_SIGNATURE;
  if (type == common::CONFIG) return Code::INVALID_CONFIG_TRANSACTION;  // not modelled
  if (type != common::ENDORSER_TRANSACTION) return Code::UNSUPPORTED_TX_PAYLOAD;
  if (!crypto::tx_id_matches(tx.channel_header.tx_id(), shdr.nonce, shdr.creator))
    return Code::BAD_PROPOSAL_TXID;
  if (!endorser_transaction_valid(payload, &tx)) return Code::INVALID_ENDORSER_TRANSACTION;
  return Code::VALID;
}

uint8_t dispatch_vscc(const CheckedTx& tx, const ValidationContext& ctx, rwset::TxReadWriteSet* rwset_out,
                      ValidationWork* work, std::vector<kvrwset::KVRWSet>* parsed_out) {
  protos::ChaincodeHeaderExtension& ext = tx.extension_scratch;
  if (!protoutil::parse(&ext, tx.channel_header.extension())) return Code::BAD_HEADER_EXTENSION;
  protos::ChaincodeAction& action = tx.chaincode_action_scratch;
  if (!protoutil::parse(&action, tx.response_payload.extension())) return Code::BAD_RESPONSE_PAYLOAD;
  rwset::TxReadWriteSet rws;
  if (!protoutil::parse(&rws, action.results())) return Code::BAD_RWSET;
  if (!ext.has_chaincode_id() || !action.has_chaincode_id()) return Code::INVALID_OTHER_REASON;
  const std::string& cc = ext.chaincode_id().name();
  if (cc.empty() || cc != action.chaincode_id().name() || action.chaincode_id().version().empty())
    return Code::INVALID_CHAINCODE;
  if (!action.events().empty()) {
    protos::ChaincodeEvent event;
    if (!protoutil::parse(&event, action.events()) || event.chaincode_id() != cc) return Code::INVALID_OTHER_REASON;
  }
  // The namespaces whose policy must hold: the invoked chaincode and every namespace written,
  // each once, in name order. A namespace may appear once in the rwset: the first repeat (in
  // rwset order, before later namespaces are parsed) is ILLEGAL_WRITESET. Views into ext and
  // rws, which outlive their use here.
  const int n = rws.ns_rwset_size();
  std::vector<std::string_view> written{cc};
  std::unordered_set<std::string_view> seen;  // membership only, for many namespaces
  constexpr int kLinear = 8;
  std::vector<kvrwset::KVRWSet> parsed(n);
  for (int i = 0; i < n; ++i) {
    const auto& ns = rws.ns_rwset(i);
    const std::string_view name = ns.namespace_();
    bool repeated = false;
    if (n <= kLinear) {
      for (int j = 0; j < i && !repeated; ++j) repeated = rws.ns_rwset(j).namespace_() == name;
    } else {
      repeated = !seen.insert(name).second;
    }
    if (repeated) return Code::ILLEGAL_WRITESET;
    kvrwset::KVRWSet& kv = parsed[i];
    if (!protoutil::parse(&kv, ns.rwset())) return Code::BAD_RWSET;
    if (kv.writes_size() > 0 || kv.metadata_writes_size() > 0) written.push_back(name);
  }
  std::sort(written.begin(), written.end());
  written.erase(std::unique(written.begin(), written.end()), written.end());
  // The signer set of the builtin VSCC: each endorsement's identity, and whether it is a
  // valid identity whose signature over (response payload ‖ endorser) verifies. The scratch
  // signers are overwritten in place, keeping their strings' buffers.
  const std::string& prp_bytes = tx.endorsed_action.proposal_response_payload();
  std::vector<PolicySigner>& signers = tx.signers_scratch;
  signers.resize(static_cast<size_t>(tx.endorsed_action.endorsements_size()));
  for (int k = 0; k < tx.endorsed_action.endorsements_size(); ++k) {
    const protos::Endorsement& e = tx.endorsed_action.endorsements(k);
    PolicySigner& s = signers[static_cast<size_t>(k)];
    s.signature_valid = false;
    s.identity.msp_id.clear();
    s.identity.id_key.clear();
    s.identity.roles_mask = 0;
    auto identity = ctx.msps->deserialize_identity(e.endorser());
    if (identity.is_ok() && identity->is_valid()) {
      s.identity.msp_id = identity->msp_id();
      s.identity.id_key = identity->id_key();
      s.identity.roles_mask = identity->roles_mask();
      ++work->signatures_verified;
      // The signed data is prp ‖ endorser; hash it in two pieces rather than concatenating.
      const crypto::Digest256 digest = crypto::sha256_concat({prp_bytes, e.endorser()});
      s.signature_valid = ctx.verifier->verify_digest(identity->certificate(), digest, e.signature()).is_ok();
    }
  }
  for (std::string_view ns : written) {
    auto def = ctx.chaincodes->find(std::string(ns));
    if (def == ctx.chaincodes->end()) return Code::INVALID_CHAINCODE;
    ++work->policy_evaluations;
    if (!def->second.endorsement_policy.evaluate(signers).satisfied) return Code::ENDORSEMENT_POLICY_FAILURE;
  }
  *rwset_out = std::move(rws);
  if (parsed_out != nullptr) *parsed_out = std::move(parsed);
  return Code::VALID;
}

void mark_txid_duplicates(const std::vector<std::string>& txids, std::vector<uint8_t>& codes) {
  std::unordered_set<std::string_view> seen;  // membership only; never iterated
  seen.reserve(txids.size());
  for (size_t i = 0; i < txids.size(); ++i) {
    if (codes[i] != Code::VALID || txids[i].empty()) continue;
    if (!seen.insert(txids[i]).second) codes[i] = Code::DUPLICATE_TXID;
  }
}

Result<BlockValidation> validate_block(const common::Block& block, const ValidationContext& ctx,
                                       const ledger::StateReader& committed, const TxIdExists& tx_exists) {
  const int n = block.data().data_size();
  BlockValidation out;
  out.codes.assign(n, Code::NOT_VALIDATED);
  out.tx_ids.assign(n, "");
  out.tx_work.assign(n, {});
  std::vector<rwset::TxReadWriteSet> rwsets(n);
  std::vector<std::vector<kvrwset::KVRWSet>> parsed(n);
  common::Envelope env_scratch;  // only where the envelope is not read in place
  CheckedTx tx;                  // reused across transactions, with their buffers
  for (int i = 0; i < n; ++i) {
    protoutil::EnvelopeView env;
    if (!protoutil::read_envelope(block.data().data(i), &env_scratch, &env)) {
      out.codes[i] = Code::INVALID_OTHER_REASON;
      continue;
    }
    ValidationWork& tw = out.tx_work[i];
    uint8_t code = validate_transaction(env.payload, env.signature, ctx, &tx, &tw);
    if (code == Code::VALID && tx.channel_header.channel_id() != ctx.channel_id) code = Code::TARGET_CHAIN_NOT_FOUND;
    if (code == Code::VALID) {
      out.tx_ids[i] = tx.channel_header.tx_id();
      auto exists = tx_exists(out.tx_ids[i]);
      if (!exists.is_ok()) return exists.status();
      if (*exists) code = Code::DUPLICATE_TXID;
    }
    if (code == Code::VALID) code = dispatch_vscc(tx, ctx, &rwsets[i], &tw, &parsed[i]);
    out.codes[i] = code;
    out.work.envelopes += tw.envelopes;
    out.work.signatures_verified += tw.signatures_verified;
    out.work.policy_evaluations += tw.policy_evaluations;
  }
  mark_txid_duplicates(out.tx_ids, out.codes);
  std::vector<MvccTx> mvcc(n);
  for (int i = 0; i < n; ++i) {
    mvcc[i].code = out.codes[i];
    if (out.codes[i] == Code::VALID) {
      mvcc[i].rwset = &rwsets[i];
      mvcc[i].parsed = &parsed[i];
      for (const auto& kv : parsed[i]) {
        out.work.reads_checked += kv.reads_size();
        out.work.range_queries_checked += kv.range_queries_info_size();
      }
    }
  }
  auto batch = validate_and_prepare_batch(committed, block.header().number(), mvcc);
  if (!batch.is_ok()) return batch.status();
  for (int i = 0; i < n; ++i) {
    out.codes[i] = mvcc[i].code;
    if (out.codes[i] != Code::VALID) continue;
    ledger::TxWrites tx{static_cast<uint64_t>(i), {}};
    for (int k = 0; k < rwsets[i].ns_rwset_size(); ++k) {
      const std::string& ns = rwsets[i].ns_rwset(k).namespace_();
      for (const auto& w : parsed[i][k].writes()) tx.writes.push_back({ns, w.key(), w.is_delete(), w.value()});
    }
    out.valid_writes.push_back(std::move(tx));
  }
  out.work.writes_applied = batch->size();
  out.updates = std::move(batch).value();
  return out;
}

}  // namespace fabsim::validation
