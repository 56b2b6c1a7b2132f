// The HTML report of a run: which sections, tables and charts a results.json gives, and
// "no data" (never a throw) for every field that is absent or of another type.
#include "analysis/report_html.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace fabsim {
namespace {

using Json = nlohmann::ordered_json;

// A results.json of a 10 s run with one crash from 4 s to 6 s, in the shape
// docs/formats.md gives.
Json full_results() {
  const int n = 10;
  Json starts = Json::array(), tput = Json::array(), send = Json::array(), p50 = Json::array(), p95 = Json::array(),
       p99 = Json::array(), timeouts = Json::array(), h0 = Json::array(), h1 = Json::array(), cpu = Json::array();
  for (int i = 0; i < n; ++i) {
    const bool down = i >= 4 && i < 6;
    starts.push_back(int64_t{i} * 1'000'000'000);
    tput.push_back(down ? 0.0 : 100.0);
    send.push_back(100.0);
    p50.push_back(down ? Json(nullptr) : Json(1.2e9));
    p95.push_back(down ? Json(nullptr) : Json(1.5e9));
    p99.push_back(down ? Json(nullptr) : Json(2.0e9));
    timeouts.push_back(down ? 10 : 0);
    h0.push_back(down ? 4 : i);
    h1.push_back(i);
    cpu.push_back(down ? 0.0 : 0.5);
  }
  Json phase = {{"count", 900}, {"mean_ns", 3.5e6}, {"p50_ns", 3e6}, {"p95_ns", 5e6}, {"p99_ns", 7e6}};
  Json r;
  r["scenario"] = "peer-crash";
  r["seed"] = 42;
  r["reproduce"] = "./fabsim run scenarios/peer-crash.yaml --seed 42";
  r["simulated_ns"] = int64_t{10'000'000'000};
  r["caliper"] = {{"succ", 900},          {"fail", 20},
                  {"send_rate_tps", 100.0}, {"max_latency_ns", 3.25e9},
                  {"min_latency_ns", 8e8},  {"avg_latency_ns", 1.3e9},
                  {"throughput_tps", 90.04}};
  r["latency_ns"] = {{"p50", 1.2e9}, {"p95", 1.5e9}, {"p99", 2.0e9}};
  r["transactions"] = {{"requested", 1000}, {"submitted", 980}, {"valid", 900},
                       {"invalid", 0},      {"failed", 20},     {"unknown", 0}};
  r["failed_by_reason"] = {{"endorsement timeout", 20}};
  r["blocks_by_cut_reason"] = {{"count", {{"blocks", 3}, {"transactions", 300}, {"bytes", 9000}}},
                               {"timeout", {{"blocks", 6}, {"transactions", 600}, {"bytes", 18000}}}};
  r["safety"] = {{"hold", true}, {"violations", Json::array()}};
  r["channels"] = Json::array({{{"name", "mychannel"}}});
  r["expectations"] = {{"met", true}, {"unmet", Json::array()}};
  r["phases"] = Json::object();
  for (const char* name : {"endorse", "broadcast", "batch_wait", "delivery", "vscc", "mvcc", "ledger_commit", "commit_event"})
    r["phases"][name] = phase;
  r["latency_histogram"] = {{"upper_ns", {1e9, 2e9, nullptr}}, {"counts", {100, 700, 100}}};
  r["timeseries"] = {{"window_ns", 1'000'000'000},
                     {"start_ns", starts},
                     {"throughput_tps", tput},
                     {"send_rate_tps", send},
                     {"latency_p50_ns", p50},
                     {"latency_p95_ns", p95},
                     {"latency_p99_ns", p99},
                     {"failures", {{"endorsement timeout", timeouts}}},
                     {"peer_heights", {{"mychannel", {{"peer0.org1", h0}, {"peer0.org2", h1}}}}},
                     {"cpu_utilisation", {{"peer0.org1", cpu}}},
                     {"queue_length", {{"peer0.org1/committer", timeouts}}},
                     {"disk_utilisation", {{"peer0.org1", cpu}}},
                     {"link_utilisation", {{"peer0.org1->orderer0", cpu}}}};
  r["faults"] = Json::array({{{"at_ns", int64_t{4'000'000'000}},
                              {"end_ns", int64_t{6'000'000'000}},
                              {"action", "crash"},
                              {"targets", {"peer0.org1"}},
                              {"text", "crash peer0.org1 for 2s"}}});
  r["fault_timeline"] = Json::array({{{"fault", "crash peer0.org1 for 2s"},
                                      {"at_ns", int64_t{4'000'000'000}},
                                      {"end_ns", int64_t{6'000'000'000}},
                                      {"before_tps", 100.0},
                                      {"during_tps", 0.0},
                                      {"after_tps", 99.5},
                                      {"recovery_ns", 1.5e9}}});
  return r;
}

// The chart configurations embedded in a page, in order.
std::vector<Json> charts(const std::string& page) {
  std::vector<Json> out;
  const std::string open = "<script type=\"application/json\" data-chart=\"";
  for (std::size_t at = page.find(open); at != std::string::npos; at = page.find(open, at + 1)) {
    const std::size_t begin = page.find('>', at) + 1;
    out.push_back(Json::parse(page.substr(begin, page.find("</script>", begin) - begin)));
  }
  return out;
}

// The chart whose title is `title`, or null.
Json chart_titled(const std::string& page, const std::string& title) {
  for (const Json& c : charts(page))
    if (c["options"]["plugins"]["title"]["text"] == title) return c;
  return nullptr;
}

bool has(const std::string& page, const std::string& text) { return page.find(text) != std::string::npos; }

TEST(ReportHtml, CaliperSummaryTableHasCaliperColumnsAndTheRunsValues) {
  const std::string page = render_report_html(full_results());
  EXPECT_TRUE(has(page, "<th>Name</th><th>Succ</th><th>Fail</th><th>Send Rate (TPS)</th><th>Max Latency (s)</th>"
                        "<th>Min Latency (s)</th><th>Avg Latency (s)</th><th>Throughput (TPS)</th>"));
  EXPECT_TRUE(has(page, "<td>peer-crash</td><td>900</td><td>20</td><td>100.0</td><td>3.250</td><td>0.800</td>"
                        "<td>1.300</td><td>90.0</td>"));
}

TEST(ReportHtml, SeedAndReproduceCommandAreShown) {
  const std::string page = render_report_html(full_results());
  EXPECT_TRUE(has(page, "seed <code>42</code>"));
  EXPECT_TRUE(has(page, "<pre>./fabsim run scenarios/peer-crash.yaml --seed 42</pre>"));
}

TEST(ReportHtml, VerdictsSayHoldAndMet) {
  const std::string page = render_report_html(full_results());
  EXPECT_TRUE(has(page, "Safety: <span class=\"ok\">hold</span>"));
  EXPECT_TRUE(has(page, "Expectations: <span class=\"ok\">met</span>"));
}

TEST(ReportHtml, ViolationsAndUnmetExpectationsAreListedEscaped) {
  Json r = full_results();
  r["safety"] = {{"hold", false}, {"violations", {"height 3: peers <a> and <b> differ"}}};
  r["expectations"] = {{"met", false}, {"unmet", {"throughput_tps >= 95: was 90.0"}}};
  const std::string page = render_report_html(r);
  EXPECT_TRUE(has(page, "Safety: <span class=\"bad\">VIOLATED</span>"));
  EXPECT_TRUE(has(page, "<li>height 3: peers &lt;a&gt; and &lt;b&gt; differ</li>"));
  EXPECT_TRUE(has(page, "Expectations: <span class=\"bad\">NOT MET</span>"));
  EXPECT_TRUE(has(page, "<li>throughput_tps &gt;= 95: was 90.0</li>"));
}

TEST(ReportHtml, EveryChartOfAFullRunIsThere) {
  const std::string page = render_report_html(full_results());
  for (const char* title :
       {"Throughput", "Latency of VALID transactions (by completion window)", "Failures by reason",
        "Block height, channel mychannel", "Latency of VALID transactions", "Mean transaction, phase by phase",
        "Mean and p99 per phase", "CPU utilisation per node", "Inputs waiting per node and lane (at each window's end)",
        "Disk utilisation per node", "Link utilisation (per direction)", "Blocks by cut reason"})
    EXPECT_FALSE(chart_titled(page, title).is_null()) << title;
  EXPECT_EQ(charts(page).size(), 12u);
  EXPECT_FALSE(has(page, "no data"));
}

TEST(ReportHtml, FaultPeriodsAreShadedAndLabelledOnTimeCharts) {
  const std::string page = render_report_html(full_results());
  for (const char* title : {"Throughput", "CPU utilisation per node"}) {
    const Json ranges = chart_titled(page, title)["options"]["plugins"]["fabsimRanges"]["ranges"];
    ASSERT_EQ(ranges.size(), 1u) << title;
    EXPECT_EQ(ranges[0]["from"], 4.0);
    EXPECT_EQ(ranges[0]["to"], 6.0);
    EXPECT_EQ(ranges[0]["label"], "crash peer0.org1 for 2s");
  }
}

TEST(ReportHtml, FaultWithoutEndIsShadedToTheEndOfTheRun) {
  Json r = full_results();
  r["faults"][0]["end_ns"] = nullptr;
  const std::string page = render_report_html(r);
  EXPECT_TRUE(chart_titled(page, "Throughput")["options"]["plugins"]["fabsimRanges"]["ranges"][0]["to"].is_null());
  EXPECT_TRUE(has(page, "<td>the end</td>"));
}

TEST(ReportHtml, FaultTableHasThroughputAroundTheFaultAndRecovery) {
  const std::string page = render_report_html(full_results());
  EXPECT_TRUE(has(page, "<td>crash peer0.org1 for 2s</td><td>4.00 s</td><td>6.00 s</td><td>100.0</td><td>0.0</td>"
                        "<td>99.5</td><td>1.50 s</td>"));
}

TEST(ReportHtml, RecoveryThatNeverCameSaysNotRecovered) {
  Json r = full_results();
  r["fault_timeline"][0]["recovery_ns"] = nullptr;
  EXPECT_TRUE(has(render_report_html(r), "<td>not recovered</td>"));
  r["fault_timeline"][0]["before_tps"] = 0.0;  // nothing to recover to
  EXPECT_FALSE(has(render_report_html(r), "<td>not recovered</td>"));
}

TEST(ReportHtml, KafkaSectionShowsTheChecksLostRecordsAndHalts) {
  Json r = full_results();
  EXPECT_FALSE(has(render_report_html(r), ">Kafka<"));  // solo: no section
  r["channels"] = Json::array({Json::object({{"name", "mychannel"}})});
  r["channels"][0]["kafka"] = {
      {"reference_replica", "kafka2"}, {"blocks_matched", 36}, {"offsets_compared", 861}, {"acknowledged", 352},
      {"lost_acknowledged", Json::array({{{"tx_id", "ab12"}, {"osn", "orderer1"}, {"at_ns", 29'500'000'000}, {"offset", 290}}})},
      {"unjudged_acknowledged", 0}, {"loss_permitted_by", Json::array({"unclean leader election"})},
      {"replica_divergences", Json::array({"kafka: partition mychannel-0: offset 3 differs"})},
      {"liveness", Json::array({{{"at_ns", 55'000'000'000}, {"event", "after crash kafka0"}, {"resumed_ns", 2'260'000'000},
                                 {"judged", true}}})}};
  r["kafka_halts"] = Json::array({"at 55 s kafka0: the leader's log end 278 is below ours 279"});
  const std::string page = render_report_html(r);
  EXPECT_TRUE(has(page, "<td>mychannel</td><td>kafka2</td><td>36</td><td>861</td><td>352</td><td>1</td><td>0</td><td>1</td>"));
  EXPECT_TRUE(has(page, "<td>ab12</td><td>orderer1</td><td>29.5 s</td><td>290</td>"));
  EXPECT_TRUE(has(page, "permitted on mychannel by: unclean leader election"));
  EXPECT_TRUE(has(page, "offset 3 differs"));
  EXPECT_TRUE(has(page, "<td>after crash kafka0</td><td>2.26 s</td><td>judged</td>"));
  EXPECT_TRUE(has(page, "Broker halted at 55 s kafka0"));
}

TEST(ReportHtml, ClockOffsetIsAMomentNotAPeriodToTheEnd) {
  Json r = full_results();
  r["faults"][0] = {{"at_ns", int64_t{3'000'000'000}}, {"end_ns", nullptr}, {"action", "clock_offset"},
                    {"targets", {"orderer0"}}, {"text", "clock_offset orderer0 by 2s"}};
  const std::string page = render_report_html(r);
  const Json range = chart_titled(page, "Throughput")["options"]["plugins"]["fabsimRanges"]["ranges"][0];
  EXPECT_EQ(range["from"], 3.0);
  EXPECT_EQ(range["to"], 3.0);
  EXPECT_TRUE(has(page, "<td>(a moment)</td>"));
}

TEST(ReportHtml, LatencyChartFillsBetweenPercentilesInSeconds) {
  const Json c = chart_titled(render_report_html(full_results()), "Latency of VALID transactions (by completion window)");
  ASSERT_EQ(c["data"]["datasets"].size(), 3u);
  EXPECT_EQ(c["data"]["datasets"][0]["fill"], false);
  EXPECT_EQ(c["data"]["datasets"][2]["fill"], "-1");
  EXPECT_EQ(c["options"]["scales"]["y"]["title"]["text"], "latency (s)");
  EXPECT_EQ(c["data"]["datasets"][2]["data"][0], Json({0.5, 2.0}));  // [the window's middle, p99 in s]
  // No VALID commit while down (windows 4 and 5): those points are left out, not null.
  ASSERT_EQ(c["data"]["datasets"][2]["data"].size(), 8u);
  EXPECT_EQ(c["data"]["datasets"][2]["data"][4], Json({6.5, 2.0}));
}

TEST(ReportHtml, FailuresAreStackedBarsOfPointObjects) {
  const Json c = chart_titled(render_report_html(full_results()), "Failures by reason");
  EXPECT_EQ(c["type"], "bar");
  EXPECT_EQ(c["options"]["scales"]["y"]["stacked"], true);
  // Chart.js reads an [x, y] pair in a bar chart as a floating bar, so bars carry objects.
  EXPECT_EQ(c["data"]["datasets"][0]["data"][4], Json({{"x", 4.5}, {"y", 10}}));
}

TEST(ReportHtml, PeerHeightsAreSteppedLinesAtEachWindowsEnd) {
  const Json c = chart_titled(render_report_html(full_results()), "Block height, channel mychannel");
  ASSERT_EQ(c["data"]["datasets"].size(), 2u);
  EXPECT_EQ(c["data"]["datasets"][0]["label"], "peer0.org1");
  EXPECT_EQ(c["data"]["datasets"][0]["stepped"], true);
  EXPECT_EQ(c["data"]["datasets"][0]["data"][5], Json({6.0, 4}));  // the window 5-6 s, peer down at height 4
}

// Chart.js breaks a line at a null point whatever spanGaps says, so windows without a VALID
// completion are left out and spanGaps, a distance, bridges the short gaps only.
TEST(ReportHtml, LatencyLinesSpanUpToTwoEmptyWindowsNotAnOutage) {
  const Json c = chart_titled(render_report_html(full_results()), "Latency of VALID transactions (by completion window)");
  for (const Json& d : c["data"]["datasets"]) EXPECT_EQ(d["spanGaps"], 3.0);  // windows of 1 s
}

TEST(ReportHtml, PercentAxisRunsTo100OnlyWhenASeriesComesNearIt) {
  Json r = full_results();
  r["timeseries"]["link_utilisation"]["peer0.org1->orderer0"] = Json(std::vector<double>(10, 0.02));
  const std::string page = render_report_html(r);
  EXPECT_EQ(chart_titled(page, "CPU utilisation per node")["options"]["scales"]["y"]["max"], 100);  // 50% peak
  EXPECT_FALSE(chart_titled(page, "Link utilisation (per direction)")["options"]["scales"]["y"].contains("max"));
}

TEST(ReportHtml, SeriesAllZeroSayNoData) {
  Json r = full_results();
  r["timeseries"]["queue_length"]["peer0.org1/committer"] = Json(std::vector<int>(10, 0));
  EXPECT_TRUE(has(render_report_html(r), "no data: queue lengths: zero in every window"));
}

TEST(ReportHtml, HistogramLabelsBucketsAndTheOverflowBucket) {
  const Json c = chart_titled(render_report_html(full_results()), "Latency of VALID transactions");
  EXPECT_EQ(c["data"]["labels"], Json({"\u2264 1.00 s", "\u2264 2.00 s", "> 2.00 s"}));
  EXPECT_EQ(c["data"]["datasets"][0]["data"], Json({100, 700, 100}));
}

TEST(ReportHtml, HistogramWithOneMoreCountThanBoundsHasAnOverflowBucket) {
  Json r = full_results();
  r["latency_histogram"] = {{"upper_ns", {1e9, 2e9}}, {"counts", {100, 700, 100}}};
  const Json c = chart_titled(render_report_html(r), "Latency of VALID transactions");
  EXPECT_EQ(c["data"]["labels"], Json({"\u2264 1.00 s", "\u2264 2.00 s", "> 2.00 s"}));
}

TEST(ReportHtml, HistogramLeavesOutEmptyBucketsAtBothEnds) {
  Json r = full_results();
  r["latency_histogram"] = {{"upper_ns", {1e6, 1e7, 1e8, 1e9}}, {"counts", {0, 5, 0, 3, 0}}};
  const Json c = chart_titled(render_report_html(r), "Latency of VALID transactions");
  EXPECT_EQ(c["data"]["labels"], Json({"\u2264 10.0 ms", "\u2264 100 ms", "\u2264 1.00 s"}));
  EXPECT_EQ(c["data"]["datasets"][0]["data"], Json({5, 0, 3}));
}

TEST(ReportHtml, PhaseChartHasMeanAndP99PerPhaseInOrder) {
  Json r = full_results();
  r["phases"]["batch_wait"]["mean_ns"] = 24.5e6;  // as long as the seven others together
  const std::string page = render_report_html(r);
  const Json c = chart_titled(page, "Mean and p99 per phase");
  EXPECT_EQ(c["data"]["labels"][2], "batch_wait");
  EXPECT_EQ(c["data"]["datasets"][0]["label"], "mean");
  EXPECT_EQ(c["data"]["datasets"][1]["data"][0], 7.0);  // ms
  EXPECT_TRUE(has(page, "<td>batch_wait</td><td>900</td><td>24.5 ms</td><td>3.00 ms</td><td>5.00 ms</td>"
                        "<td>7.00 ms</td><td>50%</td>"));
  EXPECT_TRUE(has(page, "<td>endorse</td><td>900</td><td>3.50 ms</td><td>3.00 ms</td><td>5.00 ms</td>"
                        "<td>7.00 ms</td><td>7%</td>"));
}

TEST(ReportHtml, OlderResultsWithThreeCoarsePhasesStillGetAPhaseChart) {
  Json r = full_results();
  r.erase("phases");
  r["phase_mean_ns"] = {{"endorse", 3.5e6}, {"order", 2.9e6}, {"validate_commit", 1.279e9}};
  const std::string page = render_report_html(r);
  const Json c = chart_titled(page, "Mean per phase");
  EXPECT_EQ(c["data"]["labels"], Json({"endorse", "order", "validate_commit"}));
  EXPECT_EQ(c["data"]["datasets"].size(), 1u);  // no p99 in these files
  EXPECT_TRUE(has(page, "three coarse phases"));
}

TEST(ReportHtml, SeriesThatStayAtZeroAreNotDrawnButNamed) {
  Json r = full_results();
  r["timeseries"]["cpu_utilisation"]["client0"] = Json(std::vector<double>(10, 0.0));
  const std::string page = render_report_html(r);
  EXPECT_EQ(chart_titled(page, "CPU utilisation per node")["data"]["datasets"].size(), 1u);
  EXPECT_TRUE(has(page, "Zero throughout, not drawn: client0."));
}

TEST(ReportHtml, AtMostTwelveSeriesPerChartTheHighestPeaks) {
  Json r = full_results();
  for (int i = 1; i <= 14; ++i) r["timeseries"]["cpu_utilisation"]["node" + std::to_string(i)] = Json(std::vector<double>(10, i / 100.0));
  const Json c = chart_titled(render_report_html(r), "CPU utilisation per node");
  ASSERT_EQ(c["data"]["datasets"].size(), 12u);
  EXPECT_EQ(c["data"]["datasets"][0]["label"], "peer0.org1");  // peak 50%
  EXPECT_EQ(c["data"]["datasets"][1]["label"], "node14");
  EXPECT_TRUE(has(render_report_html(r), "3 more with lower peaks are not drawn."));
}

TEST(ReportHtml, ChannelTableOnlyWithMoreThanOneChannel) {
  Json r = full_results();
  EXPECT_FALSE(has(render_report_html(r), "<h2>Channels</h2>"));
  r["channels"] = Json::array({{{"name", "a"}, {"throughput_tps", 10.0}, {"safety", {{"hold", true}}}},
                               {{"name", "b"}, {"throughput_tps", 20.0}, {"safety", {{"hold", false}}}}});
  const std::string page = render_report_html(r);
  EXPECT_TRUE(has(page, "<h2>Channels</h2>"));
  EXPECT_TRUE(has(page, "<td>a</td>"));
  EXPECT_TRUE(has(page, "<td>VIOLATED</td>"));
}

TEST(ReportHtml, ScenarioNameCannotBreakThePage) {
  Json r = full_results();
  r["scenario"] = "</script><script>alert(1)</script>";
  const std::string page = render_report_html(r);
  EXPECT_FALSE(has(page, "<script>alert"));
  EXPECT_TRUE(has(page, "<title>fabsim report: &lt;/script&gt;"));
}

// Each field the report reads, taken away (or given another type): the page still renders
// and says "no data" where that field's section was.
struct AbsentCase {
  const char* name;
  std::function<void(Json&)> change;
  std::string says;
};

class ReportHtmlAbsent : public testing::TestWithParam<AbsentCase> {};

TEST_P(ReportHtmlAbsent, SaysNoData) {
  Json r = full_results();
  GetParam().change(r);
  std::string page;
  ASSERT_NO_THROW(page = render_report_html(r));
  EXPECT_TRUE(has(page, GetParam().says)) << GetParam().says;
  EXPECT_TRUE(has(page, "</html>"));
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ReportHtmlAbsent,
    testing::Values(
        AbsentCase{"NoCaliper", [](Json& r) { r.erase("caliper"); }, "no data: results.json has no &quot;caliper&quot; summary"},
        AbsentCase{"NoTimeseries", [](Json& r) { r.erase("timeseries"); }, "no data: results.json has no &quot;timeseries&quot;"},
        AbsentCase{"TimeseriesNotAnObject", [](Json& r) { r["timeseries"] = "x"; }, "no data: results.json has no &quot;timeseries&quot;"},
        AbsentCase{"WindowOfZero", [](Json& r) { r["timeseries"]["window_ns"] = 0; }, "no data: results.json has no &quot;timeseries&quot;"},
        AbsentCase{"SeriesOfWrongLength", [](Json& r) { r["timeseries"]["throughput_tps"] = {1, 2}; r["timeseries"].erase("send_rate_tps"); },
                   "no data: throughput over time"},
        AbsentCase{"NoLatencyAtAll", [](Json& r) { for (auto k : {"latency_p50_ns", "latency_p95_ns", "latency_p99_ns"}) r["timeseries"][k] = Json(std::vector<Json>(10, nullptr)); },
                   "no data: latency over time"},
        AbsentCase{"NoPeerHeights", [](Json& r) { r["timeseries"].erase("peer_heights"); }, "no data: peer heights over time"},
        AbsentCase{"NoCpu", [](Json& r) { r["timeseries"].erase("cpu_utilisation"); }, "no data: CPU utilisation"},
        AbsentCase{"NoHistogram", [](Json& r) { r.erase("latency_histogram"); }, "no data: latency histogram"},
        AbsentCase{"HistogramLengthsDiffer", [](Json& r) { r["latency_histogram"]["counts"] = {1}; }, "no data: latency histogram"},
        AbsentCase{"NoPhases", [](Json& r) { r.erase("phases"); }, "no data: phase durations"},
        AbsentCase{"PhasesNotAnObject", [](Json& r) { r["phases"] = Json::array({1, 2}); }, "no data: phase durations"},
        AbsentCase{"NoCutReasons", [](Json& r) { r.erase("blocks_by_cut_reason"); }, "no data: results.json has no &quot;blocks_by_cut_reason&quot;"},
        AbsentCase{"NoFaults", [](Json& r) { r.erase("faults"); }, "no data: results.json has no &quot;faults&quot;"},
        AbsentCase{"NoVerdicts", [](Json& r) { r.erase("safety"); }, "Safety: <span class=\"muted\">no data</span>"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ReportHtml, RunWithoutTransactionsRendersWithNoData) {
  Json r = full_results();
  r["caliper"] = {{"succ", 0}, {"fail", 0}, {"send_rate_tps", 0.0}, {"max_latency_ns", nullptr},
                  {"min_latency_ns", nullptr}, {"avg_latency_ns", nullptr}, {"throughput_tps", 0.0}};
  r["latency_histogram"] = {{"upper_ns", {1e9}}, {"counts", {0}}};
  for (auto& [name, phase] : r["phases"].items()) phase = {{"count", 0}, {"mean_ns", nullptr}, {"p99_ns", nullptr}};
  const std::string page = render_report_html(r);
  EXPECT_TRUE(has(page, "<td>peer-crash</td><td>0</td><td>0</td><td>0.0</td><td>-</td><td>-</td><td>-</td><td>0.0</td>"));
  EXPECT_TRUE(has(page, "no data: latency histogram"));
  EXPECT_TRUE(has(page, "no data: phase durations"));
}

TEST(ReportHtml, InputThatIsNotAnObjectGivesAPageOfNoData) {
  for (const Json& input : {Json(nullptr), Json::array({1, 2}), Json("results"), Json(3), Json::object()}) {
    std::string page;
    ASSERT_NO_THROW(page = render_report_html(input)) << input.dump();
    EXPECT_TRUE(has(page, "<title>fabsim report</title>")) << input.dump();
    EXPECT_TRUE(charts(page).empty()) << input.dump();
    EXPECT_TRUE(has(page, "no data: results.json has no &quot;caliper&quot; summary")) << input.dump();
  }
}

}  // namespace
}  // namespace fabsim
