// Fabric's X.509 membership service provider (F22:msp/mspimpl.go, msp/identities.go,
// msp/mspimplvalidate.go, msp/mspimplsetup.go, msp/mspmgrimpl.go), for fabsim's
// deterministic certificates (core/crypto/ca.h).
//
//   Msp         one organisation's MSP: MSP ID, root CA certificate, NodeOUs on/off, admin
//               certificates. Serializes and deserializes identities, validates them,
//               matches ROLE principals (fabric-semantics.md 4.4).
//   MspManager  the MSPs of a channel, by MSP ID; deserializes any member's identity.
//   Identity    a deserialized identity: MSP ID, certificate, Fabric's identity ID, the
//               validation outcome, and the set of roles it satisfies.
//
// Serialized form: msp.SerializedIdentity{mspid, id_bytes = PEM of the DER certificate}
// (Fabric's identity.Serialize). A fabsim identity is ECDSA P-256 only.
//
// Deserialization (Fabric's DeserializeIdentity): protobuf, MSP ID equal to this MSP's
// ("expected MSP ID X, received Y"), PEM, X.509. It does NOT validate: an identity from a
// foreign CA deserializes, and then fails validation, so it satisfies no principal (not even
// member) -- exactly as in Fabric. deserialize_valid_identity() also requires validity.
//
// Validation (Fabric's validateIdentity, 2.x MSP):
//   1. the certificate is not a CA (basicConstraints CA:TRUE cannot be an identity);
//   2. it chains to the root CA, checked by stock OpenSSL X509_verify_cert at the
//      certificate's own notBefore + 1 s (Fabric's getValidityOptsForCert: expiry is not
//      checked by the MSP, and no clock is read);
//   3. with NodeOUs enabled, the subject carries exactly one of the OUs client, peer, admin,
//      orderer.
//   No CRLs, no intermediate CAs, no OU identifiers list, no certifiers identifiers (fabsim's
//   configurations never use them).
//
// Principal matching (satisfies_principal, Fabric's satisfiesPrincipalInternalV142 and the
// V13/PreV13 functions it falls back to), for principal MSP ID == identity MSP ID:
//   member:  valid.
//   admin:   listed in the admin certificates, or (NodeOUs) valid and carries the admin OU.
//   client, peer, orderer: NodeOUs enabled, valid, and carries that OU. So a peer is not a
//            client and a client is not a peer; an admin is neither.
//   Different MSP ID: never.
// Identity::roles_mask() is the set of roles whose principal the identity satisfies, computed
// once at deserialization by the same function, so the two can never disagree.
//
// Role bits: MspRole uses Fabric's MSPRole.MSPRoleType numbers (MEMBER 0, ADMIN 1, CLIENT 2,
// PEER 3, ORDERER 4) and roles_mask() sets bit (1 << role), the layout of the policy
// evaluator's role_bit() (core/policy), so an Identity maps directly onto its
// PolicyIdentity{msp_id(), id_key(), roles_mask()}.
//
// Ownership and cost: Msp is cheap to copy; copies share one immutable configuration and one
// deserialization cache (id_bytes -> Identity, bounded, cleared whole when full). An
// MspManager also keeps a cache, of whole serialized identities (the bytes a transaction
// carries) -> Identity, its own per instance. Identities are cheap to copy (they share one
// immutable representation). The caches save real time only and never change a result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/certificate.h"
#include "core/policy/policy.h"
#include "core/policy/policy_evaluator.h"
#include "core/status.h"

namespace fabsim::crypto {

// Roles and ROLE principals are the policy library's (core/policy/policy.h), so an
// Identity maps directly onto a PolicyIdentity.
using ::fabsim::MspRole;
using ::fabsim::msp_role_name;
using RolePrincipal = ::fabsim::MspPrincipal;
inline constexpr MspRole kAllMspRoles[] = {MspRole::kMember, MspRole::kAdmin, MspRole::kClient,
                                           MspRole::kPeer, MspRole::kOrderer};
inline constexpr uint32_t msp_role_bit(MspRole role) { return ::fabsim::role_bit(role); }

// msp.SerializedIdentity{mspid, id_bytes = PEM(cert)} marshalled (Fabric's Serialize).
std::string serialize_identity(std::string_view msp_id, const Certificate& cert);

class Identity {
 public:
  const std::string& msp_id() const { return rep_->msp_id; }
  // Fabric's IdentityIdentifier.Id: lowercase hex SHA-256 of the DER certificate. Equal for
  // two copies of one certificate, different for different certificates.
  const std::string& id_key() const { return rep_->id_key; }
  const Certificate& certificate() const { return rep_->cert; }
  // The canonical serialization (serialize_identity of msp_id and certificate), which is what
  // Fabric's Serialize() returns even if the received PEM had extra text around it.
  const std::string& serialized() const { return rep_->serialized; }

  // The MSP's validation verdict (OK, or FailedPrecondition saying why not).
  const Status& validation() const { return rep_->validation; }
  bool is_valid() const { return rep_->validation.is_ok(); }
  // msp_role_bit() of every role this identity satisfies in its own MSP. An invalid identity
  // has none, except the admin bit when its certificate is listed as an admin with NodeOUs
  // on (Fabric checks the admin list before validity, and does not validate admins then).
  uint32_t roles_mask() const { return rep_->roles_mask; }
  bool has_role(MspRole role) const { return (rep_->roles_mask & msp_role_bit(role)) != 0; }
  // Whether the identity satisfies `principal` (same MSP ID and the role bit set).
  bool satisfies(const RolePrincipal& principal) const {
    return principal.msp_id == rep_->msp_id && has_role(principal.role);
  }

 private:
  friend class Msp;
  // Immutable once made; copies of an Identity share it, so handing out an identity (from
  // a deserialization cache, for instance) copies a pointer, not the certificate and strings.
  struct Rep {
    std::string msp_id;
    Certificate cert;
    std::string id_key;
    std::string serialized;
    Status validation;
    uint32_t roles_mask = 0;
  };
  explicit Identity(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}

  std::shared_ptr<const Rep> rep_;
};

struct MspConfig {
  std::string msp_id;
  Certificate root_ca;          // self-signed CA certificate (Fabric's cacerts)
  bool node_ous_enabled = true;  // NodeOUs with OU identifiers client, peer, admin, orderer
  std::vector<Certificate> admins;  // Fabric's admincerts; usually empty with NodeOUs
};

class Msp {
 public:
  inline static constexpr size_t kDefaultCacheCapacity = 4096;

  // Checks the configuration as Fabric's setup does: a non-empty MSP ID; a root that is a
  // CA and self-signed; admins declared if NodeOUs are off; with NodeOUs each admin carries
  // the client or admin OU, without NodeOUs each admin validates. InvalidArgument otherwise.
  static Result<Msp> create(MspConfig config, size_t cache_capacity = kDefaultCacheCapacity);

  const std::string& msp_id() const;
  const Certificate& root_ca() const;
  bool node_ous_enabled() const;

  std::string serialize(const Certificate& cert) const { return serialize_identity(msp_id(), cert); }

  // Fabric's DeserializeIdentity (see the header comment). Errors: Corruption for bytes that
  // are not a SerializedIdentity, PEM or certificate; InvalidArgument for another MSP ID.
  Result<Identity> deserialize_identity(std::string_view serialized) const;
  // Fabric's deserializeIdentityInternal: from the id_bytes (PEM) alone; the MSP ID is ours.
  Result<Identity> identity_from_id_bytes(std::string_view id_bytes) const;
  // deserialize_identity, and FailedPrecondition if the identity is not valid for this MSP
  // (for example a certificate from another CA).
  Result<Identity> deserialize_valid_identity(std::string_view serialized) const;

  // Fabric's Validate for a certificate presented as an identity of this MSP.
  Status validate(const Certificate& cert) const;
  // Fabric's SatisfiesPrincipal for ROLE principals, with Fabric's error messages.
  // `identity` must come from this MSP.
  Status satisfies_principal(const Identity& identity, const RolePrincipal& principal) const;

  size_t cache_size() const;

 private:
  struct State;
  explicit Msp(std::shared_ptr<State> state) : state_(std::move(state)) {}
  Identity make_identity(const Certificate& cert) const;
  Status satisfies_role(const Certificate& cert, const Status& validation, MspRole role) const;

  std::shared_ptr<State> state_;
};

class MspManager {
 public:
  // AlreadyExists if an MSP with that ID is present.
  Status add(Msp msp);
  const Msp* find(std::string_view msp_id) const;
  // Sorted.
  std::vector<std::string> msp_ids() const;

  // Fabric's mspManagerImpl.DeserializeIdentity: protobuf (Corruption "could not deserialize
  // a SerializedIdentity"), the MSP by ID (NotFound "MSP X is unknown"), then that MSP's
  // identity_from_id_bytes.
  Result<Identity> deserialize_identity(std::string_view serialized) const;
  // The identity's own MSP decides; an unknown MSP is NotFound.
  Status satisfies_principal(const Identity& identity, const RolePrincipal& principal) const;

  // Entries of the whole-bytes deserialization cache (see the header comment).
  size_t cache_size() const { return cache_.size(); }

 private:
  inline static constexpr size_t kCacheCapacity = 4096;

  std::map<std::string, Msp, std::less<>> msps_;
  // Serialized identity bytes -> the identity they deserialized to, successes only: what
  // deserialize_identity would compute again (the MSPs are immutable and only ever added),
  // without re-parsing the SerializedIdentity. Bounded, cleared whole when full and on
  // add(). Lookups only; its order never reaches a result.
  mutable std::map<std::string, Identity, std::less<>> cache_;
};

}  // namespace fabsim::crypto
