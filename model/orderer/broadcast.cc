#include "model/orderer/broadcast.h"

#include <fmt/format.h>

#include "model/protoutil/proto_io.h"

namespace fabsim::orderer {
namespace {

bool is_config_class(int32_t type) {
  return type == common::CONFIG_UPDATE || type == common::CONFIG || type == common::ORDERER_TRANSACTION;
}

}  // namespace

BroadcastVerdict filter_broadcast(std::string_view bytes, std::span<const BroadcastChannel> channels) {
  BroadcastVerdict v;
  auto fail = [&](common::Status status, std::string info) {
    v.status = status;
    v.info = std::move(info);
    return v;
  };
  common::Envelope env;
  common::Payload payload;
  common::ChannelHeader chdr;
  if (!protoutil::parse(&env, bytes) || !protoutil::parse(&payload, env.payload()) || !payload.has_header() ||
      !protoutil::parse(&chdr, payload.header().channel_header()))
    return fail(common::BAD_REQUEST, "could not read the channel header");
  v.tx_id = chdr.tx_id();
  while (v.channel < channels.size() && channels[v.channel].access->channel_id != chdr.channel_id()) ++v.channel;
  if (v.channel == channels.size())
    return fail(common::NOT_FOUND, fmt::format("channel {} does not exist", chdr.channel_id()));
  const ChannelAccess& channel = *channels[v.channel].access;
  const BatchSize& size = *channels[v.channel].size;
  if (is_config_class(chdr.type())) return fail(common::BAD_REQUEST, "configuration transactions are not modelled");
  if (env.payload().empty()) return fail(common::BAD_REQUEST, "message was empty");  // EmptyRejectRule
  if (Status s = size_filter(env, size); !s.is_ok()) return fail(common::BAD_REQUEST, s.message());
  common::SignatureHeader shdr;
  if (!protoutil::parse(&shdr, payload.header().signature_header()))
    return fail(common::BAD_REQUEST, "could not convert message to signedData");
  if (Status s = channel.check_creator(shdr.creator(), env.payload(), env.signature()); !s.is_ok())
    return fail(common::FORBIDDEN, s.message());
  return v;
}

}  // namespace fabsim::orderer
