// protoutil/envelope_view.h reads an envelope's outer layers in place; it must agree with
// the protobuf parser on every input: whether the bytes parse, and the fields' bytes. Checked
// on well-formed messages, on hand-made edge cases (groups, repeated and merged message
// fields, wrong wire types, unknown fields, empty and absent headers), and on many
// deterministic mutations of real bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/proto/common/common.pb.h"
#include "core/proto/peer/transaction.pb.h"
#include "model/protoutil/envelope_view.h"

namespace fabsim::protoutil {
namespace {

std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string tag(uint32_t field, uint32_t wire_type) { return varint((uint64_t{field} << 3) | wire_type); }
std::string bytes_field(uint32_t field, const std::string& v) { return tag(field, 2) + varint(v.size()) + v; }

// A deterministic xorshift for the mutations.
struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }
};

std::vector<std::string> mutations(const std::string& base, uint64_t seed, int count) {
  Rng rng{seed};
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(rng.below(3));
    for (int e = 0; e < edits; ++e) {
      switch (rng.below(6)) {
        case 0:  // flip a byte
          if (!m.empty()) m[rng.below(m.size())] = static_cast<char>(rng.next());
          break;
        case 1:  // truncate
          m.resize(rng.below(m.size() + 1));
          break;
        case 2:  // insert a byte
          m.insert(m.begin() + static_cast<std::ptrdiff_t>(rng.below(m.size() + 1)), static_cast<char>(rng.next()));
          break;
        case 3:  // small field-number/wire-type bytes are the interesting ones
          if (!m.empty()) m[rng.below(m.size())] = static_cast<char>(rng.below(0x30));
          break;
        case 4:  // append a random field
          m += tag(1 + static_cast<uint32_t>(rng.below(4)), static_cast<uint32_t>(rng.below(6))) +
               std::string(rng.below(4), static_cast<char>(rng.below(3)));
          break;
        case 5:  // duplicate a slice
          if (!m.empty()) {
            const size_t a = rng.below(m.size()), len = rng.below(m.size() - a + 1);
            m += m.substr(a, len);
          }
          break;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

// Each returns whether the protobuf parser accepted the bytes.
bool expect_envelope_agrees(const std::string& bytes) {
  common::Envelope parsed, scratch;
  const bool ok = parsed.ParseFromString(bytes);
  EnvelopeView v;
  EXPECT_EQ(read_envelope(bytes, &scratch, &v), ok);
  if (!ok) return ok;
  EXPECT_EQ(v.payload, parsed.payload());
  EXPECT_EQ(v.signature, parsed.signature());
  return ok;
}

bool expect_payload_agrees(const std::string& bytes) {
  common::Payload parsed, scratch;
  const bool ok = parsed.ParseFromString(bytes);
  PayloadView v;
  const PayloadRead r = read_payload(bytes, &scratch, &v);
  if (!ok) {
    EXPECT_EQ(r, PayloadRead::kMalformed);
    return ok;
  }
  EXPECT_EQ(r, parsed.has_header() ? PayloadRead::kOk : PayloadRead::kNoHeader);
  EXPECT_EQ(v.data, parsed.data());
  if (!parsed.has_header() || r != PayloadRead::kOk) return ok;
  EXPECT_EQ(v.channel_header, parsed.header().channel_header());
  EXPECT_EQ(v.signature_header, parsed.header().signature_header());
  return ok;
}

bool expect_transaction_agrees(const std::string& bytes) {
  protos::Transaction parsed, scratch;
  const bool ok = parsed.ParseFromString(bytes) && parsed.actions_size() == 1;
  ActionView v;
  const bool got = read_single_action(bytes, &scratch, &v);
  EXPECT_EQ(got, ok);
  if (!ok || !got) return ok;
  EXPECT_EQ(v.header, parsed.actions(0).header());
  EXPECT_EQ(v.payload, parsed.actions(0).payload());
  return ok;
}

bool expect_signature_header_agrees(const std::string& bytes) {
  common::SignatureHeader parsed, scratch;
  const bool ok = parsed.ParseFromString(bytes);
  SignatureHeaderView v;
  EXPECT_EQ(read_signature_header(bytes, &scratch, &v), ok);
  if (!ok) return ok;
  EXPECT_EQ(v.creator, parsed.creator());
  EXPECT_EQ(v.nonce, parsed.nonce());
  return ok;
}

// The endorsed action, reused across calls as the validator reuses it.
protos::ChaincodeEndorsedAction reused_action;

bool expect_action_payload_agrees(const std::string& bytes) {
  protos::ChaincodeActionPayload parsed, scratch;
  const bool ok = parsed.ParseFromString(bytes);
  std::string_view ccpp;
  const ActionPayloadRead r = read_action_payload(bytes, &scratch, &ccpp, &reused_action);
  if (!ok) {
    EXPECT_EQ(r, ActionPayloadRead::kMalformed);
    return ok;
  }
  EXPECT_EQ(r, parsed.has_action() ? ActionPayloadRead::kOk : ActionPayloadRead::kNoAction);
  EXPECT_EQ(ccpp, parsed.chaincode_proposal_payload());
  if (!parsed.has_action() || r != ActionPayloadRead::kOk) return ok;
  EXPECT_EQ(reused_action.SerializeAsString(), parsed.action().SerializeAsString());
  return ok;
}

std::string sample_action_payload() {
  protos::ChaincodeActionPayload p;
  p.set_chaincode_proposal_payload(std::string(20, 'c'));
  p.mutable_action()->set_proposal_response_payload(std::string(100, 'r'));
  for (int i = 0; i < 2; ++i) {
    auto* e = p.mutable_action()->add_endorsements();
    e->set_endorser(std::string(30, static_cast<char>('a' + i)));
    e->set_signature(std::string(16, 'x'));
  }
  return p.SerializeAsString();
}

std::string sample_signature_header() {
  common::SignatureHeader h;
  h.set_creator(std::string(60, 'c'));
  h.set_nonce(std::string(24, 'n'));
  return h.SerializeAsString();
}

std::string sample_transaction() {
  protos::Transaction t;
  auto* a = t.add_actions();
  a->set_header(std::string(40, 'h'));
  a->set_payload(std::string(300, 'p'));
  return t.SerializeAsString();
}

std::string sample_payload() {
  common::Payload p;
  p.mutable_header()->set_channel_header("channel-header");
  p.mutable_header()->set_signature_header(std::string(50, 's'));
  p.set_data(sample_transaction());
  return p.SerializeAsString();
}

std::string sample_envelope() {
  common::Envelope e;
  e.set_payload(sample_payload());
  e.set_signature(std::string(32, 'S'));
  return e.SerializeAsString();
}

TEST(EnvelopeView, WellFormedMessagesAgree) {
  expect_envelope_agrees(sample_envelope());
  expect_envelope_agrees("");
  expect_payload_agrees(sample_payload());
  expect_payload_agrees("");
  expect_transaction_agrees(sample_transaction());
  expect_transaction_agrees("");
  expect_signature_header_agrees(sample_signature_header());
  expect_signature_header_agrees("");
  expect_action_payload_agrees(sample_action_payload());
  expect_action_payload_agrees("");
}

TEST(EnvelopeView, EdgeCasesAgree) {
  const std::string group = tag(7, 3) + tag(1, 0) + varint(5) + tag(7, 4);  // a well-formed group
  const std::string header = bytes_field(1, "ch") + bytes_field(2, "sh");
  const std::string action = bytes_field(1, "ah") + bytes_field(2, "ap");
  const std::vector<std::string> envelopes = {
      bytes_field(1, "a") + bytes_field(1, "b"),      // the last occurrence wins
      bytes_field(2, "s") + bytes_field(1, "p"),      // any field order
      tag(1, 0) + varint(7) + bytes_field(2, "s"),    // wrong wire type: an unknown field
      bytes_field(1, "p") + group,                    // a group: the parser decides
      bytes_field(1, "p") + tag(7, 4),                // a stray end-group tag
      bytes_field(1, "p") + tag(9, 5) + "abcd",       // unknown fixed32
      bytes_field(1, "p") + tag(9, 1) + "abcdefg",    // truncated fixed64
      tag(0, 2) + varint(0),                          // field number 0
      tag(1, 2) + varint(100) + "short",              // length past the end
      tag(1, 6) + varint(0),                          // wire type 6
  };
  for (const auto& e : envelopes) expect_envelope_agrees(e);
  const std::vector<std::string> payloads = {
      bytes_field(1, header) + bytes_field(2, "data"),
      bytes_field(2, "data"),                                                  // no header
      bytes_field(1, "") + bytes_field(2, "data"),                             // empty header
      bytes_field(1, bytes_field(1, "a")) + bytes_field(1, bytes_field(2, "b")),  // merged headers
      bytes_field(1, header + group),                                          // group inside the header
      bytes_field(1, tag(1, 2) + varint(9)),                                   // malformed header
      bytes_field(1, tag(1, 0) + varint(3)) + bytes_field(2, "d"),             // header field of the wrong type
      tag(1, 0) + varint(1) + bytes_field(2, "d"),                             // header of the wrong wire type
      bytes_field(1, header) + group,
  };
  for (const auto& p : payloads) expect_payload_agrees(p);
  const std::vector<std::string> transactions = {
      bytes_field(1, action),
      bytes_field(1, action) + bytes_field(1, action),  // two actions
      bytes_field(1, ""),                               // one empty action
      bytes_field(1, action + group),
      bytes_field(1, action) + group,
      bytes_field(1, tag(2, 2) + varint(50)),           // malformed action
      bytes_field(1, action) + bytes_field(1, tag(1, 2) + varint(50)),
      tag(1, 0) + varint(1),                            // no action (wrong wire type)
      bytes_field(2, action),                           // no action (unknown field)
  };
  for (const auto& t : transactions) expect_transaction_agrees(t);
  const std::string endorsement = bytes_field(1, "who") + bytes_field(2, "sig");
  const std::string endorsed = bytes_field(1, "prp") + bytes_field(2, endorsement);
  const std::vector<std::string> action_payloads = {
      bytes_field(1, "ccpp") + bytes_field(2, endorsed),
      bytes_field(1, "ccpp"),                                               // no action
      bytes_field(2, ""),                                                   // empty action
      bytes_field(2, endorsed) + bytes_field(2, bytes_field(2, endorsement)),  // merged actions
      bytes_field(2, endorsed + group),                                     // group inside the action
      bytes_field(2, endorsed) + group,
      bytes_field(2, bytes_field(2, tag(1, 2) + varint(40))),               // malformed endorsement
      bytes_field(2, tag(2, 0) + varint(1)),                                // endorsements of the wrong type
      tag(2, 0) + varint(1) + bytes_field(1, "c"),                          // action of the wrong wire type
  };
  for (const auto& a : action_payloads) expect_action_payload_agrees(a);
  const std::vector<std::string> signature_headers = {
      bytes_field(2, "n") + bytes_field(1, "c") + bytes_field(1, "d"), tag(1, 0) + varint(3),
      bytes_field(1, "c") + group, bytes_field(1, "c") + tag(2, 2) + varint(5)};
  for (const auto& h : signature_headers) expect_signature_header_agrees(h);
}

TEST(EnvelopeView, MutationsAgree) {
  // Both outcomes must be well represented, or the comparison would prove little.
  auto run = [](const std::string& base, uint64_t seed, bool (*check)(const std::string&)) {
    int accepted = 0, rejected = 0, i = 0;
    for (const std::string& m : mutations(base, seed, 3000)) {
      SCOPED_TRACE(i++);
      (check(m) ? accepted : rejected)++;
    }
    EXPECT_GT(accepted, 300);
    EXPECT_GT(rejected, 300);
  };
  run(sample_envelope(), 1, expect_envelope_agrees);
  run(sample_payload(), 2, expect_payload_agrees);
  run(sample_transaction(), 3, expect_transaction_agrees);
  run(sample_signature_header(), 4, expect_signature_header_agrees);
  run(sample_action_payload(), 5, expect_action_payload_agrees);
}

}  // namespace
}  // namespace fabsim::protoutil
