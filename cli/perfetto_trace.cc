#include "cli/perfetto_trace.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace fabsim::cli {
namespace {

constexpr uint64_t kDiskTid = 100000;
constexpr int kTransactionsPid = 0;
constexpr uint64_t kTransactionsTid = 1;
constexpr uint64_t kFaultsTid = 2;

// A JSON string; bytes that are not UTF-8 become U+FFFD rather than an exception.
std::string quote(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Virtual microseconds with the nanoseconds as decimals.
std::string micros(int64_t ns) {
  const char* sign = ns < 0 ? "-" : "";
  const uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  return fmt::format("{}{}.{:03}", sign, mag / 1000, mag % 1000);
}

}  // namespace

Result<std::unique_ptr<PerfettoTrace>> PerfettoTrace::open(const std::string& tmp_path) {
  std::FILE* f = std::fopen(tmp_path.c_str(), "w");
  if (f == nullptr) return Status::unavailable("cannot write '" + tmp_path + "'");
  std::fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
  return std::unique_ptr<PerfettoTrace>(new PerfettoTrace(f));
}

PerfettoTrace::~PerfettoTrace() {
  if (f_ != nullptr) std::fclose(f_);
}

void PerfettoTrace::event(const std::string& json) {
  if (!first_) std::fputs(",\n", f_);
  first_ = false;
  std::fputs(json.c_str(), f_);
}

void PerfettoTrace::attach(World& w) {
  world_ = &w;
  hosts_ = w.host_names();
  event(fmt::format(R"({{"ph":"M","name":"process_name","pid":{},"args":{{"name":"transactions"}}}})",
                    kTransactionsPid));
  event(fmt::format(R"({{"ph":"M","name":"thread_name","pid":{},"tid":{},"args":{{"name":"faults"}}}})",
                    kTransactionsPid, kFaultsTid));
  for (HostId h = 0; h < hosts_.size(); ++h) {
    event(fmt::format(R"({{"ph":"M","name":"process_name","pid":{},"args":{{"name":{}}}}})", h + 1, quote(hosts_[h])));
    event(fmt::format(R"({{"ph":"M","name":"process_sort_index","pid":{},"args":{{"sort_index":{}}}}})", h + 1, h + 1));
  }
}

void PerfettoTrace::name_thread(HostId h, uint64_t tid, const std::string& name) {
  if (!named_threads_.insert({h, tid}).second) return;
  event(fmt::format(R"({{"ph":"M","name":"thread_name","pid":{},"tid":{},"args":{{"name":{}}}}})", h + 1, tid,
                    quote(name)));
}

void PerfettoTrace::work(HostId h, LaneId lane, const WorkSpan& span) {
  if (world_ == nullptr || f_ == nullptr) return;
  std::string lane_name = "lane " + std::to_string(lane);
  if (const auto& lanes = world_->host(h).lane_stats(); lane < lanes.size()) lane_name = lanes[lane].name;
  const uint64_t tid = span.disk ? kDiskTid : uint64_t{lane} + 1;
  name_thread(h, tid, span.disk ? std::string("disk") : lane_name);
  const std::string name = span.label != nullptr ? std::string(span.label) : lane_name;
  event(fmt::format(R"({{"ph":"X","cat":"{}","name":{},"pid":{},"tid":{},"ts":{},"dur":{}}})",
                    span.disk ? "disk" : "cpu", quote(name), h + 1, tid, micros(span.start.ns),
                    micros((span.end - span.start).ns)));
}

bool PerfettoTrace::finish(const scenario::RunReport& r) {
  if (f_ == nullptr) return false;
  auto host = [&](HostId h) { return h < hosts_.size() ? hosts_[h] : std::string("?"); };
  for (size_t i = 0; i < r.transactions.size(); ++i) {
    const scenario::TxRecord& tx = r.transactions[i];
    if (!tx.completed) continue;  // no outcome: no end to draw
    const auto b = scenario::phase_boundaries(tx);
    const std::string peer = tx.committed_at == kNoHost ? std::string("?") : host(tx.committed_at);
    // Where each phase happens.
    const std::string where[scenario::kPhaseCount] = {
        tx.client, "ordering service", "ordering service", "ordering service -> " + peer, peer, peer, peer, peer,
        peer + " -> " + tx.client};
    auto async = [&](char ph, const std::string& name, Time t, const std::string& args) {
      event(fmt::format(R"({{"ph":"{}","cat":"tx","id":{},"name":{},"pid":{},"tid":{},"ts":{}{}}})", ph, i, quote(name),
                        kTransactionsPid, kTransactionsTid, micros(t.ns), args));
    };
    async('b', tx.id, tx.requested,
          fmt::format(R"(,"args":{{"client":{},"tx_id":{},"status":{}}})", quote(tx.client), quote(tx.tx_id),
                      quote(tx.status_text())));
    for (size_t p = 0; p < scenario::kPhaseCount; ++p) {
      if (!b[p] || !b[p + 1]) continue;
      const std::string name = scenario::phase_name(scenario::phase_at(p));
      async('b', name, *b[p], fmt::format(R"(,"args":{{"node":{}}})", quote(where[p])));
      async('e', name, *b[p + 1], "");
    }
    async('e', tx.id, *tx.completed, "");
  }
  for (const FaultImpact& f : r.faults) {
    const FaultPeriod& p = f.period;
    if (p.end) {
      event(fmt::format(R"({{"ph":"X","cat":"fault","name":{},"pid":{},"tid":{},"ts":{},"dur":{}}})", quote(p.text),
                        kTransactionsPid, kFaultsTid, micros(p.at.ns), micros((*p.end - p.at).ns)));
    } else {
      event(fmt::format(R"({{"ph":"i","s":"g","cat":"fault","name":{},"pid":{},"tid":{},"ts":{}}})", quote(p.text),
                        kTransactionsPid, kFaultsTid, micros(p.at.ns)));
    }
  }
  std::fputs("\n]}\n", f_);
  const bool ok = std::fflush(f_) == 0 && std::ferror(f_) == 0;
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  return ok && closed;
}

}  // namespace fabsim::cli
