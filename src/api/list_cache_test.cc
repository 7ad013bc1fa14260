#include "api/list_cache.h"

#include <gtest/gtest.h>

namespace novacron::api {
namespace {

using std::chrono::milliseconds;

TEST(ListCacheTest, ServesOnlyTheSameGenerationWhileFresh) {
  ListCache cache(milliseconds(1000), 4);
  auto t0 = ListCache::Clock::time_point() + std::chrono::hours(1);
  EXPECT_EQ(cache.Get("limit=2", 7, t0), nullptr);
  cache.Put("limit=2", 7, "[1,2]", t0);
  ASSERT_NE(cache.Get("limit=2", 7, t0 + milliseconds(999)), nullptr);
  EXPECT_EQ(*cache.Get("limit=2", 7, t0), "[1,2]");
  EXPECT_EQ(cache.Get("limit=2", 8, t0), nullptr);                       // a write happened
  EXPECT_EQ(cache.Get("limit=2", 7, t0 + milliseconds(1001)), nullptr);  // too old
  EXPECT_EQ(cache.Get("limit=3", 7, t0), nullptr);                       // another query
}

TEST(ListCacheTest, StaysBounded) {
  ListCache cache(milliseconds(1000), 2);
  auto t0 = ListCache::Clock::time_point() + std::chrono::hours(1);
  cache.Put("a", 1, "A", t0);
  cache.Put("b", 1, "B", t0);
  cache.Put("b", 1, "B2", t0);  // replacing an entry keeps the others
  EXPECT_NE(cache.Get("a", 1, t0), nullptr);
  cache.Put("c", 1, "C", t0);  // a third query starts over
  EXPECT_EQ(cache.Get("a", 1, t0), nullptr);
  EXPECT_EQ(*cache.Get("c", 1, t0), "C");
}

}  // namespace
}  // namespace novacron::api
