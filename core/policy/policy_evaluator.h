// Evaluating a signature policy against the identities that signed, with Fabric 2.x semantics
// (fabric-semantics.md sections 4.2-4.4; F22:common/policies/policy.go
// SignatureSetToValidIdentities, F22:common/cauthdsl/cauthdsl.go compile,
// F22:msp/mspimpl.go satisfiesPrincipalInternal*).
//
// Identity model. The evaluator never looks inside a certificate: an identity is a
// PolicyIdentity, which says which MSP it belongs to, which certificate it is (id_key), and
// which roles the MSP grants it (roles_mask). Whoever deserializes identities (the MSP layer,
// later with real X.509 certificates) fills these in:
//   * msp_id: the identity's MSP ID (IdentityIdentifier.Mspid).
//   * id_key: anything that is equal for two copies of the same certificate and different for
//     different certificates within one MSP (Fabric uses IdentityIdentifier.Id, a hash of the
//     certificate). Two signers are the same identity iff msp_id and id_key are both equal.
//     (Fabric concatenates the two strings; with its fixed-length hash Id that is the same
//     test.)
//   * roles_mask: role_bit(kMember) if the identity is valid for its MSP (this is what the
//     member principal checks), plus role_bit(kAdmin) if it is an MSP admin (admincerts or the
//     admin NodeOU), plus the client/peer/orderer bit of the NodeOU it carries. An identity
//     whose certificate is not valid for the MSP should have no bits: it can then be counted
//     and de-duplicated but satisfies no principal, as in Fabric.
// A PolicySigner adds whether the signature verified. An identity that could not be
// deserialized should be passed with signature_valid = false (or left out): Fabric skips
// both cases without remembering the identity.
//
// Evaluation (CompiledSignaturePolicy::evaluate):
//   1. build_signer_set: in input order, skip signers whose identity was already accepted,
//      then skip signers whose signature is bad; accept the rest. An identity is remembered
//      only once accepted, so a bad first copy does not stop a good later copy.
//   2. The rule runs over the accepted identities with one used flag per identity.
//      SignedBy(i) takes the first unused identity that satisfies principal i. NOutOf(N, ...)
//      runs every child in order (no short-circuit), each on a copy of the used flags; the
//      flags of a successful child are committed, those of a failed child discarded; the gate
//      succeeds iff at least N children succeeded. Greedy, no backtracking: the order of
//      signers and of rules matters, an OR consumes one identity per successful child, and an
//      identity never fills two principals.
//
// Each call allocates only its working flags and its result; no state is kept between calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/policy/policy.h"
#include "core/status.h"

namespace fabsim {

constexpr uint32_t role_bit(MspRole role) { return uint32_t{1} << static_cast<uint32_t>(role); }

struct PolicyIdentity {
  std::string msp_id;
  std::string id_key;
  uint32_t roles_mask = 0;  // role_bit()s; see the header comment

  // An identity of `msp_id` with role `role`, valid for its MSP: the member bit plus the bit of
  // `role` (just the member bit for kMember).
  static PolicyIdentity with_role(std::string msp_id, std::string id_key, MspRole role);

  // Fabric's SatisfiesPrincipal for a ROLE principal: same MSP ID, and the principal's role
  // bit is set. So an admin/client/peer/orderer identity is also a member, a peer is not a
  // client, and a client is not a peer.
  bool satisfies(const MspPrincipal& principal) const;
};

struct PolicySigner {
  PolicyIdentity identity;
  bool signature_valid = true;
};

enum class SignerDisposition : uint8_t {
  kAccepted,      // counted: a distinct identity with a valid signature
  kDuplicate,     // its identity was already accepted from an earlier signer
  kBadSignature,  // the signature did not verify; the identity is not remembered
};
const char* signer_disposition_name(SignerDisposition d);  // "accepted", "duplicate", "bad signature"

// The de-duplicated signer set (Fabric's SignatureSetToValidIdentities).
struct SignerSet {
  std::vector<uint32_t> accepted;              // input indices of the accepted signers, in order
  std::vector<SignerDisposition> disposition;  // one per input signer
  std::vector<uint32_t> duplicate_of;          // one per input signer: for kDuplicate, the input
                                               // index of the accepted copy; else its own index
};
SignerSet build_signer_set(std::span<const PolicySigner> signers);

// One principal filled by one identity.
struct PrincipalFill {
  uint32_t principal_index = 0;  // index into the envelope's identities
  uint32_t signer_index = 0;     // evaluate(): index into the signers given;
                                 // evaluate_identities(): index into the identities given
  bool operator==(const PrincipalFill&) const = default;
};

struct PolicyEvaluation {
  bool satisfied = false;
  // The consumption the root rule committed, in rule order (depth first, left to right): for a
  // satisfied policy, who filled which principal. For an unsatisfied one, the principals that
  // were filled by children that succeeded (a failed child's fills are discarded, as its used
  // flags are). Empty when the root is a SignedBy that failed.
  std::vector<PrincipalFill> fills;
  SignerSet signer_set;  // empty for evaluate_identities()
};

class CompiledSignaturePolicy {
 public:
  // Fabric's compile(): checks that every SignedBy index is within the identities
  // ("identity index out of range, requested i, but identities length is n") and that the
  // rule is at most kMaxRuleDepth deep. Errors are Status::invalid_argument.
  static Result<CompiledSignaturePolicy> compile(SignaturePolicyEnvelope envelope);

  const SignaturePolicyEnvelope& envelope() const { return envelope_; }

  // Fabric 2.x EvaluateSignedData: build_signer_set, then evaluate the rule over the accepted
  // identities. Fills name signers by their index in `signers`.
  PolicyEvaluation evaluate(std::span<const PolicySigner> signers) const;

  // The compiled rule run directly over `identities`, without the signer-set step: equal
  // identities are separate entries and can fill separate principals (fabric-semantics.md 4.3).
  PolicyEvaluation evaluate_identities(std::span<const PolicyIdentity> identities) const;

 private:
  explicit CompiledSignaturePolicy(SignaturePolicyEnvelope envelope) : envelope_(std::move(envelope)) {}

  SignaturePolicyEnvelope envelope_;
};

}  // namespace fabsim
