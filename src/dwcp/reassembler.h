// In-order reassembly for DWCP's transport (AMST, docs/dwcp.md, "Wire format"): a transfer's
// chunks are spread over several streams and arrive out of order; the receiver writes them in
// sequence. Out-of-order chunks wait here up to a byte bound - past it a stream is told to wait
// (backpressure) - except the one the file needs next, which is always taken. Chunks below the
// next sequence number, or held already, are duplicates a resumed sender may send again: ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "common/status.h"

namespace novacron::dwcp {

class Reassembler {
 public:
  // `next_seq`: the first chunk expected (0, or where a resumed transfer continues).
  Reassembler(uint64_t next_seq, size_t max_pending_bytes)
      : next_seq_(next_seq), max_pending_bytes_(max_pending_bytes) {}

  // kResourceExhausted when holding the chunk would pass the bound: the caller stops reading
  // that stream until TakeReady() made room, and offers the chunk again.
  Status Add(uint64_t seq, std::vector<uint8_t> data);
  // The chunks that are next in sequence, in order, removed from here.
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> TakeReady();

  // Everything below it was handed out by TakeReady() (what the receiver acknowledges once
  // written).
  uint64_t next_seq() const { return next_seq_; }
  size_t pending_bytes() const { return pending_bytes_; }
  size_t pending_chunks() const { return pending_.size(); }

 private:
  uint64_t next_seq_;
  const size_t max_pending_bytes_;
  size_t pending_bytes_ = 0;
  std::map<uint64_t, std::vector<uint8_t>> pending_;
};

}  // namespace novacron::dwcp
