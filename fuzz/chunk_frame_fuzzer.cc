// libFuzzer target: arbitrary bytes as a DWCP chunk frame from the network (dwcp/chunk_codec.h).
// Properties beyond "no crash, leak or over-allocation": a frame that decodes yields exactly the
// size it declared, never more than the limit; and re-encoding what it decoded decodes to the
// same bytes with every codec.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "dwcp/chunk_codec.h"

namespace {

using novacron::dwcp::ChunkCodec;

void Check(bool ok) {
  if (!ok) std::abort();
}

uint32_t DeclaredSize(std::span<const uint8_t> frame) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(frame[1 + i]) << (8 * i);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> frame(data, size);
  // A small limit keeps the fuzzer fast; the checks are the same for any limit.
  constexpr uint32_t kLimit = 1 << 20;
  auto decoded = novacron::dwcp::DecodeChunk(frame, kLimit);
  if (!decoded.ok()) return 0;
  Check(size >= novacron::dwcp::kChunkFrameHeader);
  Check(decoded->size() == DeclaredSize(frame));
  Check(decoded->size() <= kLimit);
  for (ChunkCodec codec : {ChunkCodec::kRaw, ChunkCodec::kLz4, ChunkCodec::kZstd}) {
    auto encoded = novacron::dwcp::EncodeChunk(*decoded, codec, 1);
    Check(encoded.ok());
    auto again = novacron::dwcp::DecodeChunk(encoded->frame, kLimit);
    Check(again.ok() && *again == *decoded);
  }
  return 0;
}
