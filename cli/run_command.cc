#include "cli/run_command.h"

#include <fmt/format.h>

#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <sstream>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/report_html.h"
#include "cli/build_info.h"
#include "cli/run_input.h"
#include "cli/perfetto_trace.h"
#include "cli/run_directory.h"
#include "core/units.h"
#include "model/orderer/block_cutter.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_writer.h"
#include "scenarios/yaml_tree.h"
#include "sim/determinism.h"

namespace fabsim::cli {

using scenario::RunReport;
using scenario::ScenarioSpec;
using scenario::TxRecord;

void add_run_options(CLI::App& app, RunOptions& o) {
  // An empty value would read as "not given" (RunOptions): refuse it where it is written.
  const CLI::Validator non_empty(
      [](std::string& v) { return v.empty() ? std::string("expected a value, got an empty one") : std::string(); },
      "NON-EMPTY");
  app.add_option("file", o.file, "the scenario file (YAML; docs/scenario-format.md), or a results.json to run again")
      ->required()
      ->check(non_empty);
  app.add_option("--seed", o.seed, "root seed of every random stream, instead of the file's (0 to 2^64-1)")
      ->check(non_empty);
  app.add_option("--set", o.sets, "override a field of the file: --set path.to.key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--out", o.out_dir, "write results.json, transactions.csv, timeseries.csv and report.html into this directory")
      ->check(non_empty);
  app.add_option("--trace", o.trace_file, "write every trace event as a line to this file")->check(non_empty);
  app.add_option("--keep-data", o.keep_data,
                 "keep the hosts' durable data (ledgers) in this directory, which must not exist or be empty "
                 "(default: a temporary directory, removed at the end)")
      ->check(non_empty);
  app.add_option("--perfetto", o.perfetto,
                 "write the run as Chrome/Perfetto trace-event JSON (open in ui.perfetto.dev) to this file")
      ->check(non_empty);
  app.add_flag("--check-determinism", o.check_determinism, "run twice and compare the traces event by event");
  app.add_option("--window", o.window, "the time series' window (timeseries.csv, results.json), e.g. 500ms (default 1s)");
  app.add_option("--warn-failures", o.warn_failures,
                 "warn when more than this share of the requested transactions fail before any commit (default 0.5)");
  app.add_flag("--quiet", o.quiet, "print one line: the verdict and the command that reproduces the run");
  app.add_flag("--json", o.json, "print results.json to stdout instead of the report");
}

namespace {

std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                       "._-/=:,+@%") == std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Every cut reason, in the order reports list them: the block cutter's, then
// kUnknownCutReason (blocks whose cut event a crash lost; the text report shows it only
// when it happened).
const std::vector<std::string>& cut_reason_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (orderer::CutReason reason : {orderer::CutReason::kCount, orderer::CutReason::kBytes,
                                      orderer::CutReason::kOversized, orderer::CutReason::kTimeout})
      v.emplace_back(orderer::cut_reason_name(reason));
    v.emplace_back(scenario::kUnknownCutReason);
    return v;
  }();
  return names;
}

scenario::CutStats cut_stats(const std::map<std::string, scenario::CutStats>& cuts, const std::string& reason) {
  auto it = cuts.find(reason);
  return it == cuts.end() ? scenario::CutStats{} : it->second;
}

std::string seconds(std::optional<Duration> d) { return d ? fmt::format("{:.3f}", d->to_seconds()) : "-"; }
std::string dur(std::optional<Duration> d) { return d ? format_duration_short(*d) : "-"; }

// Where the time goes: each phase's mean, percentiles and share of the summed means.
void print_phases(const scenario::Metrics& m, std::ostream& out) {
  int64_t total = 0;
  for (const scenario::PhaseStats& p : m.phases) total += p.mean ? p.mean->ns : 0;
  out << "phases (each over the transactions that reached both its ends):\n";
  out << fmt::format("  {:<14}{:>10}{:>10}{:>10}{:>10}{:>7}{:>9}\n", "phase", "mean", "p50", "p95", "p99", "share", "count");
  for (size_t i = 0; i < scenario::kPhaseCount; ++i) {
    const scenario::PhaseStats& p = m.phases[i];
    const std::string share =
        p.mean && total > 0 ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(p.mean->ns) / static_cast<double>(total))
                            : "-";
    out << fmt::format("  {:<14}{:>10}{:>10}{:>10}{:>10}{:>7}{:>9}\n", scenario::phase_name(scenario::phase_at(i)),
                       dur(p.mean), dur(p.p50), dur(p.p95), dur(p.p99), share, p.count);
  }
}

// Around each fault: the throughput before, during and after it, and how long recovery took.
void print_fault_timeline(const RunReport& r, std::ostream& out) {
  if (r.faults.empty()) return;
  auto tps = [](const std::optional<double>& v) { return v ? fmt::format("{:.1f} tps", *v) : std::string("-"); };
  out << "faults (throughput of VALID commits: 10 s before, during, 10 s after; recovery: back to 90% of before):\n";
  for (const FaultImpact& f : r.faults) {
    const FaultPeriod& p = f.period;
    std::string targets;
    for (const auto& t : p.targets) targets += (targets.empty() ? "" : " ") + t;
    out << fmt::format("  {} -> {}: {} [{}]\n", format_time_short(p.at), p.end ? format_time_short(*p.end) : "end",
                       p.text, targets);
    std::string recovery = "not within the run";
    if (f.recovery) recovery = fmt::format("{} after it {}", format_duration_short(*f.recovery), p.end ? "ended" : "fired");
    if (!f.before_tps || *f.before_tps <= 0) recovery = "- (no throughput before it)";
    out << fmt::format("      before {}, during {}, after {}; recovered: {}\n", tps(f.before_tps), tps(f.during_tps),
                       tps(f.after_tps), recovery);
  }
}

// Kafka ordering: what the checks compared, lost acknowledged records, divergent replicas,
// and when ordering resumed after each fault event (docs/kafka.md "Checks").
void print_kafka_checks(const RunReport& r, std::ostream& out) {
  constexpr size_t kListed = 10;
  for (const scenario::ChannelReport& c : r.channels) {
    if (!c.kafka) continue;
    const scenario::KafkaChannelReport& k = *c.kafka;
    const KafkaCheckReport& ch = k.checks;
    out << fmt::format("kafka (channel {}): {} blocks match the log of {}, {} OSN height comparisons, {} replica offsets "
                       "compared; {} acknowledged, {} lost{}, {} replica pairs diverged\n",
                       c.name, ch.blocks_matched, ch.reference_replica.empty() ? "-" : ch.reference_replica,
                       ch.heights_compared, ch.offsets_compared, ch.acknowledged, ch.lost.size(),
                       ch.unjudged > 0 ? fmt::format(" ({} not judged: the run ended before ordering could drain)", ch.unjudged) : "",
                       ch.divergences.size());
    if (!k.loss_permitted_by.empty())
      out << fmt::format("  loss of acknowledged records permitted by: {}\n", fmt::join(k.loss_permitted_by, "; "));
    for (size_t i = 0; i < ch.lost.size() && i < kListed; ++i)
      out << fmt::format("  lost: {} acknowledged by {} at {} (offset {})\n", ch.lost[i].ack.tx_id, ch.lost[i].ack.osn,
                         format_time_short(ch.lost[i].ack.at), ch.lost[i].ack.offset);
    if (ch.lost.size() > kListed) out << fmt::format("  ... and {} more lost (results.json)\n", ch.lost.size() - kListed);
    for (const auto& d : ch.divergences) out << "  " << d << "\n";
    for (const KafkaLivenessResult& l : k.liveness)
      out << fmt::format("  {} {}: ordering resumed {}{}\n", format_time_short(l.event.at), l.event.what,
                         l.resumed ? "after " + format_duration_short(*l.resumed) : std::string("- (no block before the next event)"),
                         l.judged ? fmt::format(" (bound {})", format_duration_short(k.liveness_bound)) : "");
  }
}

// Writes `text` to `path` through a temporary file and a rename.
bool write_atomically(const std::filesystem::path& path, const std::string& text, std::string* tmp_out) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  *tmp_out = tmp.string();
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return false;
    f << text;
    f.flush();
    if (!f) return false;
  }
  return true;
}

// The --out directory: made (with any missing parents) and probed with a temporary file
// before the run, so that a place that cannot be written is refused before the run rather
// than after it; discard() removes again what this run created, so a failed command leaves
// no empty directory behind.
class OutDirectory {
 public:
  Status prepare(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path target = fs::weakly_canonical(dir, ec);
    if (ec) target = fs::absolute(dir, ec).lexically_normal();
    for (fs::path p = target; !p.empty(); p = p.parent_path()) {  // the outermost missing directory
      if (fs::exists(fs::symlink_status(p, ec))) break;
      created_ = p;
      if (p == p.parent_path()) break;
    }
    fs::create_directories(target, ec);
    if (ec || !fs::is_directory(target, ec)) {
      discard();
      return Status::invalid_argument("cannot create directory '" + scenario::one_line(dir) + "'" +
                                      (ec ? ": " + ec.message() : ""));
    }
    std::string probe = (target / ".fabsim-probe-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) {
      const std::string why = std::strerror(errno);
      discard();
      return Status::invalid_argument("cannot write into directory '" + scenario::one_line(dir) + "': " + why);
    }
    ::close(fd);
    fs::remove(probe, ec);
    return Status::ok();
  }
  void discard() {
    std::error_code ec;
    if (!created_.empty()) std::filesystem::remove_all(created_, ec);
    created_.clear();
  }

 private:
  std::filesystem::path created_;  // the outermost directory this run created; empty: none
};

std::string opt_ns(const std::optional<Time>& t) { return t ? std::to_string(t->ns) : ""; }

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

namespace {

void print_report(const ScenarioSpec& spec, const RunReport& r, double warn_failures, std::ostream& out) {
  const scenario::Metrics& m = r.metrics;
  out << fmt::format("simulated: {} (duration {} + drain {}), {} kernel events\n", format_time_short(r.end),
                     format_duration_short(spec.duration), format_duration_short(spec.drain), r.kernel_events);
  out << "| Name | Succ | Fail | Send Rate (TPS) | Max Latency (s) | Min Latency (s) | Avg Latency (s) | Throughput (TPS) |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  out << fmt::format("| {} | {} | {} | {:.1f} | {} | {} | {} | {:.1f} |\n", spec.name, m.succeeded, m.caliper_fail(),
                     m.send_rate_tps, seconds(m.latency_max), seconds(m.latency_min), seconds(m.latency_avg),
                     m.throughput_tps);
  out << fmt::format("latency (VALID, request to commit event): p50 {}, p95 {}, p99 {}\n", dur(m.latency_p50),
                     dur(m.latency_p95), dur(m.latency_p99));
  print_phases(m, out);
  out << fmt::format("transactions: requested={} submitted={} valid={} invalid={} failed={} unknown={}\n", m.requested,
                     m.submitted, m.succeeded, m.invalid, m.failed, m.unknown);
  std::string invalid;
  for (const auto& [code, n] : m.invalid_by_code) invalid += fmt::format(" {}={}", code, n);
  out << "invalid by code (client outcomes):" << (invalid.empty() ? " none" : invalid) << "\n";
  const bool many = r.channels.size() > 1;
  for (const scenario::ChannelReport& c : r.channels) {
    if (c.ledger_peer.empty()) continue;
    std::string codes;
    for (const auto& [code, n] : c.ledger_codes) codes += fmt::format(" {}={}", code, n);
    out << "ledger codes (" << (many ? "channel " + c.name + ", " : "") << c.ledger_peer
        << "):" << (codes.empty() ? " none" : codes) << "\n";
  }
  if (!m.failed_by_reason.empty()) {
    std::string failed;
    for (const auto& [reason, n] : m.failed_by_reason) failed += fmt::format(" {}={}", reason, n);
    out << "failed by reason:" << failed << "\n";
  }
  // What the peers and chaincodes said, most frequent first (ties by text), at most five.
  std::vector<std::pair<uint64_t, std::string>> said;
  for (const auto& [text, n] : m.failure_messages) said.emplace_back(n, text);
  std::stable_sort(said.begin(), said.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < said.size() && i < 5; ++i) out << fmt::format("  {}x {}\n", said[i].first, said[i].second);
  if (said.size() > 5) out << fmt::format("  ... and {} other messages (results.json: failure_messages)\n", said.size() - 5);
  if (m.requested > 0 && static_cast<double>(m.failed) > warn_failures * static_cast<double>(m.requested))
    out << fmt::format("warning: {} of {} requested transactions ({:.0f}%) failed before any commit; see the reasons above\n",
                       m.failed, m.requested, 100.0 * static_cast<double>(m.failed) / static_cast<double>(m.requested));
  uint64_t blocks = 0, txs = 0, bytes = 0;
  std::string cuts;
  for (const std::string& reason : cut_reason_names()) {
    const scenario::CutStats c = cut_stats(r.cuts, reason);
    if (reason == scenario::kUnknownCutReason && c.blocks == 0) continue;
    cuts += fmt::format(" {}={}", reason, c.blocks);
    blocks += c.blocks;
    txs += c.transactions;
    bytes += c.bytes;
  }
  out << fmt::format("blocks: {} cut by reason:{}; mean {:.1f} transactions, {:.1f} KiB\n", blocks, cuts,
                     blocks ? static_cast<double>(txs) / static_cast<double>(blocks) : 0.0,
                     blocks ? static_cast<double>(bytes) / 1024.0 / static_cast<double>(blocks) : 0.0);
  for (const scenario::ChannelReport& c : r.channels) {
    std::string heights;
    for (const auto& [peer, h] : c.peer_heights) heights += fmt::format(" {}={}", peer, h);
    if (!c.peers_down.empty()) {
      heights += " (down at the end, read from durable storage:";
      for (const auto& peer : c.peers_down) heights += " " + peer;
      heights += ")";
    }
    out << "peer heights" << (many ? " (channel " + c.name + ")" : "") << ":" << heights << "\n";
  }
  if (many) {
    for (const scenario::ChannelReport& c : r.channels) {
      uint64_t channel_blocks = 0;
      for (const auto& [reason, cut] : c.cuts) channel_blocks += cut.blocks;
      out << fmt::format("channel {}: valid={} invalid={} failed={} unknown={} throughput={:.1f} tps p99={} blocks={} "
                         "safety: {}\n",
                         c.name, c.metrics.succeeded, c.metrics.invalid, c.metrics.failed, c.metrics.unknown,
                         c.metrics.throughput_tps, dur(c.metrics.latency_p99), channel_blocks,
                         c.invariants.hold() ? "hold" : "VIOLATED");
    }
  }
  if (r.invariants.hold()) {
    out << fmt::format("safety: hold ({} peers, {} height comparisons, {} VALID transactions re-checked)\n",
                       r.peers_checked.size(), r.invariants.heights_compared, r.invariants.transactions_rechecked);
  } else {
    out << fmt::format("safety: VIOLATED ({} violations)\n", r.invariants.violations.size());
    for (const auto& v : r.invariants.violations) out << "  " << v << "\n";
  }
  for (const auto& e : r.node_errors) out << "node error: " << e << "\n";
  for (const auto& t : r.fault_targets) out << "fault target: " << t << "\n";
  print_fault_timeline(r, out);
  print_kafka_checks(r, out);
  for (const auto& h : r.kafka_halts) out << "kafka broker halted " << h << "\n";
  for (const auto& e : r.fault_errors) out << "fault error: " << e << "\n";
  out << fmt::format("network: sent={} delivered={} lost={} duplicated={} partitioned={} no_route={} bytes={}\n",
                     r.network.sent, r.network.delivered, r.network.lost, r.network.duplicated, r.network.partitioned,
                     r.network.no_route, r.network.bytes_sent);
  out << fmt::format("trace hash: {:016x}\n", r.trace_hash);
}

nlohmann::ordered_json kafka_json(const scenario::KafkaChannelReport& k) {
  const KafkaCheckReport& c = k.checks;
  using nlohmann::ordered_json;
  ordered_json lost = ordered_json::array(), liveness = ordered_json::array();
  for (const KafkaLostRecord& l : c.lost)
    lost.push_back({{"tx_id", l.ack.tx_id}, {"osn", l.ack.osn}, {"at_ns", l.ack.at.ns}, {"offset", l.ack.offset}});
  for (const KafkaLivenessResult& l : k.liveness)
    liveness.push_back({{"at_ns", l.event.at.ns},
                        {"event", l.event.what},
                        {"conditions_hold", l.event.conditions_hold},
                        {"judged", l.judged},
                        {"resumed_ns", l.resumed ? ordered_json(l.resumed->ns) : ordered_json(nullptr)}});
  return {{"reference_replica", c.reference_replica},
          {"blocks_matched", c.blocks_matched},
          {"heights_compared", c.heights_compared},
          {"offsets_compared", c.offsets_compared},
          {"acknowledged", c.acknowledged},
          {"lost_acknowledged", lost},
          {"unjudged_acknowledged", c.unjudged},
          {"loss_permitted_by", k.loss_permitted_by},
          {"replica_divergences", c.divergences},
          {"liveness_bound_ns", k.liveness_bound.ns},
          {"liveness", liveness}};
}

// A number in [0, 1], all of the text.
std::optional<double> parse_share(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0.0 && v <= 1.0)) return std::nullopt;
  return v;
}

// "\rsimulated 12 s of 80 s (15%), 3 s so far, about 17 s left" on a terminal, at most four
// times a second, from the first second of wall time on.
void show_progress(std::ostream& out, Time now, Time end, std::chrono::steady_clock::time_point started,
                   bool second_run) {
  static std::chrono::steady_clock::time_point last;
  const auto wall = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(wall - started).count();
  if (elapsed < 1.0 || wall - last < std::chrono::milliseconds(250)) return;
  last = wall;
  const double done = end.ns > 0 ? static_cast<double>(now.ns) / static_cast<double>(end.ns) : 1.0;
  const double left = done > 0 ? elapsed * (1.0 - done) / done : 0.0;
  out << fmt::format("\r\033[K{}simulated {} of {} ({:.0f}%), {:.0f} s so far, about {:.0f} s left",
                     second_run ? "second run: " : "", format_time_short(now), format_time_short(end), 100.0 * done,
                     elapsed, left)
      << std::flush;
}

}  // namespace

void print_load_warnings(const std::vector<scenario::LoadWarning>& warnings, std::ostream& err) {
  std::set<std::string> said;
  for (const scenario::LoadWarning& w : warnings)
    if (said.insert(w.message()).second) err << "warning: " << w.message() << "\n";
}

std::string reproduce_command(const RunOptions& o, uint64_t seed) {
  std::string cmd = "./fabsim run " + shell_quote(o.file) + fmt::format(" --seed {}", seed);
  for (const auto& s : o.sets) cmd += " --set " + shell_quote(s);
  return cmd;
}

nlohmann::ordered_json results_json(const ScenarioSpec& spec, const RunReport& r, const std::vector<std::string>& unmet,
                                    const std::string& reproduce, const nlohmann::ordered_json& input) {
  using nlohmann::ordered_json;
  const scenario::Metrics& m = r.metrics;
  auto ns = [](const std::optional<Duration>& d) -> ordered_json { return d ? ordered_json(d->ns) : ordered_json(nullptr); };
  ordered_json j;
  j["fabsim"] = {{"version", fabsim_version()}, {"commit", fabsim_commit()}};
  j["scenario"] = spec.name;
  j["seed"] = r.seed;
  j["reproduce"] = reproduce;
  j["simulated_ns"] = r.end.ns;
  j["caliper"] = {{"succ", m.succeeded},
                  {"fail", m.caliper_fail()},
                  {"send_rate_tps", m.send_rate_tps},
                  {"max_latency_ns", ns(m.latency_max)},
                  {"min_latency_ns", ns(m.latency_min)},
                  {"avg_latency_ns", ns(m.latency_avg)},
                  {"throughput_tps", m.throughput_tps}};
  j["latency_ns"] = {{"p50", ns(m.latency_p50)}, {"p95", ns(m.latency_p95)}, {"p99", ns(m.latency_p99)}};
  ordered_json phases = ordered_json::object();
  for (size_t i = 0; i < scenario::kPhaseCount; ++i) {
    const scenario::PhaseStats& p = m.phases[i];
    phases[scenario::phase_name(scenario::phase_at(i))] = {
        {"count", p.count}, {"mean_ns", ns(p.mean)}, {"p50_ns", ns(p.p50)}, {"p95_ns", ns(p.p95)}, {"p99_ns", ns(p.p99)}};
  }
  j["phases"] = phases;
  ordered_json upper = ordered_json::array();
  for (Duration d : m.latency_bucket_upper) upper.push_back(d.ns);
  j["latency_histogram"] = {{"upper_ns", upper}, {"counts", m.latency_bucket_count}};
  j["transactions"] = {{"requested", m.requested}, {"submitted", m.submitted}, {"valid", m.succeeded},
                       {"invalid", m.invalid},     {"failed", m.failed},       {"unknown", m.unknown}};
  j["invalid_by_code"] = m.invalid_by_code;
  j["failed_by_reason"] = m.failed_by_reason;
  j["failure_messages"] = m.failure_messages;
  auto cuts_json = [](const std::map<std::string, scenario::CutStats>& by_reason) {
    ordered_json cuts = ordered_json::object();
    for (const std::string& reason : cut_reason_names()) {
      const scenario::CutStats c = cut_stats(by_reason, reason);
      cuts[reason] = {{"blocks", c.blocks}, {"transactions", c.transactions}, {"bytes", c.bytes}};
    }
    return cuts;
  };
  j["blocks_by_cut_reason"] = cuts_json(r.cuts);
  j["safety"] = {{"hold", r.invariants.hold()},
                 {"violations", r.invariants.violations},
                 {"peers_checked", r.peers_checked},
                 {"peers_down", r.peers_down},
                 {"heights_compared", r.invariants.heights_compared},
                 {"transactions_rechecked", r.invariants.transactions_rechecked}};
  j["ledger_codes"] = r.ledger_codes;
  ordered_json channels = ordered_json::array();
  for (const scenario::ChannelReport& c : r.channels) {
    const scenario::Metrics& cm = c.metrics;
    channels.push_back(
        {{"name", c.name},
         {"throughput_tps", cm.throughput_tps},
         {"latency_ns", {{"p50", ns(cm.latency_p50)}, {"p95", ns(cm.latency_p95)}, {"p99", ns(cm.latency_p99)}}},
         {"transactions",
          {{"requested", cm.requested}, {"submitted", cm.submitted}, {"valid", cm.succeeded},
           {"invalid", cm.invalid}, {"failed", cm.failed}, {"unknown", cm.unknown}}},
         {"invalid_by_code", cm.invalid_by_code},
         {"failed_by_reason", cm.failed_by_reason},
         {"blocks_by_cut_reason", cuts_json(c.cuts)},
         {"safety",
          {{"hold", c.invariants.hold()},
           {"violations", c.invariants.violations},
           {"peers_checked", c.peers_checked},
           {"peers_down", c.peers_down},
           {"heights_compared", c.invariants.heights_compared},
           {"transactions_rechecked", c.invariants.transactions_rechecked}}},
         {"peer_heights", c.peer_heights},
         {"ledger_codes", {{"peer", c.ledger_peer}, {"codes", c.ledger_codes}}}});
    if (c.kafka) channels.back()["kafka"] = kafka_json(*c.kafka);
  }
  j["channels"] = channels;
  j["node_errors"] = r.node_errors;
  j["kafka_halts"] = r.kafka_halts;
  j["fault_errors"] = r.fault_errors;
  j["fault_targets"] = r.fault_targets;
  j["network"] = {{"sent", r.network.sent},         {"delivered", r.network.delivered}, {"lost", r.network.lost},
                  {"duplicated", r.network.duplicated}, {"partitioned", r.network.partitioned},
                  {"no_route", r.network.no_route}, {"bytes", r.network.bytes_sent}};
  j["timeseries"] = timeseries_json(r.timeseries);
  ordered_json faults = ordered_json::array(), timeline = ordered_json::array();
  auto opt = [](const std::optional<double>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); };
  for (const FaultImpact& f : r.faults) {
    const FaultPeriod& p = f.period;
    const ordered_json end = p.end ? ordered_json(p.end->ns) : ordered_json(nullptr);
    faults.push_back({{"at_ns", p.at.ns}, {"end_ns", end}, {"action", p.action}, {"targets", p.targets}, {"text", p.text}});
    timeline.push_back({{"fault", p.text},
                        {"at_ns", p.at.ns},
                        {"end_ns", end},
                        {"before_tps", opt(f.before_tps)},
                        {"during_tps", opt(f.during_tps)},
                        {"after_tps", opt(f.after_tps)},
                        {"recovery_ns", f.recovery ? ordered_json(f.recovery->ns) : ordered_json(nullptr)}});
  }
  j["faults"] = faults;
  j["fault_timeline"] = timeline;
  j["trace_hash"] = fmt::format("{:016x}", r.trace_hash);
  j["trace_events"] = r.trace_events;
  j["kernel_events"] = r.kernel_events;
  j["expectations"] = {{"met", unmet.empty()}, {"unmet", unmet}};
  ordered_json warnings = ordered_json::array();
  for (const scenario::LoadWarning& w : spec.warnings)
    warnings.push_back({{"where", w.where}, {"key", w.path}, {"text", w.text}});
  j["warnings"] = warnings;
  j["input"] = input;
  j["resolved_scenario"] = scenario::write_scenario(spec);
  return j;
}

std::string transactions_csv(const RunReport& r) {
  std::string out = "id,tx_id,generator,client,chaincode,channel,function,requested_ns,submitted_ns,endorsed_ns,ordered_ns,"
                    "cut_ns,block_received_ns,vscc_start_ns,vscc_end_ns,mvcc_end_ns,ledger_end_ns,completed_ns,"
                    "latency_ns,block,status\n";
  for (const TxRecord& t : r.transactions) {
    const auto& p = t.at_peer;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(t.id), t.tx_id, t.generator,
                       csv_field(t.client), csv_field(t.chaincode), csv_field(t.channel), csv_field(t.function),
                       t.requested.ns, opt_ns(t.submitted), opt_ns(t.endorsed), opt_ns(t.ordered), opt_ns(t.cut),
                       p ? std::to_string(p->received.ns) : "", p ? std::to_string(p->vscc_start.ns) : "",
                       p ? std::to_string(p->vscc_end.ns) : "", p ? std::to_string(p->mvcc_end.ns) : "",
                       p ? std::to_string(p->ledger_end.ns) : "", opt_ns(t.completed),
                       t.completed ? std::to_string((*t.completed - t.requested).ns) : "",
                       t.block ? std::to_string(*t.block) : "", t.status_text());
  }
  return out;
}

namespace {

// Every series of a TimeSeries by column name, in a fixed order: the transaction series,
// failures by reason, then per channel and peer, node, lane, disk and link (map order).
struct SeriesColumn {
  std::string name;
  std::function<std::string(size_t)> cell;  // the CSV text of window k
};

std::string csv_number(double v) { return fmt::format("{:.6g}", v); }

std::vector<SeriesColumn> series_columns(const TimeSeries& ts) {
  std::vector<SeriesColumn> cols;
  auto doubles = [&](std::string name, const std::vector<double>& v) {
    cols.push_back({std::move(name), [&v](size_t k) { return csv_number(v[k]); }});
  };
  auto counts = [&](std::string name, const std::vector<uint64_t>& v) {
    cols.push_back({std::move(name), [&v](size_t k) { return std::to_string(v[k]); }});
  };
  auto durations = [&](std::string name, const std::vector<std::optional<Duration>>& v) {
    cols.push_back({std::move(name), [&v](size_t k) { return v[k] ? std::to_string(v[k]->ns) : std::string(); }});
  };
  doubles("throughput_tps", ts.throughput_tps);
  doubles("send_rate_tps", ts.send_rate_tps);
  durations("latency_p50_ns", ts.latency_p50);
  durations("latency_p95_ns", ts.latency_p95);
  durations("latency_p99_ns", ts.latency_p99);
  for (const auto& [reason, v] : ts.failures) counts("failures:" + reason, v);
  for (const auto& [channel, peers] : ts.peer_heights)
    for (const auto& [peer, v] : peers) counts("height:" + channel + ":" + peer, v);
  for (const auto& [node, v] : ts.cpu_utilisation) doubles("cpu:" + node, v);
  for (const auto& [lane, v] : ts.queue_length) counts("queue:" + lane, v);
  for (const auto& [node, v] : ts.disk_utilisation) doubles("disk:" + node, v);
  for (const auto& [link, v] : ts.link_utilisation) doubles("link:" + link, v);
  return cols;
}

}  // namespace

std::string timeseries_csv(const RunReport& r) {
  const TimeSeries& ts = r.timeseries;
  const std::vector<SeriesColumn> cols = series_columns(ts);
  std::string out = "window_start_ns,window_ns";
  for (const auto& c : cols) out += "," + csv_field(c.name);
  out += "\n";
  for (size_t k = 0; k < ts.size(); ++k) {
    out += fmt::format("{},{}", ts.start[k].ns, ts.length[k].ns);
    for (const auto& c : cols) out += "," + c.cell(k);
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json timeseries_json(const TimeSeries& ts) {
  using nlohmann::ordered_json;
  auto durations = [](const std::vector<std::optional<Duration>>& v) {
    ordered_json a = ordered_json::array();
    for (const auto& d : v) a.push_back(d ? ordered_json(d->ns) : ordered_json(nullptr));
    return a;
  };
  ordered_json start = ordered_json::array();
  for (Time t : ts.start) start.push_back(t.ns);
  return {{"window_ns", ts.window.ns},
          {"start_ns", start},
          {"throughput_tps", ts.throughput_tps},
          {"send_rate_tps", ts.send_rate_tps},
          {"latency_p50_ns", durations(ts.latency_p50)},
          {"latency_p95_ns", durations(ts.latency_p95)},
          {"latency_p99_ns", durations(ts.latency_p99)},
          {"failures", ts.failures},
          {"peer_heights", ts.peer_heights},
          {"cpu_utilisation", ts.cpu_utilisation},
          {"queue_length", ts.queue_length},
          {"disk_utilisation", ts.disk_utilisation},
          {"link_utilisation", ts.link_utilisation}};
}

Result<ScenarioSpec> load_run_scenario(const RunOptions& o) {
  auto in = load_run_input(o);
  if (!in.is_ok()) return in.status();
  return std::move(in->spec);
}

int run_scenario_command(const RunOptions& o, std::ostream& out, std::ostream& err) {
  if (o.quiet && o.json) {
    err << "fabsim: --quiet and --json: choose one\n";
    return 2;
  }
  auto loaded = load_run_input(o);  // a scenario file or a results.json
  if (!loaded.is_ok()) {
    err << "fabsim: " << loaded.status().message() << "\n";
    return 2;
  }
  const ScenarioSpec& spec = loaded->spec;
  // On stderr whatever the flags, so that --quiet's line and --json's document stay as they are.
  print_load_warnings(spec.warnings, err);
  double warn_failures = 0.5;
  if (!o.warn_failures.empty()) {
    auto share = parse_share(o.warn_failures);
    if (!share) {
      err << "fabsim: --warn-failures: expected a share between 0 and 1 (got '" << o.warn_failures << "')\n";
      return 2;
    }
    warn_failures = *share;
  }
  Duration window = Duration::seconds(1);
  if (!o.window.empty()) {
    auto w = parse_duration(o.window);
    if (!w.is_ok() || w->ns <= 0) {
      err << "fabsim: --window: " << (w.is_ok() ? "must be positive" : w.status().message()) << "\n";
      return 2;
    }
    window = *w;
  }
  if (const Duration run = spec.duration + spec.drain; run.ns / window.ns >= static_cast<int64_t>(kMaxWindows)) {
    err << fmt::format("fabsim: --window: {} makes more than {} windows of a {} run; take a longer window\n",
                       format_duration(window), kMaxWindows, format_duration(run));
    return 2;
  }

  namespace fs = std::filesystem;
  std::error_code ec;
  auto data = o.keep_data.empty() ? RunDirectory::temporary() : RunDirectory::keep(o.keep_data);
  if (!data.is_ok()) {
    err << "fabsim: " << (o.keep_data.empty() ? "run directory" : "--keep-data") << ": "
        << scenario::one_line(data.status().message()) << "\n";
    return 2;
  }
  RunDirectory& run_dir = *data;
  OutDirectory out_dir;
  if (!o.out_dir.empty()) {
    if (Status s = out_dir.prepare(o.out_dir); !s.is_ok()) {
      err << "fabsim: --out: " << s.message() << "\n";
      run_dir.discard();
      return 2;
    }
  }
  std::FILE* trace = nullptr;
  const std::string trace_tmp = o.trace_file + ".tmp";
  if (!o.trace_file.empty()) {
    trace = std::fopen(trace_tmp.c_str(), "w");
    if (trace == nullptr) {
      err << "fabsim: --trace: cannot write '" << scenario::one_line(trace_tmp) << "'\n";
      run_dir.discard();
      out_dir.discard();
      return 2;
    }
  }

  std::unique_ptr<PerfettoTrace> perfetto;
  const std::string perfetto_tmp = o.perfetto + ".tmp";
  if (!o.perfetto.empty()) {
    auto opened = PerfettoTrace::open(perfetto_tmp);
    if (!opened.is_ok()) {
      err << "fabsim: --perfetto: " << scenario::one_line(opened.status().message()) << "\n";
      if (trace != nullptr) std::fclose(trace);
      if (trace != nullptr) fs::remove(trace_tmp, ec);
      run_dir.discard();
      out_dir.discard();
      return 2;
    }
    perfetto = std::move(*opened);
  }
  const std::string reproduce = reproduce_command(o, spec.seed);
  // With --quiet or --json the report goes nowhere; they print their own line or JSON.
  std::ostringstream unused;
  std::ostream& text = o.quiet || o.json ? unused : out;
  text << "scenario: " << spec.name << (spec.description.empty() ? "" : " — " + spec.description) << "\n";
  text << "seed: " << spec.seed << "\n";
  text << "reproduce: " << reproduce << "\n";
  if (loaded->results) text << reproducing_lines(o.file, *loaded->results);
  text.flush();

  // The run; with --check-determinism it is the first of the two runs compared.
  std::optional<Result<RunReport>> first;
  std::string first_json, second_json;
  const int runs = o.check_determinism ? 2 : 1;
  auto run_once = [&](TraceProbe* probe) {
    scenario::RunHooks hooks;
    hooks.window = window;
    if (o.progress && !o.quiet && !o.json)
      hooks.on_window = [&, started = std::chrono::steady_clock::now()](Time now) mutable {
        show_progress(out, now, Time::zero() + spec.duration + spec.drain, started, first.has_value());
      };
    if (!first && perfetto) hooks.on_work = [&](HostId h, LaneId l, const WorkSpan& s) { perfetto->work(h, l, s); };
    hooks.on_world = [&](World& w) {
      if (!first && perfetto) perfetto->attach(w);
      w.set_storage_root(run_dir.run_root(first ? 2 : 1, runs));
      if (probe != nullptr) w.trace().attach_probe(probe);
      if (!first && trace != nullptr) w.trace().write_lines_to(trace);
    };
    auto r = scenario::run_scenario(spec, hooks);
    if (!first) {
      first.emplace(std::move(r));
    } else if (r.is_ok()) {
      second_json = results_json(spec, *r, {}, reproduce, loaded->json).dump();
    }
  };
  std::optional<DeterminismReport> det;
  if (o.check_determinism) {
    det = check_determinism([&](TraceProbe& probe) { run_once(&probe); });
  } else {
    run_once(nullptr);
  }
  auto discard_trace = [&] {
    if (trace != nullptr) {
      std::fclose(trace);
      trace = nullptr;
      fs::remove(trace_tmp, ec);
    }
    if (perfetto) {
      perfetto.reset();
      fs::remove(perfetto_tmp, ec);
    }
  };
  if (!first->is_ok()) {
    discard_trace();
    run_dir.discard();
    out_dir.discard();
    err << "fabsim: " << scenario::one_line(o.file) << ": " << first->status().message() << "\n";
    return 2;
  }
  const RunReport& report = **first;
  if (o.check_determinism) first_json = results_json(spec, report, {}, reproduce, loaded->json).dump();

  if (o.progress && !o.quiet && !o.json) out << "\r\033[K" << std::flush;  // clear the progress line
  print_report(spec, report, warn_failures, text);
  // A results file run as recorded must give its trace hash again.
  const bool as_recorded = loaded->results && o.sets.empty() && !loaded->seed;
  if (as_recorded) text << reproduced_line(o.file, *loaded->results, report.trace_hash);
  const bool not_reproduced = as_recorded && reproduces_trace_hash(*loaded->results, report.trace_hash) == false;
  const std::vector<std::string> unmet = unmet_expectations(spec.expect, report);
  int status = 0;
  if (!report.fault_errors.empty() || !report.node_errors.empty() || not_reproduced) status = 1;
  if (unmet.empty()) {
    text << "expectations: met\n";
  } else {
    text << fmt::format("expectations: {} unmet\n", unmet.size());
    for (const auto& u : unmet) text << "  unmet: " << u << "\n";
    // Bounds written for the file's own settings rarely hold for changed ones.
    if (!o.sets.empty())
      text << "  (the file's expectations are for its own settings; to run without them: --set 'expect={}')\n";
    status = 1;
  }
  if (det) {
    text << det->text();
    if (!det->same) status = 1;
    if (det->same && first_json != second_json) {
      text << "determinism: the traces agree but the results differ between the two runs\n";
      status = 1;
    }
  }

  // Outputs: every file is written under a temporary name first; the renames come only
  // when all of them are complete, the trace last, and a failure removes what this run
  // wrote (temporaries and files already renamed), so a failed command leaves none.
  bool trace_ok = true;
  if (trace != nullptr) {
    trace_ok = std::fflush(trace) == 0;
    trace_ok = std::fclose(trace) == 0 && trace_ok;
    trace = nullptr;
  }
  const bool perfetto_ok = !perfetto || perfetto->finish(report);
  std::string tmp_json, tmp_csv, tmp_series, tmp_html;
  const fs::path dir(o.out_dir);
  bool outputs_ok = true;
  // Built once for the files and --json.
  const nlohmann::ordered_json results = !o.out_dir.empty() || o.json
                                             ? results_json(spec, report, unmet, reproduce, loaded->json)
                                             : nlohmann::ordered_json();
  if (!o.out_dir.empty()) {
    outputs_ok = write_atomically(dir / "results.json", results.dump(2) + "\n", &tmp_json) &&
                 write_atomically(dir / "transactions.csv", transactions_csv(report), &tmp_csv) &&
                 write_atomically(dir / "timeseries.csv", timeseries_csv(report), &tmp_series) &&
                 write_atomically(dir / "report.html", render_report_html(results), &tmp_html);
  }
  std::vector<fs::path> placed;  // final names this run renamed into place
  bool trace_failed = !trace_ok;
  auto place = [&](const std::string& tmp, const fs::path& final_name) {
    fs::rename(tmp, final_name, ec);
    if (!ec) placed.push_back(final_name);
    return !ec;
  };
  bool ok = trace_ok && outputs_ok && perfetto_ok;
  if (ok && !o.out_dir.empty())
    ok = place(tmp_json, dir / "results.json") && place(tmp_csv, dir / "transactions.csv") &&
         place(tmp_series, dir / "timeseries.csv") && place(tmp_html, dir / "report.html");
  if (ok && !o.trace_file.empty()) {
    ok = place(trace_tmp, o.trace_file);
    trace_failed = !ok;
  }
  bool perfetto_failed = !perfetto_ok;
  if (ok && perfetto) {
    ok = place(perfetto_tmp, o.perfetto);
    perfetto_failed = !ok;
  }
  if (!ok) {
    std::error_code ignored;
    for (const auto& f : {tmp_json, tmp_csv, tmp_series, tmp_html}) if (!f.empty()) fs::remove(f, ignored);
    if (!o.trace_file.empty()) fs::remove(trace_tmp, ignored);
    if (perfetto) fs::remove(perfetto_tmp, ignored);
    for (const auto& f : placed) fs::remove(f, ignored);
    run_dir.discard();
    out_dir.discard();
    if (trace_failed)
      err << "fabsim: --trace: could not write '" << o.trace_file << "'\n";
    else if (perfetto_failed)
      err << "fabsim: --perfetto: could not write '" << o.perfetto << "'\n";
    else
      err << "fabsim: --out: could not write results into '" << o.out_dir << "'\n";
    return 2;
  }
  if (!o.out_dir.empty())
    text << "results: " << (dir / "results.json").string() << ", " << (dir / "transactions.csv").string() << ", "
        << (dir / "timeseries.csv").string() << ", " << (dir / "report.html").string() << "\n";
  if (run_dir.kept()) text << "data: " << run_dir.path() << "\n";
  if (o.json) out << results.dump(2) << "\n";
  if (o.quiet) {
    std::string verdict = status == 0 ? "ok" : "FAILED";
    if (!unmet.empty()) verdict += fmt::format(", {} expectations unmet", unmet.size());
    if (!report.invariants.hold()) verdict += ", safety VIOLATED";
    if (!report.node_errors.empty() || !report.fault_errors.empty()) verdict += ", node or fault errors";
    if (det && !det->same) verdict += ", not deterministic";
    out << fmt::format("{}: {} (seed {}, trace {:016x}); reproduce: {}\n", spec.name, verdict, spec.seed,
                       report.trace_hash, reproduce);
  }
  return status;
}

}  // namespace fabsim::cli
