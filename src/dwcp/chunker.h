// Content-defined chunking for DWCP's encoding part, HDE (docs/dwcp.md, "Chunks"): FastCDC with a
// gear rolling hash and normalized chunking. Boundaries depend only on the bytes near them, so an
// insertion or deletion early in a file moves only the chunks around it, and the rest of the
// file keeps its chunk ids (XXH3-128 of the content): the basis for delta transfer against a
// baseline the receiver already holds.
//
//   Chunker chunker({});                       // 16 KiB min, 64 KiB average, 256 KiB max
//   for (const ChunkRef& c : chunker.Split(data)) Send(c.id, data.subspan(c.offset, c.size));
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace novacron::dwcp {

// 128-bit XXH3 of a chunk's content.
struct ChunkId {
  uint64_t high = 0;
  uint64_t low = 0;
  bool operator==(const ChunkId&) const = default;
  auto operator<=>(const ChunkId&) const = default;
  std::string Hex() const;  // 32 lowercase hex digits
};
ChunkId ChunkIdOf(std::span<const uint8_t> content);

struct ChunkRef {
  uint64_t offset = 0;
  uint32_t size = 0;
  ChunkId id{};
  bool zero = false;  // every byte is 0 (sparse regions cost almost nothing to send)
};

struct ChunkerOptions {
  uint32_t min_size = 16 * 1024;
  uint32_t avg_size = 64 * 1024;  // a power of two
  uint32_t max_size = 256 * 1024;
};

class Chunker {
 public:
  // kInvalidArgument unless 64 <= min < avg < max, avg a power of two, max <= 16 MiB.
  static Result<Chunker> Make(ChunkerOptions options);

  // The length of the chunk that starts at data[0]: a content-defined cut between min_size and
  // max_size, or all of `data` when it is shorter than that (the last chunk of a file).
  size_t NextCut(std::span<const uint8_t> data) const;
  // Every chunk of `data`, with ids.
  std::vector<ChunkRef> Split(std::span<const uint8_t> data) const;

  const ChunkerOptions& options() const { return options_; }

 private:
  explicit Chunker(ChunkerOptions options);

  ChunkerOptions options_;
  uint64_t mask_small_ = 0;  // harder to match: used below the average size
  uint64_t mask_large_ = 0;  // easier to match: used above it (normalized chunking)
};

}  // namespace novacron::dwcp
