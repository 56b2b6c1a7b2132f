#include "model/ledger/history_db.h"

#include <fmt/format.h>
#include <leveldb/write_batch.h>

#include "model/ledger/ordered_encoding.h"
#include "model/ledger/tx_rwset.h"

namespace fabsim::ledger {
namespace {

constexpr char kDataPrefix = 'd';
constexpr std::string_view kSavepointKey = "s";

std::string key_prefix(const std::string& ns, const std::string& key) {
  std::string k(1, kDataPrefix);
  k += ns;
  k += '\0';
  append_ordered_uint64(&k, key.size());
  k += key;
  return k;
}

leveldb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

Result<std::unique_ptr<HistoryDb>> HistoryDb::open(leveldb::Env* env, const std::string& path,
                                                   const Options& options) {
  KvDbOptions kv;
  kv.sync_writes = options.sync_writes;
  auto db = KvDb::open(env, path, kv);
  if (!db) return db.status();
  std::unique_ptr<HistoryDb> hist(new HistoryDb(std::move(*db)));
  auto sp = hist->db_->get(kSavepointKey);
  if (!sp) return sp.status();
  if (sp->has_value()) {
    std::string_view v = **sp;
    Height h;
    if (!consume_height(&v, &h) || !v.empty()) {
      return Status::corruption("history database " + path + ": the savepoint does not parse");
    }
    hist->savepoint_ = h;
  }
  return hist;
}

Status HistoryDb::commit_block(const common::Block& block, const std::vector<TxWrites>* writes) {
  const uint64_t number = block.header().number();
  const uint64_t expected = savepoint_ ? savepoint_->block_num + 1 : 0;
  if (number != expected) {
    return Status::failed_precondition(
        fmt::format("history database {}: block {} given, block {} expected", db_->path(), number, expected));
  }
  Result<std::vector<TxWrites>> derived = std::vector<TxWrites>{};
  if (writes == nullptr) {
    derived = valid_tx_writes(block);
    if (!derived) return derived.status();
    writes = &derived.value();
  }
  leveldb::WriteBatch wb;
  for (const TxWrites& tx : *writes) {
    for (const KvWrite& w : tx.writes) {
      if (w.ns.find('\0') != std::string::npos) {
        return Status::invalid_argument(fmt::format("block {} tx {}: namespace contains a NUL byte", number, tx.tx_num));
      }
      std::string k = key_prefix(w.ns, w.key);
      append_height(&k, Height{number, tx.tx_num});
      wb.Put(slice(k), leveldb::Slice());
    }
  }
  const Height sp{number, static_cast<uint64_t>(block.data().data_size())};
  wb.Put(slice(kSavepointKey), slice(height_bytes(sp)));
  Status s = db_->write(&wb);
  if (!s) return s;
  savepoint_ = sp;
  return Status::ok();
}

Result<std::vector<Height>> HistoryDb::history(const std::string& ns, const std::string& key) const {
  if (ns.find('\0') != std::string::npos) return Status::invalid_argument("namespace contains a NUL byte");
  const std::string prefix = key_prefix(ns, key);
  std::vector<Height> out;
  auto it = db_->new_iterator();
  for (it->seek(prefix); it->valid() && it->key().starts_with(prefix); it->next()) {
    std::string_view rest = it->key().substr(prefix.size());
    Height h;
    if (!consume_height(&rest, &h) || !rest.empty()) {
      return Status::corruption(fmt::format("history database {}: an entry of ({}, {}) does not parse", db_->path(), ns, key));
    }
    out.push_back(h);
  }
  if (!it->status()) return it->status();
  return out;
}

}  // namespace fabsim::ledger
