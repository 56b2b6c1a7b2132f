// The `expect` section: what a run must show for the scenario to pass. TxValidationCode
// names come from the wire enum (core/proto/peer/transaction.proto), so they are exactly
// Fabric's (fabric-semantics.md section 2.1).
#include <charconv>
#include <cmath>

#include "core/units.h"
#include "scenarios/loader_internal.h"
#include "scenarios/suggest.h"

namespace fabsim::scenario::detail {
namespace {

using Sign = FieldReader::Sign;

std::vector<std::string> code_names() {
  std::vector<std::string> names;
  const auto* d = protos::TxValidationCode_descriptor();
  for (int i = 0; i < d->value_count(); ++i)
    names.push_back(d->value(i)->name());
  return names;
}

Status read_code(const FieldReader& r, const YamlNode& n, const std::string& path, protos::TxValidationCode* out) {
  std::string name;
  SCENARIO_TRY(r.text(n, path, &name));
  if (!protos::TxValidationCode_Parse(name, out))
    return r.error(n, path, "unknown TxValidationCode '" + name + "'" + suggestion(name, code_names()));
  return Status::ok();
}

// A throughput bound: a plain number of transactions per second, or a rate (250tps).
Status read_tps(const FieldReader& r, const YamlNode& n, const std::string& path, double* out) {
  if (n.kind == YamlNode::Kind::kScalar) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), v);
    if (!n.text.empty() && ec == std::errc() && ptr == n.text.data() + n.text.size() && std::isfinite(v) && v >= 0) {
      *out = v;
      return Status::ok();
    }
    if (auto rate = parse_rate(n.text)) {
      *out = *rate;
      return Status::ok();
    }
  }
  return r.error(n, path,
                 "expected a number of transactions per second such as 250 or 250tps (got " + n.describe() + ")");
}

// {min, max}: at least one; min <= max. `read` reads one bound.
template <typename T, typename ReadFn>
Status read_bounds(const FieldReader& r, const YamlNode& n, const std::string& path, ReadFn read,
                   std::optional<Bounds<T>>* out) {
  SCENARIO_TRY(r.map(n, path, {"min", "max"}));
  Bounds<T> b;
  if (const YamlNode* v = n.find("min")) {
    T x{};
    SCENARIO_TRY(read(*v, child_path(path, "min"), &x));
    b.min = x;
  }
  if (const YamlNode* v = n.find("max")) {
    T x{};
    SCENARIO_TRY(read(*v, child_path(path, "max"), &x));
    b.max = x;
    if (b.min && *b.min > x) return r.error(*v, child_path(path, "max"), "expected max >= min (got max below min)");
  }
  if (!b.min && !b.max) return r.error(n, path, "expected min, max or both (got neither)");
  *out = b;
  return Status::ok();
}

const std::vector<std::string> kMetricKeys = {"throughput_tps", "latency_p50", "latency_p95", "latency_p99",
                                               "committed",      "invalid",     "failure_rate"};

// The metric bounds of `n` (its keys in kMetricKeys are read; the caller checks the rest).
Status read_metric_bounds(const FieldReader& r, const YamlNode& n, const std::string& p, MetricExpect* e) {
  auto tps = [&](const YamlNode& v, const std::string& vp, double* out) { return read_tps(r, v, vp, out); };
  auto latency = [&](const YamlNode& v, const std::string& vp, Duration* out) {
    return r.duration(v, vp, Sign::kNonNegative, out);
  };
  auto count = [&](const YamlNode& v, const std::string& vp, uint64_t* out) {
    return r.whole(v, vp, 0, UINT64_MAX, out);
  };
  if (const YamlNode* v = n.find("throughput_tps"))
    SCENARIO_TRY(read_bounds<double>(r, *v, child_path(p, "throughput_tps"), tps, &e->throughput_tps));
  if (const YamlNode* v = n.find("latency_p50"))
    SCENARIO_TRY(read_bounds<Duration>(r, *v, child_path(p, "latency_p50"), latency, &e->latency_p50));
  if (const YamlNode* v = n.find("latency_p95"))
    SCENARIO_TRY(read_bounds<Duration>(r, *v, child_path(p, "latency_p95"), latency, &e->latency_p95));
  if (const YamlNode* v = n.find("latency_p99"))
    SCENARIO_TRY(read_bounds<Duration>(r, *v, child_path(p, "latency_p99"), latency, &e->latency_p99));
  if (const YamlNode* v = n.find("committed"))
    SCENARIO_TRY(read_bounds<uint64_t>(r, *v, child_path(p, "committed"), count, &e->committed));
  if (const YamlNode* v = n.find("failure_rate")) {
    auto share = [&](const YamlNode& x, const std::string& xp, double* out) {
      return r.number(x, xp, 0.0, 1.0, /*max_exclusive=*/false, out);
    };
    SCENARIO_TRY(read_bounds<double>(r, *v, child_path(p, "failure_rate"), share, &e->failure_rate));
  }
  if (const YamlNode* inv = n.find("invalid")) {
    const std::string ip = child_path(p, "invalid");
    if (inv->kind != YamlNode::Kind::kMap && inv->kind != YamlNode::Kind::kNull)
      return r.error(*inv, ip, "expected a map of TxValidationCode names to {min, max} (got " + inv->describe() + ")");
    for (const YamlEntry& entry : inv->entries) {
      protos::TxValidationCode code = protos::VALID;
      if (!protos::TxValidationCode_Parse(entry.key, &code))
        return r.error_at(entry.key_loc, ip,
                          "unknown TxValidationCode '" + entry.key + "'" + suggestion(entry.key, code_names()));
      if (code == protos::VALID)
        return r.error_at(entry.key_loc, ip,
                          "VALID is not an invalidation code; bound valid transactions with expect.committed");
      std::optional<Bounds<uint64_t>> b;
      SCENARIO_TRY(read_bounds<uint64_t>(r, entry.value, child_path(ip, entry.key), count, &b));
      e->invalid[code] = *b;
    }
  }
  return Status::ok();
}

}  // namespace

Status read_expect(LoadContext& ctx, const YamlNode& n, std::string_view path) {
  const FieldReader& r = ctx.r;
  ExpectSpec& e = ctx.spec.expect;
  const std::string p(path);
  std::vector<std::string> keys = {"invariants", "tx", "channels", "kafka"};
  keys.insert(keys.end(), kMetricKeys.begin(), kMetricKeys.end());
  SCENARIO_TRY(r.map(n, p, keys));
  if (const YamlNode* v = n.find("invariants")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*v, child_path(p, "invariants"), {"hold", "ignore"}, &index));
    e.invariants = index == 0 ? InvariantsExpectation::kHold : InvariantsExpectation::kIgnore;
  }
  if (const YamlNode* tx = n.find("tx")) {
    const std::string tp = child_path(p, "tx");
    std::vector<std::string> ids;
    for (const WorkloadSpec& w : ctx.spec.workload)
      for (const ScriptedTxSpec& t : w.transactions)
        ids.push_back(t.id);
    if (tx->kind != YamlNode::Kind::kMap && tx->kind != YamlNode::Kind::kNull)
      return r.error(
          *tx, tp, "expected a map of scripted transaction ids to TxValidationCode names (got " + tx->describe() + ")");
    for (const YamlEntry& entry : tx->entries) {
      if (std::find(ids.begin(), ids.end(), entry.key) == ids.end())
        return r.error_at(entry.key_loc, tp,
                          "unknown scripted transaction '" + entry.key + "'" +
                              (ids.empty() ? std::string(" (the workload has no scripted transactions)")
                                           : suggestion(entry.key, ids)));
      protos::TxValidationCode code = protos::VALID;
      SCENARIO_TRY(read_code(r, entry.value, child_path(tp, entry.key), &code));
      e.tx[entry.key] = code;
    }
  }
  SCENARIO_TRY(read_metric_bounds(r, n, p, &e));
  if (const YamlNode* k = n.find("kafka")) {
    const std::string kp = child_path(p, "kafka");
    if (!ctx.spec.kafka) return r.error(*k, kp, "expect.kafka needs Kafka ordering (ordering.type: kafka)");
    SCENARIO_TRY(r.map(*k, kp, {"lost_acknowledged", "replica_divergence"}));
    auto count = [&](const YamlNode& v, const std::string& vp, uint64_t* out) { return r.whole(v, vp, 0, UINT64_MAX, out); };
    KafkaExpect ke;
    if (const YamlNode* v = k->find("lost_acknowledged"))
      SCENARIO_TRY(read_bounds<uint64_t>(r, *v, child_path(kp, "lost_acknowledged"), count, &ke.lost_acknowledged));
    if (const YamlNode* v = k->find("replica_divergence"))
      SCENARIO_TRY(read_bounds<uint64_t>(r, *v, child_path(kp, "replica_divergence"), count, &ke.replica_divergence));
    if (!ke.lost_acknowledged && !ke.replica_divergence)
      return r.error(*k, kp, "expected lost_acknowledged, replica_divergence or both (got neither)");
    e.kafka = ke;
  }
  if (const YamlNode* chs = n.find("channels")) {
    const std::string cp = child_path(p, "channels");
    std::vector<std::string> names;
    for (const ChannelSpec& c : ctx.spec.channels) names.push_back(c.name);
    if (chs->kind != YamlNode::Kind::kMap && chs->kind != YamlNode::Kind::kNull)
      return r.error(*chs, cp, "expected a map of channel names to metric bounds (got " + chs->describe() + ")");
    for (const YamlEntry& entry : chs->entries) {
      if (std::find(names.begin(), names.end(), entry.key) == names.end())
        return r.error_at(entry.key_loc, cp, "unknown channel '" + entry.key + "'" + suggestion(entry.key, names));
      const std::string chp = child_path(cp, entry.key);
      SCENARIO_TRY(r.map(entry.value, chp, kMetricKeys));
      SCENARIO_TRY(read_metric_bounds(r, entry.value, chp, &e.channels[entry.key]));
    }
  }
  return Status::ok();
}

}  // namespace fabsim::scenario::detail
