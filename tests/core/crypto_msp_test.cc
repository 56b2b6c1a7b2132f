// The MSP: serialization, deserialization errors, validation (chain, CA as identity, NodeOU
// rules), roles extracted from the NodeOU, and ROLE principal matching per
// fabric-semantics.md 4.4 (F22:msp/mspimpl.go satisfiesPrincipalInternal*).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/proto/msp/identities.pb.h"
#include "tests/core/crypto_test_world.h"

namespace fabsim::crypto {
namespace {

using testing::deserialize_ok;
using testing::make_msp;
using testing::TwoOrgs;

constexpr uint32_t kMember = msp_role_bit(MspRole::kMember);
constexpr uint32_t kAdmin = msp_role_bit(MspRole::kAdmin);
constexpr uint32_t kClient = msp_role_bit(MspRole::kClient);
constexpr uint32_t kPeer = msp_role_bit(MspRole::kPeer);
constexpr uint32_t kOrderer = msp_role_bit(MspRole::kOrderer);

TEST(MspSerialization, IsSerializedIdentityWithPemOfTheCertificate) {
  TwoOrgs w(42);
  const IssuedIdentity peer = w.ca1.issue("peer0", NodeOu::kPeer);
  const std::string bytes = w.msp1.serialize(peer.certificate);
  msp::SerializedIdentity sid;
  ASSERT_TRUE(sid.ParseFromString(bytes));
  EXPECT_EQ(sid.mspid(), "Org1MSP");
  EXPECT_EQ(sid.id_bytes(), peer.certificate.pem());
  EXPECT_EQ(bytes, serialize_identity("Org1MSP", peer.certificate));
}

TEST(MspSerialization, DeserializeRoundTrips) {
  TwoOrgs w(42);
  const IssuedIdentity peer = w.ca1.issue("peer0", NodeOu::kPeer);
  const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(peer.certificate));
  EXPECT_EQ(id.msp_id(), "Org1MSP");
  EXPECT_EQ(id.certificate().der(), peer.certificate.der());
  EXPECT_EQ(id.serialized(), w.msp1.serialize(peer.certificate));
  // Fabric's IdentityIdentifier.Id: hex SHA-256 of the DER certificate.
  EXPECT_EQ(id.id_key(), to_hex(sha256(peer.certificate.der())));
  EXPECT_TRUE(id.is_valid()) << id.validation().to_string();
}

TEST(MspSerialization, DeserializationIsCachedByIdBytes) {
  TwoOrgs w(42);
  const std::string bytes = w.msp1.serialize(w.ca1.issue("peer0", NodeOu::kPeer).certificate);
  const Identity a = deserialize_ok(w.msp1, bytes);
  const Identity b = deserialize_ok(w.msp1, bytes);
  EXPECT_EQ(w.msp1.cache_size(), 1u);
  EXPECT_EQ(a.id_key(), b.id_key());
  EXPECT_EQ(a.roles_mask(), b.roles_mask());
}

struct RoleCase {
  const char* name;
  NodeOu ou;
  uint32_t roles;
};

// NodeOUs: the OU in the certificate decides the role; every valid identity is a member.
TEST(MspRoles, NodeOuRoleIsExtractedFromTheCertificate) {
  TwoOrgs w(42);
  const RoleCase cases[] = {
      {"PeerOuIsPeerAndMember", NodeOu::kPeer, kMember | kPeer},
      {"ClientOuIsClientAndMember", NodeOu::kClient, kMember | kClient},
      {"AdminOuIsAdminAndMember", NodeOu::kAdmin, kMember | kAdmin},
      {"OrdererOuIsOrdererAndMember", NodeOu::kOrderer, kMember | kOrderer},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(w.ca1.issue("n", c.ou).certificate));
    EXPECT_EQ(id.roles_mask(), c.roles);
  }
}

struct PrincipalCase {
  const char* name;
  NodeOu identity_ou;
  const char* principal_msp;
  MspRole principal_role;
  bool satisfied;
};

TEST(MspPrincipals, RolePrincipalMatchingFollowsFabric) {
  TwoOrgs w(42);
  const PrincipalCase cases[] = {
      {"MemberAcceptsPeer", NodeOu::kPeer, "Org1MSP", MspRole::kMember, true},
      {"MemberAcceptsClient", NodeOu::kClient, "Org1MSP", MspRole::kMember, true},
      {"MemberAcceptsAdmin", NodeOu::kAdmin, "Org1MSP", MspRole::kMember, true},
      {"MemberAcceptsOrderer", NodeOu::kOrderer, "Org1MSP", MspRole::kMember, true},
      {"PeerAcceptsPeer", NodeOu::kPeer, "Org1MSP", MspRole::kPeer, true},
      {"PeerRejectsClient", NodeOu::kClient, "Org1MSP", MspRole::kPeer, false},
      {"PeerRejectsAdmin", NodeOu::kAdmin, "Org1MSP", MspRole::kPeer, false},
      {"ClientAcceptsClient", NodeOu::kClient, "Org1MSP", MspRole::kClient, true},
      {"ClientRejectsPeer", NodeOu::kPeer, "Org1MSP", MspRole::kClient, false},
      {"ClientRejectsAdmin", NodeOu::kAdmin, "Org1MSP", MspRole::kClient, false},
      {"AdminAcceptsAdminOu", NodeOu::kAdmin, "Org1MSP", MspRole::kAdmin, true},
      {"AdminRejectsPeer", NodeOu::kPeer, "Org1MSP", MspRole::kAdmin, false},
      {"AdminRejectsClient", NodeOu::kClient, "Org1MSP", MspRole::kAdmin, false},
      {"OrdererAcceptsOrderer", NodeOu::kOrderer, "Org1MSP", MspRole::kOrderer, true},
      {"OrdererRejectsPeer", NodeOu::kPeer, "Org1MSP", MspRole::kOrderer, false},
      {"WrongMspIdRejectsMember", NodeOu::kPeer, "Org2MSP", MspRole::kMember, false},
      {"WrongMspIdRejectsPeer", NodeOu::kPeer, "Org2MSP", MspRole::kPeer, false},
      {"WrongMspIdRejectsAdmin", NodeOu::kAdmin, "Org2MSP", MspRole::kAdmin, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(w.ca1.issue("n", c.identity_ou).certificate));
    const RolePrincipal p{c.principal_msp, c.principal_role};
    const Status s = w.msp1.satisfies_principal(id, p);
    EXPECT_EQ(s.is_ok(), c.satisfied) << s.to_string();
    EXPECT_EQ(id.satisfies(p), c.satisfied);  // the roles mask agrees with the MSP
  }
}

TEST(MspPrincipals, WrongMspIdMessageIsFabrics) {
  TwoOrgs w(42);
  const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(w.ca1.issue("n", NodeOu::kPeer).certificate));
  EXPECT_EQ(w.msp1.satisfies_principal(id, {"Org2MSP", MspRole::kMember}).message(),
            "the identity is a member of a different MSP (expected Org2MSP, got Org1MSP)");
}

// An admin certificate listed in the MSP config is an admin whatever its OU (isInAdmins).
TEST(MspPrincipals, ListedAdminCertificateIsAdmin) {
  const CertificateAuthority ca(42, "Org1MSP", "Org1");
  const IssuedIdentity listed = ca.issue("client-admin", NodeOu::kClient);
  const Msp msp = make_msp(ca, true, {listed.certificate});
  const Identity id = deserialize_ok(msp, msp.serialize(listed.certificate));
  EXPECT_EQ(id.roles_mask(), kMember | kClient | kAdmin);
  const Identity other = deserialize_ok(msp, msp.serialize(ca.issue("c2", NodeOu::kClient).certificate));
  EXPECT_EQ(other.roles_mask(), kMember | kClient);
}

// Without NodeOUs: member is validity, admin is the admin list, client/peer cannot be told
// apart ("NodeOUs not activated"), orderer is an invalid role type.
TEST(MspPrincipals, WithoutNodeOusOnlyMemberAndListedAdminMatch) {
  const CertificateAuthority ca(42, "Org1MSP", "Org1");
  const IssuedIdentity admin = ca.issue("admin0", NodeOu::kAdmin);
  const Msp msp = make_msp(ca, false, {admin.certificate});
  const Identity peer = deserialize_ok(msp, msp.serialize(ca.issue("peer0", NodeOu::kPeer).certificate));
  EXPECT_EQ(peer.roles_mask(), kMember);
  const Status s = msp.satisfies_principal(peer, {"Org1MSP", MspRole::kPeer});
  EXPECT_NE(s.message().find("NodeOUs not activated"), std::string::npos) << s.to_string();
  const Identity a = deserialize_ok(msp, msp.serialize(admin.certificate));
  EXPECT_EQ(a.roles_mask(), kMember | kAdmin);
}

struct ValidityCase {
  const char* name;
  std::vector<std::string> ous;
  bool valid;
  uint32_t roles;
};

// validateIdentityOUsV142: with NodeOUs, exactly one of client/peer/admin/orderer.
TEST(MspValidation, NodeOuRulesFollowFabric) {
  TwoOrgs w(42);
  const ValidityCase cases[] = {
      {"ExactlyOneNodeOuIsValid", {"peer"}, true, kMember | kPeer},
      {"NoOuIsInvalid", {}, false, 0},
      {"OnlyNonNodeOuIsInvalid", {"department1"}, false, 0},
      {"TwoNodeOusAreInvalid", {"peer", "client"}, false, 0},
      {"SameNodeOuTwiceIsInvalid", {"peer", "peer"}, false, 0},
      {"ExtraNonNodeOuIsFine", {"department1", "client"}, true, kMember | kClient},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(w.ca1.issue_with_ous("n", c.ous).certificate));
    EXPECT_EQ(id.is_valid(), c.valid) << id.validation().to_string();
    EXPECT_EQ(id.roles_mask(), c.roles);
  }
}

TEST(MspValidation, CertificateOfAnotherCaIsInvalid) {
  TwoOrgs w(42);
  // Org2's peer presented as an Org1MSP identity: it deserializes (Fabric does not validate
  // there) but is not valid, so it satisfies no principal, not even member.
  const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(w.ca2.issue("peer0", NodeOu::kPeer).certificate));
  EXPECT_FALSE(id.is_valid());
  EXPECT_EQ(id.validation().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(id.roles_mask(), 0u);
  EXPECT_FALSE(w.msp1.satisfies_principal(id, {"Org1MSP", MspRole::kMember}).is_ok());
}

TEST(MspValidation, ImpostorCaWithTheSameNameIsNotTrusted) {
  TwoOrgs w(42);
  const CertificateAuthority impostor(1234, "Org1MSP", "Org1");  // same subject, other key
  ASSERT_EQ(impostor.certificate().subject_common_name(), w.ca1.certificate().subject_common_name());
  const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(impostor.issue("peer0", NodeOu::kPeer).certificate));
  EXPECT_FALSE(id.is_valid());
  EXPECT_EQ(id.roles_mask(), 0u);
}

TEST(MspValidation, CaCertificateCannotBeAnIdentity) {
  TwoOrgs w(42);
  const Identity id = deserialize_ok(w.msp1, w.msp1.serialize(w.ca1.certificate()));
  EXPECT_FALSE(id.is_valid());
  EXPECT_NE(id.validation().message().find("cannot be used as an identity"), std::string::npos);
}

struct DeserializeErrorCase {
  const char* name;
  std::string bytes;
  StatusCode msp_code;
  StatusCode manager_code;
};

TEST(MspDeserialization, ErrorsFollowFabric) {
  TwoOrgs w(42);
  const Certificate peer = w.ca1.issue("peer0", NodeOu::kPeer).certificate;
  msp::SerializedIdentity pem_garbage;
  pem_garbage.set_mspid("Org1MSP");
  pem_garbage.set_id_bytes("not pem");
  msp::SerializedIdentity not_a_cert;
  not_a_cert.set_mspid("Org1MSP");
  not_a_cert.set_id_bytes(pem_encode("CERTIFICATE", "garbage"));
  const DeserializeErrorCase cases[] = {
      {"GarbageBytesAreNotASerializedIdentity", std::string("\xff\xff\xff\xff", 4), StatusCode::kCorruption,
       StatusCode::kCorruption},
      {"PemGarbageIsNotDecodable", pem_garbage.SerializeAsString(), StatusCode::kCorruption, StatusCode::kCorruption},
      {"PemOfNonCertificateDoesNotParse", not_a_cert.SerializeAsString(), StatusCode::kCorruption,
       StatusCode::kCorruption},
      {"UnknownMspId", serialize_identity("Org9MSP", peer), StatusCode::kInvalidArgument, StatusCode::kNotFound},
  };
  MspManager mgr;
  ASSERT_TRUE(mgr.add(w.msp1).is_ok());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto direct = w.msp1.deserialize_identity(c.bytes);
    ASSERT_FALSE(direct.is_ok());
    EXPECT_EQ(direct.status().code(), c.msp_code) << direct.status().to_string();
    auto managed = mgr.deserialize_identity(c.bytes);
    ASSERT_FALSE(managed.is_ok());
    EXPECT_EQ(managed.status().code(), c.manager_code) << managed.status().to_string();
  }
  EXPECT_EQ(w.msp1.deserialize_identity(serialize_identity("Org2MSP", peer)).status().message(),
            "expected MSP ID Org1MSP, received Org2MSP");
  EXPECT_EQ(mgr.deserialize_identity(serialize_identity("Org9MSP", peer)).status().message(),
            "MSP Org9MSP is unknown");
}

TEST(MspDeserialization, ValidatingDeserializationRejectsAnotherCasCertificate) {
  TwoOrgs w(42);
  auto r = w.msp1.deserialize_valid_identity(w.msp1.serialize(w.ca2.issue("peer0", NodeOu::kPeer).certificate));
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(w.msp1.deserialize_valid_identity(w.msp1.serialize(w.ca1.issue("p", NodeOu::kPeer).certificate)).is_ok());
}

TEST(MspManager, DeserializesByMspId) {
  TwoOrgs w(42);
  MspManager mgr;
  ASSERT_TRUE(mgr.add(w.msp2).is_ok());
  ASSERT_TRUE(mgr.add(w.msp1).is_ok());
  EXPECT_EQ(mgr.add(w.msp1).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(mgr.msp_ids(), (std::vector<std::string>{"Org1MSP", "Org2MSP"}));
  auto a = mgr.deserialize_identity(w.msp1.serialize(w.ca1.issue("peer0", NodeOu::kPeer).certificate));
  auto b = mgr.deserialize_identity(w.msp2.serialize(w.ca2.issue("peer0", NodeOu::kPeer).certificate));
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(a->msp_id(), "Org1MSP");
  EXPECT_EQ(b->msp_id(), "Org2MSP");
  EXPECT_TRUE(a->is_valid());
  EXPECT_TRUE(b->is_valid());
  EXPECT_NE(a->id_key(), b->id_key());
  EXPECT_TRUE(mgr.satisfies_principal(*b, {"Org2MSP", MspRole::kPeer}).is_ok());
  EXPECT_FALSE(mgr.satisfies_principal(*b, {"Org1MSP", MspRole::kPeer}).is_ok());
}

TEST(MspManager, CachesSuccessfulDeserializationsByWholeBytes) {
  TwoOrgs w(42);
  MspManager mgr;
  ASSERT_TRUE(mgr.add(w.msp1).is_ok());
  const std::string peer1 = w.msp1.serialize(w.ca1.issue("peer0", NodeOu::kPeer).certificate);
  const std::string foreign = w.msp1.serialize(w.ca2.issue("peer0", NodeOu::kPeer).certificate);
  const std::string org2 = w.msp2.serialize(w.ca2.issue("peer0", NodeOu::kPeer).certificate);
  auto a = mgr.deserialize_identity(peer1);
  auto b = mgr.deserialize_identity(peer1);
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(a->id_key(), b->id_key());
  EXPECT_EQ(a->serialized(), b->serialized());
  EXPECT_EQ(a->roles_mask(), b->roles_mask());
  EXPECT_EQ(mgr.cache_size(), 1u);
  // An identity that deserializes but is not valid is a result like any other: cached, and
  // still invalid the second time.
  for (int i = 0; i < 2; ++i) {
    auto f = mgr.deserialize_identity(foreign);
    ASSERT_TRUE(f.is_ok());
    EXPECT_FALSE(f->is_valid());
    EXPECT_EQ(f->validation().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(mgr.cache_size(), 2u);
  // Errors are not cached: an unknown MSP stays unknown until it is added.
  EXPECT_EQ(mgr.deserialize_identity(org2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(mgr.deserialize_identity(org2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(mgr.cache_size(), 2u);
  ASSERT_TRUE(mgr.add(w.msp2).is_ok());
  EXPECT_EQ(mgr.cache_size(), 0u);
  auto c = mgr.deserialize_identity(org2);
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->msp_id(), "Org2MSP");
  EXPECT_TRUE(c->is_valid());
}

struct ConfigCase {
  const char* name;
  bool node_ous;
  bool with_admin;
  NodeOu admin_ou;
  bool ok;
};

// Fabric's setupAdminsV142 / postSetupV142.
TEST(MspConfigRules, SetupChecksFollowFabric) {
  const CertificateAuthority ca(42, "Org1MSP", "Org1");
  const ConfigCase cases[] = {
      {"NodeOusWithoutAdminsIsFine", true, false, NodeOu::kAdmin, true},
      {"NoNodeOusRequiresDeclaredAdmins", false, false, NodeOu::kAdmin, false},
      {"NoNodeOusWithValidAdminIsFine", false, true, NodeOu::kPeer, true},
      {"NodeOusAdminMayBeClient", true, true, NodeOu::kClient, true},
      {"NodeOusAdminMayBeAdmin", true, true, NodeOu::kAdmin, true},
      {"NodeOusAdminMayNotBePeer", true, true, NodeOu::kPeer, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Certificate> admins;
    if (c.with_admin) admins.push_back(ca.issue("admin", c.admin_ou).certificate);
    auto msp = Msp::create(MspConfig{"Org1MSP", ca.certificate(), c.node_ous, admins});
    EXPECT_EQ(msp.is_ok(), c.ok) << msp.status().to_string();
  }
  EXPECT_FALSE(Msp::create(MspConfig{"Org1MSP", ca.issue("p", NodeOu::kPeer).certificate, true, {}}).is_ok())
      << "a leaf is not a root CA";
  EXPECT_FALSE(Msp::create(MspConfig{"", ca.certificate(), true, {}}).is_ok());
}

}  // namespace
}  // namespace fabsim::crypto
