// The standard process_* metrics of the Prometheus client libraries, read from /proc/self at
// scrape time.
#pragma once

#include "common/status.h"
#include "observe/metrics.h"

namespace novacron::observe {

// Registers, as scrape-time functions:
//   process_cpu_seconds_total          counter  user + system CPU time
//   process_resident_memory_bytes      gauge    resident set size
//   process_virtual_memory_bytes       gauge    virtual memory size
//   process_start_time_seconds         gauge    start time, seconds since the Unix epoch
//   process_open_fds                   gauge    open file descriptors
//   process_max_fds                    gauge    the RLIMIT_NOFILE soft limit
// A value that cannot be read renders as NaN. Errors: kAlreadyExists if a name is taken (the
// metrics registered before it stay registered).
Status RegisterProcessMetrics(Registry& registry);

}  // namespace novacron::observe
