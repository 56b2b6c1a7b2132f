// ChannelAccess: who may write to and read from a channel on the orderer. Stands in for the
// channel's Writers (Broadcast's signature filter) and Readers (Deliver) policies: the
// creator must deserialize to a valid identity of one of the channel's organisations' MSPs,
// and its signature over the signed bytes must verify.
// Ownership: borrows the MspManager and the Verifier (they outlive the orderer).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/status.h"

namespace fabsim::orderer {

struct ChannelAccess {
  std::string channel_id;
  const crypto::MspManager* msps = nullptr;  // the channel's MSPs
  std::set<std::string> channel_msp_ids;     // the MSP IDs of the channel's orgs
  const crypto::Verifier* verifier = nullptr;

  // OK, or FailedPrecondition saying why not.
  Status check_creator(std::string_view creator, std::string_view signed_bytes, std::string_view signature) const;
};

}  // namespace fabsim::orderer
