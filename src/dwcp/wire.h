// DWCP's transport messages (AMST, docs/dwcp.md, "Wire format"): what travels on each of a
// transfer session's TCP streams. Every message is a type byte and a u32 length, then its body;
// integers are little-endian. Decoding takes bytes from the network: it checks the length
// against a per-type bound before it reads or allocates, and refuses trailing bytes.
//
//   hello   the first message on every stream: magic "DWCP", protocol version, session id,
//           this stream's index and the stream count, the file's name and size, and the chunk
//           sequence number the sender resumes from (0 for a new transfer)
//   chunk   sequence number, offset in the file, and one chunk frame (dwcp/chunk_codec.h)
//   ack     the receiver has every chunk below this sequence number durably
//   done    the sender's SHA-256 of the whole file, after the last chunk
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

namespace novacron::dwcp {

inline constexpr uint16_t kProtocolVersion = 1;
inline constexpr size_t kMaxFileNameBytes = 255;
inline constexpr size_t kMessageHeader = 5;  // type (1) + body length (u32)

struct HelloMessage {
  uint16_t version = kProtocolVersion;
  std::array<uint8_t, 16> session_id{};
  uint16_t stream_index = 0;
  uint16_t stream_count = 1;
  std::string file_name;
  uint64_t file_size = 0;
  uint64_t resume_from = 0;
  bool operator==(const HelloMessage&) const = default;
};

struct ChunkMessage {
  uint64_t seq = 0;
  uint64_t offset = 0;
  std::vector<uint8_t> frame;
  bool operator==(const ChunkMessage&) const = default;
};

struct AckMessage {
  uint64_t below = 0;
  bool operator==(const AckMessage&) const = default;
};

struct DoneMessage {
  std::array<uint8_t, 32> sha256{};
  bool operator==(const DoneMessage&) const = default;
};

using Message = std::variant<HelloMessage, ChunkMessage, AckMessage, DoneMessage>;

std::vector<uint8_t> EncodeMessage(const Message& message);

// The length of the next message in `bytes` (header included) once its header is there, so a
// reader knows how much to wait for; nullopt while fewer than kMessageHeader bytes are there.
// kInvalidArgument for an unknown type or a length over its type's bound - before any of the
// body is read.
Result<std::optional<size_t>> NextMessageLength(std::span<const uint8_t> bytes);

// Decodes exactly one whole message. kInvalidArgument naming what is wrong otherwise: a field
// out of range (version 0, stream index >= count, a file name that is empty, too long, or has
// '/', a NUL or is "." / ".."), a length that does not match the body.
Result<Message> DecodeMessage(std::span<const uint8_t> bytes);

}  // namespace novacron::dwcp
