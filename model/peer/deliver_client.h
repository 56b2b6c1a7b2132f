// DeliverClient: one channel's block source on the peer (Fabric's core/deliverservice):
// pulls blocks from the ordering service with a Deliver stream and hands each verified
// block to the channel's Committer.
//
// open(): a kDeliverRequest (SeekInfo{specified height .. max, BLOCK_UNTIL_READY}, signed
// by the peer) on a new stream to the current orderer, cancelling the previous stream. A
// reply on another stream is stale and ignored; a status reply ends the stream (the
// watchdog re-opens it). A block beyond the next means the stream lost one on the way (a
// lossy link): the stream is re-opened from the height at once. The next block (after the
// genesis) is first checked as Fabric's deliver client checks it (validation::verify_block:
// number, channel, data hash, the orderer's signatures against the BlockValidation policy)
// when the channel names that policy; a block that fails is not committed, the peer emits
// peer.block_rejected and cancels the stream. A Deliver stream has no liveness signal in
// the model, so a watchdog re-opens it after deliver_retry without progress (a restarted
// orderer, a partition that healed), at the next orderer of the list (failover, as Fabric's
// deliver client moves to another endpoint).
//
// Stream ids differ per incarnation (the peer draws each channel's first id from its random
// stream at the start), so replies
// on a stream opened before a crash are ignored. Volatile. Ownership: borrows the channel
// config, the signer, the verifier, the costs and the committer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/node.h"
#include "model/peer/committer.h"
#include "model/peer/config.h"

namespace fabsim::peer {

class DeliverClient {
 public:
  static constexpr uint64_t kWatchdogTag = 1;

  DeliverClient(const ChannelConfig* channel, const PeerConfig* peer, Committer* committer, uint64_t first_stream_id)
      : channel_(channel), peer_(peer), committer_(committer), stream_counter_(first_stream_id) {}

  // Opens the first stream and arms the watchdog on `lane`.
  void start(NodeContext& ctx, LaneId lane);
  void on_reply(NodeContext& ctx, fabsim::DeliverReply reply);
  void on_watchdog(NodeContext& ctx);

  uint64_t stream_id() const { return stream_id_; }
  // The orderer the current (or last) stream goes to; kNoHost without orderers.
  HostId source() const { return peer_->orderers.empty() ? kNoHost : peer_->orderers[orderer_index_]; }

 private:
  void open(NodeContext& ctx);
  void close(NodeContext& ctx);  // cancels the current stream, if any

  const ChannelConfig* channel_;
  const PeerConfig* peer_;
  Committer* committer_;
  uint64_t stream_counter_;
  uint64_t stream_id_ = 0;
  HostId stream_orderer_ = kNoHost;  // where stream_id_ was opened
  size_t orderer_index_ = 0;          // into PeerConfig::orderers
  uint64_t height_at_last_check_ = 0;
};

}  // namespace fabsim::peer
