#include "model/protocol.h"

namespace fabsim::model {

const char* message_kind_name(uint32_t kind) {
  switch (kind) {
    case kProposal: return "proposal";
    case kProposalReply: return "proposal-reply";
    case kBroadcast: return "broadcast";
    case kBroadcastReply: return "broadcast-reply";
    case kDeliverRequest: return "deliver-request";
    case kDeliverReply: return "deliver-reply";
    case kDeliverCancel: return "deliver-cancel";
    case kEventRegister: return "event-register";
    case kBlockEvent: return "block-event";
  }
  return "unknown";
}

}  // namespace fabsim::model
