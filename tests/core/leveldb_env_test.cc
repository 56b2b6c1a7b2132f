// SerialEnv (LevelDB without background threads), KvDb, and FaultInjectionEnv.
#include <gtest/gtest.h>
#include <leveldb/env.h>
#include <leveldb/helpers/memenv.h>
#include <leveldb/write_batch.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/fault_env.h"
#include "core/kv_db.h"
#include "core/serial_env.h"

namespace fabsim {
namespace {

std::unique_ptr<leveldb::Env> mem_env() { return std::unique_ptr<leveldb::Env>(leveldb::NewMemEnv(leveldb::Env::Default())); }

std::map<std::string, std::string> files(leveldb::Env* env, const std::string& dir) {
  std::map<std::string, std::string> out;
  std::vector<std::string> children;
  EXPECT_TRUE(env->GetChildren(dir, &children).ok());
  for (const std::string& c : children) {
    uint64_t size = 0;
    EXPECT_TRUE(env->GetFileSize(dir + "/" + c, &size).ok());
    leveldb::SequentialFile* f = nullptr;
    EXPECT_TRUE(env->NewSequentialFile(dir + "/" + c, &f).ok());
    std::string buf(size, '\0');
    leveldb::Slice got;
    EXPECT_TRUE(f->Read(size, &got, buf.data()).ok());
    out[c] = got.ToString();
    delete f;
  }
  return out;
}

std::string read_all(leveldb::Env* env, const std::string& path) {
  uint64_t size = 0;
  if (!env->GetFileSize(path, &size).ok()) return "<missing>";
  leveldb::SequentialFile* f = nullptr;
  EXPECT_TRUE(env->NewSequentialFile(path, &f).ok());
  std::string buf(size, '\0');
  leveldb::Slice got;
  EXPECT_TRUE(f->Read(size, &got, buf.data()).ok());
  delete f;
  return got.ToString();
}

TEST(SerialEnv, ScheduleQueuesAndRunPendingDrainsIncludingNestedWork) {
  auto base = mem_env();
  SerialEnv env(base.get());
  struct Ctx {
    SerialEnv* env;
    std::vector<int> log;
  } ctx{&env, {}};
  auto second = [](void* p) { static_cast<Ctx*>(p)->log.push_back(2); };
  static void (*second_fn)(void*) = nullptr;
  second_fn = second;
  auto first = [](void* p) {
    auto* c = static_cast<Ctx*>(p);
    c->log.push_back(1);
    c->env->Schedule(second_fn, p);  // work scheduled by work
  };
  env.Schedule(first, &ctx);
  EXPECT_TRUE(ctx.log.empty()) << "Schedule runs nothing";
  EXPECT_EQ(env.pending(), 1u);
  EXPECT_EQ(env.run_pending(), 2u);
  EXPECT_EQ(ctx.log, (std::vector<int>{1, 2}));
  EXPECT_EQ(env.pending(), 0u);
  EXPECT_EQ(env.scheduled_total(), 2u);
  EXPECT_EQ(env.NowMicros(), 0u) << "no wall clock";
}

// Threads of this process (Linux /proc); -1 where that is not available.
int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// Enough data through a small memtable to force flushes and compactions.
void fill(KvDb* db, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    leveldb::WriteBatch wb;
    for (int i = 0; i < 200; ++i) {
      std::string k = "key" + std::to_string((r * 7919 + i * 104729) % 5000);
      wb.Put(k, std::string(100, static_cast<char>('a' + (r + i) % 26)));
    }
    if (r % 5 == 0) wb.Delete("key" + std::to_string(r));
    ASSERT_TRUE(db->write(&wb));
    ASSERT_EQ(db->serial_env().pending(), 0u) << "no work left pending between calls";
  }
}

TEST(KvDb, CompactionsRunInlineAndLeaveIdenticalFilesOnEveryRun) {
  KvDbOptions opts;
  opts.write_buffer_size = 64 << 10;
  std::map<std::string, std::string> first;
  for (int run = 0; run < 2; ++run) {
    auto env = mem_env();
    {
      auto db = KvDb::open(env.get(), "db", opts).value();
      fill(db.get(), 150);
      EXPECT_GT(db->serial_env().scheduled_total(), 0u) << "LevelDB scheduled background work";
      EXPECT_NE(db->property("leveldb.num-files-at-level1").value_or("0"), "0") << "a compaction ran";
      auto v = db->get("key0");
      ASSERT_TRUE(v.is_ok());
      const int threads = thread_count();
      if (threads != -1) {
        EXPECT_EQ(threads, 1) << "LevelDB started no background thread";
      }
    }
    auto f = files(env.get(), "db");
    EXPECT_GT(f.size(), 4u);
    if (run == 0) {
      first = f;
    } else {
      EXPECT_EQ(f, first) << "same files, same bytes";
    }
  }
}

TEST(KvDb, GetAndIterateAfterReopen) {
  auto env = mem_env();
  {
    auto db = KvDb::open(env.get(), "db").value();
    leveldb::WriteBatch wb;
    wb.Put("b", "2");
    wb.Put("a", "1");
    ASSERT_TRUE(db->write(&wb));
  }
  auto db = KvDb::open(env.get(), "db", {false, true}).value();
  EXPECT_EQ(db->get("a").value(), std::optional<std::string>("1"));
  EXPECT_EQ(db->get("zz").value(), std::nullopt);
  auto it = db->new_iterator();
  std::vector<std::string> keys;
  for (it->seek_to_first(); it->valid(); it->next()) keys.emplace_back(it->key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(it->status());
}

TEST(KvDb, MissingDatabaseWithoutCreateIsAnError) {
  auto env = mem_env();
  auto db = KvDb::open(env.get(), "nothing-here", {false, true});
  ASSERT_FALSE(db.is_ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument) << db.status().to_string();
}

TEST(FaultInjectionEnv, DropKeepsSyncedPrefixOnly) {
  auto base = mem_env();
  FaultInjectionEnv env(base.get());
  leveldb::WritableFile* f = nullptr;
  ASSERT_TRUE(env.NewWritableFile("f", &f).ok());
  ASSERT_TRUE(f->Append("synced").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  ASSERT_TRUE(f->Close().ok());
  delete f;
  ASSERT_TRUE(env.NewWritableFile("never-synced", &f).ok());
  ASSERT_TRUE(f->Append("gone").ok());
  delete f;
  EXPECT_EQ(env.unsynced_bytes(), 9u);
  ASSERT_TRUE(env.drop_unsynced_writes().ok());
  EXPECT_EQ(read_all(base.get(), "f"), "synced");
  EXPECT_EQ(read_all(base.get(), "never-synced"), "");
  EXPECT_EQ(env.unsynced_bytes(), 0u);
  // Appending to an existing file: what was there counts as synced.
  ASSERT_TRUE(env.NewAppendableFile("f", &f).ok());
  ASSERT_TRUE(f->Append("+more").ok());
  delete f;
  ASSERT_TRUE(env.drop_unsynced_writes().ok());
  EXPECT_EQ(read_all(base.get(), "f"), "synced");
  // Renames carry the synced length with the file.
  ASSERT_TRUE(env.NewWritableFile("tmp", &f).ok());
  ASSERT_TRUE(f->Append("abc").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("def").ok());
  delete f;
  ASSERT_TRUE(env.RenameFile("tmp", "renamed").ok());
  ASSERT_TRUE(env.drop_unsynced_writes().ok());
  EXPECT_EQ(read_all(base.get(), "renamed"), "abc");
}

TEST(FaultInjectionEnv, AFileCreatedAsAppendableCanBeReadBack) {
  // LevelDB 1.23's memenv does not enter a file it creates through NewAppendableFile in its
  // map (a later read dereferences null); the wrapper creates such a file as writable.
  auto base = mem_env();
  FaultInjectionEnv env(base.get());
  leveldb::WritableFile* f = nullptr;
  ASSERT_TRUE(env.NewAppendableFile("new", &f).ok());
  ASSERT_TRUE(f->Append("abc").ok());
  ASSERT_TRUE(f->Close().ok());
  delete f;
  EXPECT_EQ(read_all(&env, "new"), "abc");
  ASSERT_TRUE(env.NewAppendableFile("new", &f).ok());  // exists now: appended to
  ASSERT_TRUE(f->Append("de").ok());
  ASSERT_TRUE(f->Close().ok());
  delete f;
  EXPECT_EQ(read_all(&env, "new"), "abcde");
}

TEST(FaultInjectionEnv, UnsyncedLevelDbWritesAreLostAndSyncedOnesKept) {
  for (bool sync : {true, false}) {
    SCOPED_TRACE(sync ? "synced" : "unsynced");
    auto base = mem_env();
    FaultInjectionEnv env(base.get());
    {
      auto db = KvDb::open(&env, "db", {true, sync}).value();
      leveldb::WriteBatch wb;
      wb.Put("k", "v");
      ASSERT_TRUE(db->write(&wb));
    }
    ASSERT_TRUE(env.drop_unsynced_writes().ok());
    auto db = KvDb::open(&env, "db", {false, true});
    ASSERT_TRUE(db.is_ok()) << db.status().to_string();
    EXPECT_EQ((*db)->get("k").value().has_value(), sync);
  }
}

}  // namespace
}  // namespace fabsim
