// Delta transfer for DWCP's encoding part, HDE (docs/dwcp.md, "Delta"): the receiver offers the
// chunk ids of a baseline it holds (the previous version of a disk, or its base image); the
// sender cuts its file with the same chunker and sends, for each chunk, either a reference to a
// baseline chunk with the same id or the chunk itself. The receiver rebuilds the file from both
// and checks every chunk's id, so a reference to the wrong bytes cannot go unnoticed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "dwcp/chunker.h"

namespace novacron::dwcp {

struct ChunkIdHash {
  size_t operator()(const ChunkId& id) const { return static_cast<size_t>(id.low ^ id.high); }
};
using ChunkIdSet = std::unordered_set<ChunkId, ChunkIdHash>;

// Where each distinct chunk of a baseline is (the first place it occurs).
class BaselineIndex {
 public:
  BaselineIndex() = default;
  explicit BaselineIndex(const std::vector<ChunkRef>& chunks);

  const ChunkRef* Find(const ChunkId& id) const;
  // The ids to offer the sender.
  ChunkIdSet Ids() const;
  size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<ChunkId, ChunkRef, ChunkIdHash> by_id_;
};

// One step of a delta: a chunk of the new file is either in the baseline (send its id) or not
// (send its bytes).
struct DeltaOp {
  bool reference = false;
  ChunkRef chunk{};  // in the source (new) file
};

struct DeltaStats {
  uint64_t chunks = 0;
  uint64_t referenced = 0;
  uint64_t bytes = 0;             // of the new file
  uint64_t referenced_bytes = 0;  // not sent
};

// For each chunk of the new file (`source`, from Chunker::Split), a reference when `offered`
// holds its id, else a literal. Zero chunks are literals (their frames cost 9 bytes anyway).
std::vector<DeltaOp> PlanDelta(const std::vector<ChunkRef>& source, const ChunkIdSet& offered,
                               DeltaStats* stats = nullptr);

// Rebuilds the new file: `literal(op)` gives the bytes of each literal chunk (as they arrived),
// references are copied from `baseline` through `index`. kInvalidArgument naming the chunk when
// a reference is not in the index, or a chunk's bytes do not hash to its id.
Result<std::vector<uint8_t>> ApplyDelta(
    const std::vector<DeltaOp>& ops, std::span<const uint8_t> baseline, const BaselineIndex& index,
    const std::function<Result<std::vector<uint8_t>>(const DeltaOp&)>& literal);

}  // namespace novacron::dwcp
