// Content-defined chunking (dwcp/chunker.h): sizes within bounds, deterministic cuts, and the
// property delta transfer relies on - an edit moves only the chunks near it.
#include "dwcp/chunker.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <set>

#include "dwcp/bytes_for_test.h"

namespace novacron::dwcp {
namespace {

Chunker Default() { return *Chunker::Make({}); }

TEST(ChunkerTest, RefusesBadSizes) {
  EXPECT_EQ(Chunker::Make({.min_size = 32}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      Chunker::Make({.min_size = 16384, .avg_size = 65535, .max_size = 262144}).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      Chunker::Make({.min_size = 16384, .avg_size = 65536, .max_size = 65536}).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Chunker::Make({}).ok());
}

TEST(ChunkerTest, ChunksCoverTheInputWithinTheBoundsAndAverageNearTheTarget) {
  Chunker chunker = Default();
  std::vector<uint8_t> data = RandomBytes(8 << 20, 1);
  std::vector<ChunkRef> chunks = chunker.Split(data);
  uint64_t next = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].offset, next);
    EXPECT_LE(chunks[i].size, chunker.options().max_size);
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].size, chunker.options().min_size);
    }
    next += chunks[i].size;
  }
  EXPECT_EQ(next, data.size());
  const double average = static_cast<double>(data.size()) / static_cast<double>(chunks.size());
  EXPECT_GT(average, 0.6 * 65536) << chunks.size() << " chunks";
  EXPECT_LT(average, 1.6 * 65536) << chunks.size() << " chunks";
}

TEST(ChunkerTest, EmptyTinyAndZeroInputs) {
  Chunker chunker = Default();
  EXPECT_TRUE(chunker.Split({}).empty());
  std::vector<uint8_t> one = {7};
  std::vector<ChunkRef> single = chunker.Split(one);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].size, 1u);
  EXPECT_FALSE(single[0].zero);
  // All zeros never match a cut (the gear hash stays constant-ish): max-size chunks, all zero,
  // all with the same id.
  std::vector<uint8_t> zeros(1 << 20, 0);
  std::vector<ChunkRef> sparse = chunker.Split(zeros);
  ASSERT_FALSE(sparse.empty());
  for (const ChunkRef& c : sparse) {
    EXPECT_TRUE(c.zero);
    EXPECT_EQ(c.id, sparse[0].id);
  }
}

TEST(ChunkerTest, SameBytesSameCutsAndIds) {
  std::vector<uint8_t> data = RandomBytes(2 << 20, 2);
  std::vector<ChunkRef> a = Default().Split(data);
  std::vector<ChunkRef> b = Default().Split(data);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].offset, b[i].offset);
    EXPECT_EQ(a[i].id, b[i].id);
  }
  EXPECT_EQ(a[0].id.Hex().size(), 32u);
  EXPECT_NE(a[0].id, a[1].id);
}

// An insertion near the start: almost every later chunk keeps its id, so a delta against the
// old version sends only the chunks around the edit.
TEST(ChunkerTest, AnInsertionMovesOnlyTheChunksAroundIt) {
  std::vector<uint8_t> before = RandomBytes(4 << 20, 3);
  std::vector<uint8_t> after = before;
  std::vector<uint8_t> inserted = RandomBytes(100, 4);
  after.insert(after.begin() + 100000, inserted.begin(), inserted.end());
  std::set<ChunkId> old_ids;
  for (const ChunkRef& c : Default().Split(before)) old_ids.insert(c.id);
  std::vector<ChunkRef> now = Default().Split(after);
  size_t changed = 0;
  for (const ChunkRef& c : now) changed += old_ids.count(c.id) == 0 ? 1 : 0;
  EXPECT_LE(changed, 2u) << "of " << now.size() << " chunks";
}

}  // namespace
}  // namespace novacron::dwcp
