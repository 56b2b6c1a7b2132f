// World: a simulated system — the simulator, the network and the hosts — plus the fault
// timeline. Scenario builders (scenarios/) and tests create hosts and links, schedule
// client calls and faults, then run it. Every fault is applied at a virtual time and
// recorded in the trace.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/node.h"
#include "core/status.h"
#include "sim/host.h"
#include "sim/network.h"
#include "sim/simulator.h"

namespace fabsim {

struct Fault {
  enum class Kind : uint8_t {
    kCrash = 1,
    kRestart,
    kPause,
    kResume,
    kPartition,    // groups, one_way
    kHeal,         // partition id, or all when partition == kAllPartitions
    kDegradeLink,  // link, degradation
    kRestoreLink,  // link
    kLinkDown,     // link
    kLinkUp,       // link
    kClockOffset,  // host, offset
    kPowerLoss,    // host: a crash that also loses the host's unsynced writes
  };
  static constexpr PartitionId kAllPartitions = UINT32_MAX;

  Kind kind = Kind::kCrash;
  HostId host = kNoHost;
  LinkId link = 0;
  std::vector<std::vector<HostId>> groups;
  bool one_way = false;
  PartitionId partition = kAllPartitions;
  LinkDegradation degradation;
  Duration offset = Duration::zero();

  static Fault crash(HostId h) { Fault f; f.kind = Kind::kCrash; f.host = h; return f; }
  static Fault restart(HostId h) { Fault f; f.kind = Kind::kRestart; f.host = h; return f; }
  static Fault power_loss(HostId h) { Fault f; f.kind = Kind::kPowerLoss; f.host = h; return f; }
  static Fault pause(HostId h) { Fault f; f.kind = Kind::kPause; f.host = h; return f; }
  static Fault resume(HostId h) { Fault f; f.kind = Kind::kResume; f.host = h; return f; }
  static Fault make_partition(std::vector<std::vector<HostId>> groups, bool one_way) {
    Fault f; f.kind = Kind::kPartition; f.groups = std::move(groups); f.one_way = one_way; return f;
  }
  static Fault heal(PartitionId p = kAllPartitions) { Fault f; f.kind = Kind::kHeal; f.partition = p; return f; }
  static Fault degrade(LinkId l, LinkDegradation d) { Fault f; f.kind = Kind::kDegradeLink; f.link = l; f.degradation = d; return f; }
  static Fault restore(LinkId l) { Fault f; f.kind = Kind::kRestoreLink; f.link = l; return f; }
  static Fault link_down(LinkId l) { Fault f; f.kind = Kind::kLinkDown; f.link = l; return f; }
  static Fault link_up(LinkId l) { Fault f; f.kind = Kind::kLinkUp; f.link = l; return f; }
  static Fault clock_offset(HostId h, Duration d) { Fault f; f.kind = Kind::kClockOffset; f.host = h; f.offset = d; return f; }
};
const char* fault_kind_name(Fault::Kind k);

class World {
 public:
  // Receives every released analysis event, stamped with virtual time and host.
  using EventSink = std::function<void(Time, HostId, const AnalysisEvent&)>;

  explicit World(uint64_t seed);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  Simulator& sim() { return sim_; }
  Network& net() { return net_; }
  Trace& trace() { return sim_.trace(); }
  Time now() const { return sim_.now(); }
  uint64_t seed() const { return sim_.seed(); }

  // A host with `cores` virtual cores running processes built by `factory` (null: a
  // router that only forwards). Names must be unique.
  HostId add_host(std::string name, uint32_t cores, ProcessFactory factory);
  LinkId add_link(HostId a, HostId b, const LinkParams& p) { return net_.add_link(a, b, p); }
  size_t host_count() const { return hosts_.size(); }
  Host& host(HostId h) { return *hosts_.at(h); }
  const std::vector<std::string>& host_names() const { return names_; }
  // kNoHost if absent.
  HostId find_host(const std::string& name) const;

  // Hosts' durable files go to `<root>/<host name>/` on the real file system
  // (DurableStore::use_directory), for the hosts added so far and those added later; the
  // directories appear with each host's first file. Empty (the default): in memory. Call it
  // before start(), once. Results and the trace are the same either way.
  void set_storage_root(const std::string& root);
  const std::string& storage_root() const { return storage_root_; }

  void set_event_sink(EventSink sink) { sink_ = std::move(sink); }
  // Receives every task a host's cores or disk ran, when it ends (a labelled serial task as
  // its labelled parts), with the lane of the input whose work it was. Work lost in a crash
  // is not reported. For utilisation and traces; nothing in the run depends on it.
  using WorkSink = std::function<void(HostId, LaneId, const WorkSpan&)>;
  void set_work_sink(WorkSink sink) { work_sink_ = std::move(sink); }
  const WorkSink& work_sink() const { return work_sink_; }

  // Boots every host now (each gets its start input). Call once, before running.
  void start();
  // A client call handed to `h` at time t.
  void call_at(Time t, HostId h, ClientCall call);
  // A fault applied at time t. If it cannot be applied then (e.g. restart of a host that
  // is up), it is recorded in fault_errors() and the run goes on.
  void fault_at(Time t, Fault f);
  // Applies a fault now.
  Status apply(const Fault& f);
  const std::vector<std::string>& fault_errors() const { return fault_errors_; }

  void run_until(Time t) { sim_.run_until(t); }

  // ---- for Host -------------------------------------------------------------------------
  void emit(HostId h, const AnalysisEvent& e);

 private:
  static void deliver(void* self, HostId to, HostId from, Message&& msg, uint64_t hash);
  void use_host_directory(HostId h);  // <storage_root_>/<name>

  std::vector<std::string> names_;  // before sim_/net_: the trace points at it
  Simulator sim_;
  Network net_;
  std::vector<std::unique_ptr<Host>> hosts_;
  EventSink sink_;
  WorkSink work_sink_;
  std::vector<std::string> fault_errors_;
  std::string storage_root_;
  bool started_ = false;
};

}  // namespace fabsim
