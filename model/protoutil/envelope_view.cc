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

}  // namespace fabsim::protoutil
