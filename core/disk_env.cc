#include "core/disk_env.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/assert.h"

namespace fabsim {
namespace {

leveldb::Status io_error(const std::string& context, int err) {
  if (err == ENOENT) return leveldb::Status::NotFound(context, std::strerror(err));
  return leveldb::Status::IOError(context, std::strerror(err));
}

// Reads n bytes at offset from fd, as far as the file goes.
leveldb::Status pread_fully(int fd, const std::string& path, uint64_t offset, size_t n, leveldb::Slice* result,
                            char* scratch) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, scratch + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      *result = leveldb::Slice(scratch, 0);
      return io_error(path, errno);
    }
    if (r == 0) break;  // end of file
    got += static_cast<size_t>(r);
  }
  *result = leveldb::Slice(scratch, got);
  return leveldb::Status::OK();
}

}  // namespace

// A random-access reader on pread. It holds its descriptor while the Env has a slot for it,
// and otherwise opens the file for each read.
class DiskEnv::ReadFile : public leveldb::RandomAccessFile {
 public:
  ReadFile(DiskEnv* env, std::string path, int fd) : env_(env), path_(std::move(path)), fd_(fd) {}
  ~ReadFile() override {
    if (fd_ >= 0) {
      ::close(fd_);
      env_->release_read_slot();
    }
  }
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override {
    if (fd_ >= 0) return pread_fully(fd_, path_, offset, n, result, scratch);
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(path_, errno);
    leveldb::Status s = pread_fully(fd, path_, offset, n, result, scratch);
    ::close(fd);
    return s;
  }

 private:
  DiskEnv* env_;
  std::string path_;
  int fd_;  // -1: opened per read
};

// Forwards to the base file; Sync only flushes (see the header).
class DiskEnv::NoSyncFile : public leveldb::WritableFile {
 public:
  explicit NoSyncFile(leveldb::WritableFile* base) : base_(base) {}
  ~NoSyncFile() override { delete base_; }
  leveldb::Status Append(const leveldb::Slice& data) override { return base_->Append(data); }
  leveldb::Status Close() override { return base_->Close(); }
  leveldb::Status Flush() override { return base_->Flush(); }
  leveldb::Status Sync() override { return base_->Flush(); }

 private:
  leveldb::WritableFile* base_;  // owned
};

DiskEnv::DiskEnv(std::string root, int held_read_files_max)
    : leveldb::EnvWrapper(leveldb::Env::Default()), root_(std::move(root)), held_read_files_max_(held_read_files_max) {
  FABSIM_ASSERT(!root_.empty());
  FABSIM_ASSERT(held_read_files_max_ >= 0);
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

DiskEnv::~DiskEnv() { FABSIM_ASSERT_MSG(held_read_files_ == 0, "DiskEnv destroyed with readers open"); }

std::string DiskEnv::real_path(const std::string& fname) const {
  size_t start = 0;
  while (start < fname.size() && fname[start] == '/') ++start;
  return root_ + "/" + fname.substr(start);
}

leveldb::Status DiskEnv::make_dirs(const std::string& real) {
  std::error_code ec;
  std::filesystem::create_directories(real, ec);
  if (ec) return leveldb::Status::IOError(real, ec.message());
  return leveldb::Status::OK();
}

leveldb::Status DiskEnv::make_parent(const std::string& real) {
  const std::filesystem::path parent = std::filesystem::path(real).parent_path();
  std::error_code ec;
  if (std::filesystem::is_directory(parent, ec)) return leveldb::Status::OK();
  return make_dirs(parent.string());
}

bool DiskEnv::take_read_slot() {
  if (held_read_files_ >= held_read_files_max_) return false;
  ++held_read_files_;
  return true;
}

leveldb::Status DiskEnv::NewSequentialFile(const std::string& fname, leveldb::SequentialFile** result) {
  return target()->NewSequentialFile(real_path(fname), result);
}

leveldb::Status DiskEnv::NewRandomAccessFile(const std::string& fname, leveldb::RandomAccessFile** result) {
  *result = nullptr;
  const std::string path = real_path(fname);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path, errno);
  if (take_read_slot()) {
    *result = new ReadFile(this, path, fd);
  } else {
    ::close(fd);  // the file exists: each read opens it again
    *result = new ReadFile(this, path, -1);
  }
  return leveldb::Status::OK();
}

leveldb::Status DiskEnv::new_file(const std::string& fname, bool append, leveldb::WritableFile** result) {
  *result = nullptr;
  const std::string path = real_path(fname);
  leveldb::Status s = make_parent(path);
  leveldb::WritableFile* base = nullptr;
  if (s.ok()) s = append ? target()->NewAppendableFile(path, &base) : target()->NewWritableFile(path, &base);
  if (s.ok()) *result = new NoSyncFile(base);
  return s;
}

leveldb::Status DiskEnv::NewWritableFile(const std::string& fname, leveldb::WritableFile** result) {
  return new_file(fname, /*append=*/false, result);
}

leveldb::Status DiskEnv::NewAppendableFile(const std::string& fname, leveldb::WritableFile** result) {
  return new_file(fname, /*append=*/true, result);
}

bool DiskEnv::FileExists(const std::string& fname) { return target()->FileExists(real_path(fname)); }

leveldb::Status DiskEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  leveldb::Status s = target()->GetChildren(real_path(dir), result);
  if (!s.ok()) return s;
  std::erase_if(*result, [](const std::string& c) { return c == "." || c == ".."; });
  std::sort(result->begin(), result->end());
  return s;
}

leveldb::Status DiskEnv::RemoveFile(const std::string& fname) { return target()->RemoveFile(real_path(fname)); }

leveldb::Status DiskEnv::CreateDir(const std::string& dirname) { return make_dirs(real_path(dirname)); }

leveldb::Status DiskEnv::RemoveDir(const std::string& dirname) { return target()->RemoveDir(real_path(dirname)); }

leveldb::Status DiskEnv::GetFileSize(const std::string& fname, uint64_t* file_size) {
  return target()->GetFileSize(real_path(fname), file_size);
}

leveldb::Status DiskEnv::RenameFile(const std::string& src, const std::string& target_name) {
  return target()->RenameFile(real_path(src), real_path(target_name));
}

leveldb::Status DiskEnv::LockFile(const std::string& fname, leveldb::FileLock** lock) {
  const std::string path = real_path(fname);
  leveldb::Status s = make_parent(path);
  if (!s.ok()) return s;
  return target()->LockFile(path, lock);
}

leveldb::Status DiskEnv::GetTestDirectory(std::string* path) {
  *path = root_;
  return make_dirs(root_);
}

leveldb::Status DiskEnv::NewLogger(const std::string& fname, leveldb::Logger** result) {
  const std::string path = real_path(fname);
  leveldb::Status s = make_parent(path);
  if (!s.ok()) return s;
  return target()->NewLogger(path, result);
}

void DiskEnv::Schedule(void (*)(void*), void*) {
  FABSIM_ASSERT_MSG(false, "DiskEnv::Schedule: LevelDB must reach a host's Env through SerialEnv (core/kv_db.h)");
}

void DiskEnv::StartThread(void (*)(void*), void*) {
  FABSIM_ASSERT_MSG(false, "DiskEnv::StartThread: threads are not allowed");
}

}  // namespace fabsim
