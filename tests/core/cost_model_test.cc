#include "core/cost_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace fabsim {

// Readable failure messages ("105us" rather than raw bytes).
void PrintTo(Duration d, std::ostream* os) { *os << format_duration(d); }

namespace {

using crypto::SignatureScheme;

// ---- the name table ------------------------------------------------------------------

TEST(CostModelNames, EveryNameIsSettableAndGettable) {
  for (const CostFieldInfo& f : cost_fields()) {
    CostModel m;
    const Duration v = Duration::nanos(123'457);
    ASSERT_TRUE(m.set(f.name, v).is_ok()) << f.name;
    Result<Duration> got = m.get(f.name);
    ASSERT_TRUE(got.is_ok()) << f.name;
    EXPECT_EQ(*got, v) << f.name;
    EXPECT_EQ(m.*(f.member), v) << f.name << " is not wired to its own field";
  }
}

// Setting one name changes exactly one field: no two names share a member and every
// member has a name. Together with the static_assert on sizeof(CostModel) in
// cost_model.cc, a field added without a name (or a name without a field) fails here.
TEST(CostModelNames, EachNameOwnsExactlyOneField) {
  const CostModel base;
  for (const CostFieldInfo& f : cost_fields()) {
    CostModel m;
    ASSERT_TRUE(m.set(f.name, (m.*(f.member)) + Duration::nanos(1)).is_ok());
    size_t changed = 0;
    for (const CostFieldInfo& g : cost_fields()) {
      if (m.*(g.member) != base.*(g.member)) ++changed;
    }
    EXPECT_EQ(changed, 1u) << f.name;
  }
  EXPECT_EQ(sizeof(CostModel), cost_fields().size() * sizeof(Duration) + sizeof(double))
      << "a Duration field of CostModel has no entry in the name table";
}

TEST(CostModelNames, NamesAreUniqueAndListedInOrder) {
  std::set<std::string> seen;
  ASSERT_EQ(cost_names().size(), cost_fields().size());
  for (size_t i = 0; i < cost_fields().size(); ++i) {
    EXPECT_EQ(cost_names()[i], cost_fields()[i].name);
    EXPECT_TRUE(seen.insert(cost_names()[i]).second) << "duplicate " << cost_names()[i];
    EXPECT_TRUE(is_cost_name(cost_names()[i]));
    EXPECT_FALSE(cost_fields()[i].unit.empty());
    EXPECT_FALSE(cost_fields()[i].models.empty());
  }
}

TEST(CostModelNames, UnknownNameIsAnErrorWithASuggestion) {
  CostModel m;
  const CostModel before = m;
  const Status s = m.set("fsyncc", Duration::micros(1));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'fsyncc'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("did you mean 'fsync'"), std::string::npos) << s.message();
  EXPECT_EQ(m, before);

  Result<Duration> got = m.get("vscc_per_signature");
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(is_cost_name("vscc_per_signature"));
}

TEST(CostModelNames, SuggestionOnlyWhenClose) {
  EXPECT_EQ(suggest_cost_name("mvcc_per_reads"), "mvcc_per_read");
  EXPECT_EQ(suggest_cost_name("ecdsa_verfy"), "ecdsa_verify");
  EXPECT_EQ(suggest_cost_name("vscc_per_signature"), "vscc_per_endorsement") << "the only vscc_ name";
  EXPECT_EQ(suggest_cost_name("block_sign"), "") << "several block_ names: no guess";
  EXPECT_EQ(suggest_cost_name("batch_timeout"), "");
  EXPECT_EQ(suggest_cost_name(""), "");
}

TEST(CostModelNames, NegativeValueIsRefused) {
  CostModel m;
  const CostModel before = m;
  EXPECT_EQ(m.set("fsync", Duration::nanos(-1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m, before);
  EXPECT_TRUE(m.set("fsync", Duration::zero()).is_ok()) << "zero switches a cost off";
}

// ---- defaults --------------------------------------------------------------------------

TEST(CostModelDefaults, EveryDefaultIsPositive) {
  const CostModel m = CostModel::defaults();
  for (const CostFieldInfo& f : cost_fields()) EXPECT_GT((m.*(f.member)).ns, 0) << f.name;
  EXPECT_EQ(m.variability_sigma, 0.0) << "variability is off by default";
}

TEST(CostModelDefaults, TheCheapSchemeIsCheaper) {
  const CostModel m;
  EXPECT_LT(m.hmac_sign, m.ecdsa_sign);
  EXPECT_LT(m.hmac_verify, m.ecdsa_verify);
  EXPECT_LT(m.verify(SignatureScheme::kHmacSha256, 3000), m.verify(SignatureScheme::kEcdsaP256, 3000));
}

// docs/cost-model.md has one table row per field, written "| `name` | <default> |" with
// the default in format_duration's notation, so the document cannot drift from the code.
TEST(CostModelDefaults, DocumentedInCostModelMd) {
  std::ifstream in(std::string(FABSIM_SOURCE_DIR) + "/docs/cost-model.md");
  ASSERT_TRUE(in) << "docs/cost-model.md is missing";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string doc = buf.str();
  const CostModel m;
  for (const CostFieldInfo& f : cost_fields()) {
    const std::string row = "| `" + std::string(f.name) + "` | " + format_duration(m.*(f.member)) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "no row '" << row << "' in docs/cost-model.md";
  }
}

// ---- composite charges -----------------------------------------------------------------

TEST(CostModelCharges, PerKibScalesAndRounds) {
  EXPECT_EQ(scale_per_kib(Duration::micros(1), 0), Duration::zero());
  EXPECT_EQ(scale_per_kib(Duration::micros(1), 1024), Duration::micros(1));
  EXPECT_EQ(scale_per_kib(Duration::micros(2), 3 * 1024), Duration::micros(6));
  EXPECT_EQ(scale_per_kib(Duration::nanos(1000), 512), Duration::nanos(500));
  EXPECT_EQ(scale_per_kib(Duration::nanos(1), 511), Duration::zero());  // 0.499 ns rounds down
  EXPECT_EQ(scale_per_kib(Duration::nanos(1), 512), Duration::nanos(1));  // 0.5 ns rounds up
  EXPECT_EQ(scale_per_kib(Duration::max(), UINT64_MAX), Duration::max()) << "saturates";
}

TEST(CostModelCharges, SignAndVerifyHashThenUseTheSchemesPrimitive) {
  CostModel m;
  m.hash_per_kb = Duration::micros(1);
  m.ecdsa_sign = Duration::micros(30);
  m.ecdsa_verify = Duration::micros(100);
  m.hmac_sign = Duration::micros(2);
  m.hmac_verify = Duration::micros(3);
  EXPECT_EQ(m.sign(SignatureScheme::kEcdsaP256, 2048), Duration::micros(32));
  EXPECT_EQ(m.verify(SignatureScheme::kEcdsaP256, 2048), Duration::micros(102));
  EXPECT_EQ(m.sign(SignatureScheme::kHmacSha256, 2048), Duration::micros(4));
  EXPECT_EQ(m.verify(SignatureScheme::kHmacSha256, 2048), Duration::micros(5));
  EXPECT_EQ(m.hash(4096), Duration::micros(4));
  m.block_write_per_kb = Duration::micros(2);
  EXPECT_EQ(m.block_write(2 * 1024 * 1024), Duration::micros(4096));
}

TEST(CostModelCharges, VaryIsIdentityAndDrawsNothingWhenOff) {
  CostModel m;
  Rng used(7), untouched(7);
  EXPECT_EQ(m.vary(Duration::micros(100), used), Duration::micros(100));
  EXPECT_EQ(used.next_u64(), untouched.next_u64()) << "no draw with sigma 0";
  m.variability_sigma = 0.5;
  EXPECT_EQ(m.vary(Duration::zero(), used), Duration::zero());
  EXPECT_EQ(used.next_u64(), untouched.next_u64()) << "no draw for a zero charge";
}

TEST(CostModelCharges, VaryIsDeterministicPositiveAndKeepsTheMean) {
  CostModel m;
  m.variability_sigma = 0.5;
  Rng a(42), b(42);
  double sum = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Duration x = m.vary(Duration::micros(100), a);
    ASSERT_EQ(x, m.vary(Duration::micros(100), b)) << "same stream, same draws";
    ASSERT_GT(x.ns, 0);
    sum += static_cast<double>(x.ns);
  }
  EXPECT_NEAR(sum / n, 100'000.0, 2'000.0) << "mean-preserving lognormal factor";
}

// ---- layering --------------------------------------------------------------------------

TEST(CostModelLayers, NodeBeatsRoleBeatsGlobalBeatsBase) {
  CostOverrides o;
  ASSERT_TRUE(o.global.set("fsync", Duration::micros(10)).is_ok());
  ASSERT_TRUE(o.global.set("ecdsa_verify", Duration::micros(11)).is_ok());
  ASSERT_TRUE(o.global.set("mvcc_per_read", Duration::micros(12)).is_ok());
  ASSERT_TRUE(o.by_role[CostRole::kPeer].set("fsync", Duration::micros(20)).is_ok());
  ASSERT_TRUE(o.by_role[CostRole::kPeer].set("ecdsa_verify", Duration::micros(21)).is_ok());
  ASSERT_TRUE(o.by_node["peer0.org1"].set("fsync", Duration::micros(30)).is_ok());

  const CostModel base;
  const CostModel p0 = resolve(o, CostRole::kPeer, "peer0.org1");
  EXPECT_EQ(p0.fsync, Duration::micros(30)) << "node wins";
  EXPECT_EQ(p0.ecdsa_verify, Duration::micros(21)) << "role beats global";
  EXPECT_EQ(p0.mvcc_per_read, Duration::micros(12)) << "global beats base";
  EXPECT_EQ(p0.chaincode_base, base.chaincode_base) << "untouched fields keep the base";

  const CostModel p1 = resolve(o, CostRole::kPeer, "peer1.org1");
  EXPECT_EQ(p1.fsync, Duration::micros(20)) << "another peer gets the role layer";

  const CostModel ord = resolve(o, CostRole::kOrderer, "peer0.org1");
  EXPECT_EQ(ord.fsync, Duration::micros(30)) << "node layers are keyed by node name alone";
  EXPECT_EQ(ord.ecdsa_verify, Duration::micros(11)) << "the peer layer does not reach orderers";

  EXPECT_EQ(resolve(CostOverrides{}, CostRole::kClient, "c0"), base) << "no overrides: the base";
}

TEST(CostModelLayers, ResolveStartsFromTheGivenBase) {
  CostModel base;
  base.fsync = Duration::millis(5);
  base.block_cut = Duration::millis(1);
  CostOverrides o;
  ASSERT_TRUE(o.global.set("block_cut", Duration::micros(7)).is_ok());
  const CostModel m = resolve(o, CostRole::kOrderer, "orderer0", base);
  EXPECT_EQ(m.fsync, Duration::millis(5));
  EXPECT_EQ(m.block_cut, Duration::micros(7));
}

TEST(CostModelLayers, LayerChecksNamesValuesAndSigmaWhenSet) {
  CostLayer layer;
  EXPECT_EQ(layer.set("no_such_cost", Duration::micros(1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(layer.set("fsync", Duration::nanos(-5)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(layer.set_variability_sigma(-0.1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(layer.set_variability_sigma(CostModel::kMaxVariabilitySigma + 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(layer.set_variability_sigma(std::nan("")).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(layer.empty()) << "refused values leave the layer unchanged";

  ASSERT_TRUE(layer.set("fsync", Duration::micros(1)).is_ok());
  ASSERT_TRUE(layer.set("fsync", Duration::micros(2)).is_ok());
  EXPECT_EQ(layer.costs().at("fsync"), Duration::micros(2)) << "last set wins";
}

TEST(CostModelLayers, VariabilityLayersLikeCosts) {
  CostOverrides o;
  ASSERT_TRUE(o.global.set_variability_sigma(0.2).is_ok());
  ASSERT_TRUE(o.by_node["orderer0"].set_variability_sigma(0.0).is_ok());
  EXPECT_EQ(resolve(o, CostRole::kPeer, "peer0").variability_sigma, 0.2);
  EXPECT_EQ(resolve(o, CostRole::kOrderer, "orderer0").variability_sigma, 0.0);
}

TEST(CostModelLayers, RoleNamesRoundTrip) {
  for (CostRole r : {CostRole::kClient, CostRole::kPeer, CostRole::kOrderer, CostRole::kBroker}) {
    const std::optional<CostRole> back = cost_role_from_name(cost_role_name(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
  }
  EXPECT_FALSE(cost_role_from_name("zookeeper").has_value());
}

}  // namespace
}  // namespace fabsim
