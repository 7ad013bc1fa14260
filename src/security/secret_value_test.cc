// enc:v1: values with real OpenSSL: round trips, tampering anywhere, wrong keys, nonces.
#include "security/secret_value.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "security/secret_base64.h"

namespace novacron::security {
namespace {

SecretKey MakeKey(const std::string& name) {
  Result<SecretKey> key = SecretKey::Generate(name);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

// The same bytes under another name.
SecretKey Renamed(const SecretKey& key, const std::string& name) {
  Result<SecretKey> copy = SecretKey::FromBytes(name, key.bytes());
  EXPECT_TRUE(copy.ok()) << copy.status().ToString();
  return std::move(copy).value();
}

constexpr std::string_view kPlain = "postgres://novacron:S3cr3t-pa55@db.internal/novacron";

TEST(SecretValueTest, RoundTripsAndHasTheDocumentedShape) {
  SecretKey key = MakeKey("k1");
  Result<std::string> enc = EncryptValue(key, kPlain);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->rfind("enc:v1:k1:", 0), 0u) << *enc;
  EXPECT_EQ(enc->find(kPlain), std::string::npos);
  auto blob = Base64UrlDecode(enc->substr(std::string("enc:v1:k1:").size()));
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ(blob->size(), 12 + kPlain.size() + 16);  // nonce | ciphertext | tag
  Result<std::string> plain = DecryptValue(key, *enc);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, kPlain);
  EXPECT_EQ(*EncryptedKeyName(*enc), "k1");
}

TEST(SecretValueTest, RoundTripsEmptyAndBinaryValues) {
  SecretKey key = MakeKey("k1");
  for (std::string value : {std::string(), std::string("\0\xff\n:enc:v1:", 11)}) {
    Result<std::string> enc = EncryptValue(key, value);
    ASSERT_TRUE(enc.ok());
    Result<std::string> plain = DecryptValue(key, *enc);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(*plain, value);
  }
}

TEST(SecretValueTest, NonceDiffersBetweenTwoEncryptionsOfTheSameValue) {
  SecretKey key = MakeKey("k1");
  std::set<std::string> nonces;
  std::set<std::string> values;
  for (int i = 0; i < 50; ++i) {
    std::string enc = *EncryptValue(key, kPlain);
    values.insert(enc);
    auto blob = *Base64UrlDecode(enc.substr(std::string("enc:v1:k1:").size()));
    nonces.insert(std::string(blob.begin(), blob.begin() + 12));
  }
  EXPECT_EQ(nonces.size(), 50u);
  EXPECT_EQ(values.size(), 50u);
}

TEST(SecretValueTest, EveryTamperedBytePositionFailsAuthentication) {
  SecretKey key = MakeKey("k1");
  const std::string header = "enc:v1:k1:";
  std::string enc = *EncryptValue(key, kPlain);
  std::vector<uint8_t> blob = *Base64UrlDecode(enc.substr(header.size()));
  for (size_t i = 0; i < blob.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80}) {
      std::vector<uint8_t> tampered = blob;
      tampered[i] ^= flip;
      Result<std::string> plain = DecryptValue(key, header + Base64UrlEncode(tampered));
      ASSERT_FALSE(plain.ok()) << "byte " << i << " flipped with " << int{flip};
      EXPECT_NE(plain.status().message().find("authentication failed"), std::string::npos)
          << plain.status().message();
    }
  }
}

TEST(SecretValueTest, EveryChangedTextCharacterFailsWithoutLeakingThePlaintext) {
  SecretKey key = MakeKey("k1");
  std::string enc = *EncryptValue(key, kPlain);
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string tampered = enc;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    Result<std::string> plain = DecryptValue(key, tampered);
    ASSERT_FALSE(plain.ok()) << "character " << i << ": " << tampered;
    EXPECT_EQ(plain.status().message().find("S3cr3t"), std::string::npos);
  }
  // Truncated anywhere.
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecryptValue(key, enc.substr(0, n)).ok()) << n;
  }
}

TEST(SecretValueTest, WrongKeyNameIsNamed) {
  SecretKey k1 = MakeKey("k1");
  SecretKey k2 = MakeKey("k2");
  Result<std::string> plain = DecryptValue(k2, *EncryptValue(k1, kPlain));
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(
      plain.status().message().find("value was encrypted with key 'k1', the loaded key is 'k2'"),
      std::string::npos)
      << plain.status().message();
}

TEST(SecretValueTest, WrongKeyBytesUnderTheSameNameFailAuthentication) {
  SecretKey a = MakeKey("k1");
  SecretKey b = MakeKey("k1");
  Result<std::string> plain = DecryptValue(b, *EncryptValue(a, kPlain));
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("authentication failed"), std::string::npos)
      << plain.status().message();
}

TEST(SecretValueTest, KeyNameInTheHeaderIsAuthenticated) {
  SecretKey k1 = MakeKey("k1");
  SecretKey same_bytes_as_k2 = Renamed(k1, "k2");
  std::string enc = *EncryptValue(k1, kPlain);
  std::string relabelled = "enc:v1:k2:" + enc.substr(std::string("enc:v1:k1:").size());
  Result<std::string> plain = DecryptValue(same_bytes_as_k2, relabelled);
  ASSERT_FALSE(plain.ok()) << "a value relabelled with another key name must not decrypt";
  EXPECT_NE(plain.status().message().find("authentication failed"), std::string::npos);
}

TEST(SecretValueTest, MalformedValuesAreRefusedWithAReason) {
  SecretKey key = MakeKey("k1");
  for (std::string bad : {"enc:v1:", "enc:v1:k1", "enc:v1:k1:", "enc:v1:k1:!!!!",
                          "enc:v1:bad name:AAAA", "enc:v1:k1:AAAA", "plain text"}) {
    Result<std::string> plain = DecryptValue(key, bad);
    ASSERT_FALSE(plain.ok()) << bad;
    EXPECT_NE(plain.status().message().find("malformed"), std::string::npos)
        << bad << ": " << plain.status().message();
  }
  EXPECT_TRUE(IsEncryptedValue("enc:v1:anything"));
  EXPECT_FALSE(IsEncryptedValue("enc:v2:k:AAAA"));
  EXPECT_FALSE(IsEncryptedValue(" enc:v1:k:AAAA"));
}

}  // namespace
}  // namespace novacron::security
