#include "dwcp/chunk_codec.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <limits>

namespace novacron::dwcp {
namespace {

void PutU32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t GetU32(std::span<const uint8_t> in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(in[at + i]) << (8 * i);
  return v;
}

std::vector<uint8_t> Frame(ChunkCodec codec, uint32_t raw_size, std::span<const uint8_t> payload) {
  std::vector<uint8_t> frame(kChunkFrameHeader + payload.size());
  frame[0] = static_cast<uint8_t>(codec);
  PutU32(frame, 1, raw_size);
  PutU32(frame, 5, static_cast<uint32_t>(payload.size()));
  std::copy(payload.begin(), payload.end(), frame.begin() + kChunkFrameHeader);
  return frame;
}

// The compressed bytes, or an empty vector when compressing did not make it smaller.
Result<std::vector<uint8_t>> Compress(std::span<const uint8_t> raw, ChunkCodec codec, int level) {
  std::vector<uint8_t> out;
  if (codec == ChunkCodec::kLz4) {
    out.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
    const int n = LZ4_compress_default(reinterpret_cast<const char*>(raw.data()),
                                       reinterpret_cast<char*>(out.data()),
                                       static_cast<int>(raw.size()), static_cast<int>(out.size()));
    if (n <= 0) return Internal("lz4 compression failed");
    out.resize(static_cast<size_t>(n));
  } else {
    out.resize(ZSTD_compressBound(raw.size()));
    const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
    if (ZSTD_isError(n)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
  }
  if (out.size() >= raw.size()) out.clear();
  return out;
}

}  // namespace

std::string_view ChunkCodecName(ChunkCodec codec) {
  switch (codec) {
    case ChunkCodec::kRaw:
      return "raw";
    case ChunkCodec::kLz4:
      return "lz4";
    case ChunkCodec::kZstd:
      return "zstd";
    case ChunkCodec::kZero:
      return "zero";
  }
  return "unknown";
}

Result<EncodedChunk> EncodeChunk(std::span<const uint8_t> raw, ChunkCodec codec, int zstd_level) {
  if (raw.size() > kMaxChunkSize) {
    return InvalidArgument("chunk of " + std::to_string(raw.size()) + " bytes: at most " +
                           std::to_string(kMaxChunkSize));
  }
  if (zstd_level < 1 || zstd_level > 19) {
    return InvalidArgument("zstd level " + std::to_string(zstd_level) + ": must be 1..19");
  }
  const auto size = static_cast<uint32_t>(raw.size());
  if (!raw.empty() && std::all_of(raw.begin(), raw.end(), [](uint8_t b) { return b == 0; })) {
    return EncodedChunk{ChunkCodec::kZero, Frame(ChunkCodec::kZero, size, {})};
  }
  if (codec == ChunkCodec::kLz4 || codec == ChunkCodec::kZstd) {
    NOVACRON_ASSIGN_OR_RETURN(std::vector<uint8_t> packed, Compress(raw, codec, zstd_level));
    if (!packed.empty()) return EncodedChunk{codec, Frame(codec, size, packed)};
  }
  return EncodedChunk{ChunkCodec::kRaw, Frame(ChunkCodec::kRaw, size, raw)};
}

Result<std::vector<uint8_t>> DecodeChunk(std::span<const uint8_t> frame, uint32_t max_raw) {
  if (frame.size() < kChunkFrameHeader) {
    return InvalidArgument("chunk frame of " + std::to_string(frame.size()) +
                           " bytes: shorter than its header");
  }
  const uint8_t codec = frame[0];
  const uint32_t raw_size = GetU32(frame, 1);
  const uint32_t payload_size = GetU32(frame, 5);
  if (raw_size > std::min(max_raw, kMaxChunkSize)) {
    return InvalidArgument("chunk frame declares " + std::to_string(raw_size) +
                           " bytes: more than the " +
                           std::to_string(std::min(max_raw, kMaxChunkSize)) + " allowed");
  }
  std::span<const uint8_t> payload = frame.subspan(kChunkFrameHeader);
  if (payload.size() != payload_size) {
    return InvalidArgument("chunk frame declares a payload of " + std::to_string(payload_size) +
                           " bytes but carries " + std::to_string(payload.size()));
  }
  std::vector<uint8_t> raw;
  switch (static_cast<ChunkCodec>(codec)) {
    case ChunkCodec::kZero:
      if (payload_size != 0) return InvalidArgument("zero chunk frame with a payload");
      return std::vector<uint8_t>(raw_size, 0);
    case ChunkCodec::kRaw:
      if (payload_size != raw_size) {
        return InvalidArgument("raw chunk frame: payload " + std::to_string(payload_size) +
                               " bytes, declared " + std::to_string(raw_size));
      }
      return std::vector<uint8_t>(payload.begin(), payload.end());
    case ChunkCodec::kLz4: {
      raw.resize(raw_size);
      const int n = LZ4_decompress_safe(
          reinterpret_cast<const char*>(payload.data()), reinterpret_cast<char*>(raw.data()),
          static_cast<int>(payload.size()), static_cast<int>(raw_size));
      if (n < 0 || static_cast<uint32_t>(n) != raw_size) {
        return InvalidArgument("lz4 chunk frame does not decompress to its declared " +
                               std::to_string(raw_size) + " bytes");
      }
      return raw;
    }
    case ChunkCodec::kZstd: {
      raw.resize(raw_size);
      const size_t n = ZSTD_decompress(raw.data(), raw.size(), payload.data(), payload.size());
      if (ZSTD_isError(n) || n != raw_size) {
        return InvalidArgument("zstd chunk frame does not decompress to its declared " +
                               std::to_string(raw_size) + " bytes");
      }
      return raw;
    }
  }
  return InvalidArgument("chunk frame with unknown codec " + std::to_string(codec));
}

CodecSpeed ChooseCodec(double link_bytes_per_s, const std::vector<CodecSpeed>& measured) {
  CodecSpeed best{ChunkCodec::kRaw, 0, std::numeric_limits<double>::infinity(), 1};
  double best_rate = link_bytes_per_s;  // raw: only the link limits it
  for (const CodecSpeed& c : measured) {
    if (c.codec == ChunkCodec::kRaw || c.codec == ChunkCodec::kZero || c.ratio <= 0) continue;
    const double rate = std::min(c.compress_bytes_per_s, link_bytes_per_s / c.ratio);
    // Strictly better only: `measured` is expected cheapest first, so ties keep the cheaper one.
    if (rate > best_rate) {
      best = c;
      best_rate = rate;
    }
  }
  return best;
}

}  // namespace novacron::dwcp
