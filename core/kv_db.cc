#include "core/kv_db.h"

#include <cstdarg>

#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include "core/assert.h"
#include "core/serial_env.h"

namespace fabsim {
namespace {

// Discards LevelDB's informational log (it would otherwise be a LOG file with timestamps).
class NullLogger : public leveldb::Logger {
 public:
  void Logv(const char* format, std::va_list ap) override {}
};

leveldb::Slice to_slice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }

}  // namespace

KvDb::KvDb(std::string path, std::unique_ptr<SerialEnv> env, const KvDbOptions& options)
    : path_(std::move(path)), env_(std::move(env)), logger_(std::make_unique<NullLogger>()), options_(options) {}

Result<std::unique_ptr<KvDb>> KvDb::open(leveldb::Env* env, const std::string& path, const KvDbOptions& options) {
  FABSIM_ASSERT(env != nullptr);
  std::unique_ptr<KvDb> db(new KvDb(path, std::make_unique<SerialEnv>(env), options));
  leveldb::Options lo;
  lo.env = db->env_.get();
  lo.info_log = db->logger_.get();
  lo.create_if_missing = options.create_if_missing;
  lo.paranoid_checks = true;
  lo.write_buffer_size = options.write_buffer_size;
  db->filter_.reset(leveldb::NewBloomFilterPolicy(10));
  lo.filter_policy = db->filter_.get();
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(lo, path, &raw);
  db->db_ = raw;
  db->drain();
  if (!s.ok()) return db->from_leveldb(s, "open");
  FABSIM_ASSERT(raw != nullptr);
  return db;
}

KvDb::~KvDb() {
  drain();  // the DB destructor would otherwise wait forever for scheduled work
  delete db_;
  db_ = nullptr;
  drain();
}

void KvDb::drain() const { env_->run_pending(); }

Status KvDb::from_leveldb(const leveldb::Status& s, std::string_view what) const {
  if (s.ok()) return Status::ok();
  std::string m = "leveldb " + path_ + ": " + std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::corruption(std::move(m));
  if (s.IsNotFound()) return Status::not_found(std::move(m));
  if (s.IsInvalidArgument()) return Status::invalid_argument(std::move(m));
  if (s.IsIOError()) return Status::unavailable(std::move(m));
  return Status::internal(std::move(m));
}

Result<std::optional<std::string>> KvDb::get(std::string_view key) const {
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  std::string value;
  leveldb::Status s = db_->Get(ro, to_slice(key), &value);
  drain();
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return from_leveldb(s, "get");
  return std::optional<std::string>(std::move(value));
}

Status KvDb::write(leveldb::WriteBatch* batch) {
  FABSIM_ASSERT(batch != nullptr);
  leveldb::WriteOptions wo;
  wo.sync = options_.sync_writes;
  leveldb::Status s = db_->Write(wo, batch);
  drain();
  return from_leveldb(s, "write");
}

std::unique_ptr<KvDb::Iterator> KvDb::new_iterator(bool fill_cache) const {
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = fill_cache;
  leveldb::Iterator* it = db_->NewIterator(ro);
  drain();
  return std::unique_ptr<Iterator>(new Iterator(this, it));
}

std::optional<std::string> KvDb::property(std::string_view name) const {
  std::string value;
  bool ok = db_->GetProperty(to_slice(name), &value);
  drain();
  if (!ok) return std::nullopt;
  return value;
}

KvDb::Iterator::~Iterator() {
  delete it_;
  db_->drain();
}

void KvDb::Iterator::seek(std::string_view target) {
  it_->Seek(to_slice(target));
  db_->drain();
}

void KvDb::Iterator::seek_to_first() {
  it_->SeekToFirst();
  db_->drain();
}

bool KvDb::Iterator::valid() const { return it_->Valid(); }

void KvDb::Iterator::next() {
  FABSIM_ASSERT(it_->Valid());
  it_->Next();
  db_->drain();
}

std::string_view KvDb::Iterator::key() const {
  leveldb::Slice k = it_->key();
  return {k.data(), k.size()};
}

std::string_view KvDb::Iterator::value() const {
  leveldb::Slice v = it_->value();
  return {v.data(), v.size()};
}

Status KvDb::Iterator::status() const { return db_->from_leveldb(it_->status(), "iterate"); }

}  // namespace fabsim
