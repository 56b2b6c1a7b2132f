#include "model/ledger/block_files.h"

#include <fmt/format.h>
#include <leveldb/env.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "core/assert.h"
#include "model/protoutil/wire.h"

namespace fabsim::ledger {

namespace {

// A record's length prefix is protobuf's varint, as Fabric writes it (proto.EncodeVarint).
std::string length_prefix(uint64_t length) {
  std::string prefix;  // at most 10 bytes: no allocation
  protoutil::append_varint(&prefix, length);
  return prefix;
}

}  // namespace

BlockFiles::BlockFiles(leveldb::Env* env, std::string dir, uint64_t max_file_size, bool sync_writes)
    : env_(env), dir_(std::move(dir)), max_file_size_(max_file_size), sync_writes_(sync_writes) {
  FABSIM_ASSERT(env_ != nullptr);
  FABSIM_ASSERT(max_file_size_ > 0);
}

BlockFiles::~BlockFiles() {
  // Every record was already synced or flushed: a failed close loses nothing appended.
  if (writer_) (void)writer_->Close();
}

Status BlockFiles::io_error(uint64_t suffix, const leveldb::Status& s) const {
  return Status::unavailable(fmt::format("block store {}: {}: {}", dir_, file_name(suffix), s.ToString()));
}

std::string BlockFiles::file_name(uint64_t suffix) { return fmt::format("blockfile_{:06d}", suffix); }

uint64_t BlockFiles::record_size(uint64_t length) { return length_prefix(length).size() + length; }

Status BlockFiles::resume(uint64_t suffix, uint64_t end_offset) {
  FABSIM_ASSERT(writer_ == nullptr);
  const std::string name = path(suffix);
  uint64_t size = 0;
  if (env_->FileExists(name)) {
    leveldb::Status s = env_->GetFileSize(name, &size);
    if (!s.ok()) return io_error(suffix, s);
  }
  if (size < end_offset) {
    return Status::corruption(
        fmt::format("block store {}: the checkpoint ends at offset {} of {}, which holds {} bytes", dir_, end_offset,
                    file_name(suffix), size));
  }
  if (size == end_offset) {
    next_suffix_ = suffix;
    next_offset_ = end_offset;
  } else {  // orphans of an interrupted append past the checkpoint: left unread
    next_suffix_ = suffix + 1;
    next_offset_ = 0;
  }
  return Status::ok();
}

Status BlockFiles::open_writer() {
  FABSIM_ASSERT(writer_ == nullptr);
  const std::string name = path(next_suffix_);
  leveldb::WritableFile* file = nullptr;
  leveldb::Status s = next_offset_ == 0 ? env_->NewWritableFile(name, &file) : env_->NewAppendableFile(name, &file);
  if (!s.ok()) return io_error(next_suffix_, s);
  writer_.reset(file);
  if (next_offset_ == 0) readers_.erase(next_suffix_);  // the file was emptied
  return Status::ok();
}

Result<BlockLocation> BlockFiles::append(std::string_view block) {
  const std::string prefix = length_prefix(block.size());
  const uint64_t size = prefix.size() + block.size();
  if (next_offset_ > 0 && size > max_file_size_ - std::min(next_offset_, max_file_size_)) {
    // Roll over (Fabric's moveToNextFile). The file's records were each synced or flushed.
    leveldb::Status s = writer_ ? writer_->Close() : leveldb::Status::OK();
    writer_.reset();
    ++next_suffix_;
    next_offset_ = 0;
    if (!s.ok()) return io_error(next_suffix_ - 1, s);
  }
  if (!writer_) {
    Status s = open_writer();
    if (!s) {
      abandon();
      return s;
    }
  }
  leveldb::Status s = writer_->Append(leveldb::Slice(prefix.data(), prefix.size()));
  if (s.ok()) s = writer_->Append(leveldb::Slice(block.data(), block.size()));
  if (s.ok()) s = sync_writes_ ? writer_->Sync() : writer_->Flush();
  if (!s.ok()) {
    const uint64_t suffix = next_suffix_;
    abandon();  // the tail may hold part of this record
    return io_error(suffix, s);
  }
  const BlockLocation loc{next_suffix_, next_offset_, block.size()};
  next_offset_ += size;
  return loc;
}

void BlockFiles::abandon() {
  writer_.reset();
  ++next_suffix_;
  next_offset_ = 0;
}

Result<leveldb::RandomAccessFile*> BlockFiles::reader(uint64_t suffix, bool reopen) const {
  auto it = readers_.find(suffix);
  if (it != readers_.end() && !reopen) return it->second.get();
  if (it != readers_.end()) readers_.erase(it);
  leveldb::RandomAccessFile* file = nullptr;
  leveldb::Status s = env_->NewRandomAccessFile(path(suffix), &file);
  if (!s.ok()) return io_error(suffix, s);
  readers_.emplace(suffix, std::unique_ptr<leveldb::RandomAccessFile>(file));
  return file;
}

Result<std::string_view> BlockFiles::read(uint64_t number, const BlockLocation& loc, std::string* scratch) const {
  const std::string name = file_name(loc.file_suffix);
  const std::string where = fmt::format("block store {}: block {}", dir_, number);
  uint64_t file_size = 0;
  leveldb::Status fs = env_->GetFileSize(path(loc.file_suffix), &file_size);
  if (!fs.ok()) {
    if (!env_->FileExists(path(loc.file_suffix)))
      return Status::corruption(fmt::format("{}: {} is missing", where, name));
    return Status::unavailable(fmt::format("{}: {}: {}", where, name, fs.ToString()));
  }
  // Checked before anything is allocated: the location comes from stored bytes.
  if (loc.length > file_size || loc.offset > file_size || record_size(loc.length) > file_size - loc.offset) {
    return Status::corruption(
        fmt::format("{}: its record ({} offset {}, {} block bytes) extends beyond the end of the "
                    "file ({} bytes)",
                    where, name, loc.offset, loc.length, file_size));
  }
  const size_t n = static_cast<size_t>(record_size(loc.length));
  scratch->resize(n);
  leveldb::Slice got;
  leveldb::Status s;
  // A reader opened before the file grew may not see the new bytes (an Env that maps files
  // at open): on a short read, reopen once.
  for (bool reopen : {false, true}) {
    auto file = reader(loc.file_suffix, reopen);
    if (!file) return file.status();
    s = (*file)->Read(loc.offset, n, &got, scratch->data());
    if (s.ok() && got.size() == n) break;
  }
  if (!s.ok()) return Status::unavailable(fmt::format("{}: {}: {}", where, name, s.ToString()));
  if (got.size() != n) {
    return Status::corruption(fmt::format("{}: {} returned {} of the record's {} bytes at offset {}", where, name,
                                          got.size(), n, loc.offset));
  }
  std::string_view record(got.data(), got.size());
  uint64_t length = 0;
  size_t prefix_size = 0;
  const bool parsed = protoutil::read_varint(record, &prefix_size, &length);
  record.remove_prefix(prefix_size);
  if (!parsed || length != loc.length || record.size() != loc.length) {
    const std::string found = !parsed                ? std::string("an unreadable length prefix")
                              : length != loc.length ? fmt::format("length {}", length)
                                                     : std::string("a non-canonical length prefix");
    return Status::corruption(fmt::format("{}: the record at {} offset {} has {} where the index says length {}", where,
                                          name, loc.offset, found, loc.length));
  }
  return record;
}

}  // namespace fabsim::ledger
