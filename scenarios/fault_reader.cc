// The `faults` section: a list of {at, <one action>, ...}, and the static check of the
// timeline they make (scenarios/fault_timeline.h): walked in time order, every action must
// apply to the state the earlier ones left — exactly the preconditions the kernel's
// World::apply checks at run time (sim/world.cc), found here before anything runs. Role
// targets (orderer-leader(ch), scenarios/targets.h) name a node only when the fault fires,
// so the walk checks the named nodes and groups; a role target's fault that cannot apply
// then is an error of the run (RunReport::fault_errors).
#include <algorithm>
#include <map>
#include <set>

#include "scenarios/fault_timeline.h"
#include "scenarios/loader_internal.h"
#include "scenarios/suggest.h"
#include "scenarios/targets.h"

namespace fabsim::scenario::detail {
namespace {

using Sign = FieldReader::Sign;

// In FaultAction's order.
const std::vector<std::string> kActions = {"crash", "restart", "pause",   "resume",       "partition",
                                           "heal",  "degrade", "restore", "clock_offset", "power_loss"};
const std::vector<std::string> kFaultKeys = {"at",        "crash",   "restart", "pause",   "resume",
                                             "partition", "heal",    "degrade", "restore", "clock_offset",
                                             "power_loss", "for",       "one_way", "label"};

// Where each fault was written, for the timeline's messages.
struct FaultSource {
  std::string path;                  // faults.3
  const YamlNode* action = nullptr;  // the action's value
  const YamlNode* for_node = nullptr;
};

bool valid_label(const std::string& s) {
  return !s.empty() &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
}

// The nodes (indices) that the role targets name for the whole run, where the scenario
// fixes them (scenarios/targets.h); the others are only known when the fault fires.
std::vector<size_t> fixed_holder_indices(const LoadContext& ctx, const std::vector<RoleTargetSpec>& roles) {
  std::vector<size_t> out;
  for (const RoleTargetSpec& r : roles)
    if (auto names = fixed_role_holders(ctx.spec, r))
      for (const std::string& n : *names)
        if (auto sel = ctx.dir.resolve(n)) out.insert(out.end(), sel->begin(), sel->end());
  return out;
}

Status read_partition(const LoadContext& ctx, const YamlNode& n, const std::string& path, PartitionFault* f) {
  if (n.kind != YamlNode::Kind::kList || n.items.size() < 2)
    return ctx.r.error(n, path,
                       "expected a list of two or more node sets, e.g. [[Org2], [orderers]] (got " +
                           (n.kind == YamlNode::Kind::kList
                                ? std::to_string(n.items.size()) + " set" + (n.items.size() == 1 ? "" : "s")
                                : n.describe()) +
                           ")");
  std::map<size_t, size_t> group_of;
  for (size_t g = 0; g < n.items.size(); ++g) {
    std::vector<size_t> sel;
    std::vector<RoleTargetSpec> roles;
    SCENARIO_TRY(ctx.select_targets(n.items[g], child_path(path, g), &sel, &roles));
    if (sel.empty() && roles.empty())
      return ctx.r.error(n.items[g], child_path(path, g), "expected a non-empty node set (got none)");
    // The sets must not overlap, counting the nodes that hold a role for the whole run.
    std::set<size_t> members(sel.begin(), sel.end());
    for (size_t k : fixed_holder_indices(ctx, roles)) members.insert(k);
    for (size_t k : members) {
      auto [it, fresh] = group_of.emplace(k, g);
      if (!fresh)
        return ctx.r.error(n.items[g], child_path(path, g),
                           "node " + ctx.dir.nodes()[k].name + " is in sets " + std::to_string(it->second) + " and " +
                               std::to_string(g) + " of the partition; the sets must not overlap");
    }
    f->groups.push_back({ctx.names_of(sel), std::move(roles)});
  }
  return Status::ok();
}

Status read_between_sets(const LoadContext& ctx, const YamlNode& m, const std::string& path,
                         std::vector<std::string>* between_a, std::vector<std::string>* between_b) {
  auto between = ctx.r.required(m, path, "between", "the two node sets, e.g. [Org1, orderers]");
  if (!between) return between.status();
  std::vector<size_t> a, b;
  SCENARIO_TRY(ctx.select_pair(**between, child_path(path, "between"), &a, &b));
  *between_a = ctx.names_of(a);
  *between_b = ctx.names_of(b);
  return Status::ok();
}

Status read_targets(const LoadContext& ctx, const YamlNode& v, const std::string& path, FaultTargets* t) {
  std::vector<size_t> sel;
  SCENARIO_TRY(ctx.select_targets(v, path, &sel, &t->roles));
  t->nodes = ctx.names_of(sel);
  return Status::ok();
}

Status read_action(const LoadContext& ctx, const YamlNode& v, const std::string& key, const std::string& path,
                   FaultSpec* f) {
  const FieldReader& r = ctx.r;
  f->action = static_cast<FaultAction>(std::find(kActions.begin(), kActions.end(), key) - kActions.begin());
  switch (f->action) {
    case FaultAction::kCrash:
    case FaultAction::kPowerLoss:
    case FaultAction::kRestart:
    case FaultAction::kPause:
    case FaultAction::kResume: {
      NodeFault d;
      SCENARIO_TRY(read_targets(ctx, v, path, &d.targets));
      f->detail = std::move(d);
      return Status::ok();
    }
    case FaultAction::kPartition: {
      PartitionFault d;
      SCENARIO_TRY(read_partition(ctx, v, path, &d));
      f->detail = std::move(d);
      return Status::ok();
    }
    case FaultAction::kHeal: {
      std::string label;
      SCENARIO_TRY(r.text(v, path, &label));
      f->detail = HealFault{label == "all" ? "" : label};
      return Status::ok();
    }
    case FaultAction::kDegrade: {
      SCENARIO_TRY(r.map(v, path, {"between", "latency", "loss", "bandwidth_factor"}));
      if (v.kind != YamlNode::Kind::kMap)
        return r.error(v, path, "expected a map such as {between: [Org1, orderers], latency: 50ms} (got nothing)");
      DegradeFault d;
      SCENARIO_TRY(read_between_sets(ctx, v, path, &d.between_a, &d.between_b));
      if (const YamlNode* l = v.find("latency"))
        SCENARIO_TRY(r.duration(*l, child_path(path, "latency"), Sign::kNonNegative, &d.extra_latency));
      if (const YamlNode* l = v.find("loss"))
        SCENARIO_TRY(r.number(*l, child_path(path, "loss"), 0, 1, false, &d.extra_loss));
      if (const YamlNode* b = v.find("bandwidth_factor")) {
        SCENARIO_TRY(r.number(*b, child_path(path, "bandwidth_factor"), 0, 1, false, &d.bandwidth_factor));
        if (!(d.bandwidth_factor > 0))
          return r.error(*b, child_path(path, "bandwidth_factor"),
                         "expected a number above 0 and at most 1 (got '" + b->text + "')");
      }
      if (d.extra_latency.ns == 0 && d.extra_loss == 0 && d.bandwidth_factor == 1)
        return r.error(v, path,
                       "the degradation changes nothing: give latency (added), loss (added) or bandwidth_factor (< 1)");
      f->detail = std::move(d);
      return Status::ok();
    }
    case FaultAction::kRestore: {
      SCENARIO_TRY(r.map(v, path, {"between"}));
      if (v.kind != YamlNode::Kind::kMap)
        return r.error(v, path, "expected a map such as {between: [Org1, orderers]} (got nothing)");
      RestoreFault d;
      SCENARIO_TRY(read_between_sets(ctx, v, path, &d.between_a, &d.between_b));
      f->detail = std::move(d);
      return Status::ok();
    }
    case FaultAction::kClockOffset: {
      SCENARIO_TRY(r.map(v, path, {"node", "offset"}));
      if (v.kind != YamlNode::Kind::kMap)
        return r.error(v, path, "expected a map such as {node: Org1.peer0, offset: -500ms} (got nothing)");
      auto node = r.required(v, path, "node", "the node or group whose clock is offset");
      if (!node) return node.status();
      ClockOffsetFault d;
      SCENARIO_TRY(read_targets(ctx, **node, child_path(path, "node"), &d.targets));
      auto offset = r.required(v, path, "offset", "the clock's offset from virtual time, e.g. -500ms");
      if (!offset) return offset.status();
      SCENARIO_TRY(r.duration(**offset, child_path(path, "offset"), Sign::kAny, &d.offset));
      f->detail = std::move(d);
      return Status::ok();
    }
  }
  return r.error(v, path, "unknown action");
}

Status read_fault(const LoadContext& ctx, const YamlNode& n, const std::string& p, FaultSpec* f, FaultSource* src) {
  const FieldReader& r = ctx.r;
  if (n.kind != YamlNode::Kind::kMap)
    return r.error(n, p, "expected a map such as {at: 10s, crash: Org1.peer0} (got " + n.describe() + ")");
  SCENARIO_TRY(r.map(n, p, kFaultKeys));
  src->path = p;
  auto at = r.required(n, p, "at", "when the fault happens, e.g. 30s");
  if (!at) return at.status();
  SCENARIO_TRY(r.duration(**at, child_path(p, "at"), Sign::kNonNegative, &f->at));
  const Duration end = ctx.spec.duration + ctx.spec.drain;
  if (f->at > end)
    return r.error(**at, child_path(p, "at"),
                   "expected a time within the run (duration " + show(ctx.spec.duration) + " + drain " +
                       show(ctx.spec.drain) + " = " + show(end) + ") (got '" + (*at)->text + "')");
  const YamlEntry* action = nullptr;
  for (const YamlEntry& e : n.entries) {
    if (std::find(kActions.begin(), kActions.end(), e.key) == kActions.end()) continue;
    if (action)
      return r.error_at(
          e.key_loc, p,
          "a fault has one action; this one has '" + action->key + "' and '" + e.key + "' (write two faults)");
    action = &e;
  }
  if (!action)
    return r.error(n, p,
                   "missing the fault's action: one of crash, power_loss, restart, pause, resume, partition, heal, "
                   "degrade, restore or clock_offset");
  src->action = &action->value;
  SCENARIO_TRY(read_action(ctx, action->value, action->key, child_path(p, action->key), f));
  if (const YamlNode* d = n.find("for")) {
    if (f->action != FaultAction::kCrash && f->action != FaultAction::kPowerLoss && f->action != FaultAction::kPause &&
        f->action != FaultAction::kPartition && f->action != FaultAction::kDegrade)
      return r.error(*d, child_path(p, "for"),
                     "'for' applies only to crash, power_loss, pause, partition and degrade (this fault is " +
                         action->key + ")");
    Duration len;
    SCENARIO_TRY(r.duration(*d, child_path(p, "for"), Sign::kPositive, &len));
    if (len > Duration::max() - f->at)  // the undo's time, at + for, must not overflow
      return r.error(*d, child_path(p, "for"),
                     "at + for is too long (the undo would come after " + show(Duration::max()) + ")");
    f->undo_after = len;
    src->for_node = d;
  }
  for (const char* key : {"one_way", "label"})
    if (const YamlNode* v = n.find(key); v && f->action != FaultAction::kPartition)
      return r.error(*v, child_path(p, key),
                     std::string("'") + key + "' applies only to partition (this fault is " + action->key + ")");
  if (auto* partition = std::get_if<PartitionFault>(&f->detail)) {
    if (const YamlNode* v = n.find("one_way"))
      SCENARIO_TRY(r.boolean(*v, child_path(p, "one_way"), &partition->one_way));
    if (const YamlNode* v = n.find("label")) {
      SCENARIO_TRY(r.text(*v, child_path(p, "label"), &partition->label));
      if (!valid_label(partition->label) || partition->label == "all")
        return r.error(*v, child_path(p, "label"),
                       "expected a label of letters, digits, '_' and '-', other than 'all' (got '" + partition->label +
                           "')");
    }
  }
  return Status::ok();
}

// ---- the timeline walk -----------------------------------------------------------------

enum class NodeState : uint8_t { kUp, kPaused, kDown };

struct Since {
  const TimelineEvent* event = nullptr;  // null: since the start
};

class TimelineChecker {
 public:
  TimelineChecker(const LoadContext& ctx, const std::vector<FaultSource>& src)
      : ctx_(ctx),
        faults_(ctx.spec.faults),
        src_(src),
        state_(ctx.dir.nodes().size(), NodeState::kUp),
        since_(ctx.dir.nodes().size()) {
    for (size_t i = 0; i < ctx.dir.nodes().size(); ++i)
      index_[ctx.dir.nodes()[i].name] = i;
    for (const FaultSpec& f : faults_)
      if (const auto* p = std::get_if<PartitionFault>(&f.detail); p && !p->label.empty()) labels_.push_back(p->label);
  }

  Status check() {
    const std::vector<TimelineEvent> events = fault_timeline(faults_);
    for (const TimelineEvent& e : events)
      SCENARIO_TRY(apply(e));
    return Status::ok();
  }

 private:
  Status fail(const TimelineEvent& e, const std::string& message) const {
    const FaultSource& s = src_[e.fault];
    if (e.undo)
      return ctx_.r.error(*s.for_node, child_path(s.path, "for"),
                          std::string("the ") + fault_action_name(e.action) + " at " + show(e.at) + " that ends this " +
                              fault_action_name(faults_[e.fault].action) + " conflicts: " + message);
    return ctx_.r.error(*s.action, child_path(s.path, fault_action_name(faults_[e.fault].action)), message);
  }

  std::string by(const TimelineEvent* e) const {
    if (!e) return "since the start";
    static const std::map<FaultAction, const char*> kDone = {
        {FaultAction::kCrash, "crashed"},    {FaultAction::kRestart, "restarted"}, {FaultAction::kPause, "paused"},
        {FaultAction::kResume, "resumed"},   {FaultAction::kPartition, "made"},    {FaultAction::kHeal, "healed"},
        {FaultAction::kDegrade, "degraded"}, {FaultAction::kRestore, "restored"},
        {FaultAction::kPowerLoss, "lost its power"}};
    std::string out = std::string(kDone.at(e->action)) + " at " + show(e->at) + " by " +
                      (e->undo ? "the 'for' of " : "") + src_[e->fault].path;
    const Location& loc = src_[e->fault].action->loc;
    if (loc.line < 0) out += ", " + ctx_.r.doc().where(loc);  // written by an override
    return out;
  }

  Status apply_node(const TimelineEvent& e, size_t n) {
    const std::string& name = ctx_.dir.nodes()[n].name;
    const std::string head =
        std::string(fault_action_name(e.action)) + " of " + name + " at " + show(e.at) + ", which is ";
    const NodeState s = state_[n];
    const std::string state_name = s == NodeState::kUp ? "up" : s == NodeState::kPaused ? "paused" : "down";
    NodeState next = s;
    switch (e.action) {
      case FaultAction::kCrash:
      case FaultAction::kPowerLoss:
        if (s == NodeState::kDown) return fail(e, head + "already down (" + by(since_[n].event) + ")");
        next = NodeState::kDown;
        break;
      case FaultAction::kRestart:
        if (s != NodeState::kDown) return fail(e, head + state_name + " (" + by(since_[n].event) + ")");
        next = NodeState::kUp;
        break;
      case FaultAction::kPause:
        if (s != NodeState::kUp)
          return fail(e,
                      head + (s == NodeState::kPaused ? "already paused" : "down") + " (" + by(since_[n].event) + ")");
        next = NodeState::kPaused;
        break;
      case FaultAction::kResume:
        if (s != NodeState::kPaused)
          return fail(e, head + "not paused (it is " + state_name + ", " + by(since_[n].event) + ")");
        next = NodeState::kUp;
        break;
      default: return Status::ok();
    }
    state_[n] = next;
    since_[n].event = &e;
    return Status::ok();
  }

  Status apply(const TimelineEvent& e) {
    const FaultSpec& f = faults_[e.fault];
    switch (e.action) {
      case FaultAction::kCrash:
      case FaultAction::kPowerLoss:
      case FaultAction::kRestart:
      case FaultAction::kPause:
      case FaultAction::kResume: {
        // The undo of a crash or pause hits the fault's own nodes. A role target counts when
        // the scenario fixes its holder; otherwise it is only known when the fault fires.
        const FaultTargets& t = f.as<NodeFault>().targets;
        std::set<size_t> nodes;
        for (const std::string& name : t.nodes) nodes.insert(index_.at(name));
        for (size_t k : fixed_holder_indices(ctx_, t.roles)) nodes.insert(k);
        for (size_t k : nodes) SCENARIO_TRY(apply_node(e, k));
        return Status::ok();
      }
      case FaultAction::kClockOffset: return Status::ok();
      case FaultAction::kPartition: active_[e.fault] = &e; return Status::ok();
      case FaultAction::kHeal: return heal(e, f);
      case FaultAction::kDegrade:
      case FaultAction::kRestore: return degrade_or_restore(e, f);
    }
    return Status::ok();
  }

  Status heal(const TimelineEvent& e, const FaultSpec& f) {
    if (e.undo) {  // ends partition e.fault
      if (!active_.count(e.fault))
        return fail(e, "the partition is no longer active (" + by(healed_by_[e.fault]) + ")");
      active_.erase(e.fault);
      healed_by_[e.fault] = &e;
      return Status::ok();
    }
    const std::string& label = f.as<HealFault>().label;
    if (label.empty()) {
      if (active_.empty()) return fail(e, "heal of every partition at " + show(e.at) + ", but no partition is active");
      for (const auto& [k, made] : active_)
        healed_by_[k] = &e;
      active_.clear();
      return Status::ok();
    }
    if (std::find(labels_.begin(), labels_.end(), label) == labels_.end())
      return fail(e, "no partition is labelled '" + label + "'" + suggestion(label, labels_) +
                         "; write 'all' to heal every partition");
    for (auto it = active_.begin(); it != active_.end(); ++it)
      if (faults_[it->first].as<PartitionFault>().label == label) {
        healed_by_[it->first] = &e;
        active_.erase(it);
        return Status::ok();
      }
    return fail(e, "heal of partition '" + label + "' at " + show(e.at) + ", which is not active then");
  }

  // Restores what the fault degraded when `e` is the undo of a degrade: both read the
  // fault's own `between` sets.
  Status degrade_or_restore(const TimelineEvent& e, const FaultSpec& f) {
    const bool degrade = e.action == FaultAction::kDegrade;
    // The fault's own sets: a restore's, or for the undo of a degrade, the degrade's.
    const auto& between_a = f.action == FaultAction::kDegrade ? f.as<DegradeFault>().between_a : f.as<RestoreFault>().between_a;
    const auto& between_b = f.action == FaultAction::kDegrade ? f.as<DegradeFault>().between_b : f.as<RestoreFault>().between_b;
    std::set<std::pair<size_t, size_t>> pairs;  // unordered pairs, each once
    for (const std::string& a : between_a)
      for (const std::string& b : between_b)
        if (a != b) pairs.insert(std::minmax(index_.at(a), index_.at(b)));
    for (const auto& key : pairs) {
      auto it = degraded_.find(key);
      const std::string head = std::string(fault_action_name(e.action)) + " of the path " +
                               ctx_.dir.nodes()[key.first].name + " - " + ctx_.dir.nodes()[key.second].name + " at " +
                               show(e.at);
      if (degrade && it != degraded_.end())
        return fail(e, head + ", which is already degraded (" + by(it->second) + ")");
      if (!degrade && it == degraded_.end()) return fail(e, head + ", which is not degraded");
    }
    for (const auto& key : pairs) {
      if (degrade)
        degraded_[key] = &e;
      else
        degraded_.erase(key);
    }
    return Status::ok();
  }

  const LoadContext& ctx_;
  const std::vector<FaultSpec>& faults_;
  const std::vector<FaultSource>& src_;
  std::vector<NodeState> state_;
  std::vector<Since> since_;
  std::map<std::string, size_t> index_;
  std::vector<std::string> labels_;
  std::map<size_t, const TimelineEvent*> active_;     // partition fault -> the event that made it
  std::map<size_t, const TimelineEvent*> healed_by_;  // partition fault -> the event that healed it
  std::map<std::pair<size_t, size_t>, const TimelineEvent*> degraded_;
};

}  // namespace

Status read_faults(LoadContext& ctx, const YamlNode& n, std::string_view path) {
  SCENARIO_TRY(ctx.r.list(n, path));
  std::vector<FaultSource> sources(n.items.size());
  std::set<std::string> labels;
  for (size_t i = 0; i < n.items.size(); ++i) {
    FaultSpec f;
    const std::string p = child_path(path, i);
    SCENARIO_TRY(read_fault(ctx, n.items[i], p, &f, &sources[i]));
    if (const auto* part = std::get_if<PartitionFault>(&f.detail);
        part && !part->label.empty() && !labels.insert(part->label).second)
      return ctx.r.error(*n.items[i].find("label"), child_path(p, "label"),
                         "duplicate partition label '" + part->label + "'");
    ctx.spec.faults.push_back(std::move(f));
  }
  TimelineChecker checker(ctx, sources);
  return checker.check();
}

}  // namespace fabsim::scenario::detail
