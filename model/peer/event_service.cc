#include "model/peer/event_service.h"

#include "model/ledger/tx_rwset.h"
#include "model/peer/events.h"
#include "model/protocol.h"

namespace fabsim::peer {

void EventService::on_register(NodeContext& ctx, HostId from, const fabsim::EventRegistration& reg) {
  subscribers_.insert(from);
  if (!reg.has_start_block()) return;
  for (uint64_t n = std::max<uint64_t>(reg.start_block(), 1); n < ledger_->height(); ++n) {
    auto block = ledger_->block_store().block_by_number(n);
    if (!block.is_ok()) {
      ctx.emit(kEventLedgerError, static_cast<int64_t>(n), block.status().to_string(),
               PeerErrorEvent{channel_id_, n, block.status().to_string()});
      return;
    }
    const std::string& filter = block->metadata().metadata(common::TRANSACTIONS_FILTER);
    const std::vector<uint8_t> codes(filter.begin(), filter.end());
    ctx.send(from, model::make_message(model::kBlockEvent, block_event(*block, codes, {})));
    ctx.charge(costs_->block_check + costs_->block_event);  // read the block, build the event
  }
}

void EventService::publish(NodeContext& ctx, const common::Block& block, const std::vector<uint8_t>& codes,
                           const std::vector<std::string>& tx_ids) {
  if (subscribers_.empty()) return;
  const Message m = model::make_message(model::kBlockEvent, block_event(block, codes, tx_ids));
  for (HostId c : subscribers_) {
    ctx.send(c, m);
    ctx.charge(costs_->block_event, kWorkCommitEvent);
  }
}

fabsim::BlockEvent EventService::block_event(const common::Block& block, const std::vector<uint8_t>& codes,
                                             const std::vector<std::string>& tx_ids) const {
  fabsim::BlockEvent event;
  event.set_channel_id(channel_id_);
  event.set_number(block.header().number());
  for (size_t i = 0; i < codes.size(); ++i) {
    std::string id = i < tx_ids.size() ? tx_ids[i] : std::string();
    if (id.empty()) {  // invalid before its TxID was read: the client still wants its outcome
      auto parsed = ledger::txid_from_envelope(block.data().data(static_cast<int>(i)));
      if (parsed.is_ok()) id = *parsed;
    }
    auto* tx = event.add_transactions();
    tx->set_tx_id(id);
    tx->set_validation_code(codes[i]);
  }
  return event;
}

}  // namespace fabsim::peer
