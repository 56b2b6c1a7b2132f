#include "model/ledger/tx_rwset.h"

#include "core/crypto/txid.h"

#include <fmt/format.h>

#include "core/proto/ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "core/proto/peer/proposal.pb.h"
#include "core/proto/peer/proposal_response.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/ledger/block_hash.h"
#include "model/protoutil/envelope_view.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::ledger {
namespace {

using protoutil::parse;

Result<common::Payload> payload_of(std::string_view envelope_bytes) {
  common::Envelope env;
  if (!parse(&env, envelope_bytes)) return Status::corruption("envelope does not parse");
  common::Payload payload;
  if (!parse(&payload, env.payload())) return Status::corruption("envelope payload does not parse");
  return payload;
}

// The channel header and the signature header's bytes of an envelope, as parsing the
// envelope, its payload and the channel header would give them, but read in place
// (protoutil/envelope_view.h): the payload's data (the bulk of a transaction) and the
// signature header (the creator's identity) are neither parsed nor copied. The view points
// into the envelope's bytes or into the scratch messages.
struct EnvelopeHeaders {
  common::ChannelHeader channel_header;
  std::string_view signature_header;
  common::Envelope envelope_scratch;
  common::Payload payload_scratch;
};

Status headers_of(std::string_view envelope_bytes, EnvelopeHeaders* out) {
  protoutil::EnvelopeView env;
  if (!protoutil::read_envelope(envelope_bytes, &out->envelope_scratch, &env))
    return Status::corruption("envelope does not parse");
  protoutil::PayloadView payload;
  switch (protoutil::read_payload(env.payload, &out->payload_scratch, &payload)) {
    case protoutil::PayloadRead::kOk: break;
    case protoutil::PayloadRead::kMalformed: return Status::corruption("envelope payload does not parse");
    case protoutil::PayloadRead::kNoHeader: return Status::corruption("payload header is missing");
  }
  if (!parse(&out->channel_header, payload.channel_header)) return Status::corruption("channel header does not parse");
  out->signature_header = payload.signature_header;
  return Status::ok();
}

}  // namespace

Result<std::string> txid_from_envelope(std::string_view envelope_bytes) {
  EnvelopeHeaders h;
  if (Status s = headers_of(envelope_bytes, &h); !s.is_ok()) return s;
  if (!h.channel_header.tx_id().empty()) return std::move(*h.channel_header.mutable_tx_id());
  common::SignatureHeader shdr;
  if (!parse(&shdr, h.signature_header)) return Status::corruption("signature header does not parse");
  return crypto::compute_tx_id(shdr.nonce(), shdr.creator());
}

Result<int32_t> header_type_from_envelope(std::string_view envelope_bytes) {
  EnvelopeHeaders h;
  if (Status s = headers_of(envelope_bytes, &h); !s.is_ok()) return s;
  return h.channel_header.type();
}

Result<rwset::TxReadWriteSet> rwset_from_envelope(std::string_view envelope_bytes) {
  auto payload = payload_of(envelope_bytes);
  if (!payload) return payload.status();
  protos::Transaction tx;
  if (!parse(&tx, payload->data())) return Status::corruption("transaction does not parse");
  if (tx.actions_size() == 0) return Status::corruption("transaction has no actions");
  protos::ChaincodeActionPayload cap;
  if (!parse(&cap, tx.actions(0).payload())) return Status::corruption("chaincode action payload does not parse");
  if (!cap.has_action()) return Status::corruption("chaincode action payload has no endorsed action");
  protos::ProposalResponsePayload prp;
  if (!parse(&prp, cap.action().proposal_response_payload()))
    return Status::corruption("proposal response payload does not parse");
  protos::ChaincodeAction action;
  if (!parse(&action, prp.extension())) return Status::corruption("chaincode action does not parse");
  rwset::TxReadWriteSet rws;
  if (!parse(&rws, action.results())) return Status::corruption("read-write set does not parse");
  return rws;
}

std::string_view transactions_filter(const common::Block& block) {
  const auto& md = block.metadata().metadata();
  if (md.size() <= common::TRANSACTIONS_FILTER) return {};
  return md.Get(common::TRANSACTIONS_FILTER);
}

Result<std::vector<TxWrites>> valid_tx_writes(const common::Block& block) {
  const uint64_t block_num = block.header().number();
  const auto& data = block.data().data();
  std::string_view filter = transactions_filter(block);
  if (filter.size() != static_cast<size_t>(data.size())) {
    return Status::corruption(fmt::format("block {}: TRANSACTIONS_FILTER has {} entries for {} transactions",
                                          block_num, filter.size(), data.size()));
  }
  std::vector<TxWrites> out;
  for (int i = 0; i < data.size(); ++i) {
    if (static_cast<unsigned char>(filter[i]) != protos::VALID) continue;
    auto fail = [&](const Status& s) {
      return Status::corruption(fmt::format("block {} tx {} is flagged VALID but {}", block_num, i, s.message()));
    };
    auto type = header_type_from_envelope(data.Get(i));
    if (!type) return fail(type.status());
    if (*type != common::ENDORSER_TRANSACTION) continue;
    auto rws = rwset_from_envelope(data.Get(i));
    if (!rws) return fail(rws.status());
    TxWrites tx{static_cast<uint64_t>(i), {}};
    for (const rwset::NsReadWriteSet& ns : rws->ns_rwset()) {
      kvrwset::KVRWSet kv;
      if (!parse(&kv, ns.rwset())) {
        return fail(Status::corruption(fmt::format("the KVRWSet of namespace '{}' does not parse", ns.namespace_())));
      }
      for (const kvrwset::KVWrite& w : kv.writes()) {
        tx.writes.push_back(KvWrite{ns.namespace_(), w.key(), w.is_delete(), w.value()});
      }
    }
    out.push_back(std::move(tx));
  }
  return out;
}

Result<UpdateBatch> updates_from_block(const common::Block& block) {
  auto txs = valid_tx_writes(block);
  if (!txs) return txs.status();
  UpdateBatch batch;
  const uint64_t block_num = block.header().number();
  for (const TxWrites& tx : *txs) {
    const Height version{block_num, tx.tx_num};
    for (const KvWrite& w : tx.writes) {
      if (w.is_delete) {
        batch.erase(w.ns, w.key, version);
      } else {
        batch.put(w.ns, w.key, w.value, version);
      }
    }
  }
  return batch;
}

}  // namespace fabsim::ledger
