#include <gtest/gtest.h>

#include "dwcp/connector.h"
#include "dwcp/loopback_for_test.h"

namespace novacron::dwcp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(SplitHostPortTest, Forms) {
  auto hp = SplitHostPort("node-1.example:9090");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "node-1.example");
  EXPECT_EQ(hp->port, "9090");
  hp = SplitHostPort("[fe80::1]:22");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "fe80::1");
  EXPECT_EQ(hp->port, "22");
}

TEST(SplitHostPortTest, RejectsMalformedNamingTheText) {
  for (const char* bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:8o",
                          "fe80::1:22", "[fe80::1]22", "[fe80::1"}) {
    const auto hp = SplitHostPort(bad);
    ASSERT_FALSE(hp.ok()) << bad;
    EXPECT_EQ(hp.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(hp.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << hp.status().message();
  }
}

TEST(TcpConnectorTest, MeasuresLoopbackConnect) {
  AcceptingPeer peer;
  const auto rtt = MakeTcpConnector()->TimeConnect(peer.address(), Clock::now() + seconds(10));
  ASSERT_TRUE(rtt.ok()) << rtt.status().ToString();
  EXPECT_GT(rtt->count(), 0);
  EXPECT_LT(*rtt, seconds(10));
}

TEST(TcpConnectorTest, RefusedIsUnavailableAndNamesThePeer) {
  RefusingPeer peer;
  const auto rtt = MakeTcpConnector()->TimeConnect(peer.address(), Clock::now() + seconds(10));
  ASSERT_FALSE(rtt.ok());
  EXPECT_EQ(rtt.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(rtt.status().message().find(peer.address()), std::string::npos);
  EXPECT_NE(rtt.status().message().find("refused"), std::string::npos) << rtt.status().message();
}

TEST(TcpConnectorTest, SilentPeerHitsTheDeadline) {
  SilentPeer peer;
  if (!peer.ok()) GTEST_SKIP() << "could not fill a loopback accept queue on this kernel";
  const auto start = Clock::now();
  const auto rtt = MakeTcpConnector()->TimeConnect(peer.address(), start + milliseconds(200));
  ASSERT_FALSE(rtt.ok());
  EXPECT_EQ(rtt.status().code(), ErrorCode::kDeadlineExceeded) << rtt.status().ToString();
  EXPECT_GE(Clock::now() - start, milliseconds(200));
}

}  // namespace
}  // namespace novacron::dwcp
