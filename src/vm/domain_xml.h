// libvirt domain XML for a VmSpec. Every value is re-validated and XML-escaped here, so a hostile
// name or path can never add elements or attributes to the domain definition.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vm/vm_spec.h"

namespace novacron::vm {

struct DomainXmlOptions {
  std::string domain_type = "kvm";  // `vm.domain_type`: "kvm" | "qemu"
  std::string emulator;             // absolute path of the QEMU binary; empty: libvirt's default
  std::string uuid;                 // canonical 8-4-4-4-12 hex, chosen by the caller
  // The qcow2 file of each spec disk, in order (overlay or blank disk, created by the caller).
  std::vector<std::string> disk_paths;
  // Where the serial console is logged when spec.serial_log is on: the driver's choice, in the
  // VM's own directory. Required then; ignored otherwise.
  std::string serial_log_path{};
  // The checked, canonical kernel and initrd (vm/host_paths.h) used instead of the spec's
  // paths when set, so a symlink swapped after the check changes nothing.
  std::string kernel_path{};
  std::string initrd_path{};
};

// The domain XML, or kInvalidArgument naming the bad spec field or option.
Result<std::string> GenerateDomainXml(const VmSpec& spec, const DomainXmlOptions& options);

// Escapes & < > " ' for use in XML text and in attributes of either quote style. The caller must
// have rejected control characters (XML 1.0 cannot carry most of them).
std::string XmlEscape(std::string_view text);

bool IsCanonicalUuid(std::string_view uuid);

}  // namespace novacron::vm
