// Commit-time validation (fabric-semantics.md §3.1): each stage's rules, one case per rule,
// on real transactions built and signed the way Fabric's SDK and endorsers build them.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "core/crypto/ca.h"
#include "core/crypto/msp.h"
#include "core/crypto/signature.h"
#include "core/crypto/signing_identity.h"
#include "core/crypto/txid.h"
#include "core/policy/policy_parser.h"
#include "model/chaincode/tx_simulator.h"
#include "model/protoutil/txutil.h"
#include "model/validation/tx_validator.h"

namespace fabsim::validation {
namespace {

using crypto::NodeOu;
using crypto::SignatureScheme;
using protos::TxValidationCode;

constexpr uint64_t kSeed = 42;

struct TxOptions {
  std::string channel = "mychannel";
  std::string chaincode = "kv";
  std::string nonce = "nonce-1";
  std::vector<const crypto::SigningIdentity*> endorsers;  // default: peer1, peer2
  std::function<void(chaincode::TxSimulator&)> body;       // default: read k1, write k2
  std::function<void(rwset::TxReadWriteSet&)> edit_results;  // applied before endorsing
};

class Network {
 public:
  explicit Network(SignatureScheme scheme = SignatureScheme::kEcdsaP256)
      : ca1_(kSeed, "Org1MSP", "Org1"),
        ca2_(kSeed, "Org2MSP", "Org2"),
        ca3_(kSeed, "Org3MSP", "Org3"),
        client_(ca1_.issue("user1", NodeOu::kClient), scheme, kSeed),
        peer1_(ca1_.issue("peer0.org1", NodeOu::kPeer), scheme, kSeed),
        peer2_(ca2_.issue("peer0.org2", NodeOu::kPeer), scheme, kSeed),
        outsider_(ca3_.issue("peer0.org3", NodeOu::kPeer), scheme, kSeed),
        verifier_(crypto::make_verifier(scheme, kSeed)) {
    for (const auto* ca : {&ca1_, &ca2_}) {
      auto msp = crypto::Msp::create(crypto::MspConfig{ca->msp_id(), ca->certificate(), true, {}});
      EXPECT_TRUE(msp.is_ok());
      EXPECT_TRUE(msps_.add(std::move(msp).value()).is_ok());
    }
    define("kv", "AND('Org1MSP.peer','Org2MSP.peer')");
    define("other", "OR('Org1MSP.peer')");
    state_.put("kv", "k1", "v1", {1, 0});
    ctx_.channel_id = "mychannel";
    ctx_.msps = &msps_;
    ctx_.verifier = verifier_.get();
    ctx_.chaincodes = &chaincodes_;
  }

  void define(const std::string& name, const std::string& policy) {
    auto env = parse_signature_policy(policy);
    EXPECT_TRUE(env.is_ok());
    auto compiled = CompiledSignaturePolicy::compile(*env);
    EXPECT_TRUE(compiled.is_ok());
    chaincodes_.insert_or_assign(name, ChaincodeDefinition{name, "1.0", std::move(compiled).value()});
  }



  // A proposal, simulated and endorsed by each endorser, assembled into an envelope.
  common::Envelope tx(TxOptions o = {}) {
    if (o.endorsers.empty()) o.endorsers = {&peer1_, &peer2_};
    if (!o.body) o.body = [](chaincode::TxSimulator& s) {
        (void)s.get_state("kv", "k1");
        ASSERT_TRUE(s.set_state("kv", "k2", "v2").is_ok());
      };
    const protoutil::Proposal p =
        protoutil::make_proposal({o.channel, o.chaincode, "invoke", {}, o.nonce, Time::zero()}, client_);
    chaincode::TxSimulator sim(state_);
    o.body(sim);
    auto results = sim.get_tx_simulation_results();
    EXPECT_TRUE(results.is_ok());
    protoutil::EndorsementSpec spec;
    spec.results = *results;
    if (o.edit_results) o.edit_results(spec.results);
    spec.response.set_status(200);
    spec.chaincode_name = o.chaincode;
    spec.chaincode_version = "1.0";
    std::vector<protos::ProposalResponse> responses;
    for (const auto* e : o.endorsers) responses.push_back(protoutil::endorse(p, spec, *e));
    auto env = protoutil::assemble_transaction(p, responses, client_);
    EXPECT_TRUE(env.is_ok()) << env.status().to_string();
    return *env;
  }

  uint8_t check(const common::Envelope& env) {
    CheckedTx tx;
    ValidationWork work;
    uint8_t code = validate_transaction(env, ctx_, &tx, &work);
    if (code != TxValidationCode::VALID) return code;
    rwset::TxReadWriteSet rws;
    return dispatch_vscc(tx, ctx_, &rws, &work);
  }

  // Re-signs a payload as the client (for tampering tests that keep the creator signature).
  common::Envelope resign(common::Payload payload) {
    common::Envelope env;
    payload.SerializeToString(env.mutable_payload());
    env.set_signature(client_.sign(env.payload()));
    return env;
  }

  std::vector<uint8_t> block_codes(const std::vector<common::Envelope>& envs, std::set<std::string> in_ledger = {}) {
    common::Block block;
    block.mutable_header()->set_number(5);
    for (const auto& e : envs) e.SerializeToString(block.mutable_data()->add_data());
    auto r = validate_block(block, ctx_, state_, [&](const std::string& id) -> Result<bool> { return in_ledger.count(id) > 0; });
    EXPECT_TRUE(r.is_ok());
    last_ = *r;
    return r->codes;
  }

  crypto::CertificateAuthority ca1_, ca2_, ca3_;
  crypto::SigningIdentity client_, peer1_, peer2_, outsider_;
  std::unique_ptr<crypto::Verifier> verifier_;
  crypto::MspManager msps_;
  std::map<std::string, ChaincodeDefinition> chaincodes_;
  ledger::InMemoryState state_;
  ValidationContext ctx_;
  BlockValidation last_;
};

common::Payload payload_of(const common::Envelope& env) {
  common::Payload p;
  EXPECT_TRUE(p.ParseFromString(env.payload()));
  return p;
}

TEST(ValidateTransaction, WellFormedEndorsedTransactionIsValid) {
  Network n;
  EXPECT_EQ(n.check(n.tx()), TxValidationCode::VALID);
}

TEST(ValidateTransaction, UnparseablePayloadIsBadPayload) {
  Network n;
  common::Envelope env = n.tx();
  env.set_payload("\xff\xff\xff\xff");
  EXPECT_EQ(n.check(env), TxValidationCode::BAD_PAYLOAD);
}

TEST(ValidateTransaction, MissingHeaderIsBadCommonHeader) {
  Network n;
  common::Payload p = payload_of(n.tx());
  p.clear_header();
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::BAD_COMMON_HEADER);
}

TEST(ValidateTransaction, NonZeroEpochIsBadCommonHeader) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(p.header().channel_header()));
  ch.set_epoch(1);
  ch.SerializeToString(p.mutable_header()->mutable_channel_header());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::BAD_COMMON_HEADER);
}

TEST(ValidateTransaction, EmptyNonceIsBadCommonHeader) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::SignatureHeader sh;
  ASSERT_TRUE(sh.ParseFromString(p.header().signature_header()));
  sh.clear_nonce();
  sh.SerializeToString(p.mutable_header()->mutable_signature_header());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::BAD_COMMON_HEADER);
}

TEST(ValidateTransaction, UnknownHeaderTypeIsBadCommonHeader) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(p.header().channel_header()));
  ch.set_type(common::ORDERER_TRANSACTION);
  ch.SerializeToString(p.mutable_header()->mutable_channel_header());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::BAD_COMMON_HEADER);
}

TEST(ValidateTransaction, TamperedPayloadIsBadCreatorSignature) {
  Network n;
  common::Envelope env = n.tx();
  common::Payload p = payload_of(env);
  p.set_data(p.data() + "x");
  p.SerializeToString(env.mutable_payload());  // the old signature no longer matches
  EXPECT_EQ(n.check(env), TxValidationCode::BAD_CREATOR_SIGNATURE);
}

TEST(ValidateTransaction, CreatorFromUnknownMspIsBadCreatorSignature) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::SignatureHeader sh;
  ASSERT_TRUE(sh.ParseFromString(p.header().signature_header()));
  sh.set_creator(n.outsider_.serialized());
  sh.SerializeToString(p.mutable_header()->mutable_signature_header());
  common::Envelope env;
  p.SerializeToString(env.mutable_payload());
  env.set_signature(n.outsider_.sign(env.payload()));
  EXPECT_EQ(n.check(env), TxValidationCode::BAD_CREATOR_SIGNATURE);
}

TEST(ValidateTransaction, TxIdNotHashOfNonceAndCreatorIsBadProposalTxid) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(p.header().channel_header()));
  ch.set_tx_id(std::string(64, 'a'));
  ch.SerializeToString(p.mutable_header()->mutable_channel_header());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::BAD_PROPOSAL_TXID);
}

TEST(ValidateTransaction, TwoActionsIsInvalidEndorserTransaction) {
  Network n;
  common::Payload p = payload_of(n.tx());
  protos::Transaction t;
  ASSERT_TRUE(t.ParseFromString(p.data()));
  *t.add_actions() = t.actions(0);
  t.SerializeToString(p.mutable_data());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::INVALID_ENDORSER_TRANSACTION);
}

TEST(ValidateTransaction, ProposalHashMismatchIsInvalidEndorserTransaction) {
  Network n;
  common::Payload p = payload_of(n.tx());
  protos::Transaction t;
  ASSERT_TRUE(t.ParseFromString(p.data()));
  protos::ChaincodeActionPayload cap;
  ASSERT_TRUE(cap.ParseFromString(t.actions(0).payload()));
  cap.set_chaincode_proposal_payload(cap.chaincode_proposal_payload() + "x");
  cap.SerializeToString(t.mutable_actions(0)->mutable_payload());
  t.SerializeToString(p.mutable_data());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::INVALID_ENDORSER_TRANSACTION);
}

TEST(ValidateTransaction, ConfigTransactionsAreNotModelled) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(p.header().channel_header()));
  ch.set_type(common::CONFIG);
  ch.SerializeToString(p.mutable_header()->mutable_channel_header());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::INVALID_CONFIG_TRANSACTION);
}

TEST(ValidateTransaction, ConfigUpdateIsUnsupportedTxPayload) {
  Network n;
  common::Payload p = payload_of(n.tx());
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(p.header().channel_header()));
  ch.set_type(common::CONFIG_UPDATE);
  ch.SerializeToString(p.mutable_header()->mutable_channel_header());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::UNSUPPORTED_TX_PAYLOAD);
}

TEST(Vscc, MissingEndorsementOfARequiredOrgIsEndorsementPolicyFailure) {
  Network n;
  EXPECT_EQ(n.check(n.tx({.endorsers = {&n.peer1_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
}

TEST(Vscc, SameEndorserTwiceCountsOnce) {
  Network n;
  EXPECT_EQ(n.check(n.tx({.endorsers = {&n.peer1_, &n.peer1_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
}

TEST(Vscc, EndorserFromUnknownMspDoesNotCount) {
  Network n;
  EXPECT_EQ(n.check(n.tx({.endorsers = {&n.peer1_, &n.outsider_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
}

TEST(Vscc, ClientIdentityDoesNotSatisfyAPeerPrincipal) {
  Network n;
  EXPECT_EQ(n.check(n.tx({.endorsers = {&n.peer1_, &n.client_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
}

TEST(Vscc, TamperedEndorsementSignatureDoesNotCount) {
  Network n;
  common::Payload p = payload_of(n.tx());
  protos::Transaction t;
  ASSERT_TRUE(t.ParseFromString(p.data()));
  protos::ChaincodeActionPayload cap;
  ASSERT_TRUE(cap.ParseFromString(t.actions(0).payload()));
  std::string sig = cap.action().endorsements(1).signature();
  sig[sig.size() / 2] ^= 1;
  cap.mutable_action()->mutable_endorsements(1)->set_signature(sig);
  cap.SerializeToString(t.mutable_actions(0)->mutable_payload());
  t.SerializeToString(p.mutable_data());
  EXPECT_EQ(n.check(n.resign(p)), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
}

TEST(Vscc, UndefinedChaincodeIsInvalidChaincode) {
  Network n;
  EXPECT_EQ(n.check(n.tx({.chaincode = "nosuch", .body = [](chaincode::TxSimulator& s) {
                            ASSERT_TRUE(s.set_state("nosuch", "a", "b").is_ok());
                          }})),
            TxValidationCode::INVALID_CHAINCODE);
}

TEST(Vscc, EveryWrittenNamespaceMustSatisfyItsOwnPolicy) {
  Network n;
  n.define("strict", "AND('Org1MSP.peer','Org2MSP.peer','Org1MSP.admin')");
  // Invoked "kv" is satisfied, but the write into "strict" needs an admin too.
  EXPECT_EQ(n.check(n.tx({.body = [](chaincode::TxSimulator& s) {
              ASSERT_TRUE(s.set_state("kv", "a", "b").is_ok());
              ASSERT_TRUE(s.set_state("strict", "a", "b").is_ok());
            }})),
            TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
}

TEST(Vscc, ReadOnlyNamespaceOfAnotherChaincodeIsNotPolicyChecked) {
  Network n;
  n.define("strict", "AND('Org1MSP.peer','Org2MSP.peer','Org1MSP.admin')");
  EXPECT_EQ(n.check(n.tx({.body = [](chaincode::TxSimulator& s) {
              ASSERT_TRUE(s.set_state("kv", "a", "b").is_ok());
              (void)s.get_state("strict", "a");
            }})),
            TxValidationCode::VALID);
}

// Appends a namespace to the rwset with the given KVRWSet bytes.
void add_namespace(rwset::TxReadWriteSet& rws, const std::string& ns, const std::string& kvrwset_bytes) {
  auto* n = rws.add_ns_rwset();
  n->set_namespace_(ns);
  n->set_rwset(kvrwset_bytes);
}

std::string one_write(const std::string& key) {
  kvrwset::KVRWSet kv;
  auto* w = kv.add_writes();
  w->set_key(key);
  w->set_value("v");
  return kv.SerializeAsString();
}

const std::string kBadKvRwSet("\x0a\x05" "ab", 4);  // field 1, length 5, but 2 bytes follow

TEST(Vscc, RepeatedNamespaceIsIllegalWriteset) {
  Network n;
  EXPECT_EQ(n.check(n.tx({.edit_results = [](rwset::TxReadWriteSet& r) { add_namespace(r, "kv", one_write("x")); }})),
            TxValidationCode::ILLEGAL_WRITESET);
  // Many namespaces (past the short linear search), the repeat at the end.
  EXPECT_EQ(n.check(n.tx({.edit_results = [](rwset::TxReadWriteSet& r) {
              for (int i = 0; i < 12; ++i) add_namespace(r, "ns" + std::to_string(i), "");
              add_namespace(r, "ns3", "");
            }})),
            TxValidationCode::ILLEGAL_WRITESET);
}

TEST(Vscc, FirstProblemInRwsetOrderDecidesBetweenBadRwsetAndIllegalWriteset) {
  Network n;
  // An unparseable namespace before the repeat: BAD_RWSET; after it: ILLEGAL_WRITESET.
  for (int many : {0, 12}) {
    SCOPED_TRACE(many);
    EXPECT_EQ(n.check(n.tx({.edit_results = [many](rwset::TxReadWriteSet& r) {
                for (int i = 0; i < many; ++i) add_namespace(r, "pad" + std::to_string(i), "");
                add_namespace(r, "bad", kBadKvRwSet);
                add_namespace(r, "kv", "");
              }})),
              TxValidationCode::BAD_RWSET);
    EXPECT_EQ(n.check(n.tx({.edit_results = [many](rwset::TxReadWriteSet& r) {
                for (int i = 0; i < many; ++i) add_namespace(r, "pad" + std::to_string(i), "");
                add_namespace(r, "kv", "");
                add_namespace(r, "bad", kBadKvRwSet);
              }})),
              TxValidationCode::ILLEGAL_WRITESET);
  }
}

TEST(Vscc, WrittenNamespacesArePolicyCheckedInNameOrder) {
  Network n;
  n.define("strict", "AND('Org1MSP.peer','Org2MSP.peer','Org1MSP.admin')");
  // "aaa" (undefined) sorts before "strict" (policy fails), whatever the rwset order.
  EXPECT_EQ(n.check(n.tx({.edit_results = [](rwset::TxReadWriteSet& r) {
              add_namespace(r, "strict", one_write("a"));
              add_namespace(r, "aaa", one_write("a"));
            }})),
            TxValidationCode::INVALID_CHAINCODE);
  // "zzz" (undefined) sorts after it.
  EXPECT_EQ(n.check(n.tx({.edit_results = [](rwset::TxReadWriteSet& r) {
              add_namespace(r, "zzz", one_write("a"));
              add_namespace(r, "strict", one_write("a"));
            }})),
            TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
  // A namespace only read is not checked, even if undefined.
  EXPECT_EQ(n.check(n.tx({.edit_results = [](rwset::TxReadWriteSet& r) { add_namespace(r, "aaa", ""); }})),
            TxValidationCode::VALID);
}

TEST(Vscc, OneCheckedTxServesManyTransactions) {
  // Scratch reuse: a bad transaction between good ones changes nothing for the next.
  Network n;
  CheckedTx tx;
  ValidationWork work;
  auto run = [&](const common::Envelope& env) -> uint8_t {
    uint8_t code = validate_transaction(env, n.ctx_, &tx, &work);
    if (code != TxValidationCode::VALID) return code;
    rwset::TxReadWriteSet rws;
    return dispatch_vscc(tx, n.ctx_, &rws, &work);
  };
  EXPECT_EQ(run(n.tx()), TxValidationCode::VALID);
  EXPECT_EQ(run(n.tx({.endorsers = {&n.peer1_, &n.peer2_, &n.outsider_}})), TxValidationCode::VALID);
  EXPECT_EQ(run(n.tx({.endorsers = {&n.peer1_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(run(n.tx({.endorsers = {&n.outsider_, &n.peer1_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(run(n.tx()), TxValidationCode::VALID);
}

TEST(Vscc, HmacSchemeGivesTheSameOutcomes) {
  Network n(SignatureScheme::kHmacSha256);
  EXPECT_EQ(n.check(n.tx()), TxValidationCode::VALID);
  EXPECT_EQ(n.check(n.tx({.endorsers = {&n.peer1_}})), TxValidationCode::ENDORSEMENT_POLICY_FAILURE);
  common::Envelope env = n.tx();
  common::Payload p = payload_of(env);
  p.set_data(p.data() + "x");
  p.SerializeToString(env.mutable_payload());
  EXPECT_EQ(n.check(env), TxValidationCode::BAD_CREATOR_SIGNATURE);
}

TEST(ValidateBlock, TransactionForAnotherChannelIsTargetChainNotFound) {
  Network n;
  EXPECT_EQ(n.block_codes({n.tx({.channel = "otherchannel"})}), (std::vector<uint8_t>{TxValidationCode::TARGET_CHAIN_NOT_FOUND}));
}

TEST(ValidateBlock, TxIdAlreadyInTheLedgerIsDuplicateTxid) {
  Network n;
  common::Envelope env = n.tx();
  common::ChannelHeader ch;
  ASSERT_TRUE(ch.ParseFromString(payload_of(env).header().channel_header()));
  EXPECT_EQ(n.block_codes({env}, {ch.tx_id()}), (std::vector<uint8_t>{TxValidationCode::DUPLICATE_TXID}));
}

TEST(ValidateBlock, LaterValidCopyOfATxIdInTheBlockIsDuplicateTxid) {
  Network n;
  common::Envelope env = n.tx();
  EXPECT_EQ(n.block_codes({env, env}), (std::vector<uint8_t>{TxValidationCode::VALID, TxValidationCode::DUPLICATE_TXID}));
}

TEST(ValidateBlock, InvalidFirstCopyDoesNotMakeTheValidSecondADuplicate) {
  Network n;
  // Same nonce and creator, so the same TxID; the first lacks an endorsement.
  common::Envelope bad = n.tx({.endorsers = {&n.peer1_}});
  common::Envelope good = n.tx();
  EXPECT_EQ(n.block_codes({bad, good}),
            (std::vector<uint8_t>{TxValidationCode::ENDORSEMENT_POLICY_FAILURE, TxValidationCode::VALID}));
}

TEST(ValidateBlock, DuplicateIsMarkedEvenIfItsFirstCopyLaterFailsMvcc) {
  Network n;
  // Both copies read k1; an earlier transaction in the block writes k1. The first copy
  // fails MVCC, the second was already marked DUPLICATE_TXID before MVCC ran.
  common::Envelope writer = n.tx({.nonce = "w", .body = [](chaincode::TxSimulator& s) {
                                    ASSERT_TRUE(s.set_state("kv", "k1", "new").is_ok());
                                  }});
  common::Envelope reader = n.tx();
  EXPECT_EQ(n.block_codes({writer, reader, reader}),
            (std::vector<uint8_t>{TxValidationCode::VALID, TxValidationCode::MVCC_READ_CONFLICT,
                                  TxValidationCode::DUPLICATE_TXID}));
}

TEST(ValidateBlock, UnparseableEnvelopeIsInvalidOtherReason) {
  Network n;
  common::Block block;
  block.mutable_data()->add_data("\xff\xff\xff");
  auto r = validate_block(block, n.ctx_, n.state_, [](const std::string&) -> Result<bool> { return false; });
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->codes, (std::vector<uint8_t>{TxValidationCode::INVALID_OTHER_REASON}));
}

TEST(ValidateBlock, LedgerLookupErrorFailsTheWholeBlock) {
  Network n;
  common::Block block;
  n.tx().SerializeToString(block.mutable_data()->add_data());
  auto r = validate_block(block, n.ctx_, n.state_,
                          [](const std::string&) -> Result<bool> { return Status::corruption("index unreadable"); });
  EXPECT_FALSE(r.is_ok());
}

TEST(ValidateBlock, ValidWritesGetBlockAndTxIndexVersions) {
  Network n;
  common::Envelope bad = n.tx({.nonce = "a", .endorsers = {&n.peer1_}});
  common::Envelope good = n.tx({.nonce = "b"});
  n.block_codes({bad, good});
  ASSERT_NE(n.last_.updates.find("kv", "k2"), nullptr);
  EXPECT_EQ(n.last_.updates.find("kv", "k2")->version, (ledger::Height{5, 1}));
  EXPECT_EQ(n.last_.updates.size(), 1u);
}

TEST(ValidateBlock, ValidWritesEqualWhatTheLedgerDerivesFromTheCommittedBlock) {
  Network n;
  common::Block block;
  block.mutable_header()->set_number(5);
  std::vector<common::Envelope> envs{n.tx({.nonce = "a", .endorsers = {&n.peer1_}}), n.tx({.nonce = "b"}),
                                     n.tx({.nonce = "c", .body = [](chaincode::TxSimulator& s) {
                                             ASSERT_TRUE(s.delete_state("kv", "k1").is_ok());
                                             ASSERT_TRUE(s.set_state("kv", "z", "1").is_ok());
                                           }})};
  for (const auto& e : envs) e.SerializeToString(block.mutable_data()->add_data());
  auto r = validate_block(block, n.ctx_, n.state_, [](const std::string&) -> Result<bool> { return false; });
  ASSERT_TRUE(r.is_ok());
  for (int i = 0; i < 5; ++i) block.mutable_metadata()->add_metadata();
  block.mutable_metadata()->set_metadata(2, std::string(r->codes.begin(), r->codes.end()));
  auto derived = ledger::valid_tx_writes(block);
  ASSERT_TRUE(derived.is_ok());
  ASSERT_EQ(r->valid_writes.size(), 2u);
  ASSERT_EQ(derived->size(), r->valid_writes.size());
  for (size_t i = 0; i < derived->size(); ++i) {
    EXPECT_EQ((*derived)[i].tx_num, r->valid_writes[i].tx_num);
    EXPECT_EQ((*derived)[i].writes, r->valid_writes[i].writes);
  }
}

TEST(ValidateBlock, WorkCountersCountSignaturesAndPolicies) {
  Network n;
  n.block_codes({n.tx({.nonce = "a"}), n.tx({.nonce = "b"})});
  EXPECT_EQ(n.last_.work.envelopes, 2u);
  EXPECT_EQ(n.last_.work.signatures_verified, 6u);  // per tx: creator + 2 endorsements
  EXPECT_EQ(n.last_.work.policy_evaluations, 2u);
}

// A fuzz-style check: random byte flips in a block's envelopes never crash the validator,
// and every transaction gets a code (none stays NOT_VALIDATED).
class ValidateBlockFuzz : public testing::TestWithParam<SignatureScheme> {};

TEST_P(ValidateBlockFuzz, RandomByteFlipsAlwaysYieldACodeForEveryTransaction) {
  Network n(GetParam());
  std::vector<std::string> clean;
  for (int i = 0; i < 8; ++i) {
    std::string bytes;
    n.tx({.nonce = "n" + std::to_string(i)}).SerializeToString(&bytes);
    clean.push_back(bytes);
  }
  Rng rng(2024);
  std::map<uint8_t, int> seen;
  for (int round = 0; round < 200; ++round) {
    common::Block block;
    block.mutable_header()->set_number(9);
    for (const auto& c : clean) {
      std::string b = c;
      const int flips = static_cast<int>(rng.uniform_int(0, 3));
      for (int f = 0; f < flips; ++f) b[rng.uniform_u64(b.size())] ^= static_cast<char>(1u << rng.uniform_int(0, 7));
      block.mutable_data()->add_data(b);
    }
    auto r = validate_block(block, n.ctx_, n.state_, [](const std::string&) -> Result<bool> { return false; });
    ASSERT_TRUE(r.is_ok());
    ASSERT_EQ(r->codes.size(), clean.size());
    for (uint8_t c : r->codes) {
      ASSERT_NE(c, TxValidationCode::NOT_VALIDATED);
      ++seen[c];
    }
  }
  // The flips reach several stages, not just one.
  EXPECT_GE(seen.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Schemes, ValidateBlockFuzz, testing::Values(SignatureScheme::kHmacSha256, SignatureScheme::kEcdsaP256),
                         [](const testing::TestParamInfo<SignatureScheme>& i) {
                           return std::string(i.param == SignatureScheme::kHmacSha256 ? "Hmac" : "Ecdsa");
                         });

}  // namespace
}  // namespace fabsim::validation
