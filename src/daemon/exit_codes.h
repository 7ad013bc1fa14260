// The exit codes of every novacron command (documented in docs/operations.md; the `vm` commands
// in docs/cli-vm.md, `node` and `cluster` in docs/cli-cluster.md).
#pragma once

namespace novacron {

inline constexpr int kExitOk = 0;
// Preflight failed, an unclean stop, a forced exit; `check`: a check failed; `status`: the
// daemon is not ready; `cluster status`: the node has not joined or there is no leader; `vm`,
// `node`: the daemon refused the request (e.g. 422, 500) or the VM failed.
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;        // invalid configuration, flags or arguments
inline constexpr int kExitBootFailed = 3;   // a critical component failed to start
inline constexpr int kExitUnreachable = 4;  // `status`, `vm`, `node`, `cluster`: no daemon answered
inline constexpr int kExitNotFound = 5;     // `vm`, `node`: no such VM or node (HTTP 404)
// `vm`: illegal state transition, name taken, insufficient capacity or a stale version
// (HTTP 409 / 412); `node cordon`: the daemon is standalone (409).
inline constexpr int kExitConflict = 6;
inline constexpr int kExitTimedOut = 7;  // `vm ... --wait`: the VM did not get there in time

}  // namespace novacron
