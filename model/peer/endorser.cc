#include "model/peer/endorser.h"

#include "core/crypto/creator_check.h"
#include "core/crypto/txid.h"
#include "core/proto/fabsim/node_messages.pb.h"
#include "core/proto/peer/chaincode.pb.h"
#include "model/chaincode/chaincode_stub.h"
#include "model/peer/events.h"
#include "model/protocol.h"
#include "model/protoutil/txutil.h"

namespace fabsim::peer {

using protoutil::marshal;
using protoutil::parse;

void Endorser::on_proposal(NodeContext& ctx, HostId from, const std::string& bytes) {
  const PeerCosts& costs = peer_->costs;
  ctx.charge(costs.proposal_check);
  fabsim::ProposalReply reply;
  auto refuse = [&](const std::string& why) {
    reply.set_error(why);
    ctx.send(from, model::make_message(model::kProposalReply, reply));
  };
  protos::SignedProposal signed_proposal;
  protos::Proposal proposal;
  common::Header header;
  common::ChannelHeader chdr;
  common::SignatureHeader shdr;
  if (!parse(&signed_proposal, bytes) || !parse(&proposal, signed_proposal.proposal_bytes()) ||
      !parse(&header, proposal.header()) || !parse(&chdr, header.channel_header()) ||
      !parse(&shdr, header.signature_header()))
    return refuse("malformed proposal");
  reply.set_tx_id(chdr.tx_id());
  if (chdr.type() != common::ENDORSER_TRANSACTION) return refuse("unsupported proposal type");
  if (chdr.epoch() != 0 || shdr.nonce().empty() || shdr.creator().empty()) return refuse("invalid header");
  const auto joined = channels_.find(chdr.channel_id());
  if (joined == channels_.end()) return refuse("channel '" + chdr.channel_id() + "' not found");
  const ChannelConfig& channel = *joined->second.config;
  const ledger::Ledger& ledger = *joined->second.ledger;
  if (Status s = crypto::check_signature_from_creator(*channel.msps, *peer_->verifier, shdr.creator(),
                                                      signed_proposal.proposal_bytes(), signed_proposal.signature());
      !s.is_ok())
    return refuse(s.message());
  if (!crypto::tx_id_matches(chdr.tx_id(), shdr.nonce(), shdr.creator())) return refuse("incorrectly formed TxID");
  auto dup = ledger.block_store().tx_exists(chdr.tx_id());
  if (!dup.is_ok() || *dup) return refuse("duplicate transaction found [" + chdr.tx_id() + "]");
  if (!channel.application_msp_ids.empty()) {  // Fabric's peer/Propose ACL, after the duplicate check
    auto creator = channel.msps->deserialize_identity(shdr.creator());  // it verified above
    if (!creator.is_ok() || !channel.application_msp_ids.contains(creator->msp_id()))
      return refuse("access denied: the creator's organisation [" + (creator.is_ok() ? creator->msp_id() : "") +
                    "] is not an application organisation of channel [" + channel.channel_id + "]");
  }
  protos::ChaincodeHeaderExtension ext;
  protos::ChaincodeProposalPayload cpp;
  protos::ChaincodeInvocationSpec cis;
  if (!parse(&ext, chdr.extension()) || !parse(&cpp, proposal.payload()) || !parse(&cis, cpp.input()))
    return refuse("malformed chaincode proposal");
  const std::string& cc = ext.chaincode_id().name();
  auto def = channel.chaincodes->find(cc);
  auto kind = channel.chaincode_kinds.find(cc);
  if (def == channel.chaincodes->end() || kind == channel.chaincode_kinds.end())
    return refuse("chaincode '" + cc + "' is not defined on channel '" + channel.channel_id + "'");
  const auto& input = cis.chaincode_spec().input().args();
  if (input.empty()) return refuse("chaincode input has no function");
  std::vector<std::string> args(input.begin() + 1, input.end());

  auto chaincode = registry_.make(kind->second);
  if (!chaincode.is_ok()) return refuse(chaincode.status().message());
  chaincode::TxSimulator sim(ledger.state());
  chaincode::ChaincodeStub stub(sim, cc);
  // Fabric's ChaincodeSupport.CheckInit: Init exactly once per chaincode version.
  auto init = check_init(sim, def->second, cis.chaincode_spec().input().is_init());
  const chaincode::ChaincodeResponse resp =
      !init.is_ok() ? chaincode::ChaincodeResponse::error(init.status().message())
      : *init       ? (*chaincode)->init(stub, args)
                    : (*chaincode)->invoke(stub, input[0], args);
  ctx.charge(costs.chaincode_base + costs.chaincode_per_op * static_cast<int64_t>(stub.work_units()));

  protos::ProposalResponse pr;
  if (!resp.ok()) {  // Fabric: the error status and message, no endorsement
    pr.set_version(1);
    pr.mutable_response()->set_status(resp.status);
    pr.mutable_response()->set_message(resp.message);
    reply.set_proposal_response(marshal(pr));
    ctx.send(from, model::make_message(model::kProposalReply, reply, chdr.tx_id()));
    return;
  }
  auto results = sim.get_tx_simulation_results();
  if (!results.is_ok()) return refuse(results.status().message());
  protoutil::Proposal p;
  p.proposal = proposal;
  p.header = header;
  p.channel_header = chdr;
  p.signature_header = shdr;
  p.payload = cpp;
  p.tx_id = chdr.tx_id();
  protoutil::EndorsementSpec spec;
  spec.results = std::move(results).value();
  spec.response.set_status(resp.status);
  spec.response.set_message(resp.message);
  spec.response.set_payload(resp.payload);
  spec.chaincode_name = cc;
  spec.chaincode_version = def->second.version;
  pr = protoutil::endorse(p, spec, *peer_->signer);
  ctx.charge(costs.endorse);
  reply.set_proposal_response(marshal(pr));
  ctx.send(from, model::make_message(model::kProposalReply, reply, chdr.tx_id()));
  ctx.emit(kEventEndorsed, 0, chdr.tx_id());
}

Result<bool> Endorser::check_init(chaincode::TxSimulator& sim, const validation::ChaincodeDefinition& def,
                                  bool is_init) {
  if (!def.init_required) return false;  // "init" is then an ordinary function name
  auto value = sim.get_state(def.name, kInitializedKey);  // a recorded read, as in Fabric
  if (!value.is_ok()) return value.status();
  const bool needs_init = !value->has_value() || **value != def.version;
  if (!is_init && needs_init)
    return Status::failed_precondition("chaincode '" + def.name +
                                       "' has not been initialized for this version, must call as init first");
  if (is_init && !needs_init)
    return Status::failed_precondition("chaincode '" + def.name + "' is already initialized but called as init");
  if (!is_init) return false;
  if (Status s = sim.set_state(def.name, kInitializedKey, def.version); !s.is_ok()) return s;
  return true;
}

}  // namespace fabsim::peer
