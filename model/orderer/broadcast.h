// Broadcast's checks of one envelope (Fabric's orderer/common/broadcast and msgprocessor's
// standard channel processor; fabric-semantics.md §1.2). In Fabric's order, first failure
// decides:
//   1. classify by the channel header: payload, header or channel header unparsable ->
//      BAD_REQUEST;
//   2. a channel the orderer does not serve -> NOT_FOUND;
//   3. a config-class message (CONFIG_UPDATE, CONFIG, ORDERER_TRANSACTION) -> BAD_REQUEST:
//      configuration transactions are not modelled (Fabric would run ProcessConfigUpdateMsg);
//   4. the standard channel's filters: empty payload -> BAD_REQUEST; size (len(payload) +
//      len(signature)) > AbsoluteMaxBytes -> BAD_REQUEST; signature filter
//      (ChannelAccess::check_creator) -> FORBIDDEN (a signature header that does not parse
//      is BAD_REQUEST, as AsSignedData's error is);
//   5. otherwise SUCCESS: the envelope goes to the channel's chain (Order).
// No expiration rule (fabsim's certificates never expire) and no configSeq re-validation
// (the channel config never changes).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/proto/common/common.pb.h"
#include "model/orderer/block_cutter.h"
#include "model/orderer/channel_access.h"

namespace fabsim::orderer {

struct BroadcastVerdict {
  common::Status status = common::SUCCESS;
  std::string info;   // why not, for a non-SUCCESS status
  std::string tx_id;  // from the channel header, when it parsed
  size_t channel = 0; // SUCCESS: the index of the envelope's channel in `channels`
};

// One channel the orderer serves, as Broadcast's filters see it (borrowed).
struct BroadcastChannel {
  const ChannelAccess* access = nullptr;
  const BatchSize* size = nullptr;
};

// `bytes`: a marshalled common.Envelope as Broadcast received it.
BroadcastVerdict filter_broadcast(std::string_view bytes, std::span<const BroadcastChannel> channels);

}  // namespace fabsim::orderer
