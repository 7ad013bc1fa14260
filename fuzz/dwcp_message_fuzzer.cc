// libFuzzer target: arbitrary bytes as DWCP transport messages from the network (dwcp/wire.h), read
// as a stream the way a receiver does: header first, then exactly the length it announces.
// Properties beyond "no crash, leak or over-allocation": a length the header announces is within
// its type's bound; a message that decodes encodes back to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "dwcp/wire.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> stream(data, size);
  while (!stream.empty()) {
    auto length = novacron::dwcp::NextMessageLength(stream);
    if (!length.ok() || !length->has_value() || **length > stream.size()) return 0;
    std::span<const uint8_t> one = stream.first(**length);
    auto message = novacron::dwcp::DecodeMessage(one);
    if (message.ok()) {
      std::vector<uint8_t> again = novacron::dwcp::EncodeMessage(*message);
      Check(again.size() == one.size() && std::equal(again.begin(), again.end(), one.begin()));
    }
    stream = stream.subspan(**length);
  }
  return 0;
}
