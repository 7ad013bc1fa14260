// base64url of secret values and the lenient decoder of key text.
#include "security/secret_base64.h"

#include <gtest/gtest.h>

namespace novacron::security {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(SecretBase64Test, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(Bytes("")), "");
  EXPECT_EQ(Base64UrlEncode(Bytes("f")), "Zg");
  EXPECT_EQ(Base64UrlEncode(Bytes("fo")), "Zm8");
  EXPECT_EQ(Base64UrlEncode(Bytes("foo")), "Zm9v");
  EXPECT_EQ(Base64UrlEncode(Bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode(std::vector<uint8_t>{0xfb, 0xff}), "-_8");
}

TEST(SecretBase64Test, RoundTripsEveryLength) {
  std::vector<uint8_t> data;
  for (int n = 0; n < 70; ++n) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(data));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, data);
    data.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
}

TEST(SecretBase64Test, StrictDecoderRefusesOtherAlphabetsPaddingAndNonCanonicalText) {
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());  // "Zg" with a non-zero unused bit
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
}

TEST(SecretBase64Test, LenientDecoderReadsStandardBase64WithPadding) {
  auto decoded = Base64DecodeAny("+/8=");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (std::vector<uint8_t>{0xfb, 0xff}));
  EXPECT_EQ(*Base64DecodeAny("Zm9vYg=="), Bytes("foob"));
  EXPECT_FALSE(Base64DecodeAny("Zm9v*").has_value());
}

}  // namespace
}  // namespace novacron::security
