// DWCP's transport messages (dwcp/wire.h) and in-order reassembly (dwcp/reassembler.h).
#include "dwcp/wire.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dwcp/chunk_codec.h"
#include "dwcp/reassembler.h"

namespace novacron::dwcp {
namespace {

HelloMessage Hello() {
  HelloMessage hello;
  hello.session_id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  hello.stream_index = 3;
  hello.stream_count = 4;
  hello.file_name = "disk0.qcow2";
  hello.file_size = 10'737'418'240;
  hello.resume_from = 42;
  return hello;
}

TEST(WireTest, EveryMessageRoundTrips) {
  ChunkMessage chunk{7, 65536,
                     EncodeChunk(std::vector<uint8_t>(100, 'x'), ChunkCodec::kLz4)->frame};
  DoneMessage done;
  done.sha256.fill(0xAB);
  for (const Message& message :
       {Message(Hello()), Message(chunk), Message(AckMessage{99}), Message(done)}) {
    std::vector<uint8_t> bytes = EncodeMessage(message);
    Result<std::optional<size_t>> length = NextMessageLength(bytes);
    ASSERT_TRUE(length.ok() && length->has_value());
    EXPECT_EQ(**length, bytes.size());
    Result<Message> decoded = DecodeMessage(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, message);
  }
}

TEST(WireTest, ALengthIsKnownFromTheHeaderAndBoundedBeforeTheBody) {
  std::vector<uint8_t> bytes = EncodeMessage(AckMessage{1});
  EXPECT_FALSE(NextMessageLength(std::span(bytes).first(4))->has_value());
  std::vector<uint8_t> huge = {2, 0xFF, 0xFF, 0xFF, 0x7F};  // a chunk of ~2 GiB
  EXPECT_EQ(NextMessageLength(huge).status().code(), ErrorCode::kInvalidArgument);
  std::vector<uint8_t> unknown = {9, 0, 0, 0, 0};
  EXPECT_EQ(NextMessageLength(unknown).status().code(), ErrorCode::kInvalidArgument);
}

TEST(WireTest, BadHellosAreRefused) {
  auto refused = [](HelloMessage hello) {
    return DecodeMessage(EncodeMessage(hello)).status().code() == ErrorCode::kInvalidArgument;
  };
  for (const char* name : {"", ".", "..", "a/b", "../etc/passwd"}) {
    HelloMessage hello = Hello();
    hello.file_name = name;
    EXPECT_TRUE(refused(hello)) << name;
  }
  HelloMessage nul = Hello();
  nul.file_name = std::string("a\0b", 3);
  EXPECT_TRUE(refused(nul));
  HelloMessage stream = Hello();
  stream.stream_index = 4;
  EXPECT_TRUE(refused(stream));
  HelloMessage version = Hello();
  version.version = 0;
  EXPECT_TRUE(refused(version));
  std::vector<uint8_t> bytes = EncodeMessage(Hello());
  bytes[5] = 'X';  // the magic
  EXPECT_FALSE(DecodeMessage(bytes).ok());
  bytes = EncodeMessage(Hello());
  bytes.push_back(0);  // trailing byte: the declared length no longer matches
  EXPECT_FALSE(DecodeMessage(bytes).ok());
}

TEST(ReassemblerTest, OutOfOrderChunksComeOutInOrderAndDuplicatesAreIgnored) {
  Reassembler r(0, 1 << 20);
  std::vector<uint64_t> order(100);
  for (uint64_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(1));
  std::vector<uint64_t> out;
  for (uint64_t seq : order) {
    ASSERT_TRUE(r.Add(seq, std::vector<uint8_t>(10, static_cast<uint8_t>(seq))).ok());
    ASSERT_TRUE(r.Add(seq, {}).ok());  // sent again: ignored
    for (auto& [s, data] : r.TakeReady()) {
      EXPECT_EQ(data[0], static_cast<uint8_t>(s));
      out.push_back(s);
    }
  }
  EXPECT_EQ(out, [] {
    std::vector<uint64_t> v(100);
    for (uint64_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
  }());
  EXPECT_EQ(r.next_seq(), 100u);
  EXPECT_EQ(r.pending_bytes(), 0u);
}

TEST(ReassemblerTest, TheBoundHoldsBackLaterChunksButNeverTheNextOne) {
  Reassembler r(5, 100);                                 // resumed at chunk 5
  EXPECT_TRUE(r.Add(3, std::vector<uint8_t>(50)).ok());  // below the resume point: ignored
  EXPECT_EQ(r.pending_chunks(), 0u);
  EXPECT_TRUE(r.Add(7, std::vector<uint8_t>(60)).ok());
  EXPECT_EQ(r.Add(8, std::vector<uint8_t>(60)).code(), ErrorCode::kResourceExhausted);
  EXPECT_TRUE(r.Add(5, std::vector<uint8_t>(500)).ok());  // the next one: always taken
  EXPECT_EQ(r.TakeReady().size(), 1u);
  EXPECT_TRUE(r.Add(6, std::vector<uint8_t>(10)).ok());
  EXPECT_EQ(r.TakeReady().size(), 2u);                   // 6 and 7
  EXPECT_TRUE(r.Add(8, std::vector<uint8_t>(60)).ok());  // room again
  EXPECT_EQ(r.next_seq(), 8u);
}

}  // namespace
}  // namespace novacron::dwcp
