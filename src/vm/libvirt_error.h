// libvirt errors as Status. libvirt keeps the last error per thread, so call LastLibvirtError on
// the thread whose call failed, right after the failure.
#pragma once

#include <libvirt/virterror.h>

#include <string_view>

#include "common/status.h"

namespace novacron::vm {

// The Status for a libvirt error code: VIR_ERR_NO_DOMAIN -> kNotFound,
// VIR_ERR_OPERATION_INVALID -> kFailedPrecondition, connection and RPC trouble -> kUnavailable,
// anything else kInternal.
ErrorCode LibvirtErrorCode(int code);

// "<context>: <libvirt message>" with the mapped code; resets the thread's last error.
Status LastLibvirtError(std::string_view context);

// The libvirt code of the thread's last error (VIR_ERR_OK when none).
int LastLibvirtErrorCode();

// For virSetErrorFunc / virConnSetErrorFunc: keeps libvirt from printing errors to stderr (they
// are reported as Status instead).
void IgnoreLibvirtError(void* opaque, virErrorPtr error);

}  // namespace novacron::vm
