#include "model/protoutil/txutil.h"

#include "core/crypto/sha256.h"
#include "core/crypto/txid.h"
#include "core/proto/peer/chaincode.pb.h"

namespace fabsim::protoutil {
Proposal make_proposal(const ProposalSpec& spec, const crypto::SigningIdentity& creator) {
  Proposal p;
  p.tx_id = crypto::compute_tx_id(spec.nonce, creator.serialized());

  protos::ChaincodeInvocationSpec cis;
  auto* ccspec = cis.mutable_chaincode_spec();
  ccspec->set_type(protos::ChaincodeSpec::GOLANG);
  ccspec->mutable_chaincode_id()->set_name(spec.chaincode);
  ccspec->mutable_input()->add_args(spec.function);
  for (const auto& a : spec.args) ccspec->mutable_input()->add_args(a);
  if (spec.is_init) ccspec->mutable_input()->set_is_init(true);
  p.payload.set_input(marshal(cis));

  protos::ChaincodeHeaderExtension ext;
  ext.mutable_chaincode_id()->set_name(spec.chaincode);

  p.channel_header.set_type(common::ENDORSER_TRANSACTION);
  p.channel_header.set_channel_id(spec.channel_id);
  p.channel_header.set_tx_id(p.tx_id);
  p.channel_header.set_epoch(0);
  p.channel_header.set_extension(marshal(ext));
  p.channel_header.mutable_timestamp()->set_seconds(spec.timestamp.ns / 1'000'000'000);
  p.channel_header.mutable_timestamp()->set_nanos(static_cast<int32_t>(spec.timestamp.ns % 1'000'000'000));

  p.signature_header.set_nonce(spec.nonce);
  p.signature_header.set_creator(creator.serialized());

  p.header.set_channel_header(marshal(p.channel_header));
  p.header.set_signature_header(marshal(p.signature_header));
  p.proposal.set_header(marshal(p.header));
  p.proposal.set_payload(marshal(p.payload));
  p.signed_proposal.set_proposal_bytes(marshal(p.proposal));
  p.signed_proposal.set_signature(creator.sign(p.signed_proposal.proposal_bytes()));
  return p;
}

std::string proposal_hash(std::string_view channel_header, std::string_view signature_header,
                          std::string_view chaincode_proposal_payload) {
  return crypto::to_string(crypto::sha256_concat({channel_header, signature_header, chaincode_proposal_payload}));
}

protos::ProposalResponse endorse(const Proposal& proposal, const EndorsementSpec& spec,
                                 const crypto::SigningIdentity& endorser) {
  protos::ChaincodeAction action;
  action.set_results(marshal(spec.results));
  action.set_events(spec.events);
  *action.mutable_response() = spec.response;
  action.mutable_chaincode_id()->set_name(spec.chaincode_name);
  action.mutable_chaincode_id()->set_version(spec.chaincode_version);

  // The transient map never reaches the hash; ours is always empty.
  protos::ChaincodeProposalPayload stripped = proposal.payload;
  stripped.clear_transientmap();
  protos::ProposalResponsePayload prp;
  prp.set_proposal_hash(proposal_hash(proposal.header.channel_header(), proposal.header.signature_header(),
                                      marshal(stripped)));
  prp.set_extension(marshal(action));

  protos::ProposalResponse resp;
  resp.set_version(1);
  *resp.mutable_response() = spec.response;
  resp.set_payload(marshal(prp));
  resp.mutable_endorsement()->set_endorser(endorser.serialized());
  resp.mutable_endorsement()->set_signature(endorser.sign(resp.payload() + endorser.serialized()));
  return resp;
}

Result<common::Envelope> assemble_transaction(const Proposal& proposal,
                                              const std::vector<protos::ProposalResponse>& responses,
                                              const crypto::SigningIdentity& creator) {
  if (responses.empty()) return Status::invalid_argument("at least one proposal response is required");
  for (size_t i = 0; i < responses.size(); ++i) {
    if (responses[i].response().status() < 200 || responses[i].response().status() >= 400)
      return Status::invalid_argument("proposal response " + std::to_string(i) + " was not successful, status " +
                                      std::to_string(responses[i].response().status()));
    if (responses[i].payload() != responses[0].payload())
      return Status::invalid_argument("ProposalResponsePayloads do not match (response " + std::to_string(i) + ")");
  }
  protos::ChaincodeProposalPayload stripped = proposal.payload;
  stripped.clear_transientmap();

  protos::ChaincodeActionPayload cap;
  cap.set_chaincode_proposal_payload(marshal(stripped));
  auto* cea = cap.mutable_action();
  cea->set_proposal_response_payload(responses[0].payload());
  for (const auto& r : responses) *cea->add_endorsements() = r.endorsement();

  protos::Transaction tx;
  auto* action = tx.add_actions();
  action->set_header(proposal.header.signature_header());
  action->set_payload(marshal(cap));

  common::Payload payload;
  *payload.mutable_header() = proposal.header;
  payload.set_data(marshal(tx));

  common::Envelope env;
  env.set_payload(marshal(payload));
  env.set_signature(creator.sign(env.payload()));
  return env;
}

}  // namespace fabsim::protoutil
