#include "model/ledger/block_store.h"

#include <fmt/format.h>
#include <leveldb/env.h>
#include <leveldb/write_batch.h>
#include <snappy.h>

#include <cstdint>
#include <memory>

#include "core/assert.h"
#include "core/hash.h"
#include "model/ledger/block_hash.h"
#include "model/ledger/ordered_encoding.h"
#include "model/ledger/tx_rwset.h"

namespace fabsim::ledger {

std::string encode_block_payload(std::string_view block, BlockCodec codec) {
  std::string out(1, static_cast<char>(codec));
  if (codec == BlockCodec::kRaw) {
    out.append(block);
    return out;
  }
  // Compressed straight after the codec byte, into room for snappy's worst case.
  out.resize(1 + snappy::MaxCompressedLength(block.size()));
  size_t compressed = 0;
  snappy::RawCompress(block.data(), block.size(), out.data() + 1, &compressed);
  out.resize(1 + compressed);
  return out;
}

Result<std::string_view> decode_block_payload(std::string_view payload, std::string* scratch, std::string_view where) {
  if (payload.empty()) return Status::corruption(fmt::format("{}: its record is empty", where));
  const auto codec = static_cast<uint8_t>(payload[0]);
  const std::string_view body = payload.substr(1);
  if (codec == static_cast<uint8_t>(BlockCodec::kRaw)) return body;
  if (codec != static_cast<uint8_t>(BlockCodec::kSnappy))
    return Status::corruption(fmt::format("{}: unknown block codec {}", where, codec));
  // The length comes from stored bytes: checked before anything is allocated. Snappy
  // expands at most 64 bytes out of a 3-byte copy tag, so more than 32 times the compressed
  // size is a damaged header.
  size_t length = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &length) || length / 32 > body.size())
    return Status::corruption(fmt::format("{}: its compressed bytes have no valid length", where));
  scratch->resize(length);
  if (!snappy::RawUncompress(body.data(), body.size(), scratch->data()))
    return Status::corruption(fmt::format("{}: its compressed bytes do not decompress", where));
  return std::string_view(*scratch);
}

namespace {

constexpr char kNumberPrefix = 'n';
constexpr char kHashPrefix = 'h';
constexpr char kTxidPrefix = 't';
constexpr std::string_view kCheckpointKey = "i";

std::string number_key(uint64_t number) {
  std::string k(1, kNumberPrefix);
  append_ordered_uint64(&k, number);
  return k;
}

// The number of a block-location key ('n' ord(number)); false when it does not parse.
bool decode_number_key(std::string_view key, uint64_t* number) {
  if (key.empty() || key[0] != kNumberPrefix) return false;
  key.remove_prefix(1);
  return consume_ordered_uint64(&key, number) && key.empty();
}

std::string encode_location(const BlockLocation& loc) {
  std::string v;
  append_ordered_uint64(&v, loc.file_suffix);
  append_ordered_uint64(&v, loc.offset);
  append_ordered_uint64(&v, loc.length);
  return v;
}

bool decode_location(std::string_view v, BlockLocation* loc) {
  return consume_ordered_uint64(&v, &loc->file_suffix) && consume_ordered_uint64(&v, &loc->offset) &&
         consume_ordered_uint64(&v, &loc->length) && v.empty();
}

std::string hash_key(std::string_view header_hash) {
  std::string k(1, kHashPrefix);
  k.append(header_hash);
  return k;
}

std::string txid_prefix(std::string_view txid) {
  std::string k(1, kTxidPrefix);
  append_ordered_uint64(&k, txid.size());
  k.append(txid);
  return k;
}

leveldb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace

Result<std::unique_ptr<BlockStore>> BlockStore::open(leveldb::Env* env, const std::string& path,
                                                     const Options& options) {
  KvDbOptions kv;
  kv.sync_writes = options.sync_writes;
  env->CreateDir(path);  // the block files' directory; an error shows at KvDb::open
  auto index = KvDb::open(env, path + "/index", kv);
  if (!index) return index.status();
  std::unique_ptr<BlockStore> store(new BlockStore(path, std::move(*index), options, env));
  Status s = store->load_checkpoint();
  if (!s) return s;
  s = store->load_txid_filter();
  if (!s) return s;
  s = store->verify(options.verify);
  if (!s) return s;
  return store;
}

std::array<uint64_t, 3> BlockStore::TxidFilter::probes(std::string_view txid) {
  const uint64_t a = Hash64::of(txid), b = mix64(a) | 1;  // double hashing
  return {a & (kBits - 1), (a + b) & (kBits - 1), (a + 2 * b) & (kBits - 1)};
}

void BlockStore::TxidFilter::add(std::string_view txid) {
  for (uint64_t bit : probes(txid)) words_[bit / 64] |= uint64_t{1} << (bit % 64);
}

bool BlockStore::TxidFilter::may_contain(std::string_view txid) const {
  for (uint64_t bit : probes(txid))
    if ((words_[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  return true;
}

Status BlockStore::load_txid_filter() {
  auto it = db_->new_iterator();
  for (it->seek(std::string(1, kTxidPrefix)); it->valid() && it->key().starts_with(kTxidPrefix); it->next()) {
    std::string_view rest = it->key().substr(1);
    uint64_t size = 0;
    if (!consume_ordered_uint64(&rest, &size) || rest.size() < size)
      return Status::corruption("block store " + path_ + ": a txid index key does not parse");
    txids_.add(rest.substr(0, size));
  }
  return it->status();
}

Status BlockStore::load_checkpoint() {
  auto cp = db_->get(kCheckpointKey);
  if (!cp) return cp.status();
  height_ = 0;
  current_hash_.clear();
  uint64_t h = 0, suffix = 0, end = 0;
  if (cp->has_value()) {
    std::string_view v = **cp;
    if (!consume_ordered_uint64(&v, &h) || !consume_ordered_uint64(&v, &suffix) ||
        !consume_ordered_uint64(&v, &end) || !v.empty()) {
      return Status::corruption("block store " + path_ + ": the checkpoint (height, file, end offset) does not parse");
    }
  }
  // A block location at or beyond the checkpoint's height cannot have been written (the
  // locations go in the checkpoint's batch): the checkpoint was lost or set back.
  {
    auto it = db_->new_iterator();
    it->seek(number_key(h));
    if (it->valid() && !it->key().empty() && it->key()[0] == kNumberPrefix) {
      uint64_t n = 0;
      const bool parsed = decode_number_key(it->key(), &n);
      return Status::corruption(fmt::format("block store {}: the index locates block {} at or beyond the checkpoint's "
                                            "height {}{}",
                                            path_, parsed ? std::to_string(n) : std::string("(unparsable key)"), h,
                                            cp->has_value() ? "" : " (there is no checkpoint)"));
    }
  }
  if (!cp->has_value()) return files_.resume(0, 0);  // an empty store
  height_ = h;
  if (h > 0) {
    auto loc = load_location(h - 1, h);
    if (!loc) return loc.status();
    if (loc->file_suffix != suffix || BlockFiles::record_end(*loc) != end) {
      return Status::corruption(fmt::format(
          "block store {}: the checkpoint ends at {} offset {}, but block {} (the last) ends at {} offset {}", path_,
          BlockFiles::file_name(suffix), end, h - 1, BlockFiles::file_name(loc->file_suffix),
          BlockFiles::record_end(*loc)));
    }
    std::string scratch;
    auto last = parse_block(h - 1, *loc, &scratch);
    if (!last) return last.status();
    current_hash_ = block_header_hash(last->header());
  }
  return files_.resume(suffix, end);
}

Result<BlockLocation> BlockStore::load_location(uint64_t number, uint64_t height) const {
  auto v = db_->get(number_key(number));
  if (!v) return v.status();
  if (!v->has_value()) {
    return Status::corruption(
        fmt::format("block store {}: block {} is missing from the index (height {})", path_, number, height));
  }
  BlockLocation loc;
  if (!decode_location(**v, &loc)) {
    return Status::corruption(fmt::format("block store {}: block {}: its index entry does not parse", path_, number));
  }
  return loc;
}

Result<common::Block> BlockStore::parse_block(uint64_t number, const BlockLocation& loc, std::string* scratch) const {
  auto payload = files_.read(number, loc, scratch);
  if (!payload) return payload.status();
  std::string decoded;
  auto bytes = decode_block_payload(*payload, &decoded, fmt::format("block store {}: block {}", path_, number));
  if (!bytes) return bytes.status();
  common::Block block;
  if (!block.ParseFromArray(bytes->data(), static_cast<int>(bytes->size()))) {
    return Status::corruption(
        fmt::format("block store {}: block {}: stored bytes do not parse as a common.Block", path_, number));
  }
  if (!block.has_header()) {
    return Status::corruption(fmt::format("block store {}: block {} has no header", path_, number));
  }
  return block;
}

Result<common::Block> BlockStore::load_block(uint64_t number, uint64_t height) const {
  auto loc = load_location(number, height);
  if (!loc) return loc.status();
  std::string scratch;
  return parse_block(number, *loc, &scratch);
}

Status BlockStore::check_block(const common::Block& block, uint64_t number, std::string_view previous_hash) const {
  const std::string where = fmt::format("block store {}: block {}", path_, number);
  const common::BlockHeader& h = block.header();
  if (h.number() != number) return Status::corruption(fmt::format("{}: header number is {}", where, h.number()));
  if (h.previous_hash() != previous_hash) {
    return Status::corruption(fmt::format("{}: previous_hash [{}] does not match the header hash of block {} [{}]",
                                          where, to_hex(h.previous_hash()),
                                          number == 0 ? std::string("-") : std::to_string(number - 1),
                                          to_hex(previous_hash)));
  }
  std::string data_hash = block_data_hash(block.data());
  if (h.data_hash() != data_hash) {
    return Status::corruption(fmt::format("{}: data_hash [{}] does not match the hash of its data [{}]", where,
                                          to_hex(h.data_hash()), to_hex(data_hash)));
  }
  size_t filter = transactions_filter(block).size();
  if (filter != static_cast<size_t>(block.data().data_size())) {
    return Status::corruption(fmt::format("{}: TRANSACTIONS_FILTER has {} entries for {} transactions", where,
                                          filter, block.data().data_size()));
  }
  auto idx = db_->get(hash_key(block_header_hash(h)));
  if (!idx) return idx.status();
  if (!idx->has_value()) return Status::corruption(where + ": no block-hash index entry");
  if (**idx != encode_ordered_uint64(number)) return Status::corruption(where + ": block-hash index entry points elsewhere");
  return Status::ok();
}

Status BlockStore::verify(Verify level) const {
  // Bytes past the checkpoint in the block files are left by interrupted appends (header
  // comment): never read, not corruption.
  if (level == Verify::kTip) {
    if (height_ == 0) return Status::ok();
    const uint64_t n = height_ - 1;
    auto block = load_block(n, height_);
    if (!block) return block.status();
    std::string prev;
    if (n > 0) {
      auto before = load_block(n - 1, height_);
      if (!before) return before.status();
      prev = block_header_hash(before->header());
    }
    return check_block(*block, n, prev);
  }
  // kFull: walk the block locations below the checkpoint in key (= number) order, reading
  // each block and chaining the hashes.
  auto it = db_->new_iterator();
  uint64_t expected = 0;
  std::string prev, scratch;
  for (it->seek(std::string(1, kNumberPrefix)); it->valid() && it->key()[0] == kNumberPrefix; it->next()) {
    uint64_t n = 0;
    if (!decode_number_key(it->key(), &n)) {
      return Status::corruption(fmt::format("block store {}: a block-number index key does not parse", path_));
    }
    if (n >= height_) break;  // load_checkpoint() refused the store if there were any
    if (n != expected) {
      return Status::corruption(fmt::format("block store {}: block {} is missing from the index (next indexed is {})",
                                            path_, expected, n));
    }
    BlockLocation loc;
    if (!decode_location(it->value(), &loc)) {
      return Status::corruption(fmt::format("block store {}: block {}: its index entry does not parse", path_, n));
    }
    auto block = parse_block(n, loc, &scratch);
    if (!block) return block.status();
    Status s = check_block(*block, n, prev);
    if (!s) return s;
    prev = block_header_hash(block->header());
    ++expected;
  }
  if (!it->status()) return it->status();
  if (expected != height_) {
    return Status::corruption(fmt::format("block store {}: checkpoint height is {} but the index locates {} blocks",
                                          path_, height_, expected));
  }
  return Status::ok();
}

Status BlockStore::append(const common::Block& block) {
  if (!block.has_header()) return Status::invalid_argument("block has no header");
  const common::BlockHeader& h = block.header();
  if (h.number() != height_) {
    return Status::invalid_argument(fmt::format("block number should have been {} but was {}", height_, h.number()));
  }
  if (h.previous_hash() != current_hash_) {
    return Status::invalid_argument(
        fmt::format("block {}: unexpected previous block hash: expected [{}], the block refers to [{}]", h.number(),
                    to_hex(current_hash_), to_hex(h.previous_hash())));
  }
  std::string data_hash = block_data_hash(block.data());
  if (h.data_hash() != data_hash) {
    return Status::invalid_argument(fmt::format("block {}: data_hash [{}] does not match the hash of its data [{}]",
                                                h.number(), to_hex(h.data_hash()), to_hex(data_hash)));
  }
  std::string_view filter = transactions_filter(block);
  const auto& data = block.data().data();
  if (filter.size() != static_cast<size_t>(data.size())) {
    return Status::invalid_argument(fmt::format("block {}: TRANSACTIONS_FILTER has {} entries for {} transactions",
                                                h.number(), filter.size(), data.size()));
  }
  // No maps in Block: deterministic bytes, the same SerializeToString would give. Serialized
  // into an uninitialized buffer: a std::string would zero-fill the megabytes first.
  const size_t size = block.ByteSizeLong();
  std::unique_ptr<char[]> buffer(new char[size]);
  auto* const begin = reinterpret_cast<uint8_t*>(buffer.get());
  FABSIM_ASSERT(block.SerializeWithCachedSizesToArray(begin) == begin + size);
  const std::string_view bytes(buffer.get(), size);
  const std::string hash = block_header_hash(h);
  const std::string number = encode_ordered_uint64(h.number());

  // (1) The record. Until (2) is durable it is an interrupted append's orphan, which is
  // never read; the next append goes to a fresh file.
  auto loc = files_.append(encode_block_payload(bytes, codec_));
  if (!loc) return loc.status();

  // (2) The indexes and the checkpoint, in one batch: the block is committed once durable.
  leveldb::WriteBatch wb;
  wb.Put(slice(number_key(h.number())), slice(encode_location(*loc)));
  wb.Put(slice(hash_key(hash)), slice(number));
  for (int i = 0; i < data.size(); ++i) {
    auto txid = txid_from_envelope(data.Get(i));  // unparseable: indexed under "" (Fabric)
    txids_.add(txid ? *txid : std::string());
    std::string key = txid_prefix(txid ? *txid : std::string());
    key += number;
    append_ordered_uint64(&key, static_cast<uint64_t>(i));
    wb.Put(slice(key), slice(filter.substr(static_cast<size_t>(i), 1)));
  }
  std::string checkpoint = encode_ordered_uint64(h.number() + 1);
  append_ordered_uint64(&checkpoint, loc->file_suffix);
  append_ordered_uint64(&checkpoint, BlockFiles::record_end(*loc));
  wb.Put(slice(kCheckpointKey), slice(checkpoint));
  Status s = db_->write(&wb);
  if (!s) {
    files_.abandon();
    return s;
  }
  height_ = h.number() + 1;
  current_hash_ = hash;
  return Status::ok();
}

Result<common::Block> BlockStore::block_by_number(uint64_t number) const {
  if (number >= height_) return Status::not_found(fmt::format("block {} not found: height is {}", number, height_));
  return load_block(number, height_);
}

Result<common::Block> BlockStore::block_by_hash(std::string_view header_hash) const {
  auto idx = db_->get(hash_key(header_hash));
  if (!idx) return idx.status();
  if (!idx->has_value()) return Status::not_found("no block with hash [" + to_hex(header_hash) + "]");
  std::string_view v = **idx;
  uint64_t n = 0;
  if (!consume_ordered_uint64(&v, &n) || !v.empty()) {
    return Status::corruption("block store " + path_ + ": block-hash index entry does not parse");
  }
  return block_by_number(n);
}

Result<TxLocation> BlockStore::tx_location(std::string_view txid) const {
  const std::string prefix = txid_prefix(txid);
  auto it = db_->new_iterator();
  it->seek(prefix);
  if (!it->valid() || !it->key().starts_with(prefix)) {
    if (!it->status()) return it->status();
    return Status::not_found("txid '" + std::string(txid) + "' not found");
  }
  std::string_view rest = it->key().substr(prefix.size());
  TxLocation loc;
  if (!consume_ordered_uint64(&rest, &loc.block_num) || !consume_ordered_uint64(&rest, &loc.tx_num) || !rest.empty() ||
      it->value().size() != 1) {
    return Status::corruption("block store " + path_ + ": txid index entry for '" + std::string(txid) +
                              "' does not parse");
  }
  loc.validation_code = static_cast<protos::TxValidationCode>(static_cast<unsigned char>(it->value()[0]));
  return loc;
}

Result<protos::TxValidationCode> BlockStore::tx_validation_code(std::string_view txid) const {
  auto loc = tx_location(txid);
  if (!loc) return loc.status();
  return loc->validation_code;
}

Result<bool> BlockStore::tx_exists(std::string_view txid) const {
  if (!txids_.may_contain(txid)) return false;
  auto loc = tx_location(txid);
  if (loc) return true;
  if (loc.status().code() == StatusCode::kNotFound) return false;
  return loc.status();
}

}  // namespace fabsim::ledger
