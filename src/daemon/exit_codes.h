// The exit codes of every novacron command (documented in docs/operations.md).
#pragma once

namespace novacron {

inline constexpr int kExitOk = 0;
// Preflight failed, an unclean stop, a forced exit; `check`: a check failed; `status`: the
// daemon is not ready.
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;        // invalid configuration, flags or arguments
inline constexpr int kExitBootFailed = 3;   // a critical component failed to start
inline constexpr int kExitUnreachable = 4;  // `status`: no daemon answered

}  // namespace novacron
