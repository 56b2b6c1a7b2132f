#include "cli/run_command.h"

#include <fmt/format.h>

#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/run_directory.h"
#include "core/cost_model.h"
#include "core/units.h"
#include "model/orderer/block_cutter.h"
#include "scenarios/scenario_loader.h"
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
  app.add_option("file", o.file, "the scenario file (YAML; docs/scenario-format.md)")->required()->check(non_empty);
  app.add_option("--seed", o.seed, "root seed of every random stream, instead of the file's (0 to 2^64-1)")
      ->check(non_empty);
  app.add_option("--set", o.sets, "override a field of the file: --set path.to.key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--out", o.out_dir, "write results.json and transactions.csv into this directory")->check(non_empty);
  app.add_option("--trace", o.trace_file, "write every trace event as a line to this file")->check(non_empty);
  app.add_option("--keep-data", o.keep_data,
                 "keep the hosts' durable data (ledgers) in this directory, which must not exist or be empty "
                 "(default: a temporary directory, removed at the end)")
      ->check(non_empty);
  app.add_flag("--check-determinism", o.check_determinism, "run twice and compare the traces event by event");
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
std::string dur(std::optional<Duration> d) { return d ? format_duration(*d) : "-"; }

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

nlohmann::ordered_json link_json(const scenario::LinkSpec& l) {
  return {{"latency", format_duration(l.latency)},
          {"jitter", format_duration(l.jitter)},
          {"bandwidth_bps", l.bandwidth_bps},
          {"loss", l.loss},
          {"duplicate", l.duplicate}};
}

nlohmann::ordered_json scenario_json(const ScenarioSpec& s) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["name"] = s.name;
  j["description"] = s.description;
  j["seed"] = s.seed;
  j["duration"] = format_duration(s.duration);
  j["drain"] = format_duration(s.drain);
  ordered_json orgs = ordered_json::array();
  for (const auto& o : s.network.orgs)
    orgs.push_back({{"name", o.name}, {"msp_id", o.msp_id}, {"peers", o.peers}, {"clients", o.clients}});
  ordered_json overrides = ordered_json::array();
  for (const auto& o : s.network.link_overrides)
    overrides.push_back({{"between", {o.nodes_a, o.nodes_b}}, {"link", link_json(o.link)}});
  j["network"] = {{"orgs", orgs}, {"links", {{"default", link_json(s.network.default_link)}, {"overrides", overrides}}}};
  j["ordering"] = {{"type", "solo"},
                   {"orderers", s.ordering.orderers},
                   {"batch_timeout", format_duration(s.ordering.batch.batch_timeout)},
                   {"max_message_count", s.ordering.batch.size.max_message_count},
                   {"absolute_max_bytes", s.ordering.batch.size.absolute_max_bytes},
                   {"preferred_max_bytes", s.ordering.batch.size.preferred_max_bytes}};
  ordered_json channels = ordered_json::array();
  for (const auto& c : s.channels)
    channels.push_back({{"name", c.name},
                        {"orgs", c.orgs},
                        {"peers", c.peers},
                        {"batch_timeout", format_duration(c.batch.batch_timeout)},
                        {"max_message_count", c.batch.size.max_message_count},
                        {"absolute_max_bytes", c.batch.size.absolute_max_bytes},
                        {"preferred_max_bytes", c.batch.size.preferred_max_bytes}});
  j["channels"] = channels;
  ordered_json ccs = ordered_json::array();
  for (const auto& c : s.chaincodes) {
    ordered_json cc = {{"name", c.name}, {"channel", c.channel}, {"kind", c.kind}, {"endorsement_policy", c.endorsement_policy.text}};
    if (c.init) cc["init"] = *c.init;
    ccs.push_back(cc);
  }
  j["chaincodes"] = ccs;
  j["crypto"] = {{"scheme", s.crypto.scheme == scenario::CryptoScheme::kHmac ? "hmac" : "ecdsa"},
                 {"verify_cache", s.crypto.verify_cache}};
  ordered_json costs = ordered_json::object();
  for (const auto& [node, values] : s.costs.by_node) {
    ordered_json v = ordered_json::object();
    for (const auto& [name, d] : values) v[name] = format_duration(d);
    costs[node] = v;
  }
  j["costs_by_node"] = costs;
  ordered_json workload = ordered_json::array();
  for (const auto& w : s.workload) {
    ordered_json g = {{"kind", scenario::workload_kind_name(w.kind)}};
    if (w.kind == scenario::WorkloadKind::kScripted) {
      ordered_json txs = ordered_json::array();
      for (const auto& t : w.transactions)
        txs.push_back({{"id", t.id}, {"at", format_duration(t.at)}, {"client", t.client}, {"chaincode", t.chaincode},
                       {"function", t.function}, {"args", t.args}});
      g["transactions"] = txs;
    } else {
      g["chaincode"] = w.chaincode;
      g["clients"] = w.clients;
      g["start"] = format_duration(w.start);
      g["end"] = format_duration(w.end);
      if (w.kind == scenario::WorkloadKind::kOpenLoop) g["rate_tps"] = w.rate_tps;
      if (w.kind != scenario::WorkloadKind::kClosedLoop)
        g["arrival"] = w.arrival == scenario::Arrival::kPoisson ? "poisson" : "fixed";
      if (w.kind == scenario::WorkloadKind::kPhases) {
        ordered_json ph = ordered_json::array();
        for (const auto& p : w.phases) ph.push_back({{"duration", format_duration(p.duration)}, {"rate_tps", p.rate_tps}});
        g["phases"] = ph;
      }
      if (w.kind == scenario::WorkloadKind::kClosedLoop) {
        g["outstanding"] = w.outstanding;
        g["think_time"] = format_duration(w.think_time);
      }
      ordered_json mix = ordered_json::array();
      for (const auto& m : w.mix) {
        std::vector<std::string> args;
        for (const auto& a : m.args) args.push_back(a.text);
        mix.push_back({{"function", m.function}, {"weight", m.weight}, {"args", args}});
      }
      g["mix"] = mix;
      g["keys"] = {{"count", w.keys.count},
                   {"prefix", w.keys.prefix},
                   {"distribution", scenario::key_distribution_name(w.keys.distribution)},
                   {"theta", w.keys.theta},
                   {"hot_fraction", w.keys.hot_fraction},
                   {"hot_probability", w.keys.hot_probability}};
    }
    workload.push_back(g);
  }
  j["workload"] = workload;
  ordered_json faults = ordered_json::array();
  for (const auto& f : s.faults) {
    ordered_json fj = {{"at", format_duration(f.at)}, {"action", scenario::fault_action_name(f.action)}};
    // Named nodes, then role targets as written.
    auto targets = [](const scenario::FaultTargets& t) {
      std::vector<std::string> out = t.nodes;
      for (const auto& r : t.roles) out.push_back(r.text);
      return out;
    };
    if (const auto* d = std::get_if<scenario::NodeFault>(&f.detail)) fj["nodes"] = targets(d->targets);
    if (const auto* d = std::get_if<scenario::PartitionFault>(&f.detail)) {
      ordered_json groups = ordered_json::array();
      for (const auto& g : d->groups) groups.push_back(targets(g));
      fj["groups"] = groups;
      if (d->one_way) fj["one_way"] = true;
      if (!d->label.empty()) fj["label"] = d->label;
    }
    if (const auto* d = std::get_if<scenario::HealFault>(&f.detail); d && !d->label.empty()) fj["label"] = d->label;
    if (const auto* d = std::get_if<scenario::DegradeFault>(&f.detail)) {
      fj["between"] = {d->between_a, d->between_b};
      fj["degrade"] = {{"latency", format_duration(d->extra_latency)},
                       {"loss", d->extra_loss},
                       {"bandwidth_factor", d->bandwidth_factor}};
    }
    if (const auto* d = std::get_if<scenario::RestoreFault>(&f.detail)) fj["between"] = {d->between_a, d->between_b};
    if (const auto* d = std::get_if<scenario::ClockOffsetFault>(&f.detail)) {
      fj["nodes"] = targets(d->targets);
      fj["offset"] = format_duration(d->offset);
    }
    if (f.undo_after) fj["for"] = format_duration(*f.undo_after);
    faults.push_back(fj);
  }
  j["faults"] = faults;
  return j;
}

std::string opt_ns(const std::optional<Time>& t) { return t ? std::to_string(t->ns) : ""; }

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void print_report(const ScenarioSpec& spec, const RunReport& r, std::ostream& out) {
  const scenario::Metrics& m = r.metrics;
  out << fmt::format("simulated: {} (duration {} + drain {}), {} kernel events\n", format_time(r.end),
                     format_duration(spec.duration), format_duration(spec.drain), r.kernel_events);
  out << "| Name | Succ | Fail | Send Rate (TPS) | Max Latency (s) | Min Latency (s) | Avg Latency (s) | Throughput (TPS) |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  out << fmt::format("| {} | {} | {} | {:.1f} | {} | {} | {} | {:.1f} |\n", spec.name, m.succeeded, m.caliper_fail(),
                     m.send_rate_tps, seconds(m.latency_max), seconds(m.latency_min), seconds(m.latency_avg),
                     m.throughput_tps);
  out << fmt::format("latency (VALID, request to commit event): p50={} p95={} p99={}\n", dur(m.latency_p50),
                     dur(m.latency_p95), dur(m.latency_p99));
  out << fmt::format("phases (mean): endorse={} order={} validate+commit={}\n", dur(m.endorse_mean), dur(m.order_mean),
                     dur(m.commit_mean));
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
  if (m.requested > 0 && m.failed * 2 > m.requested)
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
  for (const auto& e : r.fault_errors) out << "fault error: " << e << "\n";
  out << fmt::format("network: sent={} delivered={} lost={} duplicated={} partitioned={} no_route={} bytes={}\n",
                     r.network.sent, r.network.delivered, r.network.lost, r.network.duplicated, r.network.partitioned,
                     r.network.no_route, r.network.bytes_sent);
  out << fmt::format("trace hash: {:016x}\n", r.trace_hash);
}

}  // namespace

std::string reproduce_command(const RunOptions& o, uint64_t seed) {
  std::string cmd = "./fabsim run " + shell_quote(o.file) + fmt::format(" --seed {}", seed);
  for (const auto& s : o.sets) cmd += " --set " + shell_quote(s);
  return cmd;
}

nlohmann::ordered_json results_json(const ScenarioSpec& spec, const RunReport& r, const std::vector<std::string>& unmet,
                                    const std::string& reproduce) {
  using nlohmann::ordered_json;
  const scenario::Metrics& m = r.metrics;
  auto ns = [](const std::optional<Duration>& d) -> ordered_json { return d ? ordered_json(d->ns) : ordered_json(nullptr); };
  ordered_json j;
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
  j["phase_mean_ns"] = {{"endorse", ns(m.endorse_mean)}, {"order", ns(m.order_mean)}, {"validate_commit", ns(m.commit_mean)}};
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
  }
  j["channels"] = channels;
  j["node_errors"] = r.node_errors;
  j["fault_errors"] = r.fault_errors;
  j["fault_targets"] = r.fault_targets;
  j["network"] = {{"sent", r.network.sent},         {"delivered", r.network.delivered}, {"lost", r.network.lost},
                  {"duplicated", r.network.duplicated}, {"partitioned", r.network.partitioned},
                  {"no_route", r.network.no_route}, {"bytes", r.network.bytes_sent}};
  j["trace_hash"] = fmt::format("{:016x}", r.trace_hash);
  j["trace_events"] = r.trace_events;
  j["kernel_events"] = r.kernel_events;
  j["expectations"] = {{"met", unmet.empty()}, {"unmet", unmet}};
  j["resolved_scenario"] = scenario_json(spec);
  return j;
}

std::string transactions_csv(const RunReport& r) {
  std::string out = "id,generator,client,chaincode,channel,function,requested_ns,submitted_ns,endorsed_ns,ordered_ns,"
                    "completed_ns,latency_ns,block,status\n";
  for (const TxRecord& t : r.transactions) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(t.id), t.generator, csv_field(t.client),
                       csv_field(t.chaincode), csv_field(t.channel), csv_field(t.function),
                       t.requested.ns, opt_ns(t.submitted), opt_ns(t.endorsed), opt_ns(t.ordered), opt_ns(t.completed),
                       t.completed ? std::to_string((*t.completed - t.requested).ns) : "",
                       t.block ? std::to_string(*t.block) : "", t.status_text());
  }
  return out;
}

Result<ScenarioSpec> load_run_scenario(const RunOptions& o) {
  std::vector<std::string> sets = o.sets;
  if (!o.seed.empty()) {
    auto seed = parse_seed(o.seed);
    if (!seed) return Status::invalid_argument(scenario::one_line("--seed: " + seed.status().message()));
    sets.push_back(fmt::format("seed={}", *seed));
  }
  scenario::LoaderOptions lo;
  lo.cost_names = cost_names();
  return scenario::load_scenario_file(o.file, sets, lo);
}

int run_scenario_command(const RunOptions& o, std::ostream& out, std::ostream& err) {
  auto loaded = load_run_scenario(o);
  if (!loaded.is_ok()) {
    err << "fabsim: " << loaded.status().message() << "\n";
    return 2;
  }
  const ScenarioSpec& spec = *loaded;

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

  const std::string reproduce = reproduce_command(o, spec.seed);
  out << "scenario: " << spec.name << (spec.description.empty() ? "" : " — " + spec.description) << "\n";
  out << "seed: " << spec.seed << "\n";
  out << "reproduce: " << reproduce << "\n";
  out.flush();

  // The run; with --check-determinism it is the first of the two runs compared.
  std::optional<Result<RunReport>> first;
  std::string first_json, second_json;
  const int runs = o.check_determinism ? 2 : 1;
  auto run_once = [&](TraceProbe* probe) {
    scenario::RunHooks hooks;
    hooks.on_world = [&](World& w) {
      w.set_storage_root(run_dir.run_root(first ? 2 : 1, runs));
      if (probe != nullptr) w.trace().attach_probe(probe);
      if (!first && trace != nullptr) w.trace().write_lines_to(trace);
    };
    auto r = scenario::run_scenario(spec, hooks);
    if (!first) {
      first.emplace(std::move(r));
    } else if (r.is_ok()) {
      second_json = results_json(spec, *r, {}, reproduce).dump();
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
  };
  if (!first->is_ok()) {
    discard_trace();
    run_dir.discard();
    out_dir.discard();
    err << "fabsim: " << scenario::one_line(o.file) << ": " << first->status().message() << "\n";
    return 2;
  }
  const RunReport& report = **first;
  if (o.check_determinism) first_json = results_json(spec, report, {}, reproduce).dump();

  print_report(spec, report, out);
  const std::vector<std::string> unmet = unmet_expectations(spec.expect, report);
  int status = 0;
  if (!report.fault_errors.empty() || !report.node_errors.empty()) status = 1;
  if (unmet.empty()) {
    out << "expectations: met\n";
  } else {
    out << fmt::format("expectations: {} unmet\n", unmet.size());
    for (const auto& u : unmet) out << "  unmet: " << u << "\n";
    status = 1;
  }
  if (det) {
    out << det->text();
    if (!det->same) status = 1;
    if (det->same && first_json != second_json) {
      out << "determinism: the traces agree but the results differ between the two runs\n";
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
  std::string tmp_json, tmp_csv;
  const fs::path dir(o.out_dir);
  bool outputs_ok = true;
  if (!o.out_dir.empty())
    outputs_ok = write_atomically(dir / "results.json", results_json(spec, report, unmet, reproduce).dump(2) + "\n", &tmp_json) &&
                 write_atomically(dir / "transactions.csv", transactions_csv(report), &tmp_csv);
  std::vector<fs::path> placed;  // final names this run renamed into place
  bool trace_failed = !trace_ok;
  auto place = [&](const std::string& tmp, const fs::path& final_name) {
    fs::rename(tmp, final_name, ec);
    if (!ec) placed.push_back(final_name);
    return !ec;
  };
  bool ok = trace_ok && outputs_ok;
  if (ok && !o.out_dir.empty()) ok = place(tmp_json, dir / "results.json") && place(tmp_csv, dir / "transactions.csv");
  if (ok && !o.trace_file.empty()) {
    ok = place(trace_tmp, o.trace_file);
    trace_failed = !ok;
  }
  if (!ok) {
    std::error_code ignored;
    for (const auto& f : {tmp_json, tmp_csv}) if (!f.empty()) fs::remove(f, ignored);
    if (!o.trace_file.empty()) fs::remove(trace_tmp, ignored);
    for (const auto& f : placed) fs::remove(f, ignored);
    run_dir.discard();
    out_dir.discard();
    if (trace_failed)
      err << "fabsim: --trace: could not write '" << o.trace_file << "'\n";
    else
      err << "fabsim: --out: could not write results into '" << o.out_dir << "'\n";
    return 2;
  }
  if (!o.out_dir.empty())
    out << "results: " << (dir / "results.json").string() << ", " << (dir / "transactions.csv").string() << "\n";
  if (run_dir.kept()) out << "data: " << run_dir.path() << "\n";
  return status;
}

}  // namespace fabsim::cli
