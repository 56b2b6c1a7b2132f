// EventQueue: the kernel's pending events, ordered by (time, insertion sequence).
//
// Equal times run in the order they were scheduled (FIFO), never by address or container
// internals. Events are plain callbacks `fn(ctx, a, b)`, so scheduling allocates nothing
// once the queue has warmed up.
//
// Structure: a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990), which fits a simulator
// because times never go below the last time popped. Bucket 0 holds keys equal to `last_`;
// bucket i >= 1 holds keys whose highest bit differing from `last_` is bit i-1. Insertion
// appends to one bucket (O(1)); when bucket 0 runs dry, the lowest non-empty bucket is
// scanned for its minimum, which becomes `last_`, and its keys move to lower buckets. Each
// key moves at most 64 times in all, and in practice once or twice.
// FIFO on ties: keys equal to each other always sit in the same bucket (the bucket is a
// function of the key and `last_`), buckets are appended to and redistributed in order,
// so equal keys keep their insertion order. A test pins this.
//
// The callback lives in `slots_[slot]`; cancellation clears the slot (lazy deletion) and
// the dead key is dropped when it surfaces. A slot's generation changes whenever it is
// freed, so a stale handle cancels nothing. Bounds (asserted): times must be >= 0 and
// never below the last time popped.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "core/assert.h"
#include "core/time.h"

namespace fabsim {

using EventFn = void (*)(void* ctx, uint64_t a, uint64_t b);

struct EventHandle {
  uint32_t slot = UINT32_MAX;
  uint32_t gen = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

class EventQueue {
 public:
  EventHandle schedule(Time t, EventFn fn, void* ctx, uint64_t a, uint64_t b) {
    FABSIM_ASSERT_MSG(t.ns >= 0 && static_cast<uint64_t>(t.ns) >= last_, "event scheduled before the last popped time");
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      FABSIM_ASSERT_MSG(slots_.size() < UINT32_MAX - 1, "too many pending events");
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back({});
    }
    Slot& s = slots_[slot];
    s.fn = fn;
    s.ctx = ctx;
    s.a = a;
    s.b = b;
    ++live_;
    push({static_cast<uint64_t>(t.ns), slot});
    return {slot, s.gen};
  }

  // True if the event was pending and is now cancelled.
  bool cancel(EventHandle h) {
    if (!h.valid() || h.slot >= slots_.size()) return false;
    Slot& s = slots_[h.slot];
    if (s.gen != h.gen || s.fn == nullptr) return false;
    s.fn = nullptr;
    --live_;
    return true;
  }

  // Live (not cancelled) events pending.
  uint64_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // If the earliest live event is at or before `limit`, pops it, sets *now to its time,
  // runs it and returns true. Otherwise changes nothing and returns false.
  bool run_next(Time limit, Time* now) {
    for (;;) {
      if (head0_ == b0_size()) {
        if (!refill(static_cast<uint64_t>(limit.ns))) return false;
      }
      const Entry e = buckets_[0][head0_];
      if (e.time > static_cast<uint64_t>(limit.ns)) return false;
      ++head0_;
      Slot& s = slots_[e.slot];
      const EventFn fn = s.fn;
      void* ctx = s.ctx;
      const uint64_t a = s.a, b = s.b;
      release_slot(e.slot);
      if (fn == nullptr) continue;  // cancelled
      --live_;
      *now = Time{static_cast<int64_t>(e.time)};
      fn(ctx, a, b);
      return true;
    }
  }

 private:
  static constexpr int kBuckets = 65;
  struct Entry {
    uint64_t time;
    uint32_t slot;
  };
  struct Slot {
    EventFn fn = nullptr;
    void* ctx = nullptr;
    uint64_t a = 0;
    uint64_t b = 0;
    uint32_t gen = 0;
  };

  size_t b0_size() const { return buckets_[0].size(); }

  int bucket_of(uint64_t t) const { return t == last_ ? 0 : 64 - std::countl_zero(t ^ last_); }

  void push(Entry e) {
    const int b = bucket_of(e.time);
    buckets_[b].push_back(e);
    if (b != 0) nonempty_ |= uint64_t{1} << (b - 1);
  }

  void release_slot(uint32_t slot) {
    Slot& s = slots_[slot];
    s.fn = nullptr;
    ++s.gen;
    free_.push_back(slot);
  }

  // Bucket 0 is consumed: move the lowest non-empty bucket down, unless its minimum is
  // after `limit` (then nothing changes, so later schedules before that minimum are fine).
  bool refill(uint64_t limit) {
    buckets_[0].clear();
    head0_ = 0;
    if (nonempty_ == 0) return false;
    const int i = std::countr_zero(nonempty_) + 1;
    std::vector<Entry>& src = buckets_[i];
    uint64_t m = UINT64_MAX;
    for (const Entry& e : src) m = e.time < m ? e.time : m;
    if (m > limit) return false;
    last_ = m;
    // Every key of bucket i now lands in a bucket below i, which are all empty.
    for (const Entry& e : src) push(e);
    src.clear();
    nonempty_ &= ~(uint64_t{1} << (i - 1));
    return true;
  }

  std::vector<Entry> buckets_[kBuckets];
  size_t head0_ = 0;
  uint64_t nonempty_ = 0;  // bit b-1 set: bucket b (1..64) is non-empty
  uint64_t last_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  uint64_t live_ = 0;
};

}  // namespace fabsim
