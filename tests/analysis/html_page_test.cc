// The HTML page module: escaping, JSON embedding that no string can break out of, Chart.js
// compiled in, and the page's structure (sections, tables, one canvas and config per chart).
#include "analysis/html_page.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace fabsim::html {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

struct EscapeCase {
  const char* name;
  std::string input;
  std::string expected;
};

class EscapeTest : public testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeTest, Escapes) { EXPECT_EQ(escape(GetParam().input), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    HtmlPage, EscapeTest,
    testing::Values(EscapeCase{"PlainTextIsUnchanged", "peer0.org1 crash 10s", "peer0.org1 crash 10s"},
                    EscapeCase{"AmpersandFirstSoEntitiesAreNotDoubled", "a&lt;b", "a&amp;lt;b"},
                    EscapeCase{"AngleBracketsCannotOpenATag", "</script><b>", "&lt;/script&gt;&lt;b&gt;"},
                    EscapeCase{"QuotesCannotCloseAnAttribute", "x\" onload='y'", "x&quot; onload=&#39;y&#39;"},
                    EscapeCase{"Utf8PassesThrough", "Zürich \xE2\x86\x92 Genève", "Zürich \xE2\x86\x92 Genève"},
                    EscapeCase{"NulByteIsKept", std::string("a\0b", 3), std::string("a\0b", 3)}),
    [](const auto& info) { return std::string(info.param.name); });

struct ScriptJsonCase {
  const char* name;
  nlohmann::ordered_json input;
  std::string expected;
};

class ScriptJsonTest : public testing::TestWithParam<ScriptJsonCase> {};

TEST_P(ScriptJsonTest, Embeds) {
  const std::string out = script_json(GetParam().input);
  EXPECT_EQ(out, GetParam().expected);
  // Whatever went in, the text parses back to the same value (when it was valid UTF-8).
  if (GetParam().input.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) ==
      GetParam().input.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::ignore)) {
    EXPECT_EQ(nlohmann::ordered_json::parse(out), GetParam().input);
  }
}

INSTANTIATE_TEST_SUITE_P(
    HtmlPage, ScriptJsonTest,
    testing::Values(
        ScriptJsonCase{"EndScriptTagInAStringIsEscaped", {{"label", "</script><script>alert(1)</script>"}},
                       R"({"label":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"})"},
        ScriptJsonCase{"CommentOpenerIsEscaped", {{"x", "<!--"}}, R"({"x":"\u003c!--"})"},
        ScriptJsonCase{"AmpersandIsEscaped", {{"x", "a&b"}}, R"({"x":"a\u0026b"})"},
        ScriptJsonCase{"KeysAreEscapedToo", {{"</script>", 1}}, R"({"\u003c/script\u003e":1})"},
        ScriptJsonCase{"LineSeparatorsAreEscaped", {{"x", "a\xE2\x80\xA8" "b\xE2\x80\xA9"}}, R"({"x":"a\u2028b\u2029"})"},
        ScriptJsonCase{"OtherUtf8PassesThrough", {{"x", "\xE2\x80\xA6"}}, "{\"x\":\"\xE2\x80\xA6\"}"},
        ScriptJsonCase{"InvalidUtf8BecomesReplacementCharacter", {{"x", "a\xFF" "b"}}, "{\"x\":\"a\xEF\xBF\xBD" "b\"}"},
        ScriptJsonCase{"NumbersAndNullsAreUnchanged", {{"y", {1, 2.5, nullptr}}}, R"({"y":[1,2.5,null]})"},
        ScriptJsonCase{"KeyOrderIsKept", {{"type", "line"}, {"data", 1}, {"options", 2}},
                       R"({"type":"line","data":1,"options":2})"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HtmlPage, ChartJsIsCompiledInFromDebianPackage) {
  const std::string_view js = chartjs_source();
  ASSERT_GT(js.size(), 100000u);
  EXPECT_NE(js.find("Chart.js v3"), std::string_view::npos);
  std::ifstream f("/usr/share/javascript/chart.js/chart.min.js", std::ios::binary);
  if (f) {  // the build read this file; on a build machine it is the same bytes
    std::stringstream s;
    s << f.rdbuf();
    EXPECT_EQ(s.str(), js);
  }
}

TEST(HtmlPage, PageHasTitleSectionsTablesAndOneCanvasAndConfigPerChart) {
  Page page("Run <quickstart>");
  page.add_text("seed 42 & more");
  page.section("Summary");
  page.add_table({"Name", "Succ"}, {{"kv", "10"}, {"<b>", "1"}});
  page.section("Charts");
  page.add_chart({{{"type", "line"}, {"data", {{"datasets", nlohmann::ordered_json::array()}}}}, 250, true});
  page.add_chart({{{"type", "bar"}, {"data", {{"labels", {"</script>"}}}}}, 200, false});
  const std::string out = page.render();

  EXPECT_EQ(out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(out.find("<title>Run &lt;quickstart&gt;</title>"), std::string::npos);
  EXPECT_NE(out.find("<h1>Run &lt;quickstart&gt;</h1>"), std::string::npos);
  EXPECT_NE(out.find("<p>seed 42 &amp; more</p>"), std::string::npos);
  EXPECT_EQ(count(out, "<section>"), 2u);
  EXPECT_EQ(count(out, "</section>"), 2u);
  EXPECT_NE(out.find("<td>&lt;b&gt;</td>"), std::string::npos);
  EXPECT_EQ(page.chart_count(), 2u);
  EXPECT_EQ(count(out, "<canvas id=\"chart-"), 2u);
  EXPECT_EQ(count(out, "data-chart=\"chart-"), 2u);
  EXPECT_NE(out.find("height: 250px"), std::string::npos);
  EXPECT_NE(out.find("class=\"chart half\""), std::string::npos);
  // The only "</script" in the page close the page's own script elements: 2 configs, the
  // marker, Chart.js and the runner.
  EXPECT_EQ(count(out, "</script>"), 5u);
  EXPECT_EQ(count(out, "<script"), 5u);
  EXPECT_NE(out.find("data:text/javascript;base64,"), std::string::npos);
  EXPECT_EQ(out.find("http://"), std::string::npos);   // nothing is fetched
  EXPECT_EQ(out.find("https://"), std::string::npos);
}

TEST(HtmlPage, ConsecutiveChartsShareOneRowAndTextStartsANewOne) {
  Page page("t");
  page.add_chart({{{"type", "bar"}}, 200, false});
  page.add_chart({{{"type", "bar"}}, 200, false});
  page.add_text("between");
  page.add_chart({{{"type", "bar"}}, 200, true});
  const std::string out = page.render();
  EXPECT_EQ(count(out, "<div class=\"charts\">"), 2u);
  EXPECT_EQ(count(out, "<figure class=\"chart half\""), 2u);
  EXPECT_LT(out.find("<p>between</p>"), out.rfind("<div class=\"charts\">"));
}

TEST(HtmlPage, ChartJsIsInlinedAsBase64OfTheCompiledBytes) {
  const std::string out = Page("t").render();
  const std::string prefix = "data:text/javascript;base64,";
  const std::size_t at = out.find(prefix);
  ASSERT_NE(at, std::string::npos);
  const std::size_t end = out.find('"', at);
  const std::size_t encoded = end - at - prefix.size();
  EXPECT_EQ(encoded, 4 * ((chartjs_source().size() + 2) / 3));
  // The first bytes of the library, "/*!\n * Chart.js", in base64.
  EXPECT_EQ(out.compare(at + prefix.size(), 8, "LyohCiAq"), 0);
}

TEST(HtmlPage, EmptyPageHasNoSectionAndExpectsNoCharts) {
  const std::string out = Page("nothing").render();
  EXPECT_EQ(count(out, "<section>"), 0u);
  EXPECT_EQ(count(out, "<canvas"), 0u);
  EXPECT_NE(out.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace fabsim::html
