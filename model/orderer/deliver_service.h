// DeliverService: one channel's Deliver on the orderer (Fabric's common/deliver), serving
// streams of blocks from the channel's block store.
//
// kDeliverRequest{stream_id, envelope with a SeekInfo payload}; replies
// fabsim.DeliverReply{stream_id, block | status}. Fabric's deliverBlocks order:
// payload/header/channel header unparsable -> BAD_REQUEST; channel not ours -> NOT_FOUND;
// signature header unparsable -> BAD_REQUEST; creator not a valid channel-MSP identity or
// its signature fails (ChannelAccess, our Readers stand-in) -> FORBIDDEN; SeekInfo
// unparsable, start or stop missing or unset -> BAD_REQUEST. start: oldest = 0, newest =
// height - 1, specified = n. stop: oldest = start, newest = start if start is newest else
// height - 1 (at request time), specified = n; stop < start -> BAD_REQUEST. Then blocks are
// sent in order from start; before each block, with FAIL_IF_NOT_READY and the block beyond
// the height -> NOT_FOUND (so available blocks are sent first); with BLOCK_UNTIL_READY the
// stream waits and each newly written block is pushed (serve_all). After the stop block:
// status SUCCESS, and the stream ends. kDeliverCancel{stream_id} ends a stream silently. A
// request reusing an open stream's (sender, stream_id) replaces that stream. Pace: all
// available blocks are sent at once (the network model serializes them); memory stays
// bounded because a reply is built from the store one block at a time and the network holds
// the bytes. The channel header's type is not checked (Fabric's deliver does not check it
// either). A kDeliverRequest whose bytes are not a fabsim.DeliverRequest has no stream id to
// answer on and is dropped.
//
// Streams are volatile. Costs: deliver_check per request, deliver_per_block per block sent.
// Ownership: borrows the ChannelAccess and the block store (the node owns both).
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "core/node.h"
#include "core/time.h"
#include "model/ledger/block_store.h"
#include "model/orderer/channel_access.h"

namespace fabsim::orderer {

class DeliverService {
 public:
  DeliverService(const ChannelAccess* access, const ledger::BlockStore* store, Duration deliver_check,
                 Duration deliver_per_block)
      : access_(access), store_(store), deliver_check_(deliver_check), deliver_per_block_(deliver_per_block) {}

  void on_request(NodeContext& ctx, HostId from, const Message& msg);
  void on_cancel(HostId from, const Message& msg);
  // Pushes newly written blocks to every waiting stream.
  void serve_all(NodeContext& ctx);
  size_t open_streams() const { return streams_.size(); }

 private:
  struct Stream {
    uint64_t next = 0;  // the next block to send
    uint64_t stop = 0;  // the last block to send
    bool fail_if_not_ready = false;
  };
  using StreamKey = std::pair<HostId, uint64_t>;  // (requester, stream id)

  // Sends what the stream can get now; true if it ended (the caller erases it).
  bool serve(NodeContext& ctx, const StreamKey& key, Stream& stream);

  const ChannelAccess* access_;
  const ledger::BlockStore* store_;
  Duration deliver_check_;
  Duration deliver_per_block_;
  std::map<StreamKey, Stream> streams_;  // ordered: pushes go out in a deterministic order
};

}  // namespace fabsim::orderer
