#include "dwcp/reassembler.h"

namespace novacron::dwcp {

Status Reassembler::Add(uint64_t seq, std::vector<uint8_t> data) {
  if (seq < next_seq_ || pending_.count(seq) > 0) return {};  // a duplicate
  // The chunk the file needs next is always taken, or a full buffer could never drain.
  if (seq != next_seq_ && pending_bytes_ + data.size() > max_pending_bytes_) {
    return ResourceExhausted(
        "chunk " + std::to_string(seq) + " would pass the " + std::to_string(max_pending_bytes_) +
        " bytes held out of order; waiting for chunk " + std::to_string(next_seq_));
  }
  pending_bytes_ += data.size();
  pending_.emplace(seq, std::move(data));
  return {};
}

std::vector<std::pair<uint64_t, std::vector<uint8_t>>> Reassembler::TakeReady() {
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> ready;
  for (auto it = pending_.begin(); it != pending_.end() && it->first == next_seq_;
       it = pending_.erase(it)) {
    pending_bytes_ -= it->second.size();
    ready.emplace_back(it->first, std::move(it->second));
    ++next_seq_;
  }
  return ready;
}

}  // namespace novacron::dwcp
