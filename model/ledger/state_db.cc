#include "model/ledger/state_db.h"

#include <fmt/format.h>
#include <leveldb/write_batch.h>

#include "model/ledger/ordered_encoding.h"

namespace fabsim::ledger {
namespace {

constexpr char kDataPrefix = 'd';
constexpr char kNsSeparator = '\0';
constexpr std::string_view kSavepointKey = "s";

std::string ns_prefix(const std::string& ns) {
  std::string k(1, kDataPrefix);
  k += ns;
  k += kNsSeparator;
  return k;
}

bool valid_ns(const std::string& ns) { return ns.find(kNsSeparator) == std::string::npos; }

leveldb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

bool decode_value(std::string_view in, VersionedValue* out) {
  if (!consume_height(&in, &out->version)) return false;
  out->value.assign(in);
  return true;
}

class Iter : public StateIterator {
 public:
  Iter(std::unique_ptr<KvDb::Iterator> it, std::string prefix, std::string end_key, std::string what)
      : it_(std::move(it)), prefix_(std::move(prefix)), end_(std::move(end_key)), what_(std::move(what)) {}

  bool next(std::string* key, VersionedValue* value) override {
    if (done_) return false;
    if (!started_) {
      started_ = true;
    } else {
      it_->next();
    }
    if (!it_->valid() || !it_->key().starts_with(prefix_)) return finish(it_->status());
    std::string_view k = it_->key().substr(prefix_.size());
    if (!end_.empty() && k >= end_) return finish(Status::ok());
    if (!decode_value(it_->value(), value)) {
      return finish(Status::corruption(fmt::format("{}: the value of key '{}' does not decode", what_, k)));
    }
    key->assign(k);
    return true;
  }
  Status status() const override { return status_; }

 private:
  bool finish(Status s) {
    done_ = true;
    status_ = std::move(s);
    return false;
  }
  std::unique_ptr<KvDb::Iterator> it_;
  std::string prefix_, end_, what_;
  bool started_ = false, done_ = false;
  Status status_;
};

// An iterator that yields nothing and reports `s` (bad arguments).
class ErrorIter : public StateIterator {
 public:
  explicit ErrorIter(Status s) : s_(std::move(s)) {}
  bool next(std::string*, VersionedValue*) override { return false; }
  Status status() const override { return s_; }

 private:
  Status s_;
};

}  // namespace

Result<std::unique_ptr<StateDb>> StateDb::open(leveldb::Env* env, const std::string& path, const Options& options) {
  KvDbOptions kv;
  kv.sync_writes = options.sync_writes;
  auto db = KvDb::open(env, path, kv);
  if (!db) return db.status();
  std::unique_ptr<StateDb> state(new StateDb(std::move(*db)));
  auto sp = state->db_->get(kSavepointKey);
  if (!sp) return sp.status();
  if (sp->has_value()) {
    std::string_view v = **sp;
    Height h;
    if (!consume_height(&v, &h) || !v.empty()) {
      return Status::corruption("state database " + path + ": the savepoint does not parse");
    }
    state->savepoint_ = h;
  }
  return state;
}

Result<std::optional<VersionedValue>> StateDb::get_state(const std::string& ns, const std::string& key) const {
  if (!valid_ns(ns)) return Status::invalid_argument("namespace contains a NUL byte");
  auto raw = db_->get(ns_prefix(ns) + key);
  if (!raw) return raw.status();
  if (!raw->has_value()) return std::optional<VersionedValue>();
  VersionedValue vv;
  if (!decode_value(**raw, &vv)) {
    return Status::corruption(
        fmt::format("state database {}: the value of ({}, {}) does not decode", db_->path(), ns, key));
  }
  return std::optional<VersionedValue>(std::move(vv));
}

std::unique_ptr<StateIterator> StateDb::range(const std::string& ns, const std::string& start_key,
                                              const std::string& end_key) const {
  if (!valid_ns(ns)) return std::make_unique<ErrorIter>(Status::invalid_argument("namespace contains a NUL byte"));
  std::string prefix = ns_prefix(ns);
  auto it = db_->new_iterator();
  it->seek(prefix + start_key);
  return std::make_unique<Iter>(std::move(it), std::move(prefix), end_key,
                                fmt::format("state database {}: namespace {}", db_->path(), ns));
}

Status StateDb::apply_updates(const UpdateBatch& batch, Height savepoint) {
  if (savepoint_ && savepoint.block_num <= savepoint_->block_num) {
    return Status::failed_precondition(fmt::format("state database {}: savepoint block {} is not past block {}",
                                                   db_->path(), savepoint.block_num, savepoint_->block_num));
  }
  leveldb::WriteBatch wb;
  for (const auto& [k, u] : batch.updates()) {
    const auto& [ns, key] = k;
    if (!valid_ns(ns)) return Status::invalid_argument("namespace contains a NUL byte");
    const std::string dk = ns_prefix(ns) + key;
    if (u.is_delete()) {
      wb.Delete(slice(dk));
    } else {
      std::string v = height_bytes(u.version);
      v += *u.value;
      wb.Put(slice(dk), slice(v));
    }
  }
  wb.Put(slice(kSavepointKey), slice(height_bytes(savepoint)));
  Status s = db_->write(&wb);
  if (!s) return s;
  savepoint_ = savepoint;
  return Status::ok();
}

}  // namespace fabsim::ledger
