#include "dwcp/wire.h"

#include <cstring>

#include "dwcp/chunk_codec.h"

namespace novacron::dwcp {
namespace {

enum Type : uint8_t { kHello = 1, kChunk = 2, kAck = 3, kDone = 4 };
constexpr char kMagic[4] = {'D', 'W', 'C', 'P'};
// Body bounds per type: hello = magic, version, id, index, count, name length, name, size,
// resume; chunk = seq, offset, one frame of at most the largest chunk.
constexpr size_t kHelloFixed = 4 + 2 + 16 + 2 + 2 + 2 + 8 + 8;
constexpr size_t kChunkFixed = 8 + 8;

class Writer {
 public:
  explicit Writer(uint8_t type) { out_ = {type, 0, 0, 0, 0}; }
  void U16(uint16_t v) { Int(v, 2); }
  void U64(uint64_t v) { Int(v, 8); }
  void Bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  std::vector<uint8_t> Finish() {
    const auto body = static_cast<uint32_t>(out_.size() - kMessageHeader);
    for (int i = 0; i < 4; ++i) out_[1 + i] = static_cast<uint8_t>(body >> (8 * i));
    return std::move(out_);
  }

 private:
  void Int(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool U16(uint16_t& v) { return Int(v, 2); }
  bool U64(uint64_t& v) { return Int(v, 8); }
  bool Bytes(size_t n, std::span<const uint8_t>& out) {
    if (in_.size() - at_ < n) return false;
    out = in_.subspan(at_, n);
    at_ += n;
    return true;
  }
  bool AtEnd() const { return at_ == in_.size(); }

 private:
  template <typename T>
  bool Int(T& v, int bytes) {
    if (in_.size() - at_ < static_cast<size_t>(bytes)) return false;
    uint64_t x = 0;
    for (int i = 0; i < bytes; ++i) x |= static_cast<uint64_t>(in_[at_ + i]) << (8 * i);
    at_ += static_cast<size_t>(bytes);
    v = static_cast<T>(x);
    return true;
  }
  std::span<const uint8_t> in_;
  size_t at_ = 0;
};

Status Malformed(const std::string& what) { return InvalidArgument("dwcp message: " + what); }

// The largest body a message of `type` may have; 0 for an unknown type.
size_t MaxBody(uint8_t type) {
  switch (type) {
    case kHello:
      return kHelloFixed + kMaxFileNameBytes;
    case kChunk:
      return kChunkFixed + kChunkFrameHeader + kMaxChunkSize;
    case kAck:
      return 8;
    case kDone:
      return 32;
    default:
      return 0;
  }
}

std::string CheckFileName(std::string_view name) {
  if (name.empty()) return "empty file name";
  if (name.size() > kMaxFileNameBytes) return "file name over 255 bytes";
  if (name == "." || name == "..") return "file name '" + std::string(name) + "'";
  if (name.find('/') != std::string_view::npos) return "file name with '/'";
  if (name.find('\0') != std::string_view::npos) return "file name with a NUL byte";
  return "";
}

}  // namespace

std::vector<uint8_t> EncodeMessage(const Message& message) {
  if (const auto* hello = std::get_if<HelloMessage>(&message)) {
    Writer w(kHello);
    w.Bytes(std::span(reinterpret_cast<const uint8_t*>(kMagic), 4));
    w.U16(hello->version);
    w.Bytes(hello->session_id);
    w.U16(hello->stream_index);
    w.U16(hello->stream_count);
    w.U16(static_cast<uint16_t>(hello->file_name.size()));
    w.Bytes(std::span(reinterpret_cast<const uint8_t*>(hello->file_name.data()),
                      hello->file_name.size()));
    w.U64(hello->file_size);
    w.U64(hello->resume_from);
    return w.Finish();
  }
  if (const auto* chunk = std::get_if<ChunkMessage>(&message)) {
    Writer w(kChunk);
    w.U64(chunk->seq);
    w.U64(chunk->offset);
    w.Bytes(chunk->frame);
    return w.Finish();
  }
  if (const auto* ack = std::get_if<AckMessage>(&message)) {
    Writer w(kAck);
    w.U64(ack->below);
    return w.Finish();
  }
  Writer w(kDone);
  w.Bytes(std::get<DoneMessage>(message).sha256);
  return w.Finish();
}

Result<std::optional<size_t>> NextMessageLength(std::span<const uint8_t> bytes) {
  if (bytes.size() < kMessageHeader) return std::optional<size_t>();
  const uint8_t type = bytes[0];
  uint32_t body = 0;
  for (int i = 0; i < 4; ++i) body |= static_cast<uint32_t>(bytes[1 + i]) << (8 * i);
  const size_t max = MaxBody(type);
  if (max == 0) return Malformed("unknown type " + std::to_string(type));
  if (body > max) {
    return Malformed("type " + std::to_string(type) + " declares " + std::to_string(body) +
                     " bytes, at most " + std::to_string(max));
  }
  return std::optional<size_t>(kMessageHeader + body);
}

Result<Message> DecodeMessage(std::span<const uint8_t> bytes) {
  NOVACRON_ASSIGN_OR_RETURN(std::optional<size_t> length, NextMessageLength(bytes));
  if (!length || *length != bytes.size()) {
    return Malformed("length " + std::to_string(bytes.size()) + " is not one whole message");
  }
  Reader r(bytes.subspan(kMessageHeader));
  switch (bytes[0]) {
    case kHello: {
      HelloMessage hello;
      std::span<const uint8_t> magic, id, name;
      uint16_t name_length = 0;
      if (!r.Bytes(4, magic) || std::memcmp(magic.data(), kMagic, 4) != 0) {
        return Malformed("hello without the DWCP magic");
      }
      if (!r.U16(hello.version) || !r.Bytes(16, id) || !r.U16(hello.stream_index) ||
          !r.U16(hello.stream_count) || !r.U16(name_length) || !r.Bytes(name_length, name) ||
          !r.U64(hello.file_size) || !r.U64(hello.resume_from) || !r.AtEnd()) {
        return Malformed("hello of the wrong length");
      }
      if (hello.version == 0) return Malformed("hello with protocol version 0");
      if (hello.stream_count == 0 || hello.stream_index >= hello.stream_count) {
        return Malformed("hello for stream " + std::to_string(hello.stream_index) + " of " +
                         std::to_string(hello.stream_count));
      }
      std::copy(id.begin(), id.end(), hello.session_id.begin());
      hello.file_name.assign(name.begin(), name.end());
      if (std::string bad = CheckFileName(hello.file_name); !bad.empty()) return Malformed(bad);
      return Message(std::move(hello));
    }
    case kChunk: {
      ChunkMessage chunk;
      std::span<const uint8_t> frame;
      if (!r.U64(chunk.seq) || !r.U64(chunk.offset) ||
          !r.Bytes(bytes.size() - kMessageHeader - kChunkFixed, frame)) {
        return Malformed("chunk shorter than its header");
      }
      if (frame.size() < kChunkFrameHeader) return Malformed("chunk without a frame");
      chunk.frame.assign(frame.begin(), frame.end());
      return Message(std::move(chunk));
    }
    case kAck: {
      AckMessage ack;
      if (!r.U64(ack.below) || !r.AtEnd()) return Malformed("ack of the wrong length");
      return Message(ack);
    }
    case kDone: {
      DoneMessage done;
      std::span<const uint8_t> sha;
      if (!r.Bytes(32, sha) || !r.AtEnd()) return Malformed("done of the wrong length");
      std::copy(sha.begin(), sha.end(), done.sha256.begin());
      return Message(done);
    }
  }
  return Malformed("unknown type " + std::to_string(bytes[0]));
}

}  // namespace novacron::dwcp
