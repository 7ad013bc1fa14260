#include "config/units.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace novacron::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsEveryUnitAndCombinations) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("30s"), milliseconds(30'000));
  EXPECT_EQ(*ParseDuration("5m"), milliseconds(300'000));
  EXPECT_EQ(*ParseDuration("24h"), milliseconds(86'400'000));
  EXPECT_EQ(*ParseDuration("90d"), milliseconds(90LL * 86'400'000));
  EXPECT_EQ(*ParseDuration("1m30s"), milliseconds(90'000));
  EXPECT_EQ(*ParseDuration("1h0m5s250ms"), milliseconds(3'605'250));
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration(" 2s "), milliseconds(2000));
}

TEST(ParseDuration, RejectsWhatIsNotADuration) {
  for (const char* bad : {"", "30", "abc", "-5s", "1.5s", "5x", "s", "1 s", "10sm", "5ms5"}) {
    Result<milliseconds> d = ParseDuration(bad);
    EXPECT_FALSE(d.ok()) << bad;
  }
  Result<milliseconds> d = ParseDuration("30");
  EXPECT_NE(d.status().message().find("missing unit"), std::string::npos) << d.status().message();
  EXPECT_FALSE(ParseDuration("99999999999999999999s").ok());
  EXPECT_FALSE(ParseDuration("9999999999999999d").ok());
}

TEST(FormatDuration, UsesLargestUnitsFirst) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(std::chrono::hours(24)), "1d");
  EXPECT_EQ(FormatDuration(std::chrono::hours(25) + milliseconds(1)), "1d1h1ms");
  EXPECT_EQ(FormatDuration(milliseconds(-1500)), "-1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds::min()).front(), '-');
}

RC_GTEST_PROP(DurationProperty, FormatThenParseIsIdentity, (uint64_t raw)) {
  milliseconds d(static_cast<int64_t>(raw >> 1));  // any non-negative int64
  Result<milliseconds> back = ParseDuration(FormatDuration(d));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == d);
}

RC_GTEST_PROP(DurationProperty, SmallDurationsRoundTrip, ()) {
  milliseconds d(*rc::gen::inRange<int64_t>(0, 400LL * 86'400'000));
  RC_ASSERT(*ParseDuration(FormatDuration(d)) == d);
}

RC_GTEST_PROP(DurationProperty, ConcatenatedUnitsAddUp,
              (uint16_t days, uint8_t hours, uint8_t minutes, uint16_t ms)) {
  std::string text = std::to_string(days) + "d" + std::to_string(hours) + "h" +
                     std::to_string(minutes) + "m" + std::to_string(ms) + "ms";
  Result<milliseconds> d = ParseDuration(text);
  RC_ASSERT(d.ok());
  RC_ASSERT(d->count() == ((days * 24LL + hours) * 60 + minutes) * 60'000 + ms);
  RC_ASSERT(*ParseDuration(FormatDuration(*d)) == *d);
}

TEST(ParseSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseSize("1024"), 1024);
  EXPECT_EQ(*ParseSize("1KiB"), 1024);
  EXPECT_EQ(*ParseSize("1 MiB"), 1 << 20);
  EXPECT_EQ(*ParseSize("2GiB"), 2LL << 30);
  EXPECT_EQ(*ParseSize("3TiB"), 3LL << 40);
  EXPECT_EQ(*ParseSize("10KB"), 10'000);
  EXPECT_EQ(*ParseSize("5MB"), 5'000'000);
  EXPECT_EQ(*ParseSize("1GB"), 1'000'000'000);
  EXPECT_EQ(*ParseSize("7B"), 7);
  for (const char* bad : {"", "MiB", "1mib", "1 XB", "-1", "1.5MiB", "9999999999TiB"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

RC_GTEST_PROP(SizeProperty, FormatThenParseIsIdentity, (uint64_t raw)) {
  int64_t n = static_cast<int64_t>(raw >> 1);
  Result<int64_t> back = ParseSize(FormatSize(n));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == n);
}

TEST(FormatSize, LargestExactBinaryUnit) {
  EXPECT_EQ(FormatSize(1 << 20), "1MiB");
  EXPECT_EQ(FormatSize(16 << 10), "16KiB");
  EXPECT_EQ(FormatSize(3LL << 40), "3TiB");
  EXPECT_EQ(FormatSize(1500), "1500");
  EXPECT_EQ(FormatSize(0), "0");
}

TEST(ParseHostPort, AllListenForms) {
  Result<HostPort> hp = ParseHostPort("example.com:8080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "example.com");
  EXPECT_EQ(hp->port, 8080);

  hp = ParseHostPort("[::1]:8080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 8080);

  hp = ParseHostPort(":9000");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "");
  EXPECT_EQ(hp->port, 9000);

  hp = ParseHostPort("0.0.0.0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "0.0.0.0");
  EXPECT_FALSE(hp->port.has_value());

  hp = ParseHostPort("fe80::1%eth0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "fe80::1%eth0");
  EXPECT_FALSE(hp->port.has_value());

  hp = ParseHostPort("[::]");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::");
  EXPECT_FALSE(hp->port.has_value());

  for (const char* bad :
       {"", "host:", "host:http", "host:65536", "[::1", "[::1]x", "[]:80", "a b:80", "host:-1"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
}

TEST(FormatHostPort, BracketsIpv6) {
  EXPECT_EQ(FormatHostPort("::1", 80), "[::1]:80");
  EXPECT_EQ(FormatHostPort("127.0.0.1", 80), "127.0.0.1:80");
}

}  // namespace
}  // namespace novacron::config
