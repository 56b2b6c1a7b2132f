// A signing identity: an identity issued by an organisation's CA, with the signer of the
// run's signature scheme (core/crypto/signature.h). This is what a virtual client, peer or
// orderer holds to fill in SignatureHeader.creator / Endorsement.endorser and to sign
// (Fabric's msp.SigningIdentity: Serialize + Sign).
//
// Immutable after construction; copies share the signer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto/ca.h"
#include "core/crypto/signature.h"

namespace fabsim::crypto {

class SigningIdentity {
 public:
  SigningIdentity(const IssuedIdentity& issued, SignatureScheme scheme, uint64_t seed);

  const std::string& msp_id() const { return msp_id_; }
  const std::string& name() const { return name_; }
  const Certificate& certificate() const { return certificate_; }
  // msp.SerializedIdentity bytes (serialize_identity): the creator / endorser field.
  const std::string& serialized() const { return serialized_; }
  SignatureScheme scheme() const { return signer_->scheme(); }

  // Fabric's SigningIdentity.Sign: SHA-256 of the message, then the scheme's signature.
  std::string sign(std::string_view message) const { return signer_->sign(message); }
  std::string sign_digest(const Digest256& digest) const { return signer_->sign_digest(digest); }

 private:
  std::string msp_id_;
  std::string name_;
  Certificate certificate_;
  std::string serialized_;
  std::shared_ptr<const Signer> signer_;
};

}  // namespace fabsim::crypto
