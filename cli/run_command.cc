#include "cli/run_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/build_info.h"
#include "cli/run_input.h"
#include "cli/run_directory.h"
#include "model/orderer/block_cutter.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_writer.h"
#include "sim/determinism.h"

namespace fabsim::cli {

using scenario::RunReport;
using scenario::ScenarioSpec;
using scenario::TxRecord;

void add_run_options(CLI::App& app, RunOptions& o) {
  app.add_option("file", o.file, "the scenario file (YAML; docs/scenario-format.md), or a results.json to run again")
      ->required();
  app.add_option("--seed", o.seed, "root seed of every random stream, instead of the file's (0 to 2^64-1)");
  app.add_option("--set", o.sets, "override a field of the file: --set path.to.key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--out", o.out_dir, "write results.json and transactions.csv into this directory");
  app.add_option("--trace", o.trace_file, "write every trace event as a line to this file");
  app.add_option("--keep-data", o.keep_data,
                 "keep the hosts' durable data (ledgers) in this directory, which must not exist or be empty "
                 "(default: a temporary directory, removed at the end)");
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
  j["input"] = input;
  j["resolved_scenario"] = scenario::write_scenario(spec);
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

int run_scenario_command(const RunOptions& o, std::ostream& out, std::ostream& err) {
  auto loaded = load_run_input(o);  // a scenario file or a results.json
  if (!loaded.is_ok()) {
    err << "fabsim: " << loaded.status().message() << "\n";
    return 2;
  }
  const ScenarioSpec& spec = loaded->spec;

  namespace fs = std::filesystem;
  std::error_code ec;
  auto data = o.keep_data.empty() ? RunDirectory::temporary() : RunDirectory::keep(o.keep_data);
  if (!data.is_ok()) {
    err << "fabsim: " << (o.keep_data.empty() ? "run directory" : "--keep-data") << ": " << data.status().message()
        << "\n";
    return 2;
  }
  RunDirectory& run_dir = *data;
  if (!o.out_dir.empty()) {
    fs::create_directories(o.out_dir, ec);
    if (ec || !fs::is_directory(o.out_dir)) {
      err << "fabsim: --out: cannot create directory '" << o.out_dir << "'\n";
      run_dir.discard();
      return 2;
    }
  }
  std::FILE* trace = nullptr;
  const std::string trace_tmp = o.trace_file + ".tmp";
  if (!o.trace_file.empty()) {
    trace = std::fopen(trace_tmp.c_str(), "w");
    if (trace == nullptr) {
      err << "fabsim: --trace: cannot write '" << trace_tmp << "'\n";
      run_dir.discard();
      return 2;
    }
  }

  const std::string reproduce = reproduce_command(o, spec.seed);
  out << "scenario: " << spec.name << (spec.description.empty() ? "" : " — " + spec.description) << "\n";
  out << "seed: " << spec.seed << "\n";
  out << "reproduce: " << reproduce << "\n";
  if (loaded->results) out << reproducing_lines(o.file, *loaded->results);
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
  };
  if (!first->is_ok()) {
    discard_trace();
    run_dir.discard();
    err << "fabsim: " << o.file << ": " << first->status().message() << "\n";
    return 2;
  }
  const RunReport& report = **first;
  if (o.check_determinism) first_json = results_json(spec, report, {}, reproduce, loaded->json).dump();

  print_report(spec, report, out);
  // A results file run as recorded must give its trace hash again.
  const bool as_recorded = loaded->results && o.sets.empty() && !loaded->seed;
  if (as_recorded) out << reproduced_line(o.file, *loaded->results, report.trace_hash);
  const bool not_reproduced = as_recorded && reproduces_trace_hash(*loaded->results, report.trace_hash) == false;
  const std::vector<std::string> unmet = unmet_expectations(spec.expect, report);
  int status = 0;
  if (!report.fault_errors.empty() || !report.node_errors.empty() || not_reproduced) status = 1;
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
    outputs_ok = write_atomically(dir / "results.json", results_json(spec, report, unmet, reproduce, loaded->json).dump(2) + "\n", &tmp_json) &&
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
