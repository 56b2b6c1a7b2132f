// The loader's parts on their own: argument templates, "did you mean" suggestions, the
// YAML tree's positions, and the order of the fault timeline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios/arg_template.h"
#include "scenarios/fault_timeline.h"
#include "scenarios/suggest.h"
#include "scenarios/yaml_tree.h"

namespace fabsim::scenario {
namespace {

// ---- argument templates ----------------------------------------------------------------

TEST(ScenarioArgTemplate, EveryPlaceholder) {
  auto t = parse_arg_template("{key}/{key2}/{seq}/{client}/{int:-3:7}/{bytes:16}");
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  using K = ArgPiece::Kind;
  std::vector<K> kinds;
  for (const ArgPiece& p : t->pieces)
    kinds.push_back(p.kind);
  EXPECT_EQ(kinds, (std::vector<K>{K::kKey, K::kLiteral, K::kKey2, K::kLiteral, K::kSeq, K::kLiteral, K::kClient,
                                   K::kLiteral, K::kInt, K::kLiteral, K::kBytes}));
  EXPECT_EQ(t->pieces[8].lo, -3);
  EXPECT_EQ(t->pieces[8].hi, 7);
  EXPECT_EQ(t->pieces[10].bytes, 16u);
  EXPECT_TRUE(t->uses(K::kKey2));
}

TEST(ScenarioArgTemplate, DoubledBracesAreLiteralAndLiteralsMerge) {
  auto t = parse_arg_template("a{{b}}c");
  ASSERT_TRUE(t.is_ok());
  ASSERT_EQ(t->pieces.size(), 1u);
  EXPECT_EQ(t->pieces[0].literal, "a{b}c");
  auto empty = parse_arg_template("");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->pieces.empty());
}

struct TemplateErrorCase {
  const char* name;
  const char* text;
  const char* message;
  size_t position;
};

class ScenarioArgTemplateErrors : public testing::TestWithParam<TemplateErrorCase> {};

TEST_P(ScenarioArgTemplateErrors, NamePlaceholderAndPosition) {
  size_t pos = 999;
  auto t = parse_arg_template(GetParam().text, &pos);
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().message(), GetParam().message);
  EXPECT_EQ(pos, GetParam().position);
}

INSTANTIATE_TEST_SUITE_P(
    ScenarioRules, ScenarioArgTemplateErrors,
    testing::Values(
        TemplateErrorCase{"UnknownPlaceholder", "ab{kye}",
                          "unknown placeholder '{kye}' (did you mean '{key}'?) at position 2", 2},
        TemplateErrorCase{"Unclosed", "x{key", "unclosed '{' (write '{{' for a literal brace) at position 1", 1},
        TemplateErrorCase{"UnmatchedClose", "x}y", "unmatched '}' (write '}}' for a literal brace) at position 1", 1},
        TemplateErrorCase{"IntNeedsTwoBounds", "{int:5}",
                          "expected '{int:LO:HI}' with whole numbers LO and HI at position 0", 0},
        TemplateErrorCase{"IntBoundsOrdered", "{int:5:1}", "'{int:LO:HI}' needs LO <= HI at position 0", 0},
        TemplateErrorCase{"BytesNeedsACount", "{bytes:-1}", "expected '{bytes:N}' with a whole number N at position 0",
                          0},
        TemplateErrorCase{"BytesBounded", "{bytes:99999999999}",
                          "'{bytes:N}' allows at most 67108864 bytes at position 0", 0},
        TemplateErrorCase{"NoParametersOnKey", "{key:1}", "placeholder '{key}' takes no parameters at position 0", 0}),
    [](const testing::TestParamInfo<TemplateErrorCase>& i) { return std::string(i.param.name); });

// ---- suggestions -----------------------------------------------------------------------

TEST(ScenarioSuggest, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("ordring", "ordering"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("ecdas", "ecdsa"), 1u);  // a swap of neighbours is one edit
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);       // optimal string alignment, not full Damerau
}

TEST(ScenarioSuggest, ADifferentDigitBeatsALetterAtTheSameDistance) {
  const std::vector<std::string> names = {"all", "peers", "Org1", "Org1.peers", "Org1.peer0", "orderers", "orderer0"};
  EXPECT_EQ(closest("Org1.peer9", names), "Org1.peer0");
  EXPECT_EQ(closest("orderer1", names), "orderer0");
  EXPECT_EQ(closest("Org1.peer", names), "Org1.peers");  // the earlier of two at distance 1
}

TEST(ScenarioSuggest, ClosestIsATypoOrNothing) {
  const std::vector<std::string> keys = {"name", "duration", "drain", "ordering"};
  EXPECT_EQ(closest("ordring", keys), "ordering");
  EXPECT_EQ(closest("Duration", keys), "duration");  // case-insensitive
  EXPECT_EQ(closest("dur", keys), "duration");       // a truncated name
  EXPECT_EQ(closest("zzzzzz", keys), std::nullopt);
  EXPECT_EQ(closest("nme", keys), "name");
}

TEST(ScenarioSuggest, SuggestionTextListsWhenNothingIsClose) {
  EXPECT_EQ(suggestion("ordring", {"ordering"}), " (did you mean 'ordering'?)");
  EXPECT_EQ(suggestion("zz", {"a", "b"}), " (expected one of: a, b)");
  EXPECT_EQ(suggestion("zz", {}), "");
  std::vector<std::string> many;
  for (int i = 0; i < 14; ++i)
    many.push_back("key" + std::to_string(i * 1000));
  EXPECT_NE(suggestion("q", many).find(", ... (14 in all))"), std::string::npos);
}

// ---- the YAML tree ---------------------------------------------------------------------

TEST(ScenarioYamlTree, PositionsAreOneBasedAndEmptyValuesPointAtTheirKey) {
  auto d = YamlDocument::parse("a: 1\nb:\nc: [x, ~]\n", "f.yaml");
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  const YamlNode& root = d->root();
  EXPECT_EQ(d->where(root.find("a")->loc), "f.yaml:1:4");
  EXPECT_EQ(root.find("b")->kind, YamlNode::Kind::kNull);
  EXPECT_EQ(d->where(root.find("b")->loc), "f.yaml:2:1");  // yaml-cpp would say 3:1
  EXPECT_EQ(d->where(root.find("c")->items[1].loc), "f.yaml:3:8");
  EXPECT_EQ(d->where(root.find_entry("c")->key_loc), "f.yaml:3:1");
}

TEST(ScenarioYamlTree, QuotedScalarsAreNotPlain) {
  auto d = YamlDocument::parse("a: 'x'\nb: x\nc: !!str 5\n", "f.yaml");
  ASSERT_TRUE(d.is_ok());
  EXPECT_FALSE(d->root().find("a")->plain);
  EXPECT_TRUE(d->root().find("b")->plain);
  EXPECT_FALSE(d->root().find("c")->plain);
}

TEST(ScenarioYamlTree, AliasesAreCopiesButBounded) {
  auto ok = YamlDocument::parse("a: &x {k: 1}\nb: *x\n", "f.yaml");
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->root().find("b")->find("k")->text, "1");
  // Nine levels of ten aliases each: 10^9 nodes once expanded.
  std::string bomb = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string p = "*l" + std::to_string(i - 1);
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [" + p;
    for (int k = 0; k < 9; ++k)
      bomb += ", " + p;
    bomb += "]\n";
  }
  auto r = YamlDocument::parse(bomb, "f.yaml");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("more than 1000000 nodes once its aliases are expanded"), std::string::npos)
      << r.status().message();
}

TEST(ScenarioYamlTree, OverridesHaveNoFilePosition) {
  auto d = YamlDocument::parse("a: 1\n", "f.yaml");
  ASSERT_TRUE(d.is_ok());
  ASSERT_TRUE(d->apply_override("b.c=[1, 2]").is_ok());
  const YamlNode* c = d->root().find("b")->find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->items.size(), 2u);
  EXPECT_EQ(d->where(c->items[0].loc), "--set b.c=[1, 2]");
  EXPECT_EQ(d->where(d->root().find_entry("b")->key_loc), "--set b.c=[1, 2]");
}

TEST(ScenarioYamlTree, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '[');
  auto r = YamlDocument::parse("a: " + deep, "f.yaml");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("f.yaml:"), std::string::npos) << r.status().message();
}

// ---- the fault timeline ----------------------------------------------------------------

TEST(ScenarioTimeline, OrderedByTimeThenFilePositionWithUndosAtTheirFaults) {
  std::vector<FaultSpec> f(3);
  f[0].at = Duration::seconds(10);
  f[0].action = FaultAction::kCrash;
  f[0].undo_after = Duration::seconds(5);  // restart at 15s
  f[1].at = Duration::seconds(15);
  f[1].action = FaultAction::kPause;
  f[2].at = Duration::seconds(1);
  f[2].action = FaultAction::kPartition;
  f[2].undo_after = Duration::seconds(14);  // heal at 15s
  const std::vector<TimelineEvent> t = fault_timeline(f);
  ASSERT_EQ(t.size(), 5u);
  auto at = [&](size_t i) { return t[i].at.ns / 1'000'000'000; };
  EXPECT_EQ(at(0), 1);
  EXPECT_EQ(t[0].action, FaultAction::kPartition);
  EXPECT_EQ(at(1), 10);
  // At 15s: the undo of faults.0, then faults.1, then the undo of faults.2.
  EXPECT_EQ(t[2].action, FaultAction::kRestart);
  EXPECT_TRUE(t[2].undo);
  EXPECT_EQ(t[2].fault, 0u);
  EXPECT_EQ(t[3].action, FaultAction::kPause);
  EXPECT_EQ(t[4].action, FaultAction::kHeal);
  EXPECT_EQ(t[4].fault, 2u);
  EXPECT_EQ(at(4), 15);
}

TEST(ScenarioTimeline, UndoActions) {
  EXPECT_EQ(undo_action(FaultAction::kCrash), FaultAction::kRestart);
  EXPECT_EQ(undo_action(FaultAction::kPause), FaultAction::kResume);
  EXPECT_EQ(undo_action(FaultAction::kPartition), FaultAction::kHeal);
  EXPECT_EQ(undo_action(FaultAction::kDegrade), FaultAction::kRestore);
}

}  // namespace
}  // namespace fabsim::scenario
