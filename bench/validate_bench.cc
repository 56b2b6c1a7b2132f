// BM_ValidateCommitBlock/txs/ecdsa/cache: validate and commit a block of kvstore
// transactions, each endorsed by two peers (AND('Org1MSP.peer','Org2MSP.peer')), through
// the whole commit pipeline (model/validation + model/ledger on an in-memory Env).
// items_per_second = transactions per second. ecdsa:0 is the cheap HMAC scheme. cache:1
// keeps one verification cache across iterations, as one per run is shared by every
// virtual peer: the first peer pays for the verifications, the others hit the cache.
//
// BM_BareSignatureVerify/txs: the same signature verifications the block needs (creator +
// two endorsements per transaction), done directly with OpenSSL's EVP_DigestVerify on the
// same keys and bytes — the floor that validation's overhead is measured against.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <map>
#include <memory>

#include "core/assert.h"
#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/verify_cache.h"
#include "core/policy/policy_parser.h"
#include "core/storage.h"
#include "model/chaincode/tx_simulator.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/ledger.h"
#include "model/protoutil/txutil.h"
#include "model/validation/tx_validator.h"

namespace fabsim {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;

struct SignedItem {  // one verification: key, message, signature
  EVP_PKEY* key;
  std::string message;
  std::string signature;
};

struct BlockFixture {
  BlockFixture(SignatureScheme scheme, int txs)
      : ca1(7, "Org1MSP", "Org1"),
        ca2(7, "Org2MSP", "Org2"),
        client(ca1.issue("user1", NodeOu::kClient), scheme, 7),
        peer1(ca1.issue("peer0.org1", NodeOu::kPeer), scheme, 7),
        peer2(ca2.issue("peer0.org2", NodeOu::kPeer), scheme, 7) {
    for (const auto* ca : {&ca1, &ca2}) {
      auto msp = crypto::Msp::create(crypto::MspConfig{ca->msp_id(), ca->certificate(), true, {}});
      FABSIM_ASSERT(msp.is_ok());
      FABSIM_ASSERT(msps.add(std::move(msp).value()).is_ok());
    }
    auto policy = CompiledSignaturePolicy::compile(*parse_signature_policy("AND('Org1MSP.peer','Org2MSP.peer')"));
    FABSIM_ASSERT(policy.is_ok());
    chaincodes.insert_or_assign("kv", validation::ChaincodeDefinition{"kv", "1.0", std::move(policy).value()});
    ledger::InMemoryState empty;
    for (int i = 0; i < txs; ++i) {
      const auto p = protoutil::make_proposal({"mychannel", "kv", "put", {}, "nonce-" + std::to_string(i), Time::zero()}, client);
      chaincode::TxSimulator sim(empty);
      (void)sim.get_state("kv", "key" + std::to_string(i));
      FABSIM_ASSERT(sim.set_state("kv", "key" + std::to_string(i), std::string(64, 'v')).is_ok());
      protoutil::EndorsementSpec spec;
      spec.results = *sim.get_tx_simulation_results();
      spec.response.set_status(200);
      spec.chaincode_name = "kv";
      spec.chaincode_version = "1.0";
      std::vector<protos::ProposalResponse> rs{protoutil::endorse(p, spec, peer1), protoutil::endorse(p, spec, peer2)};
      auto env = protoutil::assemble_transaction(p, rs, client);
      FABSIM_ASSERT(env.is_ok());
      env->SerializeToString(block.mutable_data()->add_data());
      items.push_back({client.certificate().public_key().evp(), env->payload(), env->signature()});
      for (const auto& r : rs) {
        const auto* who = r.endorsement().endorser() == peer1.serialized() ? &peer1 : &peer2;
        items.push_back({who->certificate().public_key().evp(), r.payload() + r.endorsement().endorser(),
                         r.endorsement().signature()});
      }
    }
    block.mutable_header()->set_number(0);
    block.mutable_header()->set_data_hash(ledger::block_data_hash(block.data()));
    for (int i = 0; i < 5; ++i) block.mutable_metadata()->add_metadata();
  }

  crypto::CertificateAuthority ca1, ca2;
  crypto::SigningIdentity client, peer1, peer2;
  crypto::MspManager msps;
  std::map<std::string, validation::ChaincodeDefinition> chaincodes;
  common::Block block;
  std::vector<SignedItem> items;
};

BlockFixture& fixture(SignatureScheme scheme, int txs) {
  static std::map<std::pair<int, int>, std::unique_ptr<BlockFixture>> cache;
  auto& f = cache[{static_cast<int>(scheme), txs}];
  if (!f) f = std::make_unique<BlockFixture>(scheme, txs);
  return *f;
}

void BM_ValidateCommitBlock(benchmark::State& state) {
  const int txs = static_cast<int>(state.range(0));
  const SignatureScheme scheme = state.range(1) ? SignatureScheme::kEcdsaP256 : SignatureScheme::kHmacSha256;
  BlockFixture& f = fixture(scheme, txs);
  crypto::CachingVerifier verifier(crypto::make_verifier(scheme, 7), state.range(2) != 0);
  validation::ValidationContext ctx{"mychannel", &f.msps, &verifier, &f.chaincodes};
  uint64_t valid = 0;
  for (auto _ : state) {
    state.PauseTiming();
    DurableStore store;
    auto ledger = ledger::Ledger::open(store.env(), "/ledger");
    FABSIM_ASSERT(ledger.is_ok());
    common::Block block = f.block;
    state.ResumeTiming();
    auto result = validation::validate_block(block, ctx, (*ledger)->state(), [&](const std::string& id) {
      return (*ledger)->block_store().tx_exists(id);
    });
    FABSIM_ASSERT(result.is_ok());
    block.mutable_metadata()->set_metadata(2, std::string(result->codes.begin(), result->codes.end()));
    FABSIM_ASSERT((*ledger)->commit_block(&block, result->updates, &result->valid_writes).is_ok());
    for (uint8_t c : result->codes) valid += c == 0;
    state.PauseTiming();
    ledger->reset();  // closing the databases is not part of the commit
    state.ResumeTiming();
  }
  FABSIM_ASSERT(valid == static_cast<uint64_t>(txs) * state.iterations());
  state.SetItemsProcessed(state.iterations() * txs);
  state.counters["real_verifications_per_block"] =
      static_cast<double>(verifier.stats().real_verifications) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ValidateCommitBlock)
    ->ArgNames({"txs", "ecdsa", "cache"})
    ->Args({500, 0, 0})
    ->Args({500, 0, 1})
    ->Args({500, 1, 0})
    ->Args({500, 1, 1})
    ->Unit(benchmark::kMillisecond);

void BM_BareSignatureVerify(benchmark::State& state) {
  BlockFixture& f = fixture(SignatureScheme::kEcdsaP256, static_cast<int>(state.range(0)));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  for (auto _ : state) {
    for (const SignedItem& it : f.items) {
      EVP_MD_CTX_reset(md);
      FABSIM_ASSERT(EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, it.key) == 1);
      FABSIM_ASSERT(EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(it.signature.data()), it.signature.size(),
                                     reinterpret_cast<const unsigned char*>(it.message.data()), it.message.size()) == 1);
    }
  }
  EVP_MD_CTX_free(md);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["verifications_per_block"] = static_cast<double>(f.items.size());
}
BENCHMARK(BM_BareSignatureVerify)->ArgNames({"txs"})->Arg(500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fabsim
