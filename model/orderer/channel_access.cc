#include "model/orderer/channel_access.h"

#include <fmt/format.h>

namespace fabsim::orderer {

Status ChannelAccess::check_creator(std::string_view creator, std::string_view signed_bytes,
                                    std::string_view signature) const {
  auto identity = msps->deserialize_identity(creator);
  if (!identity.is_ok()) return Status::failed_precondition(identity.status().message());
  if (!channel_msp_ids.contains(identity->msp_id()))
    return Status::failed_precondition(
        fmt::format("MSP {} is not a member of channel {}", identity->msp_id(), channel_id));
  if (!identity->is_valid()) return Status::failed_precondition(identity->validation().message());
  const Status sig = verifier->verify(identity->certificate(), signed_bytes, signature);
  if (!sig.is_ok()) return Status::failed_precondition(fmt::format("signature verification failed: {}", sig.message()));
  return Status::ok();
}

}  // namespace fabsim::orderer
