#include "core/fault_env.h"

#include <memory>
#include <vector>

#include "core/assert.h"

namespace fabsim {

// Forwards to the base file and reports appends and syncs to the Env.
class FaultInjectionEnv::File : public leveldb::WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string fname, leveldb::WritableFile* base)
      : env_(env), fname_(std::move(fname)), base_(base) {}
  ~File() override {
    delete base_;
    env_->on_close();
  }
  leveldb::Status Append(const leveldb::Slice& data) override {
    leveldb::Status s = base_->Append(data);
    if (s.ok()) env_->on_append(fname_, data.size());
    return s;
  }
  leveldb::Status Close() override { return base_->Close(); }
  leveldb::Status Flush() override { return base_->Flush(); }
  leveldb::Status Sync() override {
    leveldb::Status s = base_->Sync();
    if (s.ok()) env_->on_sync(fname_);
    return s;
  }

 private:
  FaultInjectionEnv* env_;
  std::string fname_;
  leveldb::WritableFile* base_;  // owned
};

FaultInjectionEnv::FaultInjectionEnv(leveldb::Env* base) : leveldb::EnvWrapper(base) {
  FABSIM_ASSERT(base != nullptr);
}

FaultInjectionEnv::~FaultInjectionEnv() { FABSIM_ASSERT_MSG(open_files_ == 0, "FaultInjectionEnv destroyed with open files"); }

leveldb::Status FaultInjectionEnv::NewWritableFile(const std::string& fname, leveldb::WritableFile** result) {
  leveldb::WritableFile* base = nullptr;
  leveldb::Status s = target()->NewWritableFile(fname, &base);
  if (!s.ok()) return s;
  files_[fname] = FileState{};  // truncated: nothing written, nothing to lose
  ++open_files_;
  *result = new File(this, fname, base);
  return s;
}

leveldb::Status FaultInjectionEnv::NewAppendableFile(const std::string& fname, leveldb::WritableFile** result) {
  auto it = files_.find(fname);
  if (it == files_.end()) {
    uint64_t size = 0;
    if (target()->FileExists(fname)) {
      leveldb::Status s = target()->GetFileSize(fname, &size);
      if (!s.ok()) return s;
    }
    files_[fname] = FileState{size, size};  // existing content counts as synced
  }
  leveldb::WritableFile* base = nullptr;
  // A file that does not exist yet is created as a new writable file: LevelDB 1.23's memenv
  // creates an appendable file without entering it in its file map, so a later read of it
  // dereferences a null file state.
  leveldb::Status s = target()->FileExists(fname) ? target()->NewAppendableFile(fname, &base)
                                                  : target()->NewWritableFile(fname, &base);
  if (!s.ok()) return s;
  ++open_files_;
  *result = new File(this, fname, base);
  return s;
}

leveldb::Status FaultInjectionEnv::RemoveFile(const std::string& fname) {
  leveldb::Status s = target()->RemoveFile(fname);
  if (s.ok()) files_.erase(fname);
  return s;
}

leveldb::Status FaultInjectionEnv::RenameFile(const std::string& src, const std::string& target_name) {
  leveldb::Status s = target()->RenameFile(src, target_name);
  if (!s.ok()) return s;
  files_.erase(target_name);
  auto it = files_.find(src);
  if (it != files_.end()) {
    FileState st = it->second;
    files_.erase(it);
    files_[target_name] = st;
  }
  return s;
}

void FaultInjectionEnv::on_append(const std::string& fname, uint64_t n) { files_[fname].size += n; }

void FaultInjectionEnv::on_sync(const std::string& fname) {
  FileState& st = files_[fname];
  st.synced_size = st.size;
}

uint64_t FaultInjectionEnv::unsynced_bytes() const {
  uint64_t total = 0;
  for (const auto& [name, st] : files_) total += st.size - st.synced_size;
  return total;
}

// Rewrites `fname` with its first `keep` bytes (the base Env has no truncate).
static leveldb::Status truncate_file(leveldb::Env* env, const std::string& fname, uint64_t keep) {
  std::string prefix;
  if (keep > 0) {
    leveldb::SequentialFile* in = nullptr;
    leveldb::Status s = env->NewSequentialFile(fname, &in);
    if (!s.ok()) return s;
    std::unique_ptr<leveldb::SequentialFile> guard(in);
    std::vector<char> scratch(keep);
    while (prefix.size() < keep) {  // a Read may return less than asked
      leveldb::Slice got;
      s = in->Read(keep - prefix.size(), &got, scratch.data());
      if (!s.ok()) return s;
      if (got.empty()) break;  // shorter than recorded: keep what there is
      prefix.append(got.data(), got.size());
    }
  }
  leveldb::WritableFile* out = nullptr;
  leveldb::Status s = env->NewWritableFile(fname, &out);  // truncates
  if (!s.ok()) return s;
  std::unique_ptr<leveldb::WritableFile> guard(out);
  s = out->Append(prefix);
  if (s.ok()) s = out->Close();
  return s;
}

leveldb::Status FaultInjectionEnv::drop_unsynced_writes() {
  FABSIM_ASSERT_MSG(open_files_ == 0, "drop_unsynced_writes with files still open: close the databases first");
  leveldb::Status first;
  for (auto& [fname, st] : files_) {
    if (st.size == st.synced_size) continue;
    FABSIM_ASSERT(st.synced_size < st.size);
    leveldb::Status s = target()->FileExists(fname) ? truncate_file(target(), fname, st.synced_size)
                                                    : leveldb::Status::OK();
    if (!s.ok() && first.ok()) first = s;
    st.size = st.synced_size;
  }
  return first;
}

}  // namespace fabsim
