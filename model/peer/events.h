// The peer's analysis events (NodeContext::emit), with the typed records they carry in
// AnalysisEvent::data, so the analysis reads fields instead of parsing text. `value` and
// `detail` stay as they were (they are hashed into the trace); the records are not.
#pragma once

#include <cstdint>
#include <string>

namespace fabsim::peer {

// value 0; detail: the TxID. No record.
inline constexpr const char* kEventEndorsed = "peer.endorsed";
// value: the block number; detail: the header hash (hex); data: BlockCommittedEvent.
inline constexpr const char* kEventBlockCommitted = "peer.block_committed";
// A delivered block failed Fabric's VerifyBlock: value: its number; detail: why; data: PeerErrorEvent.
inline constexpr const char* kEventBlockRejected = "peer.block_rejected";
// A channel's ledger could not be opened or read: value: the block (0 when opening);
// detail: the status; data: PeerErrorEvent.
inline constexpr const char* kEventLedgerError = "peer.ledger_error";
// Validating or committing a block failed; the channel stops: value: the block; detail:
// the status; data: PeerErrorEvent.
inline constexpr const char* kEventCommitError = "peer.commit_error";

// Labels of the committer's work (NodeContext::charge), in the order it runs; the
// kEventBlockCommitted event carries them as AnalysisEvent::work, so the analysis can
// split a block's time at the peer into its stages.
inline constexpr const char* kWorkBlockCheck = "block_check";    // the block's checks on arrival
inline constexpr const char* kWorkVscc = "vscc";                 // per-transaction validation, on the pool
inline constexpr const char* kWorkMvcc = "mvcc";                 // MVCC checks, serial
inline constexpr const char* kWorkLedgerCommit = "ledger_commit";  // state updates, block write and fsync
inline constexpr const char* kWorkCommitEvent = "commit_event";  // block events to subscribers

struct BlockCommittedEvent {
  std::string channel;
  uint64_t number = 0;
  uint64_t transactions = 0;
  uint64_t valid = 0;  // transactions committed VALID
};

struct PeerErrorEvent {
  std::string channel;
  uint64_t block = 0;
  std::string message;
};

}  // namespace fabsim::peer
