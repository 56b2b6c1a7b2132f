// The `workload` section: a list of generators, each open loop (`rate`), a ramp of phases
// (`phases`), closed loop (`outstanding`) or scripted (`transactions`). The key that is
// present decides the kind; each kind has its own set of valid keys.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "model/chaincode/registry.h"
#include "scenarios/loader_internal.h"
#include "scenarios/suggest.h"

namespace fabsim::scenario {

const char* workload_kind_name(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kOpenLoop: return "open";
    case WorkloadKind::kPhases: return "phases";
    case WorkloadKind::kClosedLoop: return "closed";
    case WorkloadKind::kScripted: return "scripted";
  }
  return "?";
}

const char* key_distribution_name(KeyDistribution d) {
  switch (d) {
    case KeyDistribution::kUniform: return "uniform";
    case KeyDistribution::kZipf: return "zipf";
    case KeyDistribution::kHotset: return "hotset";
    case KeyDistribution::kSequential: return "sequential";
  }
  return "?";
}

namespace detail {
namespace {

using Sign = FieldReader::Sign;

// "1.5e-09": a rate or a count as messages print it.
std::string show_number(double v) { return fmt::format("{:.3g}", v); }

// A rate of an arrival window [start, end) (scenario_loader.h, kMaxRateTps and kMaxGapMeans):
// at most one arrival per nanosecond, and slow enough that no gap drawn before `end` runs past
// the end of the clock. `*expected` (requests of the run so far) grows by rate x window and
// must stay within kMaxExpectedRequests.
Status check_rate(const LoadContext& ctx, const YamlNode& n, const std::string& path, double rate, Duration start,
                  Duration end, double* expected) {
  if (rate > kMaxRateTps)
    return ctx.r.error(n, path,
                       "expected a rate of at most " + show_number(kMaxRateTps) +
                           "tps (one arrival per nanosecond, the clock's resolution) (got '" + n.text + "')");
  const double left_s = static_cast<double>(Duration::max().ns - end.ns) / 1e9;  // clock time after the window
  const double min_rate = kMaxGapMeans / left_s;
  if (!(rate >= min_rate))
    return ctx.r.error(n, path,
                       "expected a rate of at least " + show_number(min_rate) + "tps (got '" + n.text +
                           "'): a gap between arrivals can reach " + show_number(kMaxGapMeans) +
                           " mean gaps (1/rate), and after the window ends at " + show(end) +
                           " such a gap must still fit in the simulator's clock (292 years)");
  const double window_requests = rate * (end - start).to_seconds();
  *expected += window_requests;
  if (*expected > kMaxExpectedRequests)
    return ctx.r.error(n, path,
                       "the run would request about " + show_number(*expected) + " transactions (rate x window, " +
                           show_number(window_requests) + " here, over all open-loop and phases generators); the " +
                           "limit is " + show_number(kMaxExpectedRequests) + " (each takes ~2 KB of memory)");
  return Status::ok();
}

const std::vector<std::string> kCommonKeys = {"chaincode", "clients", "mix", "keys", "start"};

std::vector<std::string> keys_of(WorkloadKind kind) {
  std::vector<std::string> k = kCommonKeys;
  switch (kind) {
    case WorkloadKind::kOpenLoop: k.insert(k.end(), {"rate", "arrival", "end"}); break;
    case WorkloadKind::kPhases: k.insert(k.end(), {"phases", "arrival"}); break;
    case WorkloadKind::kClosedLoop: k.insert(k.end(), {"outstanding", "think_time", "end"}); break;
    case WorkloadKind::kScripted: k = {"transactions"}; break;
  }
  return k;
}

const char* kind_title(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kOpenLoop: return "an open-loop generator (rate)";
    case WorkloadKind::kPhases: return "a phases generator";
    case WorkloadKind::kClosedLoop: return "a closed-loop generator (outstanding)";
    case WorkloadKind::kScripted: return "a scripted generator (transactions)";
  }
  return "?";
}

// The clients of a generator: a count (the first n in interleaved order), or names and
// groups (their clients, in interleaved order). Default: every client. Only clients of orgs
// on the chaincode's channel may submit to it.
Status read_clients(const LoadContext& ctx, const YamlNode* n, const YamlNode& parent, const std::string& path,
                    const std::string& chaincode, std::vector<std::string>* out) {
  const ChannelSpec& channel = ctx.channel_of(chaincode);
  auto on_channel = [&](size_t k) {
    return std::find(channel.orgs.begin(), channel.orgs.end(), ctx.dir.nodes()[k].org) != channel.orgs.end();
  };
  std::vector<size_t> eligible;  // interleaved order
  for (size_t k : ctx.dir.clients_interleaved())
    if (on_channel(k)) eligible.push_back(k);
  if (eligible.empty())
    return ctx.r.error(
        n ? *n : parent, path,
        "no client node belongs to an org on channel '" + channel.name + "' of chaincode '" + chaincode + "'");
  std::vector<size_t> chosen;
  if (!n) {
    chosen = eligible;
  } else if (n->kind == YamlNode::Kind::kScalar && !n->text.empty() &&
             n->text.find_first_not_of("0123456789") == std::string::npos) {
    uint64_t count = 0;
    SCENARIO_TRY(ctx.r.whole(*n, path, 1, eligible.size(), &count));
    chosen.assign(eligible.begin(), eligible.begin() + static_cast<ptrdiff_t>(count));
  } else {
    std::vector<size_t> selected;
    SCENARIO_TRY(ctx.select(*n, path, &selected));
    std::vector<std::string> names;
    std::vector<const YamlNode*> nodes;
    SCENARIO_TRY(ctx.r.text_list(*n, path, &names, &nodes));
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string at = n->kind == YamlNode::Kind::kList ? child_path(path, i) : path;
      const auto sel = *ctx.dir.resolve(names[i]);
      bool any_client = false;
      for (size_t k : sel) {
        const NodeSpec& node = ctx.dir.nodes()[k];
        if (node.role != NodeRole::kClient) continue;
        any_client = true;
        if (!on_channel(k))
          return ctx.r.error(*nodes[i], at,
                             node.name + " is a client of " + node.org + ", which is not on channel '" + channel.name +
                                 "' of chaincode '" + chaincode + "'");
      }
      if (!any_client) {
        const std::string what = ctx.dir.is_group(names[i])
                                     ? "group '" + names[i] + "' has no clients"
                                     : "'" + names[i] + "' is " +
                                           (ctx.dir.nodes()[sel[0]].role == NodeRole::kPeer ? "a peer" : "an orderer") +
                                           ", not a client";
        return ctx.r.error(*nodes[i], at, what);
      }
    }
    for (size_t k : eligible)
      if (std::binary_search(selected.begin(), selected.end(), k)) chosen.push_back(k);
  }
  *out = ctx.names_of(chosen);
  return Status::ok();
}

Status read_keys(const LoadContext& ctx, const YamlNode& n, const std::string& path, KeySpec* keys) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.map(n, path, {"count", "prefix", "distribution", "theta", "hot_fraction", "hot_probability"}));
  if (const YamlNode* v = n.find("count"))
    SCENARIO_TRY(r.whole(*v, child_path(path, "count"), 1, 1'000'000'000'000ull, &keys->count));
  if (const YamlNode* v = n.find("prefix")) {
    if (v->kind != YamlNode::Kind::kScalar)
      return r.error(*v, child_path(path, "prefix"), "expected a text value (got " + v->describe() + ")");
    keys->prefix = v->text;
  }
  if (const YamlNode* v = n.find("distribution")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*v, child_path(path, "distribution"), {"uniform", "zipf", "hotset", "sequential"}, &index));
    keys->distribution = static_cast<KeyDistribution>(index);
  }
  auto only_for = [&](const char* key, KeyDistribution d, const char* dname) -> Status {
    const YamlNode* v = n.find(key);
    if (v && keys->distribution != d)
      return r.error(*v, child_path(path, key), std::string("'") + key + "' applies only to distribution: " + dname);
    return Status::ok();
  };
  SCENARIO_TRY(only_for("theta", KeyDistribution::kZipf, "zipf"));
  SCENARIO_TRY(only_for("hot_fraction", KeyDistribution::kHotset, "hotset"));
  SCENARIO_TRY(only_for("hot_probability", KeyDistribution::kHotset, "hotset"));
  if (const YamlNode* v = n.find("theta"))
    SCENARIO_TRY(r.number(*v, child_path(path, "theta"), 0, 1e6, false, &keys->theta));
  if (const YamlNode* v = n.find("hot_fraction")) {
    SCENARIO_TRY(r.number(*v, child_path(path, "hot_fraction"), 0, 1, false, &keys->hot_fraction));
    if (!(keys->hot_fraction > 0))
      return r.error(*v, child_path(path, "hot_fraction"),
                     "expected a number above 0 and at most 1 (got '" + v->text + "')");
  }
  if (const YamlNode* v = n.find("hot_probability"))
    SCENARIO_TRY(r.number(*v, child_path(path, "hot_probability"), 0, 1, false, &keys->hot_probability));
  return Status::ok();
}

// A call of `function` with `args` arguments on chaincode `chaincode` must be one its kind
// declares (model/chaincode/chaincode.h, FunctionSpec), with an arity it accepts. `fn` and
// `args_node` (may be null) are where to point. Kinds outside the builtin registry (a
// loader option for tests) are not checked.
Status check_call(const LoadContext& ctx, const std::string& chaincode, const YamlNode& fn, const std::string& fn_path,
                  const std::string& function, size_t args, const YamlNode* args_node, const std::string& args_path) {
  const auto cc = std::find_if(ctx.spec.chaincodes.begin(), ctx.spec.chaincodes.end(),
                               [&](const ChaincodeSpec& c) { return c.name == chaincode; });
  if (cc == ctx.spec.chaincodes.end()) return Status::ok();
  auto declared = chaincode::ChaincodeRegistry::builtin().functions(cc->kind);
  if (!declared.is_ok()) return Status::ok();
  const std::vector<chaincode::FunctionSpec> functions = std::move(declared).value();
  std::vector<std::string> names;
  for (const chaincode::FunctionSpec& f : functions) names.push_back(f.name);
  const auto f = std::find_if(functions.begin(), functions.end(),
                              [&](const chaincode::FunctionSpec& s) { return s.name == function; });
  if (f == functions.end())
    return ctx.r.error(fn, fn_path,
                       "chaincode '" + chaincode + "' (" + cc->kind + ") has no function '" + function + "'" +
                           suggestion(function, names) + " (docs/chaincodes.md lists each kind's functions)");
  if (!f->accepts(args)) {
    const std::string want = f->variadic                      ? "at least " + std::to_string(f->min_args())
                             : f->min_args() == f->max_args() ? std::to_string(f->min_args())
                                                              : std::to_string(f->min_args()) + " to " +
                                                                    std::to_string(f->max_args());
    return ctx.r.error(args_node ? *args_node : fn, args_node ? args_path : fn_path,
                       f->signature() + " takes " + want + " argument" + (want == "1" ? "" : "s") + " (got " +
                           std::to_string(args) + ")");
  }
  return Status::ok();
}

Status read_mix(const LoadContext& ctx, const YamlNode& n, const std::string& path, const KeySpec& keys,
                const std::string& chaincode, std::vector<MixEntry>* mix) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.list(n, path));
  if (n.items.empty())
    return r.error(n, path, "expected at least one function, e.g. [{function: put, args: ['{key}', v]}]");
  for (size_t i = 0; i < n.items.size(); ++i) {
    const YamlNode& m = n.items[i];
    const std::string p = child_path(path, i);
    SCENARIO_TRY(r.map(m, p, {"function", "weight", "args"}));
    MixEntry e;
    auto f = r.required(m, p, "function", "the chaincode function to call");
    if (!f) return f.status();
    SCENARIO_TRY(r.text(**f, child_path(p, "function"), &e.function));
    if (const YamlNode* w = m.find("weight"))
      SCENARIO_TRY(r.whole32(*w, child_path(p, "weight"), 1, 1'000'000, &e.weight));
    if (const YamlNode* a = m.find("args")) {
      SCENARIO_TRY(r.list(*a, child_path(p, "args")));
      for (size_t k = 0; k < a->items.size(); ++k) {
        const YamlNode& arg = a->items[k];
        const std::string ap = child_path(child_path(p, "args"), k);
        if (arg.kind != YamlNode::Kind::kScalar)
          return r.error(arg, ap, "expected a text argument or template (got " + arg.describe() + ")");
        size_t pos = 0;
        auto t = parse_arg_template(arg.text, &pos);
        if (!t)
          return r.error_at(r.position_in_scalar(arg, pos), ap, "malformed argument template: " + t.status().message());
        if (t->uses(ArgPiece::Kind::kKey2) && keys.count < 2)
          return r.error(arg, ap, "'{key2}' needs at least 2 keys (keys.count is " + std::to_string(keys.count) + ")");
        e.args.push_back(std::move(t).value());
      }
    }
    SCENARIO_TRY(check_call(ctx, chaincode, **f, child_path(p, "function"), e.function, e.args.size(), m.find("args"),
                            child_path(p, "args")));
    mix->push_back(std::move(e));
  }
  return Status::ok();
}

Status read_phases(const LoadContext& ctx, const YamlNode& n, const std::string& path, WorkloadSpec* w,
                   double* expected) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.list(n, path));
  if (n.items.empty()) return r.error(n, path, "expected at least one phase, e.g. [{duration: 10s, rate: 100tps}]");
  Duration end = w->start;
  for (size_t i = 0; i < n.items.size(); ++i) {
    const YamlNode& ph = n.items[i];
    const std::string p = child_path(path, i);
    SCENARIO_TRY(r.map(ph, p, {"duration", "rate"}));
    PhaseSpec spec;
    auto d = r.required(ph, p, "duration", "how long the phase lasts, e.g. 10s");
    if (!d) return d.status();
    SCENARIO_TRY(r.duration(**d, child_path(p, "duration"), Sign::kPositive, &spec.duration));
    auto rate = r.required(ph, p, "rate", "the phase's arrival rate, e.g. 100tps");
    if (!rate) return rate.status();
    SCENARIO_TRY(r.rate(**rate, child_path(p, "rate"), &spec.rate_tps));
    if (spec.duration <= ctx.spec.duration - end)
      SCENARIO_TRY(check_rate(ctx, **rate, child_path(p, "rate"), spec.rate_tps, end, end + spec.duration, expected));
    if (spec.duration > ctx.spec.duration - end) {
      const std::string ends =  // end + spec.duration may not fit a Duration
          spec.duration > Duration::max() - end ? "after " + show(Duration::max()) : "at " + show(end + spec.duration);
      return r.error(**d, child_path(p, "duration"),
                     "the phases run past the scenario's duration (" + show(ctx.spec.duration) +
                         "): this phase would end " + ends);
    }
    end += spec.duration;
    w->phases.push_back(spec);
  }
  w->end = end;
  return Status::ok();
}

Status read_scripted(LoadContext& ctx, const YamlNode& n, const std::string& path, std::set<std::string>* ids,
                     WorkloadSpec* w) {
  const FieldReader& r = ctx.r;
  SCENARIO_TRY(r.list(n, path));
  for (size_t i = 0; i < n.items.size(); ++i) {
    const YamlNode& t = n.items[i];
    const std::string p = child_path(path, i);
    SCENARIO_TRY(r.map(t, p, {"id", "at", "client", "chaincode", "function", "args", "endorsers"}));
    ScriptedTxSpec tx;
    auto id = r.required(t, p, "id", "a name for the transaction, unique in the scenario, e.g. t1");
    if (!id) return id.status();
    SCENARIO_TRY(r.text(**id, child_path(p, "id"), &tx.id));
    if (tx.id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
        std::string::npos)
      return r.error(**id, child_path(p, "id"), "expected an id of letters, digits, '_' and '-' (got '" + tx.id + "')");
    if (!ids->insert(tx.id).second)
      return r.error(**id, child_path(p, "id"), "duplicate transaction id '" + tx.id + "'");
    auto at = r.required(t, p, "at", "when the client submits it, e.g. 1s");
    if (!at) return at.status();
    SCENARIO_TRY(r.duration(**at, child_path(p, "at"), Sign::kNonNegative, &tx.at));
    if (tx.at > ctx.spec.duration)
      return r.error(**at, child_path(p, "at"),
                     "expected a time within the scenario's duration (" + show(ctx.spec.duration) + ") (got '" +
                         (*at)->text + "')");
    auto client = r.required(t, p, "client", "the client node that submits it, e.g. Org1.client0");
    if (!client) return client.status();
    std::vector<size_t> sel;
    SCENARIO_TRY(ctx.select(**client, child_path(p, "client"), &sel));
    if ((*client)->kind != YamlNode::Kind::kScalar || ctx.dir.is_group((*client)->text))
      return r.error(**client, child_path(p, "client"),
                     "expected one client node such as Org1.client0 (got " + (*client)->describe() + ")");
    if (ctx.dir.nodes()[sel[0]].role != NodeRole::kClient)
      return r.error(**client, child_path(p, "client"), "'" + (*client)->text + "' is not a client node");
    tx.client = (*client)->text;
    SCENARIO_TRY(ctx.chaincode_ref(t.find("chaincode"), t, p, &tx.chaincode));
    const ChannelSpec& channel = ctx.channel_of(tx.chaincode);
    const std::string& org = ctx.dir.nodes()[sel[0]].org;
    if (std::find(channel.orgs.begin(), channel.orgs.end(), org) == channel.orgs.end())
      return r.error(**client, child_path(p, "client"),
                     tx.client + " is a client of " + org + ", which is not on channel '" + channel.name +
                         "' of chaincode '" + tx.chaincode + "'");
    auto f = r.required(t, p, "function", "the chaincode function to call");
    if (!f) return f.status();
    SCENARIO_TRY(r.text(**f, child_path(p, "function"), &tx.function));
    if (const YamlNode* a = t.find("args")) {
      SCENARIO_TRY(r.list(*a, child_path(p, "args")));
      for (size_t k = 0; k < a->items.size(); ++k) {
        if (a->items[k].kind != YamlNode::Kind::kScalar)
          return r.error(a->items[k], child_path(child_path(p, "args"), k),
                         "expected a text argument (got " + a->items[k].describe() + ")");
        tx.args.push_back(a->items[k].text);
      }
    }
    SCENARIO_TRY(check_call(ctx, tx.chaincode, **f, child_path(p, "function"), tx.function, tx.args.size(),
                            t.find("args"), child_path(p, "args")));
    if (const YamlNode* e = t.find("endorsers")) {
      std::vector<size_t> peers;
      SCENARIO_TRY(ctx.select(*e, child_path(p, "endorsers"), &peers));
      for (size_t k : peers) {
        const NodeSpec& node = ctx.dir.nodes()[k];
        if (node.role != NodeRole::kPeer) continue;
        if (std::find(channel.orgs.begin(), channel.orgs.end(), node.org) == channel.orgs.end())
          return r.error(*e, child_path(p, "endorsers"),
                         node.name + " is a peer of " + node.org + ", which is not on channel '" + channel.name + "'");
        if (std::find(channel.peers.begin(), channel.peers.end(), node.name) == channel.peers.end())
          return r.error(*e, child_path(p, "endorsers"),
                         node.name + " has not joined channel '" + channel.name + "' (channels[].peers)");
        tx.endorsers.push_back(node.name);
      }
      if (tx.endorsers.empty())
        return r.error(*e, child_path(p, "endorsers"), "expected peers, e.g. [Org1.peer0] (got no peer)");
    }
    w->transactions.push_back(std::move(tx));
  }
  return Status::ok();
}

// What the generators read so far ask of the run (scenario_loader.h's limits).
struct Demand {
  double expected_requests = 0;  // open loop and phases: rate x window
  uint64_t in_flight = 0;        // closed loop: clients x outstanding
};

Status read_generator(LoadContext& ctx, const YamlNode& g, const std::string& p, std::set<std::string>* ids,
                      Demand* demand) {
  const FieldReader& r = ctx.r;
  if (g.kind != YamlNode::Kind::kMap) return r.error(g, p, "expected a map (got " + g.describe() + ")");
  std::vector<std::string> every = kCommonKeys;
  every.insert(every.end(), {"rate", "arrival", "end", "phases", "outstanding", "think_time", "transactions"});
  SCENARIO_TRY(r.map(g, p, every));
  WorkloadSpec w;
  std::vector<std::string> present;
  for (const char* k : {"rate", "phases", "outstanding", "transactions"})
    if (g.find(k)) present.push_back(k);
  if (present.size() != 1)
    return r.error(
        g, p,
        "a generator needs exactly one of rate (open loop), phases (a ramp), outstanding (closed loop) "
        "or transactions (scripted)" +
            (present.empty() ? std::string(" (got none)") : " (got " + present[0] + " and " + present[1] + ")"));
  w.kind = present[0] == "rate"          ? WorkloadKind::kOpenLoop
           : present[0] == "phases"      ? WorkloadKind::kPhases
           : present[0] == "outstanding" ? WorkloadKind::kClosedLoop
                                         : WorkloadKind::kScripted;
  const std::vector<std::string> allowed = keys_of(w.kind);
  for (const YamlEntry& e : g.entries)
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
      return r.error_at(e.key_loc, p, "key '" + e.key + "' does not apply to " + kind_title(w.kind));
  if (w.kind == WorkloadKind::kScripted) {
    SCENARIO_TRY(read_scripted(ctx, *g.find("transactions"), child_path(p, "transactions"), ids, &w));
    ctx.spec.workload.push_back(std::move(w));
    return Status::ok();
  }
  SCENARIO_TRY(ctx.chaincode_ref(g.find("chaincode"), g, p, &w.chaincode));
  SCENARIO_TRY(read_clients(ctx, g.find("clients"), g, child_path(p, "clients"), w.chaincode, &w.clients));
  if (const YamlNode* k = g.find("keys")) SCENARIO_TRY(read_keys(ctx, *k, child_path(p, "keys"), &w.keys));
  auto mix = r.required(g, p, "mix", "the functions to call, e.g. [{function: put, args: ['{key}', v]}]");
  if (!mix) return mix.status();
  SCENARIO_TRY(read_mix(ctx, **mix, child_path(p, "mix"), w.keys, w.chaincode, &w.mix));
  if (const YamlNode* s = g.find("start")) {
    SCENARIO_TRY(r.duration(*s, child_path(p, "start"), Sign::kNonNegative, &w.start));
    if (w.start >= ctx.spec.duration)
      return r.error(
          *s, child_path(p, "start"),
          "expected a time before the scenario's duration (" + show(ctx.spec.duration) + ") (got '" + s->text + "')");
  }
  w.end = ctx.spec.duration;
  if (const YamlNode* e = g.find("end")) {
    SCENARIO_TRY(r.duration(*e, child_path(p, "end"), Sign::kNonNegative, &w.end));
    if (w.end <= w.start || w.end > ctx.spec.duration)
      return r.error(*e, child_path(p, "end"),
                     "expected a time after start (" + show(w.start) + ") and within the scenario's duration (" +
                         show(ctx.spec.duration) + ") (got '" + e->text + "')");
  }
  if (const YamlNode* a = g.find("arrival")) {
    size_t index = 0;
    SCENARIO_TRY(r.one_of(*a, child_path(p, "arrival"), {"poisson", "fixed"}, &index));
    w.arrival = index == 0 ? Arrival::kPoisson : Arrival::kFixed;
  }
  switch (w.kind) {
    case WorkloadKind::kOpenLoop:
      SCENARIO_TRY(r.rate(*g.find("rate"), child_path(p, "rate"), &w.rate_tps));
      SCENARIO_TRY(check_rate(ctx, *g.find("rate"), child_path(p, "rate"), w.rate_tps, w.start, w.end,
                              &demand->expected_requests));
      break;
    case WorkloadKind::kPhases:
      SCENARIO_TRY(read_phases(ctx, *g.find("phases"), child_path(p, "phases"), &w, &demand->expected_requests));
      break;
    case WorkloadKind::kClosedLoop:
      SCENARIO_TRY(r.whole32(*g.find("outstanding"), child_path(p, "outstanding"), 1, 1'000'000, &w.outstanding));
      demand->in_flight += uint64_t{w.outstanding} * w.clients.size();
      if (demand->in_flight > kMaxInFlight)
        return r.error(*g.find("outstanding"), child_path(p, "outstanding"),
                       "the closed-loop generators would keep " + std::to_string(demand->in_flight) +
                           " transactions in flight (clients x outstanding, " +
                           std::to_string(uint64_t{w.outstanding} * w.clients.size()) + " here); the limit is " +
                           std::to_string(kMaxInFlight));
      if (const YamlNode* t = g.find("think_time"))
        SCENARIO_TRY(r.duration(*t, child_path(p, "think_time"), Sign::kNonNegative, &w.think_time));
      break;
    case WorkloadKind::kScripted: break;
  }
  ctx.spec.workload.push_back(std::move(w));
  return Status::ok();
}

}  // namespace

Status read_workload(LoadContext& ctx, const YamlNode& n, std::string_view path) {
  SCENARIO_TRY(ctx.r.list(n, path));
  std::set<std::string> ids;
  Demand demand;
  for (size_t i = 0; i < n.items.size(); ++i)
    SCENARIO_TRY(read_generator(ctx, n.items[i], child_path(path, i), &ids, &demand));
  return Status::ok();
}

}  // namespace detail
}  // namespace fabsim::scenario
