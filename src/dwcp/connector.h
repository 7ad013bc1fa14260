// How mode detection measures a round trip: the time a TCP connect takes (SYN to SYN-ACK). No
// payload is sent, so any TCP listener on the peer (the DWCP port, SSH) can serve as the target.
// An interface so tests can inject connectors that stall or fail on demand.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "dwcp/mode.h"

namespace novacron::dwcp {

using Clock = std::chrono::steady_clock;

struct HostPort {
  std::string host;  // name, IPv4, or IPv6 without brackets
  std::string port;  // decimal, 1..65535
};

// Splits "host:port" or "[v6addr]:port". InvalidArgument naming the text otherwise.
Result<HostPort> SplitHostPort(std::string_view peer);

class Connector {
 public:
  virtual ~Connector() = default;
  // Times one TCP connect to `peer` ("host:port"). Gives up at `deadline` with
  // DeadlineExceeded; a refused or unreachable peer is Unavailable; a name that does not
  // resolve is NotFound. Called concurrently from several threads.
  virtual Result<Duration> TimeConnect(const std::string& peer, Clock::time_point deadline) = 0;
};

// The real connector: getaddrinfo, then a non-blocking connect per address waited on with
// poll(). Name resolution is the system resolver's and is not bounded by `deadline`; the
// detector bounds it from outside.
std::shared_ptr<Connector> MakeTcpConnector();

}  // namespace novacron::dwcp
