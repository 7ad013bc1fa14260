// CachedVmStore over the real SQLite store, with the in-memory cache and with a real Redis.
#include "cache/cached_vm_store.h"

#include <gtest/gtest.h>

#include "cache/memory_cache.h"
#include "cache/open_cache.h"
#include "servers/redis_server.h"
#include "store/sqlite_state_store.h"
#include "store/test_temp_dir.h"

namespace novacron::cache {
namespace {

store::VmRecord Record(const std::string& id, const std::string& name) {
  store::VmRecord r;
  r.id = id;
  r.name = name;
  r.spec_json = R"({"name":")" + name + R"("})";
  r.labels = {{"tier", "web"}};
  r.state = "defined";
  return r;
}

class CachedVmStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SqliteStoreOptions options;
    options.data_dir = dir_.path();
    auto opened = store::OpenSqliteStateStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
  }
  store::testing::TempDir dir_;
  std::unique_ptr<store::StateStore> db_;
};

TEST_F(CachedVmStoreTest, ReadsHitTheCacheAndWritesRefreshIt) {
  CacheOptions options;
  auto cache = OpenCache(options);
  ASSERT_TRUE(cache.ok());
  CachedVmStore vms(db_->vms(), **cache, std::chrono::minutes(5));
  const std::string id = "00000000-0000-4000-8000-000000000001";
  auto created = vms.Create(Record(id, "a"), nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  uint64_t hits = (*cache)->stats().hits;
  auto read = vms.Get(id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, *created);
  EXPECT_EQ((*cache)->stats().hits, hits + 1);

  store::VmRecord changed = *read;
  changed.state = "running";
  auto updated = vms.Update(changed, read->version);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(vms.Get(id)->state, "running");
  EXPECT_EQ(vms.Get(id)->version, 2);

  // A write behind the cache's back (another process): a stale version is a conflict, and the
  // conflict drops the cached copy so the next read is fresh.
  store::VmRecord direct = *updated;
  direct.state = "stopped";
  ASSERT_TRUE(db_->vms().Update(direct, 2).ok());
  changed.state = "failed";
  EXPECT_EQ(vms.Update(changed, 2).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(vms.Get(id)->state, "stopped");

  ASSERT_TRUE(vms.Delete(id, std::nullopt).ok());
  EXPECT_EQ(vms.Get(id).status().code(), ErrorCode::kNotFound);
}

TEST_F(CachedVmStoreTest, EncodingRoundTrips) {
  store::VmRecord r = Record("00000000-0000-4000-8000-000000000002", "b");
  r.version = 7;
  r.drift = "missing_on_hypervisor";
  r.owner = "n1";
  r.created_at = std::chrono::system_clock::time_point(std::chrono::microseconds(123456789));
  r.updated_at = r.created_at + std::chrono::seconds(1);
  auto back = DecodeVmRecord(EncodeVmRecord(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(DecodeVmRecord("{\"id\": 1}").has_value());
  EXPECT_FALSE(DecodeVmRecord("not json").has_value());
}

TEST_F(CachedVmStoreTest, RedisDownMeansStoreReadsNotErrors) {
  testing::RedisServer redis;
  Status started = redis.Start();
  if (!started.ok()) GTEST_SKIP() << redis.SkipReason() << " " << started.ToString();
  CacheOptions options;
  options.backend = CacheBackendKind::kRedis;
  options.redis_url = redis.Url(0);
  auto cache = OpenCache(options);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  CachedVmStore vms(db_->vms(), **cache, std::chrono::minutes(5));
  const std::string id = "00000000-0000-4000-8000-000000000003";
  ASSERT_TRUE(vms.Create(Record(id, "c"), nullptr).ok());
  ASSERT_TRUE(vms.Get(id).ok());
  redis.Kill();
  // Acknowledged writes are in the store; the cache outage only costs speed.
  auto read = vms.Get(id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  store::VmRecord changed = *read;
  changed.state = "running";
  ASSERT_TRUE(vms.Update(changed, read->version).ok());
  EXPECT_EQ(vms.Get(id)->state, "running");
  EXPECT_TRUE((*cache)->Health().degraded);
}

}  // namespace
}  // namespace novacron::cache
