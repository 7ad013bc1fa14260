// Helpers shared by the test servers: free loopback ports and child processes.
#pragma once

namespace novacron::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
int PickFreePort();

}  // namespace novacron::testing
