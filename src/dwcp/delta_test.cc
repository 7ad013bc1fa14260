// Delta transfer (dwcp/delta.h): a new version sends only what the baseline lacks, rebuilds
// byte-identical, and a reference or literal with the wrong bytes is refused.
#include "dwcp/delta.h"

#include <gtest/gtest.h>

#include "dwcp/bytes_for_test.h"

namespace novacron::dwcp {
namespace {

struct Versions {
  std::vector<uint8_t> before;
  std::vector<uint8_t> after;
};

// 4 MiB, then 3 edits: 4 KiB overwritten, 100 bytes inserted, 64 KiB appended.
Versions Edited() {
  Versions v;
  v.before = RandomBytes(4 << 20, 1);
  v.after = v.before;
  std::vector<uint8_t> patch = RandomBytes(4096, 2);
  std::copy(patch.begin(), patch.end(), v.after.begin() + 1'000'000);
  std::vector<uint8_t> inserted = RandomBytes(100, 3);
  v.after.insert(v.after.begin() + 3'000'000, inserted.begin(), inserted.end());
  std::vector<uint8_t> tail = RandomBytes(65536, 4);
  v.after.insert(v.after.end(), tail.begin(), tail.end());
  return v;
}

Result<std::vector<uint8_t>> Rebuild(const std::vector<DeltaOp>& ops,
                                     const std::vector<uint8_t>& baseline,
                                     const std::vector<uint8_t>& source) {
  Chunker chunker = *Chunker::Make({});
  BaselineIndex index(chunker.Split(baseline));
  return ApplyDelta(ops, baseline, index, [&](const DeltaOp& op) -> Result<std::vector<uint8_t>> {
    auto from = source.begin() + static_cast<std::ptrdiff_t>(op.chunk.offset);
    return std::vector<uint8_t>(from, from + op.chunk.size);
  });
}

TEST(DeltaTest, ANewVersionSendsOnlyTheEditedChunksAndRebuildsIdentical) {
  Versions v = Edited();
  Chunker chunker = *Chunker::Make({});
  BaselineIndex index(chunker.Split(v.before));
  DeltaStats stats;
  std::vector<DeltaOp> ops = PlanDelta(chunker.Split(v.after), index.Ids(), &stats);
  EXPECT_EQ(stats.bytes, v.after.size());
  const uint64_t sent = stats.bytes - stats.referenced_bytes;
  // Three edits touch a few chunks each: well under a tenth of the file travels.
  EXPECT_LT(sent, v.after.size() / 10) << stats.referenced << " of " << stats.chunks;
  Result<std::vector<uint8_t>> rebuilt = Rebuild(ops, v.before, v.after);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(*rebuilt, v.after);
}

TEST(DeltaTest, WithoutABaselineEverythingIsALiteral) {
  std::vector<uint8_t> data = RandomBytes(1 << 20, 5);
  DeltaStats stats;
  std::vector<DeltaOp> ops = PlanDelta(Chunker::Make({})->Split(data), {}, &stats);
  EXPECT_EQ(stats.referenced, 0u);
  Result<std::vector<uint8_t>> rebuilt = Rebuild(ops, {}, data);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(*rebuilt, data);
}

TEST(DeltaTest, WrongBytesAreRefused) {
  Versions v = Edited();
  Chunker chunker = *Chunker::Make({});
  BaselineIndex index(chunker.Split(v.before));
  std::vector<DeltaOp> ops = PlanDelta(chunker.Split(v.after), index.Ids());
  // A literal altered in flight.
  std::vector<uint8_t> tampered = v.after;
  tampered[1'000'100] ^= 1;
  Result<std::vector<uint8_t>> bad = Rebuild(ops, v.before, tampered);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("do not match its id"), std::string::npos);
  // A baseline that changed under the index: the referenced bytes no longer hash to the id.
  std::vector<uint8_t> changed_base = v.before;
  changed_base[10] ^= 1;
  Result<std::vector<uint8_t>> stale =
      ApplyDelta(ops, changed_base, index, [&](const DeltaOp& op) -> Result<std::vector<uint8_t>> {
        auto from = v.after.begin() + static_cast<std::ptrdiff_t>(op.chunk.offset);
        return std::vector<uint8_t>(from, from + op.chunk.size);
      });
  EXPECT_FALSE(stale.ok());
  // A reference the receiver does not hold.
  std::vector<DeltaOp> unknown = {{true, ChunkRef{0, 10, ChunkId{1, 2}, false}}};
  EXPECT_FALSE(ApplyDelta(unknown, v.before, index, nullptr).ok());
}

}  // namespace
}  // namespace novacron::dwcp
