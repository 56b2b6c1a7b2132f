#include "cli/run_directory.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace fabsim::cli {

namespace fs = std::filesystem;

Result<RunDirectory> RunDirectory::temporary() {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);  // $TMPDIR, else /tmp
  if (ec) base = "/tmp";
  std::string templ = (base / "fabsim-run-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr)
    return Status::unavailable("cannot create a temporary run directory in '" + base.string() + "': " + std::strerror(errno));
  return RunDirectory(std::string(buf.data()), /*keep=*/false, /*created=*/true);
}

Result<RunDirectory> RunDirectory::keep(const std::string& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st) || !fs::is_empty(dir, ec) || ec)
      return Status::invalid_argument("'" + dir + "' exists and is not an empty directory");
    return RunDirectory(dir, /*keep=*/true, /*created=*/false);
  }
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return Status::invalid_argument("cannot create directory '" + dir + "'");
  return RunDirectory(dir, /*keep=*/true, /*created=*/true);
}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : path_(std::move(other.path_)), keep_(other.keep_), created_(other.created_) {
  other.path_.clear();
}

RunDirectory::~RunDirectory() {
  if (!keep_) discard();
}

std::string RunDirectory::run_root(int n, int runs) const {
  if (runs <= 1) return path_;
  return (fs::path(path_) / ("run" + std::to_string(n))).string();
}

void RunDirectory::discard() {
  if (path_.empty()) return;
  std::error_code ec;
  if (created_) {
    fs::remove_all(path_, ec);
  } else {
    for (const auto& entry : fs::directory_iterator(path_, ec)) fs::remove_all(entry.path(), ec);
  }
  path_.clear();
}

}  // namespace fabsim::cli
