// PartitionLog: one replica's log of one topic partition on its host's durable Env, after
// Kafka's Log and LogSegment (kafka-semantics.md §1 "Flushing", §6).
//
// Files: <dir>/<base offset, 20 digits>.log, one per segment; each is a sequence of
//   fixed32 little-endian length, then a marshalled kafka.RecordBatch (base offset, leader
//   epoch, records)
// A new segment starts when a batch would take the active one beyond segment_bytes; the
// old segment is synced then (Kafka flushes up to the new segment's base at a roll).
// Appends are written and flushed to the OS, not synced: the flush policy (every
// flush_interval_messages records; by default never) decides when the log syncs, and a
// power loss (core/fault_env.h) drops what was never synced.
//
// Recovery (open): segments are read in order; the first length prefix that runs past the
// end of its file, a batch that does not parse, or a base offset that is not the log end
// ends the log there (Kafka's recovery of the unflushed tail), and everything after it is
// cut away.
//
// Truncation (truncate_to) removes every batch holding an offset >= the point: a point
// inside a batch cuts at the batch's start, as Kafka's LogSegment.truncateTo does. Since
// leveldb::Env cannot truncate a file, the kept prefix of the cut segment is copied to a
// temporary file, synced, and renamed over it (so the kept prefix is durable afterwards);
// later segments are removed.
//
// Leader epochs: the epoch cache (LeaderEpochFileCache) is derived from the batches: an
// entry (epoch, start offset) per epoch, added when the first batch of a newer epoch is
// appended, dropped by truncation past its start. end_offset_for_v0/v1 answer
// OffsetsForLeaderEpoch as Kafka 0.11–1.1 and 2.0 do.
//
// Ownership: borrows the Env (must outlive it); owns its file handles. Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/proto/fabsim/kafka.pb.h"
#include "core/status.h"

namespace leveldb {
class Env;
class RandomAccessFile;
class WritableFile;
}  // namespace leveldb

namespace fabsim::kafka {

inline constexpr int64_t kUndefinedOffset = -1;
inline constexpr int32_t kUndefinedEpoch = -1;

struct LogConfig {
  uint64_t segment_bytes = uint64_t{1} << 30;            // log.segment.bytes (1 GiB)
  uint64_t flush_interval_messages = UINT64_MAX;          // log.flush.interval.messages: never
};

class PartitionLog {
 public:
  struct BatchInfo {
    int64_t base = 0;
    int32_t count = 0;
    int32_t epoch = 0;
    int64_t segment = 0;  // the segment's base offset
    uint64_t position = 0;  // of the length prefix in the segment
    uint32_t size = 0;      // of the marshalled batch, without the prefix
    int64_t end() const { return base + count; }
  };
  struct AppendResult {
    int64_t base = 0;
    bool synced = false;    // the flush policy synced the log
    bool rolled = false;    // a new segment was started (the old one was synced)
    uint64_t bytes = 0;     // written
  };

  PartitionLog(leveldb::Env* env, std::string dir, LogConfig config);
  ~PartitionLog();
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Reads the segments (recovery as described above). Call once, first.
  Status open();

  int64_t log_end_offset() const { return batches_.empty() ? next_base_if_empty_ : batches_.back().end(); }
  int64_t log_start_offset() const { return 0; }
  const std::vector<BatchInfo>& batches() const { return batches_; }

  // Appends `records` as one batch at the log end, stamped with `epoch` (as leader).
  Result<AppendResult> append(int32_t epoch, const std::vector<std::string>& records);
  // Appends a batch copied from the leader (as follower): its base offset must be the log
  // end, else kFailedPrecondition ("out of order offsets").
  Result<AppendResult> append_as_follower(const fabsim::kafka::RecordBatch& batch);
  // Reads whole batches from the one holding `offset` while their total stays within
  // max_bytes (the first batch always) and each batch ends at or before `limit`.
  Result<std::vector<fabsim::kafka::RecordBatch>> read(int64_t offset, uint64_t max_bytes, int64_t limit) const;
  // Syncs every segment.
  Status flush();
  Status truncate_to(int64_t offset);

  // The epoch cache.
  const std::vector<std::pair<int32_t, int64_t>>& epochs() const { return epochs_; }
  int32_t latest_epoch() const { return epochs_.empty() ? kUndefinedEpoch : epochs_.back().first; }
  // Kafka 0.11–1.1: the end offset of `epoch` (kUndefinedOffset when unknown).
  int64_t end_offset_for_v0(int32_t epoch) const;
  // Kafka 2.0: (the largest epoch <= `epoch`, its end offset), or undefined.
  std::pair<int32_t, int64_t> end_offset_for_v1(int32_t epoch) const;

 private:
  std::string segment_path(int64_t base) const;
  Status open_writer(int64_t segment, bool fresh);
  Status write_batch(const fabsim::kafka::RecordBatch& batch, AppendResult* out);
  Status rewrite_prefix(int64_t segment, uint64_t length);
  void rebuild_epochs();
  leveldb::RandomAccessFile* reader(int64_t segment) const;

  leveldb::Env* env_;
  std::string dir_;
  LogConfig config_;
  std::vector<BatchInfo> batches_;
  std::map<int64_t, uint64_t> segments_;  // base offset -> size
  std::vector<std::pair<int32_t, int64_t>> epochs_;
  int64_t next_base_if_empty_ = 0;
  std::unique_ptr<leveldb::WritableFile> writer_;
  int64_t writer_segment_ = -1;
  uint64_t unflushed_messages_ = 0;
  mutable std::map<int64_t, std::unique_ptr<leveldb::RandomAccessFile>> readers_;
};

}  // namespace fabsim::kafka
