#include "analysis/report_sections.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace fabsim::report {

using html::escape;
using html::Page;

namespace {

// Lists of messages (violations, unmet expectations, failure messages) show this many.
constexpr std::size_t kListLimit = 20;

void verdicts(Page& page, const Json* r) {
  auto list = [](const Json* items) {
    std::string out;
    if (array(items) == nullptr || items->empty()) return out;
    out = "<ul>";
    std::size_t n = 0;
    for (const Json& item : *items) {
      if (n++ == kListLimit) {
        out += fmt::format("<li>... and {} more (results.json)</li>", items->size() - kListLimit);
        break;
      }
      out += "<li>" + escape(item.is_string() ? item.get<std::string>() : item.dump(-1, ' ', false, Json::error_handler_t::replace)) + "</li>";
    }
    return out + "</ul>";
  };
  const Json* hold = find(r, {"safety", "hold"});
  std::string s = "<p>Safety: ";
  if (hold == nullptr || !hold->is_boolean()) s += "<span class=\"muted\">no data</span>";
  else s += hold->get<bool>() ? "<span class=\"ok\">hold</span>" : "<span class=\"bad\">VIOLATED</span>";
  s += "</p>" + list(find(r, {"safety", "violations"}));
  const Json* met = find(r, {"expectations", "met"});
  s += "<p>Expectations: ";
  if (met == nullptr || !met->is_boolean()) s += "<span class=\"muted\">no data</span>";
  else s += met->get<bool>() ? "<span class=\"ok\">met</span>" : "<span class=\"bad\">NOT MET</span>";
  s += "</p>" + list(find(r, {"expectations", "unmet"}));
  page.add_html(s);
}

// Counts by name ({"reason": n}), largest first, as table rows.
std::vector<std::vector<std::string>> count_rows(const Json* by_name, std::size_t limit) {
  std::vector<std::pair<double, std::vector<std::string>>> rows;
  if (object(by_name) == nullptr) return {};
  for (auto it = by_name->begin(); it != by_name->end(); ++it)
    rows.push_back({number(&it.value()).value_or(0), {it.key(), count_text(&it.value())}});
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) out.push_back(std::move(rows[i].second));
  if (rows.size() > limit) out.push_back({fmt::format("... and {} more (results.json)", rows.size() - limit)});
  return out;
}

// A fault that is a moment rather than a period (results.json: a clock_offset has no end).
bool moment(const Json* f) {
  const Json* action = find(f, {"action"});
  return action != nullptr && *action == "clock_offset" && number(find(f, {"end_ns"})) == std::nullopt;
}

// The "fault_timeline" entry of fault `f`: the one with its text and start, or nullptr.
const Json* timeline_entry(const Json* timeline, const Json* f) {
  const Json* text = find(f, {"text"});
  const auto at = number(find(f, {"at_ns"}));
  if (timeline == nullptr || text == nullptr) return nullptr;
  for (const Json& e : *timeline) {
    const Json* fault = find(&e, {"fault"});
    if (fault != nullptr && *fault == *text && number(find(&e, {"at_ns"})) == at) return &e;
  }
  return nullptr;
}

}  // namespace

void no_data(Page& page, std::string_view what) {
  page.add_html("<p class=\"muted\">no data: " + escape(what) + "</p>");
}

std::string count_text(const Json* j) {
  const std::string s = scalar(j);
  return s.empty() ? "-" : s;
}

std::optional<Windows> read_windows(const Json* ts) {
  const std::optional<double> window_ns = number(find(ts, {"window_ns"}));
  const auto starts = numbers(array(find(ts, {"start_ns"})));
  if (!window_ns || *window_ns <= 0 || starts.empty()) return std::nullopt;
  Windows w;
  w.window_s = *window_ns / 1e9;
  for (const auto& start : starts) {
    if (!start) return std::nullopt;
    w.mid_s.push_back((*start + *window_ns / 2) / 1e9);
    w.end_s.push_back((*start + *window_ns) / 1e9);
  }
  return w;
}

double peak(const std::vector<std::optional<double>>& v) {
  double m = 0;
  for (const auto& x : v) if (x) m = std::max(m, *x);
  return m;
}

std::vector<std::optional<double>> scaled(std::vector<std::optional<double>> v, double factor) {
  for (auto& x : v) if (x) *x *= factor;
  return v;
}

void summary_section(Page& page, const Context& c) {
  const Json* r = c.r;
  std::string facts;
  auto fact = [&](const std::string& name, const std::string& value) {
    if (value.empty()) return;
    facts += (facts.empty() ? "" : " &middot; ") + escape(name) + " <code>" + escape(value) + "</code>";
  };
  fact("seed", scalar(find(r, {"seed"})));
  if (auto ns = number(find(r, {"simulated_ns"}))) fact("simulated", readable_ns(ns));
  fact("trace hash", scalar(find(r, {"trace_hash"})));
  if (!facts.empty()) page.add_html("<p>" + facts + "</p>");
  const std::string reproduce = scalar(find(r, {"reproduce"}));
  if (!reproduce.empty()) page.add_html("<p>Reproduce:</p><pre>" + escape(reproduce) + "</pre>");

  page.section("Summary");
  const Json* cal = object(find(r, {"caliper"}));
  if (cal == nullptr) {
    no_data(page, "results.json has no \"caliper\" summary");
  } else {
    auto latency = [&](const char* key) { return seconds_3(number(find(cal, {key}))); };
    auto rate = [&](const char* key) { return decimal_1(number(find(cal, {key}))); };
    const std::string name = scalar(find(r, {"scenario"}));
    page.add_table({"Name", "Succ", "Fail", "Send Rate (TPS)", "Max Latency (s)", "Min Latency (s)", "Avg Latency (s)",
                    "Throughput (TPS)"},
                   {{name.empty() ? "run" : name, count_text(find(cal, {"succ"})),
                     count_text(find(cal, {"fail"})), rate("send_rate_tps"), latency("max_latency_ns"),
                     latency("min_latency_ns"), latency("avg_latency_ns"), rate("throughput_tps")}});
  }
  const Json* tx = object(find(r, {"transactions"}));
  const Json* lat = object(find(r, {"latency_ns"}));
  if (tx != nullptr || lat != nullptr) {
    std::vector<std::string> row;
    for (const char* key : {"requested", "submitted", "valid", "invalid", "failed", "unknown"})
      row.push_back(count_text(find(tx, {key})));
    for (const char* key : {"p50", "p95", "p99"}) row.push_back(readable_ns(number(find(lat, {key}))));
    page.add_table({"Requested", "Submitted", "Valid", "Invalid", "Failed", "Unknown", "Latency p50", "p95", "p99"},
                   {row});
  }
  verdicts(page, r);
}

void failures_section(Page& page, const Context& c) {
  const auto failed = count_rows(find(c.r, {"failed_by_reason"}), kListLimit);
  const auto invalid = count_rows(find(c.r, {"invalid_by_code"}), kListLimit);
  const auto messages = count_rows(find(c.r, {"failure_messages"}), kListLimit);
  if (failed.empty() && invalid.empty() && messages.empty()) return;
  page.section("Failures");
  if (!failed.empty()) page.add_table({"Client failure", "Transactions"}, failed);
  if (!invalid.empty()) page.add_table({"Validation code (not VALID)", "Transactions"}, invalid);
  if (!messages.empty()) page.add_table({"What the peer or chaincode said", "Transactions"}, messages);
}

std::vector<Period> read_faults(const Json* faults) {
  std::vector<Period> out;
  if (array(faults) == nullptr) return out;
  for (const Json& f : *faults) {
    const auto at = number(find(&f, {"at_ns"}));
    if (!at) continue;
    std::optional<double> end = number(find(&f, {"end_ns"}));
    if (!end && moment(&f)) end = at;
    out.push_back({*at / 1e9, end ? std::optional<double>(*end / 1e9) : std::nullopt, scalar(find(&f, {"text"}))});
  }
  return out;
}

// One row per fault: its period and, from its "fault_timeline" entry (same text and start)
// when there is one, the throughput before, during and after it and the recovery.
void faults_section(Page& page, const Context& c) {
  page.section("Faults");
  const Json* faults = array(find(c.r, {"faults"}));
  if (faults == nullptr) return no_data(page, "results.json has no \"faults\"");
  if (faults->empty()) return page.add_text("No faults in this run.");
  const Json* timeline = array(find(c.r, {"fault_timeline"}));
  std::vector<std::vector<std::string>> rows;
  for (const Json& fault : *faults) {
    const Json* f = &fault;
    const auto end = number(find(f, {"end_ns"}));
    std::vector<std::string> row = {scalar(find(f, {"text"})), readable_ns(number(find(f, {"at_ns"}))),
                                    end ? readable_ns(end) : moment(f) ? "(a moment)" : "the end"};
    const Json* t = timeline_entry(timeline, f);
    for (const char* key : {"before_tps", "during_tps", "after_tps"})
      row.push_back(decimal_1(number(find(t, {key}))));
    // A null recovery with throughput before the fault: it never came back within the run.
    const Json* recovery = find(t, {"recovery_ns"});
    const bool never = recovery != nullptr && recovery->is_null() && number(find(t, {"before_tps"})).value_or(0) > 0;
    row.push_back(never ? "not recovered" : readable_ns(number(recovery)));
    rows.push_back(std::move(row));
  }
  page.add_table({"Fault", "From", "Until", "Before (TPS)", "During (TPS)", "After (TPS)", "Recovery"}, rows);
}

void channels_section(Page& page, const Context& c) {
  const Json* channels = array(find(c.r, {"channels"}));
  if (channels == nullptr || channels->size() < 2) return;
  page.section("Channels");
  std::vector<std::vector<std::string>> rows;
  for (const Json& ch : *channels) {
    auto n = [&](std::initializer_list<std::string_view> path) { return count_text(find(&ch, path)); };
    auto lat = [&](const char* key) { return readable_ns(number(find(&ch, {"latency_ns", key}))); };
    const Json* hold = find(&ch, {"safety", "hold"});
    double blocks = 0;
    if (const Json* cuts = object(find(&ch, {"blocks_by_cut_reason"})))
      for (auto it = cuts->begin(); it != cuts->end(); ++it) blocks += number(find(&it.value(), {"blocks"})).value_or(0);
    rows.push_back({scalar(find(&ch, {"name"})), n({"transactions", "valid"}), n({"transactions", "invalid"}),
                    n({"transactions", "failed"}), n({"transactions", "unknown"}),
                    decimal_1(number(find(&ch, {"throughput_tps"}))), lat("p50"), lat("p95"),
                    lat("p99"), fmt::format("{:.0f}", blocks),
                    hold == nullptr || !hold->is_boolean() ? "-" : hold->get<bool>() ? "hold" : "VIOLATED"});
  }
  page.add_table({"Channel", "Valid", "Invalid", "Failed", "Unknown", "Throughput (TPS)", "p50", "p95", "p99", "Blocks",
                  "Safety"},
                 rows);
}

// Kafka ordering: per channel, what the checks compared and found (results.json
// channels[].kafka), the lost acknowledged records, the divergent replicas, when ordering
// resumed after each fault event, and the brokers that halted. Absent without Kafka.
void kafka_section(Page& page, const Context& c) {
  const Json* channels = array(find(c.r, {"channels"}));
  bool any = false;
  if (channels != nullptr)
    for (const Json& ch : *channels) any = any || object(find(&ch, {"kafka"})) != nullptr;
  if (!any) return;
  page.section("Kafka");
  std::vector<std::vector<std::string>> rows, lost, resumed;
  std::vector<std::string> notes;
  for (const Json& ch : *channels) {
    const Json* k = object(find(&ch, {"kafka"}));
    if (k == nullptr) continue;
    const std::string name = scalar(find(&ch, {"name"}));
    const Json* lost_list = array(find(k, {"lost_acknowledged"}));
    const Json* divergences = array(find(k, {"replica_divergences"}));
    rows.push_back({name, scalar(find(k, {"reference_replica"})), count_text(find(k, {"blocks_matched"})),
                    count_text(find(k, {"offsets_compared"})), count_text(find(k, {"acknowledged"})),
                    lost_list ? fmt::format("{}", lost_list->size()) : "-",
                    count_text(find(k, {"unjudged_acknowledged"})),
                    divergences ? fmt::format("{}", divergences->size()) : "-"});
    if (lost_list != nullptr)
      for (std::size_t i = 0; i < lost_list->size() && i < kListLimit; ++i) {
        const Json* l = &(*lost_list)[i];
        lost.push_back({name, scalar(find(l, {"tx_id"})), scalar(find(l, {"osn"})), readable_ns(number(find(l, {"at_ns"}))),
                        count_text(find(l, {"offset"}))});
      }
    if (divergences != nullptr)
      for (const Json& d : *divergences) notes.push_back(scalar(&d));
    if (const Json* permitted = array(find(k, {"loss_permitted_by"})); permitted != nullptr && !permitted->empty()) {
      std::string text = "Loss of acknowledged records permitted on " + name + " by: ";
      for (std::size_t i = 0; i < permitted->size(); ++i) text += (i > 0 ? "; " : "") + scalar(&(*permitted)[i]);
      notes.push_back(text);
    }
    if (const Json* live = array(find(k, {"liveness"})))
      for (const Json& e : *live)
        resumed.push_back({name, readable_ns(number(find(&e, {"at_ns"}))), scalar(find(&e, {"event"})),
                           readable_ns(number(find(&e, {"resumed_ns"}))),
                           scalar(find(&e, {"judged"})) == "true" ? "judged" : "-"});
  }
  page.add_table({"Channel", "Log compared", "Blocks matching the log", "Replica offsets compared", "Acknowledged",
                  "Lost", "Not judged", "Diverged pairs"},
                 rows);
  for (const auto& n : notes) page.add_text(n);
  if (!lost.empty()) page.add_table({"Channel", "Lost TxID", "Acknowledged by", "At", "Offset"}, lost);
  if (!resumed.empty()) page.add_table({"Channel", "At", "Fault event", "Ordering resumed after", "Liveness"}, resumed);
  if (const Json* halts = array(find(c.r, {"kafka_halts"})))
    for (const Json& h : *halts) page.add_text("Broker halted " + scalar(&h));
}

}  // namespace fabsim::report
