// DiskEnv (core/disk_env.h) and a DurableStore on a directory (core/storage.h): files under
// the root, sorted listings, bounded reader descriptors, locks per directory, and the
// FaultInjectionEnv's crash and power-loss rules on the real file system.
#include "core/disk_env.h"

#include <gtest/gtest.h>
#include <leveldb/write_batch.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/fault_env.h"
#include "core/kv_db.h"
#include "core/storage.h"

namespace fabsim {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test (CTest runs cases in parallel), removed at the end of the test.
struct TestDir {
  TestDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path = fs::path(testing::TempDir()) / (std::string("fabsim_disk_") + info->test_suite_name() + "." + info->name() +
                                           "_" + std::to_string(getpid()));
    fs::remove_all(path);
  }
  ~TestDir() { fs::remove_all(path); }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  fs::path path;
};

std::string real_contents(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write(leveldb::Env* env, const std::string& name, const std::string& data, bool sync) {
  leveldb::WritableFile* f = nullptr;
  ASSERT_TRUE(env->NewAppendableFile(name, &f).ok());
  ASSERT_TRUE(f->Append(data).ok());
  if (sync) {
    ASSERT_TRUE(f->Sync().ok());
  }
  ASSERT_TRUE(f->Close().ok());
  delete f;
}

TEST(DiskEnv, FilesLiveUnderTheRootAndTheirDirectoriesAppearOnDemand) {
  const TestDir dir;
  const fs::path root = dir.path / "host";
  DiskEnv env(root.string());
  EXPECT_FALSE(fs::exists(root)) << "nothing is created before the first file";
  write(&env, "peer/ledger/blocks/blockfile_000000", "abc", false);
  write(&env, "/top", "x", false);  // a leading '/' still names a file under the root
  EXPECT_EQ(real_contents(root / "peer/ledger/blocks/blockfile_000000"), "abc");
  EXPECT_EQ(real_contents(root / "top"), "x");
  EXPECT_TRUE(env.FileExists("peer/ledger/blocks/blockfile_000000"));
  ASSERT_TRUE(env.CreateDir("a/b/c").ok()) << "every missing parent is made";
  EXPECT_TRUE(fs::is_directory(root / "a/b/c"));
  EXPECT_TRUE(env.CreateDir("a/b/c").ok()) << "an existing directory is fine";
}

TEST(DiskEnv, GetChildrenListsNamesSortedWithoutDotEntries) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv env(root.string());
  for (const char* name : {"d/zeta", "d/alpha", "d/MANIFEST-000002", "d/000005.ldb", "d/sub/inner"})
    write(&env, name, "1", false);
  std::vector<std::string> children;
  ASSERT_TRUE(env.GetChildren("d", &children).ok());
  EXPECT_EQ(children, (std::vector<std::string>{"000005.ldb", "MANIFEST-000002", "alpha", "sub", "zeta"}));
}

TEST(DiskEnv, SyncMakesWhatWasWrittenVisibleToReadersOfTheFile) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv env(root.string());
  leveldb::WritableFile* f = nullptr;
  ASSERT_TRUE(env.NewWritableFile("f", &f).ok());
  ASSERT_TRUE(f->Append("hello").ok());
  ASSERT_TRUE(f->Sync().ok());
  EXPECT_EQ(real_contents(root / "f"), "hello") << "a read sees what was synced while the file is open";
  delete f;
}

TEST(DiskEnv, ReadersBeyondTheHeldMaximumOpenTheirFileForEachRead) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv env(root.string(), /*held_read_files_max=*/2);
  for (int i = 0; i < 4; ++i) write(&env, "f" + std::to_string(i), "content" + std::to_string(i), false);
  std::vector<std::unique_ptr<leveldb::RandomAccessFile>> readers;
  for (int i = 0; i < 4; ++i) {
    leveldb::RandomAccessFile* r = nullptr;
    ASSERT_TRUE(env.NewRandomAccessFile("f" + std::to_string(i), &r).ok());
    readers.emplace_back(r);
  }
  EXPECT_EQ(env.held_read_files(), 2);
  for (int i = 0; i < 4; ++i) {
    char scratch[16];
    leveldb::Slice got;
    ASSERT_TRUE(readers[i]->Read(1, 100, &got, scratch).ok());
    EXPECT_EQ(got.ToString(), "ontent" + std::to_string(i)) << "reader " << i;
  }
  readers.clear();
  EXPECT_EQ(env.held_read_files(), 0);
  leveldb::RandomAccessFile* missing = nullptr;
  EXPECT_TRUE(env.NewRandomAccessFile("nope", &missing).IsNotFound());
}

TEST(DiskEnv, TwoHostsDatabasesLockTheirOwnDirectoriesInOneProcess) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv a((root / "a").string()), b((root / "b").string());
  auto da = KvDb::open(&a, "db");
  auto db = KvDb::open(&b, "db");
  ASSERT_TRUE(da.is_ok()) << da.status().to_string();
  ASSERT_TRUE(db.is_ok()) << db.status().to_string();
  auto again = KvDb::open(&a, "db");
  EXPECT_FALSE(again.is_ok()) << "the same directory twice is refused by the lock";
}

TEST(DiskEnv, ADatabaseReopenedFromDiskHasItsData) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv env(root.string());
  {
    auto db = KvDb::open(&env, "db");
    ASSERT_TRUE(db.is_ok());
    for (int i = 0; i < 2000; ++i) {
      leveldb::WriteBatch batch;
      batch.Put("key" + std::to_string(i), std::string(1000, static_cast<char>('a' + i % 26)));
      ASSERT_TRUE((*db)->write(&batch).is_ok());
    }
  }
  auto db = KvDb::open(&env, "db");
  ASSERT_TRUE(db.is_ok());
  auto v = (*db)->get("key1999");
  ASSERT_TRUE(v.is_ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, std::string(1000, static_cast<char>('a' + 1999 % 26)));
  EXPECT_LE(env.held_read_files(), DiskEnv::kHeldReadFilesMax);
}

// The FaultInjectionEnv rules of tests/core/leveldb_env_test.cc, on the real file system.
TEST(FaultInjectionEnvOnDisk, ACrashKeepsTheUnsyncedTail) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv disk(root.string());
  FaultInjectionEnv env(&disk);
  write(&env, "f", "synced", true);
  write(&env, "f", "+tail", false);
  EXPECT_EQ(env.unsynced_bytes(), 5u);
  // A crash closes the files and drops nothing: the bytes are on disk.
  EXPECT_EQ(real_contents(root / "f"), "synced+tail");
}

TEST(FaultInjectionEnvOnDisk, APowerLossKeepsTheSyncedPrefix) {
  const TestDir dir;
  const fs::path root = dir.path;
  DiskEnv disk(root.string());
  FaultInjectionEnv env(&disk);
  write(&env, "f", "synced", true);
  write(&env, "f", "+tail", false);
  write(&env, "never-synced", "gone", false);
  ASSERT_TRUE(env.drop_unsynced_writes().ok());
  EXPECT_EQ(real_contents(root / "f"), "synced");
  EXPECT_EQ(real_contents(root / "never-synced"), "");
  EXPECT_EQ(env.unsynced_bytes(), 0u);
}

TEST(DurableStoreOnDisk, APowerLossTruncatesTheHostsFilesToTheirSyncedLength) {
  const TestDir dir;
  const fs::path root = dir.path;
  DurableStore store;
  store.use_directory(root.string());
  EXPECT_EQ(store.directory(), root.string());
  write(store.env(), "ledger/f", "0123456789", true);
  write(store.env(), "ledger/f", "abc", false);
  EXPECT_EQ(store.unsynced_bytes(), 3u);
  ASSERT_TRUE(store.power_loss().is_ok());
  EXPECT_EQ(real_contents(root / "ledger/f"), "0123456789");
}

}  // namespace
}  // namespace fabsim
