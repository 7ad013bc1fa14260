#include "cache/redis_url.h"

#include <gtest/gtest.h>

namespace novacron::cache {
namespace {

TEST(RedisUrlTest, HostAndPort) {
  auto endpoint = ParseRedisUrl("redis://127.0.0.1:6390");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 6390);
  EXPECT_EQ(endpoint->password, "");
  EXPECT_EQ(endpoint->db, 0);
  EXPECT_EQ(endpoint->Address(), "127.0.0.1:6390");
}

TEST(RedisUrlTest, PasswordAndDatabase) {
  auto endpoint = ParseRedisUrl("redis://:s3cret@cache.internal:6379/4");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_EQ(endpoint->host, "cache.internal");
  EXPECT_EQ(endpoint->username, "");
  EXPECT_EQ(endpoint->password, "s3cret");
  EXPECT_EQ(endpoint->db, 4);
  EXPECT_EQ(endpoint->Address().find("s3cret"), std::string::npos);
}

TEST(RedisUrlTest, UserPasswordAndEscapes) {
  auto endpoint = ParseRedisUrl("redis://app:p%40ss%2Fw@ord@10.0.0.5:7000/");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_EQ(endpoint->username, "app");
  EXPECT_EQ(endpoint->password, "p@ss/w@ord");
  EXPECT_EQ(endpoint->host, "10.0.0.5");
  EXPECT_EQ(endpoint->port, 7000);
  EXPECT_EQ(endpoint->db, 0);
}

TEST(RedisUrlTest, DefaultPortAndIpv6) {
  auto plain = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->port, kDefaultRedisPort);
  auto v6 = ParseRedisUrl("redis://[::1]:6380/2");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 6380);
  EXPECT_EQ(v6->db, 2);
  EXPECT_EQ(v6->Address(), "[::1]:6380");
}

struct BadUrl {
  const char* url;
  const char* expected_fragment;
};

// Readable test names: the URL is what a failure needs to show.
void PrintTo(const BadUrl& bad, std::ostream* out) { *out << bad.url; }

class MalformedRedisUrlTest : public ::testing::TestWithParam<BadUrl> {};

TEST_P(MalformedRedisUrlTest, IsInvalidArgumentNamingTheKeyWithoutThePassword) {
  auto endpoint = ParseRedisUrl(GetParam().url);
  ASSERT_FALSE(endpoint.ok()) << GetParam().url;
  EXPECT_EQ(endpoint.status().code(), ErrorCode::kInvalidArgument);
  const std::string& message = endpoint.status().message();
  EXPECT_NE(message.find("storage.redis_url"), std::string::npos) << message;
  EXPECT_NE(message.find(GetParam().expected_fragment), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Urls, MalformedRedisUrlTest,
    ::testing::Values(BadUrl{"", "empty"}, BadUrl{"localhost:6379", "missing the redis:// scheme"},
                      BadUrl{"http://:hunter2@localhost:6379", "unsupported scheme \"http\""},
                      BadUrl{"rediss://:hunter2@localhost:6379", "TLS"},
                      BadUrl{"redis://:hunter2@:6379", "missing host"},
                      BadUrl{"redis://:hunter2@localhost:99999", "port \"99999\""},
                      BadUrl{"redis://:hunter2@localhost:port", "port is not a number"},
                      BadUrl{"redis://user:hunter2", "port is not a number"},
                      BadUrl{"redis://hunter2@localhost:6379", "\":password\""},
                      BadUrl{"redis://:@localhost:6379", "empty password"},
                      BadUrl{"redis://:hunter2%zz@localhost", "percent-escape in the password"},
                      BadUrl{"redis://:hunter2@localhost:6379/x", "database is not a number"},
                      BadUrl{"redis://:hunter2@localhost:6379/-1", "database is not a number"},
                      BadUrl{"redis://:hunter2@localhost/0?timeout=1", "query strings"},
                      BadUrl{"redis://::1:6379", "IPv6 hosts need brackets"},
                      BadUrl{"redis://:hunter2@[::1:6379", "unclosed"},
                      BadUrl{"unix:///run/redis.sock", "unsupported scheme \"unix\""}),
    [](const ::testing::TestParamInfo<BadUrl>& info) {
      return "Case" + std::to_string(info.index);
    });

}  // namespace
}  // namespace novacron::cache
