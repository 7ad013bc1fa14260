// The one clock of the lifecycle engine: monotonic, so boots are timed correctly across wall-clock
// jumps (NTP at boot is common on hypervisor nodes).
#pragma once

#include <chrono>

namespace novacron::lifecycle {

using Clock = std::chrono::steady_clock;
using Duration = Clock::duration;

// Milliseconds as a double, for reports and tables.
inline double ToMillis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace novacron::lifecycle
