#include "vm/libvirt_error.h"

#include <string>

namespace novacron::vm {

ErrorCode LibvirtErrorCode(int code) {
  switch (code) {
    case VIR_ERR_NO_DOMAIN:
      return ErrorCode::kNotFound;
    case VIR_ERR_OPERATION_INVALID:
      return ErrorCode::kFailedPrecondition;
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_RPC:
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE:
    case VIR_ERR_AUTH_UNAVAILABLE:
      return ErrorCode::kUnavailable;
    case VIR_ERR_DOM_EXIST:
      return ErrorCode::kAlreadyExists;
    default:
      return ErrorCode::kInternal;
  }
}

Status LastLibvirtError(std::string_view context) {
  virErrorPtr error = virGetLastError();
  if (error == nullptr || error->code == VIR_ERR_OK) {
    return Internal(std::string(context) + ": unknown libvirt error");
  }
  std::string message =
      error->message ? error->message : "libvirt error " + std::to_string(error->code);
  Status status(LibvirtErrorCode(error->code), std::string(context) + ": " + message);
  virResetLastError();
  return status;
}

int LastLibvirtErrorCode() {
  virErrorPtr error = virGetLastError();
  return error ? error->code : VIR_ERR_OK;
}

void IgnoreLibvirtError(void* /*opaque*/, virErrorPtr /*error*/) {}

}  // namespace novacron::vm
