#include "dwcp/delta.h"

namespace novacron::dwcp {

BaselineIndex::BaselineIndex(const std::vector<ChunkRef>& chunks) {
  by_id_.reserve(chunks.size());
  for (const ChunkRef& c : chunks) by_id_.emplace(c.id, c);  // keeps the first occurrence
}

const ChunkRef* BaselineIndex::Find(const ChunkId& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

ChunkIdSet BaselineIndex::Ids() const {
  ChunkIdSet ids;
  ids.reserve(by_id_.size());
  for (const auto& [id, chunk] : by_id_) ids.insert(id);
  return ids;
}

std::vector<DeltaOp> PlanDelta(const std::vector<ChunkRef>& source, const ChunkIdSet& offered,
                               DeltaStats* stats) {
  std::vector<DeltaOp> ops;
  ops.reserve(source.size());
  DeltaStats counted;
  for (const ChunkRef& chunk : source) {
    const bool reference = !chunk.zero && offered.count(chunk.id) > 0;
    ops.push_back({reference, chunk});
    ++counted.chunks;
    counted.bytes += chunk.size;
    if (reference) {
      ++counted.referenced;
      counted.referenced_bytes += chunk.size;
    }
  }
  if (stats != nullptr) *stats = counted;
  return ops;
}

Result<std::vector<uint8_t>> ApplyDelta(
    const std::vector<DeltaOp>& ops, std::span<const uint8_t> baseline, const BaselineIndex& index,
    const std::function<Result<std::vector<uint8_t>>(const DeltaOp&)>& literal) {
  std::vector<uint8_t> out;
  for (const DeltaOp& op : ops) {
    const std::string what =
        "chunk at " + std::to_string(op.chunk.offset) + " (" + op.chunk.id.Hex() + ")";
    if (out.size() != op.chunk.offset) {
      return InvalidArgument(what + ": out of order, the file so far has " +
                             std::to_string(out.size()) + " bytes");
    }
    std::vector<uint8_t> bytes;
    if (op.reference) {
      const ChunkRef* base = index.Find(op.chunk.id);
      if (base == nullptr) return InvalidArgument(what + ": not in the baseline");
      if (base->offset + base->size > baseline.size() || base->size != op.chunk.size) {
        return InvalidArgument(what + ": the baseline's chunk does not fit");
      }
      std::span<const uint8_t> from = baseline.subspan(base->offset, base->size);
      bytes.assign(from.begin(), from.end());
    } else {
      NOVACRON_ASSIGN_OR_RETURN(bytes, literal(op));
    }
    if (bytes.size() != op.chunk.size || ChunkIdOf(bytes) != op.chunk.id) {
      return InvalidArgument(what + ": its bytes do not match its id");
    }
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

}  // namespace novacron::dwcp
