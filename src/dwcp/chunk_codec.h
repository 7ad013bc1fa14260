// Per-chunk compression for DWCP's encoding part, HDE (docs/dwcp.md, "Chunks"): a chunk travels
// as a frame that says how it is encoded - raw, lz4, zstd, or zero (an all-zero chunk: no payload
// at all) - and how long it is before and after. Incompressible chunks go raw whatever codec was
// asked for. Decoding takes frames from the network: it checks every length before it allocates
// or decompresses, and never returns a chunk of another size than the frame declared.
//
//   Frame:  codec (1 byte) | raw length (u32 LE) | payload length (u32 LE) | payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace novacron::dwcp {

enum class ChunkCodec : uint8_t { kRaw = 0, kLz4 = 1, kZstd = 2, kZero = 3 };
std::string_view ChunkCodecName(ChunkCodec codec);  // "raw", "lz4", "zstd", "zero"

inline constexpr size_t kChunkFrameHeader = 9;
// The largest chunk a frame may declare (the chunker's max_size is at most this).
inline constexpr uint32_t kMaxChunkSize = 16 * 1024 * 1024;

struct EncodedChunk {
  ChunkCodec codec = ChunkCodec::kRaw;  // what was used (raw when compressing did not pay)
  std::vector<uint8_t> frame;
};

// Encodes `raw` (at most kMaxChunkSize) with `codec` (zstd at `zstd_level`, 1..19).
Result<EncodedChunk> EncodeChunk(std::span<const uint8_t> raw, ChunkCodec codec,
                                 int zstd_level = 3);

// The chunk a frame holds. kInvalidArgument naming what is wrong for a malformed frame: short
// header, unknown codec, a declared size over `max_raw` or kMaxChunkSize, a payload of another
// length than declared, or one that does not decompress to exactly the declared size.
Result<std::vector<uint8_t>> DecodeChunk(std::span<const uint8_t> frame,
                                         uint32_t max_raw = kMaxChunkSize);

// What one codec costs and gives on this data, measured.
struct CodecSpeed {
  ChunkCodec codec = ChunkCodec::kRaw;
  int level = 0;
  double compress_bytes_per_s = 0;  // raw bytes in per second of compressing
  double ratio = 1;                 // compressed / raw (0 < ratio <= 1 when it pays)
};

// The codec with the best effective throughput - raw bytes delivered per second when compressing
// and sending overlap: min(compress speed, link bandwidth / ratio) - over a link of
// `link_bytes_per_s`. Raw is always a candidate (no compression cost, ratio 1). Ties go to the
// cheaper codec (raw, then lz4, then zstd).
CodecSpeed ChooseCodec(double link_bytes_per_s, const std::vector<CodecSpeed>& measured);

}  // namespace novacron::dwcp
