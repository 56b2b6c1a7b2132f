// Crypto benchmarks: the real cost of the operations the cost model charges per signature
// (the modelled CPU cost is separate; this is how long the simulation itself takes).
//  BM_EcdsaSign:    deterministic (RFC 6979) low-S ECDSA P-256 over a 1 KB message, DER.
//  BM_EcdsaVerify:  Fabric-style verification of that signature (DER parse, low-S check,
//                   stock OpenSSL EVP_PKEY_verify).
//  BM_HmacVerify:   the HMAC-SHA-256 stand-in's verification of a 1 KB message (key already
//                   derived, as after an identity's first verification in a run).
// items_per_second = operations per second.
#include <benchmark/benchmark.h>

#include <string>

#include "core/crypto/ca.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"

namespace fabsim::crypto {
namespace {

constexpr uint64_t kSeed = 1;

const IssuedIdentity& bench_identity() {
  static const IssuedIdentity id = CertificateAuthority(kSeed, "Org1MSP", "Org1").issue("peer0", NodeOu::kPeer);
  return id;
}

std::string message_1k(uint64_t i) { return std::string(1024 - 8, 'm') + std::to_string(10'000'000 + i % 1000); }

void BM_EcdsaSign(benchmark::State& state) {
  const SigningIdentity signer(bench_identity(), SignatureScheme::kEcdsaP256, kSeed);
  uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(message_1k(i++)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_EcdsaSign);

void BM_EcdsaVerify(benchmark::State& state) {
  const SigningIdentity signer(bench_identity(), SignatureScheme::kEcdsaP256, kSeed);
  const std::string msg = message_1k(0);
  const std::string sig = signer.sign(msg);
  const EcdsaVerifier verifier;
  for (auto _ : state) {
    Status s = verifier.verify(bench_identity().certificate, msg, sig);
    if (!s.is_ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_EcdsaVerify);

void BM_HmacVerify(benchmark::State& state) {
  const SigningIdentity signer(bench_identity(), SignatureScheme::kHmacSha256, kSeed);
  const std::string msg = message_1k(0);
  const std::string sig = signer.sign(msg);
  const HmacVerifier verifier(kSeed);
  for (auto _ : state) {
    Status s = verifier.verify(bench_identity().certificate, msg, sig);
    if (!s.is_ok()) state.SkipWithError(s.to_string().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HmacVerify);

}  // namespace
}  // namespace fabsim::crypto
