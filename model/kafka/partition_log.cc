#include "model/kafka/partition_log.h"

#include <algorithm>

#include <fmt/format.h>
#include <leveldb/env.h>

#include "core/assert.h"
#include "model/protoutil/proto_io.h"

namespace fabsim::kafka {
namespace {

constexpr size_t kPrefix = 4;
constexpr uint32_t kBatchBytesMax = 256u << 20;  // a length beyond this is a torn prefix

std::string fixed32(uint32_t v) {
  std::string s(kPrefix, '\0');
  for (size_t i = 0; i < kPrefix; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}
uint32_t read_fixed32(const char* p) {
  uint32_t v = 0;
  for (size_t i = 0; i < kPrefix; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
Status io(const std::string& what, const leveldb::Status& s) {
  return Status::unavailable(fmt::format("{}: {}", what, s.ToString()));
}

}  // namespace

PartitionLog::PartitionLog(leveldb::Env* env, std::string dir, LogConfig config)
    : env_(env), dir_(std::move(dir)), config_(config) {}

PartitionLog::~PartitionLog() = default;

std::string PartitionLog::segment_path(int64_t base) const { return fmt::format("{}/{:020d}.log", dir_, base); }

leveldb::RandomAccessFile* PartitionLog::reader(int64_t segment) const {
  auto it = readers_.find(segment);
  if (it != readers_.end()) return it->second.get();
  leveldb::RandomAccessFile* f = nullptr;
  if (!env_->NewRandomAccessFile(segment_path(segment), &f).ok()) return nullptr;
  return readers_.emplace(segment, std::unique_ptr<leveldb::RandomAccessFile>(f)).first->second.get();
}

Status PartitionLog::open() {
  env_->CreateDir(dir_);  // may exist
  std::vector<std::string> names;
  env_->GetChildren(dir_, &names);
  std::vector<int64_t> bases;
  for (const std::string& n : names)
    if (n.size() == 24 && n.ends_with(".log")) bases.push_back(std::stoll(n.substr(0, 20)));
  std::sort(bases.begin(), bases.end());
  int64_t expected = 0;
  bool cut = false;
  for (int64_t base : bases) {
    const std::string path = segment_path(base);
    if (cut || base != expected) {  // beyond a torn tail, or a gap: not part of the log
      env_->RemoveFile(path);
      cut = true;
      continue;
    }
    uint64_t size = 0;
    env_->GetFileSize(path, &size);
    std::string bytes;
    if (size > 0) {
      std::unique_ptr<leveldb::SequentialFile> f;
      leveldb::SequentialFile* raw = nullptr;
      leveldb::Status s = env_->NewSequentialFile(path, &raw);
      if (!s.ok()) return io("kafka log " + path, s);
      f.reset(raw);
      bytes.resize(size);
      leveldb::Slice got;
      s = f->Read(size, &got, bytes.data());
      if (!s.ok()) return io("kafka log " + path, s);
      bytes.assign(got.data(), got.size());
    }
    uint64_t pos = 0;
    while (pos + kPrefix <= bytes.size()) {
      const uint32_t len = read_fixed32(bytes.data() + pos);
      if (len > kBatchBytesMax || pos + kPrefix + len > bytes.size()) break;
      fabsim::kafka::RecordBatch b;
      if (!protoutil::parse(&b, std::string_view(bytes).substr(pos + kPrefix, len)) || b.base_offset() != expected ||
          b.records_size() == 0)
        break;
      batches_.push_back({b.base_offset(), b.records_size(), b.leader_epoch(), base, pos, len});
      expected = b.base_offset() + b.records_size();
      pos += kPrefix + len;
    }
    segments_[base] = pos;
    if (pos != bytes.size()) {  // a torn or foreign tail: keep the valid prefix only
      Status s = rewrite_prefix(base, pos);
      if (!s) return s;
      cut = true;
    }
  }
  if (segments_.empty()) segments_[0] = 0;
  next_base_if_empty_ = 0;
  rebuild_epochs();
  return open_writer(segments_.rbegin()->first, segments_.rbegin()->second == 0);
}

Status PartitionLog::open_writer(int64_t segment, bool fresh) {
  writer_.reset();
  leveldb::WritableFile* f = nullptr;
  const std::string path = segment_path(segment);
  leveldb::Status s = fresh ? env_->NewWritableFile(path, &f) : env_->NewAppendableFile(path, &f);
  if (!s.ok()) return io("kafka log " + path, s);
  writer_.reset(f);
  writer_segment_ = segment;
  readers_.erase(segment);
  return Status::ok();
}

Status PartitionLog::write_batch(const fabsim::kafka::RecordBatch& batch, AppendResult* out) {
  const std::string body = protoutil::marshal(batch);
  const uint64_t size = kPrefix + body.size();
  uint64_t& seg_size = segments_.at(writer_segment_);
  if (seg_size > 0 && seg_size + size > config_.segment_bytes) {
    // Roll: sync the full segment, start one at the log end.
    leveldb::Status s = writer_->Sync();
    if (s.ok()) s = writer_->Close();
    if (!s.ok()) return io("kafka log roll", s);
    unflushed_messages_ = 0;
    segments_[batch.base_offset()] = 0;
    Status os = open_writer(batch.base_offset(), true);
    if (!os) return os;
    out->rolled = true;
  }
  uint64_t& active = segments_.at(writer_segment_);
  leveldb::Status s = writer_->Append(fixed32(static_cast<uint32_t>(body.size())));
  if (s.ok()) s = writer_->Append(body);
  if (s.ok()) s = writer_->Flush();
  if (!s.ok()) return io("kafka log append", s);
  batches_.push_back({batch.base_offset(), batch.records_size(), batch.leader_epoch(), writer_segment_, active,
                      static_cast<uint32_t>(body.size())});
  active += size;
  readers_.erase(writer_segment_);
  if (epochs_.empty() || batch.leader_epoch() > epochs_.back().first)
    epochs_.emplace_back(batch.leader_epoch(), batch.base_offset());
  unflushed_messages_ += static_cast<uint64_t>(batch.records_size());
  if (unflushed_messages_ >= config_.flush_interval_messages) {
    s = writer_->Sync();
    if (!s.ok()) return io("kafka log flush", s);
    unflushed_messages_ = 0;
    out->synced = true;
  }
  out->base = batch.base_offset();
  out->bytes += size;
  return Status::ok();
}

Result<PartitionLog::AppendResult> PartitionLog::append(int32_t epoch, const std::vector<std::string>& records) {
  FABSIM_ASSERT(!records.empty());
  fabsim::kafka::RecordBatch b;
  b.set_base_offset(log_end_offset());
  b.set_leader_epoch(epoch);
  for (const std::string& r : records) b.add_records(r);
  AppendResult out;
  Status s = write_batch(b, &out);
  if (!s) return s;
  return out;
}

Result<PartitionLog::AppendResult> PartitionLog::append_as_follower(const fabsim::kafka::RecordBatch& batch) {
  if (batch.base_offset() != log_end_offset() || batch.records_size() == 0)
    return Status::failed_precondition(
        fmt::format("out of order offsets: batch at {} appended at log end {}", batch.base_offset(), log_end_offset()));
  AppendResult out;
  Status s = write_batch(batch, &out);
  if (!s) return s;
  return out;
}

Result<std::vector<fabsim::kafka::RecordBatch>> PartitionLog::read(int64_t offset, uint64_t max_bytes,
                                                                    int64_t limit) const {
  std::vector<fabsim::kafka::RecordBatch> out;
  auto it = std::upper_bound(batches_.begin(), batches_.end(), offset,
                             [](int64_t o, const BatchInfo& b) { return o < b.end(); });
  uint64_t total = 0;
  for (; it != batches_.end() && it->end() <= limit; ++it) {
    if (!out.empty() && total + it->size > max_bytes) break;
    leveldb::RandomAccessFile* f = reader(it->segment);
    if (f == nullptr) return Status::unavailable(fmt::format("kafka log {}: segment {} unreadable", dir_, it->segment));
    std::string scratch(it->size, '\0');
    leveldb::Slice got;
    leveldb::Status s = f->Read(it->position + kPrefix, it->size, &got, scratch.data());
    fabsim::kafka::RecordBatch b;
    if (!s.ok() || got.size() != it->size || !protoutil::parse(&b, std::string_view(got.data(), got.size())))
      return Status::corruption(fmt::format("kafka log {}: batch at offset {} unreadable", dir_, it->base));
    total += it->size;
    out.push_back(std::move(b));
  }
  return out;
}

Status PartitionLog::flush() {
  leveldb::Status s = writer_->Sync();
  if (!s.ok()) return io("kafka log flush", s);
  unflushed_messages_ = 0;
  return Status::ok();
}

Status PartitionLog::rewrite_prefix(int64_t segment, uint64_t length) {
  const std::string path = segment_path(segment);
  const std::string tmp = path + ".tmp";
  std::string bytes(length, '\0');
  if (length > 0) {
    leveldb::RandomAccessFile* raw = nullptr;
    leveldb::Status s = env_->NewRandomAccessFile(path, &raw);
    if (!s.ok()) return io("kafka log truncate " + path, s);
    std::unique_ptr<leveldb::RandomAccessFile> f(raw);
    leveldb::Slice got;
    s = f->Read(0, length, &got, bytes.data());
    if (!s.ok() || got.size() != length) return io("kafka log truncate " + path, s);
    bytes.assign(got.data(), got.size());
  }
  leveldb::WritableFile* w = nullptr;
  leveldb::Status s = env_->NewWritableFile(tmp, &w);
  if (!s.ok()) return io("kafka log truncate " + tmp, s);
  std::unique_ptr<leveldb::WritableFile> out(w);
  s = out->Append(bytes);
  if (s.ok()) s = out->Sync();
  if (s.ok()) s = out->Close();
  out.reset();
  if (s.ok()) s = env_->RenameFile(tmp, path);
  if (!s.ok()) return io("kafka log truncate " + path, s);
  readers_.erase(segment);
  segments_[segment] = length;
  return Status::ok();
}

Status PartitionLog::truncate_to(int64_t offset) {
  auto it = std::upper_bound(batches_.begin(), batches_.end(), offset,
                             [](int64_t o, const BatchInfo& b) { return o < b.end(); });
  if (it == batches_.end()) return Status::ok();
  const BatchInfo cut = *it;
  batches_.erase(it, batches_.end());
  writer_.reset();
  for (auto s = segments_.upper_bound(cut.segment); s != segments_.end();) {
    env_->RemoveFile(segment_path(s->first));
    readers_.erase(s->first);
    s = segments_.erase(s);
  }
  Status s = rewrite_prefix(cut.segment, cut.position);
  if (!s) return s;
  next_base_if_empty_ = cut.base;
  rebuild_epochs();
  return open_writer(cut.segment, false);
}

void PartitionLog::rebuild_epochs() {
  epochs_.clear();
  for (const BatchInfo& b : batches_)
    if (epochs_.empty() || b.epoch > epochs_.back().first) epochs_.emplace_back(b.epoch, b.base);
}

int64_t PartitionLog::end_offset_for_v0(int32_t epoch) const {
  if (epochs_.empty()) return kUndefinedOffset;
  if (epoch == epochs_.back().first) return log_end_offset();
  if (epoch < epochs_.front().first) return kUndefinedOffset;
  for (const auto& [e, start] : epochs_)
    if (e > epoch) return start;
  return kUndefinedOffset;
}

std::pair<int32_t, int64_t> PartitionLog::end_offset_for_v1(int32_t epoch) const {
  if (epoch == kUndefinedEpoch || epochs_.empty()) return {kUndefinedEpoch, kUndefinedOffset};
  if (epoch == epochs_.back().first) return {epoch, log_end_offset()};
  if (epoch < epochs_.front().first) return {kUndefinedEpoch, kUndefinedOffset};
  int32_t previous = kUndefinedEpoch;
  for (const auto& [e, start] : epochs_) {
    if (e > epoch) return {previous, start};
    previous = e;
  }
  return {kUndefinedEpoch, kUndefinedOffset};
}

}  // namespace fabsim::kafka
