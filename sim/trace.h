// Trace: every delivery, timer, client call, fault and released output of a run is folded
// into a running 64-bit hash over a canonical encoding (virtual time, host, kind and three
// integer fields). Same inputs + same seed => same hash. Optionally each event is also
// written as one readable line: "<time> <host> <kind> <summary>".
//
// For --check-determinism a TraceProbe records the running hash after every event, or
// compares against such a record and remembers the first event that differs (with its
// line), or captures the line of one given event (sim/determinism.h drives this).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/node.h"
#include "core/time.h"

namespace fabsim {

enum class TraceKind : uint8_t {
  kStart = 1,    // a process incarnation started (boot or restart)
  kDeliver,      // a message was handed to a process
  kTimer,        // a timer fired and was handed to a process
  kCall,         // a client call was handed to a process
  kSend,         // a released message left its host
  kDrop,         // a message or input was lost (a = reason)
  kPersist,      // a released durable write
  kEmit,         // a released analysis event
  kFault,        // a fault was applied (a = fault kind)
};
const char* trace_kind_name(TraceKind k);

// Determinism probe: owned by the caller, so results outlive the world that was traced.
struct TraceProbe {
  std::vector<uint64_t>* record = nullptr;        // if set: running hash after each event
  const std::vector<uint64_t>* compare = nullptr;  // if set: compare each running hash
  uint64_t capture_index = UINT64_MAX;             // keep the line of this event
  // Results.
  uint64_t events = 0;
  bool diverged = false;  // an event differs, or there are more events than in `compare`
  uint64_t divergence_index = 0;
  std::string divergence_line;
  std::string captured_line;
};

class Trace {
 public:
  // Optional: names for hosts in text lines (indexed by HostId).
  void set_host_names(const std::vector<std::string>* names) { names_ = names; }
  // Write every event as a line to `f` (not owned).
  void write_lines_to(std::FILE* f) { sink_ = f; }
  void attach_probe(TraceProbe* p) { probe_ = p; }

  template <typename Summary>
  void record(Time t, HostId host, TraceKind kind, uint64_t a, uint64_t b, uint64_t c, Summary&& summary) {
    h_.add_i64(t.ns);
    h_.add_u64((static_cast<uint64_t>(kind) << 32) | host);
    h_.add_u64(a);
    h_.add_u64(b);
    h_.add_u64(c);
    const uint64_t index = count_++;
    if (sink_ == nullptr && probe_ == nullptr) return;
    bool mismatch = false;
    bool capture = false;
    if (probe_ != nullptr) {
      probe_->events = count_;
      if (probe_->record != nullptr) probe_->record->push_back(h_.value());
      const auto* ref = probe_->compare;
      mismatch = ref != nullptr && !probe_->diverged && (index >= ref->size() || (*ref)[index] != h_.value());
      capture = index == probe_->capture_index;
    }
    if (sink_ != nullptr || mismatch || capture) {
      std::string line = format_line(t, host, kind, summary());
      if (sink_ != nullptr) std::fprintf(sink_, "%s\n", line.c_str());
      if (mismatch) {
        probe_->diverged = true;
        probe_->divergence_index = index;
        probe_->divergence_line = line;
      }
      if (capture) probe_->captured_line = std::move(line);
    }
  }

  uint64_t hash() const { return h_.value(); }
  uint64_t events() const { return count_; }
  std::string host_name(HostId h) const;

 private:
  std::string format_line(Time t, HostId host, TraceKind kind, std::string_view summary) const;

  Hash64 h_;
  uint64_t count_ = 0;
  const std::vector<std::string>* names_ = nullptr;
  std::FILE* sink_ = nullptr;
  TraceProbe* probe_ = nullptr;
};

}  // namespace fabsim
