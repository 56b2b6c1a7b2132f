#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "sim/determinism.h"
#include "core/units.h"

namespace fabsim::cli {

void add_flood_options(CLI::App& app, FloodOptions& o) {
  app.add_option("--seed", o.seed, "root seed of every random stream (0 to 2^64-1)")->capture_default_str();
  app.add_option("--hosts", o.cfg.hosts, "number of hosts")->check(CLI::Range(2u, 100000u))->capture_default_str();
  app.add_option("--degree", o.cfg.degree, "mean degree of the random graph")->check(CLI::Range(2u, 1000u))->capture_default_str();
  app.add_option("--messages", o.cfg.messages, "rumors to originate")->check(CLI::Range(0u, 10000000u))->capture_default_str();
  app.add_option("--interval", o.interval, "time between rumors")->capture_default_str();
  app.add_option("--duration", o.duration, "simulated time to run")->capture_default_str();
  app.add_option("--bytes", o.cfg.rumor_bytes, "rumor size in bytes")->check(CLI::Range(12u, 1u << 30))->capture_default_str();
  app.add_option("--cores", o.cfg.cores, "virtual cores per host")->check(CLI::Range(1u, 1024u))->capture_default_str();
  app.add_option("--cpu", o.cpu, "CPU time charged per message handled")->capture_default_str();
  app.add_option("--latency", o.latency, "link latency")->capture_default_str();
  app.add_option("--jitter", o.jitter, "link jitter, uniform in [0, jitter]")->capture_default_str();
  app.add_option("--bandwidth", o.bandwidth, "link bandwidth")->capture_default_str();
  app.add_option("--loss", o.cfg.loss, "per-link loss probability")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--crashes", o.cfg.crashes, "hosts that crash at 30% and restart at 60% of the run")
      ->check(CLI::Range(0u, 100000u))->capture_default_str();
  app.add_flag("--partition", o.cfg.partition, "split the hosts in two halves from 40% to 55% of the run");
  app.add_option("--trace", o.trace_file, "write every trace event as a line to this file");
  app.add_flag("--check-determinism", o.check_determinism, "run twice and compare the traces event by event");
}

namespace {
// Resolves the text options into the config; false (with a message) on bad input.
bool resolve(FloodOptions& o, std::ostream& err) {
  auto seed = parse_seed(o.seed);
  if (!seed) {
    err << "fabsim: --seed: " << seed.status().message() << "\n";
    return false;
  }
  o.cfg.seed = *seed;
  auto dur = [&](const char* flag, const std::string& text, Duration* out, bool positive) {
    auto r = parse_duration(text);
    if (!r) {
      err << "fabsim: " << flag << ": " << r.status().message() << "\n";
      return false;
    }
    if (positive && r->ns <= 0) {
      err << "fabsim: " << flag << ": must be greater than zero, got '" << text << "'\n";
      return false;
    }
    *out = *r;
    return true;
  };
  if (!dur("--duration", o.duration, &o.cfg.duration, true) || !dur("--interval", o.interval, &o.cfg.interval, true) ||
      !dur("--latency", o.latency, &o.cfg.latency, false) || !dur("--jitter", o.jitter, &o.cfg.jitter, false) ||
      !dur("--cpu", o.cpu, &o.cfg.cpu_per_message, false))
    return false;
  auto bw = parse_bandwidth(o.bandwidth);
  if (!bw) {
    err << "fabsim: --bandwidth: " << bw.status().message() << "\n";
    return false;
  }
  o.cfg.bandwidth_bps = *bw;
  if (o.cfg.degree >= o.cfg.hosts) {
    err << "fabsim: --degree: must be less than --hosts (" << o.cfg.hosts << "), got " << o.cfg.degree << "\n";
    return false;
  }
  if (o.cfg.crashes > o.cfg.hosts) {
    err << "fabsim: --crashes: at most --hosts (" << o.cfg.hosts << "), got " << o.cfg.crashes << "\n";
    return false;
  }
  return true;
}

std::string reproduce_command(const FloodOptions& o) {
  std::string cmd = fmt::format(
      "./fabsim demo flood --seed {} --hosts {} --degree {} --messages {} --interval {} --duration {} --bytes {} "
      "--cores {} --cpu {} --latency {} --jitter {} --bandwidth {} --loss {} --crashes {}",
      o.cfg.seed, o.cfg.hosts, o.cfg.degree, o.cfg.messages, o.interval, o.duration, o.cfg.rumor_bytes, o.cfg.cores,
      o.cpu, o.latency, o.jitter, o.bandwidth, o.cfg.loss, o.cfg.crashes);
  if (o.cfg.partition) cmd += " --partition";
  return cmd;
}
}  // namespace

int run_flood(FloodOptions& o, std::ostream& out, std::ostream& err) {
  if (!resolve(o, err)) return 2;

  std::FILE* trace = nullptr;
  std::string trace_tmp;
  if (!o.trace_file.empty()) {
    trace_tmp = o.trace_file + ".tmp";
    trace = std::fopen(trace_tmp.c_str(), "w");
    if (trace == nullptr) {
      err << "fabsim: --trace: cannot write '" << trace_tmp << "'\n";
      return 2;
    }
  }
  out << "seed: " << o.cfg.seed << "\n";
  out << "reproduce: " << reproduce_command(o) << "\n";
  FloodDemoResult r = run_flood_demo(o.cfg, [&](World& w) {
    if (trace != nullptr) w.trace().write_lines_to(trace);
  });
  if (trace != nullptr) {
    const bool ok = std::fflush(trace) == 0 && std::fclose(trace) == 0;
    std::error_code ec;
    if (ok) std::filesystem::rename(trace_tmp, o.trace_file, ec);
    if (!ok || ec) {
      std::filesystem::remove(trace_tmp, ec);
      err << "fabsim: --trace: could not write '" << o.trace_file << "'\n";
      return 2;
    }
  }

  const uint64_t expected = r.expected_deliveries();
  const double pct = expected ? 100.0 * static_cast<double>(r.deliveries) / static_cast<double>(expected) : 100.0;
  out << fmt::format("world: {} hosts, mean degree {}, {} rumors of {} B, {} simulated\n", o.cfg.hosts, o.cfg.degree,
                     o.cfg.messages, o.cfg.rumor_bytes, format_duration(o.cfg.duration));
  out << fmt::format("rumors: {} originated of {} scheduled ({} were sent to a host that was down)\n",
                     r.originated.size(), r.rumors_scheduled, r.rumors_scheduled - r.originated.size());
  out << fmt::format("delivered: {}/{} ({:.2f}%) of originated rumors at every host\n", r.deliveries, expected, pct);
  out << fmt::format("latency: p50={} p95={} p99={} max={}\n", format_duration(Duration::nanos(r.latency_ns.percentile(50))),
                     format_duration(Duration::nanos(r.latency_ns.percentile(95))),
                     format_duration(Duration::nanos(r.latency_ns.percentile(99))),
                     format_duration(Duration::nanos(r.latency_ns.max())));
  out << fmt::format("network: sent={} delivered={} lost={} duplicated={} partitioned={} no_route={} bytes={}\n", r.net.sent,
                     r.net.delivered, r.net.lost, r.net.duplicated, r.net.partitioned, r.net.no_route, r.net.bytes_sent);
  for (const auto& e : r.fault_errors) out << "fault error: " << e << "\n";
  out << fmt::format("events: kernel={} trace={}\n", r.kernel_events, r.trace_events);
  out << fmt::format("trace hash: {:016x}\n", r.trace_hash);

  int status = r.fault_errors.empty() ? 0 : 1;
  if (o.check_determinism) {
    const DeterminismReport rep = check_determinism([&](TraceProbe& probe) {
      run_flood_demo(o.cfg, [&](World& w) { w.trace().attach_probe(&probe); });
    });
    out << rep.text();
    if (!rep.same) status = 1;
  }
  return status;
}

}  // namespace fabsim::cli
