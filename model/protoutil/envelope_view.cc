#include "model/protoutil/envelope_view.h"

#include "model/protoutil/proto_io.h"
#include "model/protoutil/wire.h"

namespace fabsim::protoutil {

bool read_envelope(std::string_view bytes, common::Envelope* scratch, EnvelopeView* out) {
  // Envelope's fields are both bytes: the walk defers only on a group.
  const WireResult r = find_field(bytes, 1, false, &out->payload);
  if (r == WireResult::kMalformed) return false;
  if (r != WireResult::kFallback) {
    (void)find_field(bytes, 2, false, &out->signature);  // the same walk: same outcome
    return true;
  }
  if (!parse(scratch, bytes)) return false;
  out->payload = scratch->payload();
  out->signature = scratch->signature();
  return true;
}

PayloadRead read_payload(std::string_view bytes, common::Payload* scratch, PayloadView* out) {
  auto full = [&] {
    if (!parse(scratch, bytes)) return PayloadRead::kMalformed;
    out->data = scratch->data();
    if (!scratch->has_header()) return PayloadRead::kNoHeader;
    out->channel_header = scratch->header().channel_header();
    out->signature_header = scratch->header().signature_header();
    return PayloadRead::kOk;
  };
  std::string_view header;
  const WireResult r = find_field(bytes, 1, true, &header);
  if (r == WireResult::kMalformed) return PayloadRead::kMalformed;
  if (r == WireResult::kFallback) return full();
  (void)find_field(bytes, 2, false, &out->data);  // the same walk: same outcome
  if (r == WireResult::kAbsent) return PayloadRead::kNoHeader;
  // The header must parse as a common.Header for the payload to parse.
  const WireResult h = find_field(header, 1, false, &out->channel_header);
  if (h == WireResult::kMalformed) return PayloadRead::kMalformed;
  if (h == WireResult::kFallback) return full();
  (void)find_field(header, 2, false, &out->signature_header);
  return PayloadRead::kOk;
}

bool read_single_action(std::string_view bytes, protos::Transaction* scratch, ActionView* out) {
  std::string_view action;
  const WireResult r = find_field(bytes, 1, true, &action);
  // Malformed: the transaction does not parse. Absent: no action.
  if (r == WireResult::kMalformed || r == WireResult::kAbsent) return false;
  if (r == WireResult::kFound) {
    // Exactly one action, which must parse as a TransactionAction.
    const WireResult a = find_field(action, 1, false, &out->header);
    if (a == WireResult::kMalformed) return false;
    if (a != WireResult::kFallback) {
      (void)find_field(action, 2, false, &out->payload);
      return true;
    }
  }
  // A group somewhere, or several actions: the parser decides.
  if (!parse(scratch, bytes) || scratch->actions_size() != 1) return false;
  out->header = scratch->actions(0).header();
  out->payload = scratch->actions(0).payload();
  return true;
}

bool read_signature_header(std::string_view bytes, common::SignatureHeader* scratch, SignatureHeaderView* out) {
  const WireResult r = find_field(bytes, 1, false, &out->creator);
  if (r == WireResult::kMalformed) return false;
  if (r != WireResult::kFallback) {
    (void)find_field(bytes, 2, false, &out->nonce);  // the same walk: same outcome
    return true;
  }
  if (!parse(scratch, bytes)) return false;
  out->creator = scratch->creator();
  out->nonce = scratch->nonce();
  return true;
}

ActionPayloadRead read_action_payload(std::string_view bytes, protos::ChaincodeActionPayload* scratch,
                                      std::string_view* chaincode_proposal_payload,
                                      protos::ChaincodeEndorsedAction* action) {
  std::string_view action_bytes;
  const WireResult r = find_field(bytes, 2, true, &action_bytes);
  if (r == WireResult::kMalformed) return ActionPayloadRead::kMalformed;
  if (r != WireResult::kFallback) {
    (void)find_field(bytes, 1, false, chaincode_proposal_payload);  // the same walk: same outcome
    action->Clear();
    if (r == WireResult::kAbsent) return ActionPayloadRead::kNoAction;
    // The action must parse as a ChaincodeEndorsedAction for the payload to parse.
    return parse(action, action_bytes) ? ActionPayloadRead::kOk : ActionPayloadRead::kMalformed;
  }
  // A group, or the action given more than once (the parser merges the copies).
  if (!parse(scratch, bytes)) return ActionPayloadRead::kMalformed;
  *chaincode_proposal_payload = scratch->chaincode_proposal_payload();
  if (!scratch->has_action()) return ActionPayloadRead::kNoAction;
  *action = scratch->action();
  return ActionPayloadRead::kOk;
}

}  // namespace fabsim::protoutil
