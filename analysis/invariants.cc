#include "analysis/invariants.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/crypto/sha256.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/tx_rwset.h"
#include "model/protoutil/txutil.h"

namespace fabsim {
namespace {

std::string filter_of(const common::Block& b) {
  return b.metadata().metadata_size() > common::TRANSACTIONS_FILTER ? b.metadata().metadata(common::TRANSACTIONS_FILTER)
                                                                     : std::string();
}

// Re-runs the per-transaction checks that decide endorsement validity: the envelope, the
// creator's signature, and VSCC (signatures and policy).
bool policy_still_holds(const std::string& envelope_bytes, const validation::ValidationContext& ctx) {
  common::Envelope env;
  if (!protoutil::parse(&env, envelope_bytes)) return false;
  validation::ValidationWork work;
  validation::CheckedTx tx;
  if (validation::validate_transaction(env, ctx, &tx, &work) != protos::TxValidationCode::VALID) return false;
  rwset::TxReadWriteSet rws;
  return validation::dispatch_vscc(tx, ctx, &rws, &work) == protos::TxValidationCode::VALID;
}

}  // namespace

std::string state_hash(const ledger::Ledger& ledger) {
  crypto::Sha256 h;
  auto it = ledger.state().db().new_iterator(/*fill_cache=*/false);  // a one-off scan of everything
  for (it->seek_to_first(); it->valid(); it->next()) {
    const std::string_view k = it->key(), v = it->value();
    h.update(fmt::format("{}:{}:", k.size(), v.size())).update(k).update(v);
  }
  return crypto::to_hex(h.finish());
}

InvariantReport check_invariants(const std::vector<PeerLedger>& peers, const validation::ValidationContext& ctx) {
  InvariantReport r;
  if (peers.empty()) return r;
  // 1. Agreement at every shared height, against the first peer that holds the height.
  uint64_t max_height = 0;
  size_t longest = 0;
  for (size_t i = 0; i < peers.size(); ++i) {
    if (peers[i].ledger->height() > max_height) {
      max_height = peers[i].ledger->height();
      longest = i;
    }
  }
  for (uint64_t h = 0; h < max_height; ++h) {
    const PeerLedger* ref = nullptr;
    common::Block ref_block;
    for (const PeerLedger& p : peers) {
      if (p.ledger->height() <= h) continue;
      auto b = p.ledger->block_store().block_by_number(h);
      if (!b.is_ok()) {
        r.violations.push_back(fmt::format("height {}: {} cannot read its block: {}", h, p.peer, b.status().message()));
        continue;
      }
      if (ref == nullptr) {
        ref = &p;
        ref_block = std::move(b).value();
        continue;
      }
      ++r.heights_compared;
      if (ledger::block_header_hash(b->header()) != ledger::block_header_hash(ref_block.header()))
        r.violations.push_back(fmt::format("height {}: block hash differs between {} ({}) and {} ({})", h, ref->peer,
                                           ledger::to_hex(ledger::block_header_hash(ref_block.header())), p.peer,
                                           ledger::to_hex(ledger::block_header_hash(b->header()))));
      else if (filter_of(*b) != filter_of(ref_block))
        r.violations.push_back(fmt::format("height {}: TRANSACTIONS_FILTER differs between {} and {}", h, ref->peer, p.peer));
    }
  }
  // 2. Same state at the same height.
  std::map<uint64_t, std::pair<std::string, std::string>> state_at;  // height -> (peer, hash)
  for (const PeerLedger& p : peers) {
    const std::string hash = state_hash(*p.ledger);
    auto [it, fresh] = state_at.emplace(p.ledger->height(), std::make_pair(p.peer, hash));
    if (!fresh && it->second.second != hash)
      r.violations.push_back(fmt::format("height {}: state differs between {} and {}", p.ledger->height(),
                                         it->second.first, p.peer));
  }
  // 3 and 4, over the longest chain.
  const PeerLedger& lp = peers[longest];
  std::map<std::string, uint64_t> valid_at;  // txid -> block
  for (uint64_t h = 1; h < max_height; ++h) {  // block 0 is the genesis (configuration) block
    auto b = lp.ledger->block_store().block_by_number(h);
    if (!b.is_ok()) continue;  // reported above
    const std::string filter = filter_of(*b);
    for (int i = 0; i < b->data().data_size(); ++i) {
      if (static_cast<size_t>(i) >= filter.size() || filter[i] != protos::TxValidationCode::VALID) continue;
      auto txid = ledger::txid_from_envelope(b->data().data(i));
      const std::string id = txid.is_ok() ? *txid : std::string();
      if (auto [it, fresh] = valid_at.emplace(id, h); !fresh)
        r.violations.push_back(fmt::format("txid {} committed VALID twice: blocks {} and {} ({})", id, it->second, h, lp.peer));
      ++r.transactions_rechecked;
      if (!policy_still_holds(b->data().data(i), ctx))
        r.violations.push_back(fmt::format("block {} tx {} ({}) is VALID on {} but fails its checks when re-run", h, i,
                                           id, lp.peer));
    }
  }
  return r;
}

}  // namespace fabsim
