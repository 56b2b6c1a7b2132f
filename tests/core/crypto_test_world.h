// Shared fixtures for the crypto tests: organisations with a CA and an MSP, built from a seed.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"

namespace fabsim::crypto::testing {

inline Msp make_msp(const CertificateAuthority& ca, bool node_ous = true,
                    std::vector<Certificate> admins = {}) {
  auto msp = Msp::create(MspConfig{ca.msp_id(), ca.certificate(), node_ous, std::move(admins)});
  EXPECT_TRUE(msp.is_ok()) << msp.status().to_string();
  return std::move(msp).value();
}

// Org1 (Org1MSP) and Org2 (Org2MSP), NodeOUs on.
struct TwoOrgs {
  explicit TwoOrgs(uint64_t seed)
      : ca1(seed, "Org1MSP", "Org1"), ca2(seed, "Org2MSP", "Org2"), msp1(make_msp(ca1)), msp2(make_msp(ca2)) {}

  CertificateAuthority ca1;
  CertificateAuthority ca2;
  Msp msp1;
  Msp msp2;
};

inline Identity deserialize_ok(const Msp& msp, const std::string& serialized) {
  auto id = msp.deserialize_identity(serialized);
  EXPECT_TRUE(id.is_ok()) << id.status().to_string();
  return std::move(id).value();
}

}  // namespace fabsim::crypto::testing
