#include "core/crypto/msp.h"

#include <optional>

#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <ctime>

#include "core/assert.h"
#include "core/crypto/openssl_util.h"
#include "core/proto/msp/identities.pb.h"

namespace fabsim::crypto {

namespace {

struct X509StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct X509StoreCtxFree {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Seconds since the epoch of an ASN1_TIME (UTCTime or GeneralizedTime, always UTC in X.509);
// nullopt when the time does not parse (a corrupted certificate).
std::optional<int64_t> asn1_time_to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    internal::clear_openssl_errors();
    return std::nullopt;
  }
  const int64_t days = days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                       static_cast<unsigned>(tm.tm_mday));
  return days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

bool has_ou(const Certificate& cert, std::string_view ou) {
  for (const std::string& v : cert.subject_organizational_units()) {
    if (v == ou) return true;
  }
  return false;
}

// Fabric's name for a role in its messages: MSPRole_MSPRoleType_name.
const char* fabric_role_name(MspRole role) {
  switch (role) {
    case MspRole::kMember: return "MEMBER";
    case MspRole::kAdmin: return "ADMIN";
    case MspRole::kClient: return "CLIENT";
    case MspRole::kPeer: return "PEER";
    case MspRole::kOrderer: return "ORDERER";
  }
  return "?";
}

// The NodeOU identifier a role is told apart by (fabsim's NodeOUs config; cryptogen's).
std::string_view role_ou(MspRole role) {
  switch (role) {
    case MspRole::kClient: return node_ou_name(NodeOu::kClient);
    case MspRole::kPeer: return node_ou_name(NodeOu::kPeer);
    case MspRole::kAdmin: return node_ou_name(NodeOu::kAdmin);
    case MspRole::kOrderer: return node_ou_name(NodeOu::kOrderer);
    case MspRole::kMember: break;
  }
  FABSIM_ASSERT_MSG(false, "member has no NodeOU");
  return {};
}

}  // namespace


std::string serialize_identity(std::string_view msp_id, const Certificate& cert) {
  msp::SerializedIdentity sid;
  sid.set_mspid(std::string(msp_id));
  sid.set_id_bytes(cert.pem());
  std::string out;
  FABSIM_ASSERT(sid.SerializeToString(&out));
  return out;
}

// ---- Msp ---------------------------------------------------------------------------------

struct Msp::State {
  std::string msp_id;
  Certificate root;
  bool node_ous = true;
  std::vector<Certificate> admins;
  std::unique_ptr<X509_STORE, X509StoreFree> store;
  size_t cache_capacity = 0;
  // id_bytes -> identity. Lookups only; its order never reaches a result.
  std::map<std::string, Identity, std::less<>> cache;
};

Result<Msp> Msp::create(MspConfig config, size_t cache_capacity) {
  if (config.msp_id.empty()) return Status::invalid_argument("MSP ID must not be empty");
  if (!config.root_ca.is_ca() || !config.root_ca.signature_verifies_with(config.root_ca.public_key())) {
    return Status::invalid_argument("MSP " + config.msp_id + ": root certificate must be a self-signed CA");
  }
  if (config.admins.empty() && !config.node_ous_enabled) {
    return Status::invalid_argument("MSP " + config.msp_id +
                                    ": administrators must be declared when no admin ou classification is set");
  }
  auto state = std::make_shared<State>(State{config.msp_id, config.root_ca, config.node_ous_enabled,
                                             config.admins, nullptr, cache_capacity, {}});
  state->store.reset(X509_STORE_new());
  FABSIM_ASSERT(state->store != nullptr);
  FABSIM_ASSERT(X509_STORE_add_cert(state->store.get(), state->root.x509()) == 1);
  Msp msp(std::move(state));
  // Fabric's postSetupV142: with NodeOUs an admin must carry the client or admin OU; without,
  // it must be a valid identity.
  for (size_t i = 0; i < msp.state_->admins.size(); ++i) {
    const Certificate& admin = msp.state_->admins[i];
    if (msp.state_->node_ous) {
      if (!has_ou(admin, role_ou(MspRole::kClient)) && !has_ou(admin, role_ou(MspRole::kAdmin))) {
        return Status::invalid_argument("admin " + std::to_string(i) + " is invalid: it carries neither the client nor the admin OU");
      }
    } else if (Status s = msp.validate(admin); !s.is_ok()) {
      return Status::invalid_argument("admin " + std::to_string(i) + " is invalid: " + s.message());
    }
  }
  return msp;
}

const std::string& Msp::msp_id() const { return state_->msp_id; }
const Certificate& Msp::root_ca() const { return state_->root; }
bool Msp::node_ous_enabled() const { return state_->node_ous; }
size_t Msp::cache_size() const { return state_->cache.size(); }

Status Msp::validate(const Certificate& cert) const {
  const std::string chain_error = "could not obtain certification chain: ";
  if (cert.is_ca()) {
    return Status::failed_precondition(chain_error + "An X509 certificate with Basic Constraint: "
                                       "Certificate Authority equals true cannot be used as an identity");
  }
  std::unique_ptr<X509_STORE_CTX, X509StoreCtxFree> ctx(X509_STORE_CTX_new());
  FABSIM_ASSERT(ctx != nullptr);
  FABSIM_ASSERT(X509_STORE_CTX_init(ctx.get(), state_->store.get(), cert.x509(), nullptr) == 1);
  // Fabric validates "now" = the certificate's notBefore + 1 s, never the wall clock.
  const std::optional<int64_t> not_before = asn1_time_to_unix(X509_get0_notBefore(cert.x509()));
  if (!not_before.has_value()) return Status::failed_precondition(chain_error + "the certificate's notBefore does not parse");
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(*not_before + 1));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    internal::clear_openssl_errors();
    return Status::failed_precondition(chain_error + "the supplied identity is not valid: " +
                                       X509_verify_cert_error_string(err));
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  if (chain == nullptr || sk_X509_num(chain) < 2) {
    return Status::failed_precondition(chain_error + "expected a chain of length at least 2");
  }
  if (!state_->node_ous) return Status::ok();
  // validateIdentityOUsV142: exactly one NodeOU (each matching OU attribute counts).
  int node_ou_count = 0;
  for (const std::string& ou : cert.subject_organizational_units()) {
    if (node_ou_from_name(ou).has_value()) ++node_ou_count;
  }
  if (node_ou_count == 0) {
    return Status::failed_precondition("could not validate identity's OUs: the identity does not have an OU "
                                       "that resolves to client, peer, orderer, or admin role, MSP: [" +
                                       state_->msp_id + "]");
  }
  if (node_ou_count > 1) {
    return Status::failed_precondition("could not validate identity's OUs: the identity must have a client, a "
                                       "peer, an orderer, or an admin OU role to be valid, not a combination "
                                       "of them, MSP: [" + state_->msp_id + "]");
  }
  return Status::ok();
}

Status Msp::satisfies_role(const Certificate& cert, const Status& validation, MspRole role) const {
  const std::string& id = state_->msp_id;
  bool listed_admin = false;
  for (const Certificate& a : state_->admins) listed_admin = listed_admin || a.der() == cert.der();
  auto not_valid = [&] {
    return Status::failed_precondition("The identity is not valid under this MSP [" + id + "]: " + validation.message());
  };
  auto lacks_ou = [&] {
    return Status::failed_precondition(std::string("The identity is not a [") + fabric_role_name(role) +
                                       "] under this MSP [" + id + "]: The identity does not contain OU [" +
                                       fabric_role_name(role) + "], MSP: [" + id + "]");
  };
  if (role == MspRole::kMember) return validation;
  if (state_->node_ous) {
    // satisfiesPrincipalInternalV142 (admin, orderer), else V13 -> PreV13 (client, peer).
    if (role == MspRole::kAdmin && listed_admin) return Status::ok();
    if (!validation.is_ok()) return not_valid();
    if (!has_ou(cert, role_ou(role))) return lacks_ou();
    return Status::ok();
  }
  // NodeOUs off: satisfiesPrincipalInternalPreV13.
  switch (role) {
    case MspRole::kAdmin:
      return listed_admin ? Status::ok() : Status::failed_precondition("This identity is not an admin");
    case MspRole::kClient:
    case MspRole::kPeer:
      if (!validation.is_ok()) return not_valid();
      return Status::failed_precondition(std::string("The identity is not a [") + fabric_role_name(role) +
                                         "] under this MSP [" + id +
                                         "]: NodeOUs not activated. Cannot tell apart identities.");
    case MspRole::kOrderer:
      return Status::failed_precondition("invalid MSP role type 4");
    case MspRole::kMember:
      break;
  }
  FABSIM_ASSERT_MSG(false, "unreachable role");
  return Status::internal("unreachable");
}

Status Msp::satisfies_principal(const Identity& identity, const RolePrincipal& principal) const {
  FABSIM_ASSERT_MSG(identity.msp_id() == state_->msp_id, "identity of another MSP");
  if (principal.msp_id != state_->msp_id) {
    return Status::failed_precondition("the identity is a member of a different MSP (expected " +
                                       principal.msp_id + ", got " + identity.msp_id() + ")");
  }
  return satisfies_role(identity.certificate(), identity.validation(), principal.role);
}

Identity Msp::make_identity(const Certificate& cert) const {
  Status validation = validate(cert);
  uint32_t roles_mask = 0;
  for (MspRole role : kAllMspRoles) {
    if (satisfies_role(cert, validation, role).is_ok()) roles_mask |= msp_role_bit(role);
  }
  return Identity(std::make_shared<const Identity::Rep>(Identity::Rep{
      state_->msp_id, cert, to_hex(cert.der_sha256()), serialize_identity(state_->msp_id, cert),
      std::move(validation), roles_mask}));
}

Result<Identity> Msp::identity_from_id_bytes(std::string_view id_bytes) const {
  if (auto it = state_->cache.find(id_bytes); it != state_->cache.end()) return it->second;
  auto cert = Certificate::from_pem(id_bytes);
  if (!cert) return cert.status();
  Identity id = make_identity(*cert);
  if (state_->cache_capacity > 0) {
    if (state_->cache.size() >= state_->cache_capacity) state_->cache.clear();
    state_->cache.emplace(std::string(id_bytes), id);
  }
  return id;
}

Result<Identity> Msp::deserialize_identity(std::string_view serialized) const {
  msp::SerializedIdentity sid;
  if (!sid.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return Status::corruption("could not deserialize a SerializedIdentity");
  }
  if (sid.mspid() != state_->msp_id) {
    return Status::invalid_argument("expected MSP ID " + state_->msp_id + ", received " + sid.mspid());
  }
  return identity_from_id_bytes(sid.id_bytes());
}

Result<Identity> Msp::deserialize_valid_identity(std::string_view serialized) const {
  auto id = deserialize_identity(serialized);
  if (!id) return id;
  if (!id->is_valid()) return id->validation();
  return id;
}

// ---- MspManager --------------------------------------------------------------------------

Status MspManager::add(Msp msp) {
  std::string id = msp.msp_id();
  if (msps_.count(id) != 0) return Status::already_exists("MSP " + id + " is already set up");
  msps_.emplace(std::move(id), std::move(msp));
  cache_.clear();
  return Status::ok();
}

const Msp* MspManager::find(std::string_view msp_id) const {
  auto it = msps_.find(msp_id);
  return it == msps_.end() ? nullptr : &it->second;
}

std::vector<std::string> MspManager::msp_ids() const {
  std::vector<std::string> out;
  for (const auto& [id, msp] : msps_) out.push_back(id);
  return out;
}

Result<Identity> MspManager::deserialize_identity(std::string_view serialized) const {
  if (auto it = cache_.find(serialized); it != cache_.end()) return it->second;
  msp::SerializedIdentity sid;
  if (!sid.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return Status::corruption("could not deserialize a SerializedIdentity");
  }
  const Msp* m = find(sid.mspid());
  if (m == nullptr) return Status::not_found("MSP " + sid.mspid() + " is unknown");
  Result<Identity> id = m->identity_from_id_bytes(sid.id_bytes());
  if (id.is_ok()) {
    if (cache_.size() >= kCacheCapacity) cache_.clear();
    cache_.emplace(std::string(serialized), *id);
  }
  return id;
}

Status MspManager::satisfies_principal(const Identity& identity, const RolePrincipal& principal) const {
  const Msp* m = find(identity.msp_id());
  if (m == nullptr) return Status::not_found("MSP " + identity.msp_id() + " is unknown");
  return m->satisfies_principal(identity, principal);
}

}  // namespace fabsim::crypto
