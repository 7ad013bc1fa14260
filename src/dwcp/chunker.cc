#include "dwcp/chunker.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstdio>

namespace novacron::dwcp {
namespace {

// The gear table: 256 fixed pseudo-random 64-bit values (splitmix64 from a fixed seed), so
// that every node cuts the same bytes at the same places.
constexpr std::array<uint64_t, 256> MakeGear() {
  std::array<uint64_t, 256> gear{};
  uint64_t state = 0x6E6F7661'63726F6EULL;  // "novacron"
  for (uint64_t& g : gear) {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    g = z ^ (z >> 31);
  }
  return gear;
}
constexpr std::array<uint64_t, 256> kGear = MakeGear();

// A mask of `bits` one-bits spread over the high half of the word (FastCDC's spread masks
// avoid the low bits, which the gear hash mixes least).
uint64_t SpreadMask(int bits) {
  uint64_t mask = 0;
  for (int i = 0; i < bits; ++i) mask |= uint64_t{1} << (63 - 2 * i);
  return mask;
}

bool AllZero(std::span<const uint8_t> data) {
  return std::all_of(data.begin(), data.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

std::string ChunkId::Hex() const {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

ChunkId ChunkIdOf(std::span<const uint8_t> content) {
  XXH128_hash_t h = XXH3_128bits(content.data(), content.size());
  return {h.high64, h.low64};
}

Result<Chunker> Chunker::Make(ChunkerOptions o) {
  if (o.min_size < 64 || o.min_size >= o.avg_size || o.avg_size >= o.max_size ||
      !std::has_single_bit(o.avg_size) || o.max_size > 16 * 1024 * 1024) {
    return InvalidArgument(
        "chunker sizes: need 64 <= min < avg < max <= 16 MiB, avg a power of "
        "two (got min " +
        std::to_string(o.min_size) + ", avg " + std::to_string(o.avg_size) + ", max " +
        std::to_string(o.max_size) + ")");
  }
  return Chunker(o);
}

Chunker::Chunker(ChunkerOptions options) : options_(options) {
  // Normalized chunking (level 2): one bit harder below the average, one easier above, which
  // pulls chunk sizes towards the average.
  const int bits = std::countr_zero(options_.avg_size);
  mask_small_ = SpreadMask(bits + 2);
  mask_large_ = SpreadMask(bits - 2);
}

size_t Chunker::NextCut(std::span<const uint8_t> data) const {
  const size_t n = data.size();
  if (n <= options_.min_size) return n;
  const size_t max = std::min<size_t>(n, options_.max_size);
  const size_t normal = std::min<size_t>(max, options_.avg_size);
  uint64_t hash = 0;
  size_t i = options_.min_size;  // cut points below min_size are skipped, not hashed
  for (; i < normal; ++i) {
    hash = (hash << 1) + kGear[data[i]];
    if ((hash & mask_small_) == 0) return i + 1;
  }
  for (; i < max; ++i) {
    hash = (hash << 1) + kGear[data[i]];
    if ((hash & mask_large_) == 0) return i + 1;
  }
  return max;
}

std::vector<ChunkRef> Chunker::Split(std::span<const uint8_t> data) const {
  std::vector<ChunkRef> chunks;
  chunks.reserve(data.size() / options_.avg_size + 1);
  uint64_t offset = 0;
  while (offset < data.size()) {
    std::span<const uint8_t> rest = data.subspan(offset);
    const size_t size = NextCut(rest);
    std::span<const uint8_t> chunk = rest.first(size);
    chunks.push_back({offset, static_cast<uint32_t>(size), ChunkIdOf(chunk), AllZero(chunk)});
    offset += size;
  }
  return chunks;
}

}  // namespace novacron::dwcp
