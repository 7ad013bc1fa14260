// Chunk frames (dwcp/chunk_codec.h): every codec round-trips, incompressible chunks go raw, zero
// chunks cost a header, malformed frames are refused before anything is allocated, and the codec
// choice follows the link.
#include "dwcp/chunk_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "dwcp/bytes_for_test.h"

namespace novacron::dwcp {
namespace {

std::vector<uint8_t> Text(size_t n) {
  const std::string line = "novacron moves vm disks between nodes, chunk by chunk. ";
  std::vector<uint8_t> out;
  while (out.size() < n) out.insert(out.end(), line.begin(), line.end());
  out.resize(n);
  return out;
}

TEST(ChunkCodecTest, EveryCodecRoundTrips) {
  for (const std::vector<uint8_t>& data : {Text(65536), RandomBytes(65536, 1), Text(1)}) {
    for (ChunkCodec codec : {ChunkCodec::kRaw, ChunkCodec::kLz4, ChunkCodec::kZstd}) {
      Result<EncodedChunk> encoded = EncodeChunk(data, codec, 3);
      ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
      Result<std::vector<uint8_t>> decoded = DecodeChunk(encoded->frame);
      ASSERT_TRUE(decoded.ok()) << ChunkCodecName(codec) << ": " << decoded.status().ToString();
      EXPECT_EQ(*decoded, data) << ChunkCodecName(codec);
    }
  }
}

TEST(ChunkCodecTest, CompressibleShrinksIncompressibleGoesRawZerosCostAHeader) {
  Result<EncodedChunk> text = EncodeChunk(Text(65536), ChunkCodec::kZstd, 3);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->codec, ChunkCodec::kZstd);
  EXPECT_LT(text->frame.size(), 65536u / 20);
  Result<EncodedChunk> noise = EncodeChunk(RandomBytes(65536, 2), ChunkCodec::kLz4, 3);
  ASSERT_TRUE(noise.ok());
  EXPECT_EQ(noise->codec, ChunkCodec::kRaw);
  EXPECT_EQ(noise->frame.size(), 65536u + kChunkFrameHeader);
  Result<EncodedChunk> zeros = EncodeChunk(std::vector<uint8_t>(1 << 20, 0), ChunkCodec::kRaw, 3);
  ASSERT_TRUE(zeros.ok());
  EXPECT_EQ(zeros->codec, ChunkCodec::kZero);
  EXPECT_EQ(zeros->frame.size(), kChunkFrameHeader);
  EXPECT_EQ(DecodeChunk(zeros->frame)->size(), 1u << 20);
}

TEST(ChunkCodecTest, RefusesBadArguments) {
  EXPECT_EQ(EncodeChunk(Text(10), ChunkCodec::kZstd, 0).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(EncodeChunk(Text(10), ChunkCodec::kZstd, 20).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(ChunkCodecTest, MalformedFramesAreRefused) {
  std::vector<uint8_t> frame = EncodeChunk(Text(4096), ChunkCodec::kLz4, 3)->frame;
  auto refused = [](std::vector<uint8_t> f, uint32_t max = kMaxChunkSize) {
    Result<std::vector<uint8_t>> r = DecodeChunk(f, max);
    return !r.ok() && r.status().code() == ErrorCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused({1, 2, 3}));
  std::vector<uint8_t> unknown = frame;
  unknown[0] = 9;
  EXPECT_TRUE(refused(unknown));
  std::vector<uint8_t> truncated(frame.begin(), frame.end() - 1);
  EXPECT_TRUE(refused(truncated));
  std::vector<uint8_t> bigger = frame;
  bigger[1] = 0xFF;  // declares more bytes than it decompresses to
  EXPECT_TRUE(refused(bigger));
  std::vector<uint8_t> bomb = frame;
  bomb[4] = 0x7F;  // declares ~2 GiB: refused before allocating
  EXPECT_TRUE(refused(bomb));
  EXPECT_TRUE(refused(frame, 1024));  // over the caller's limit
  std::vector<uint8_t> flipped = frame;
  flipped[kChunkFrameHeader + 3] ^= 0x55;
  Result<std::vector<uint8_t>> corrupt = DecodeChunk(flipped);
  // A flipped payload byte either fails to decompress or yields other bytes: the chunk id
  // (dwcp/chunker.h) catches the second case.
  EXPECT_TRUE(!corrupt.ok() || *corrupt != Text(4096));
}

TEST(ChunkCodecTest, TheChoiceFollowsTheLink) {
  const std::vector<CodecSpeed> measured = {
      {ChunkCodec::kLz4, 1, 2.0e9, 0.5},   // fast, halves the bytes
      {ChunkCodec::kZstd, 3, 3.0e8, 0.3},  // slower, better ratio
      {ChunkCodec::kZstd, 19, 5.0e6, 0.2}};
  // 25 Gbit/s: nothing compresses faster than the link carries raw bytes.
  EXPECT_EQ(ChooseCodec(3.1e9, measured).codec, ChunkCodec::kRaw);
  // 10 Gbit/s: lz4 (min(2e9, 1.25e9 / 0.5) = 2e9) beats raw (1.25e9) and zstd (3e8).
  EXPECT_EQ(ChooseCodec(1.25e9, measured).codec, ChunkCodec::kLz4);
  // 1 Gbit/s: zstd -3 (min(3e8, 1.25e8 / 0.3) = 3e8) beats lz4 (2.5e8).
  EXPECT_EQ(ChooseCodec(1.25e8, measured).level, 3);
  // 200 Mbit/s: zstd -3 (min(3e8, 2.5e7 / 0.3) = 8.3e7) beats lz4 (5e7) and zstd -19 (5e6).
  CodecSpeed slow = ChooseCodec(2.5e7, measured);
  EXPECT_EQ(slow.codec, ChunkCodec::kZstd);
  EXPECT_EQ(slow.level, 3);
  // 1 Mbit/s: the best ratio wins when the codec is still faster than the link.
  EXPECT_EQ(ChooseCodec(1.25e5, measured).level, 19);
}

}  // namespace
}  // namespace novacron::dwcp
