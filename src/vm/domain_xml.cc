#include "vm/domain_xml.h"

#include <set>

namespace novacron::vm {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class XmlWriter {
 public:
  void Open(std::string_view tag, std::string_view attrs = "") {
    Indent();
    out_ += "<" + std::string(tag) + std::string(attrs) + ">\n";
    ++depth_;
  }
  void Close(std::string_view tag) {
    --depth_;
    Indent();
    out_ += "</" + std::string(tag) + ">\n";
  }
  void Text(std::string_view tag, std::string_view text, std::string_view attrs = "") {
    Indent();
    out_ += "<" + std::string(tag) + std::string(attrs) + ">" + XmlEscape(text) + "</" +
            std::string(tag) + ">\n";
  }
  void Empty(std::string_view tag, std::string_view attrs = "") {
    Indent();
    out_ += "<" + std::string(tag) + std::string(attrs) + "/>\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  void Indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }
  std::string out_;
  int depth_ = 0;
};

// ` name='escaped value'`
std::string Attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "='" + XmlEscape(value) + "'";
}

void WriteDisks(const VmSpec& spec, const DomainXmlOptions& options, XmlWriter& xml) {
  std::set<std::string> used;
  for (const DiskSpec& d : spec.disks) {
    if (!d.target.empty()) used.insert(d.target);
  }
  char next = 'a';
  for (size_t i = 0; i < spec.disks.size(); ++i) {
    std::string target = spec.disks[i].target;
    while (target.empty()) {
      std::string candidate = std::string("vd") + next++;
      if (!used.contains(candidate)) target = candidate;
    }
    xml.Open("disk", Attr("type", "file") + Attr("device", "disk"));
    xml.Empty("driver", Attr("name", "qemu") + Attr("type", "qcow2"));
    xml.Empty("source", Attr("file", options.disk_paths[i]));
    xml.Empty("target", Attr("dev", target) + Attr("bus", "virtio"));
    xml.Close("disk");
  }
}

void WriteConsole(const VmSpec& spec, const DomainXmlOptions& options, XmlWriter& xml) {
  if (!spec.serial_log) {
    xml.Open("serial", Attr("type", "pty"));
    xml.Empty("target", Attr("port", "0"));
    xml.Close("serial");
    xml.Open("console", Attr("type", "pty"));
    xml.Empty("target", Attr("type", "serial") + Attr("port", "0"));
    xml.Close("console");
    return;
  }
  xml.Open("serial", Attr("type", "file"));
  xml.Empty("source", Attr("path", options.serial_log_path) + Attr("append", "on"));
  xml.Empty("target", Attr("port", "0"));
  xml.Close("serial");
  xml.Open("console", Attr("type", "file"));
  xml.Empty("source", Attr("path", options.serial_log_path) + Attr("append", "on"));
  xml.Empty("target", Attr("type", "serial") + Attr("port", "0"));
  xml.Close("console");
}

std::vector<FieldError> ValidateOptions(const VmSpec& spec, const DomainXmlOptions& options) {
  std::vector<FieldError> errors;
  if (options.domain_type != "kvm" && options.domain_type != "qemu") {
    errors.push_back({"vm.domain_type", "must be kvm or qemu"});
  }
  if (!options.emulator.empty()) {
    if (std::string e = CheckAbsolutePath(options.emulator); !e.empty()) {
      errors.push_back({"emulator", e});
    }
  }
  if (!IsCanonicalUuid(options.uuid)) errors.push_back({"uuid", "must be 8-4-4-4-12 hex digits"});
  if (spec.serial_log) {
    if (std::string e = CheckAbsolutePath(options.serial_log_path); !e.empty()) {
      errors.push_back({"serial_log_path", e});
    }
  }
  for (const auto& [name, path] : {std::pair{"kernel_path", &options.kernel_path},
                                   std::pair{"initrd_path", &options.initrd_path}}) {
    if (path->empty()) continue;
    if (std::string e = CheckAbsolutePath(*path); !e.empty()) errors.push_back({name, e});
  }
  if (options.disk_paths.size() != spec.disks.size()) {
    errors.push_back({"disk_paths", "need one path per disk (" + std::to_string(spec.disks.size()) +
                                        "), got " + std::to_string(options.disk_paths.size())});
  } else {
    for (size_t i = 0; i < options.disk_paths.size(); ++i) {
      if (std::string e = CheckAbsolutePath(options.disk_paths[i]); !e.empty()) {
        errors.push_back({"disk_paths[" + std::to_string(i) + "]", e});
      }
    }
  }
  return errors;
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool IsCanonicalUuid(std::string_view uuid) {
  if (uuid.size() != 36) return false;
  for (size_t i = 0; i < uuid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? uuid[i] != '-' : !IsHex(uuid[i])) return false;
  }
  return true;
}

Result<std::string> GenerateDomainXml(const VmSpec& spec, const DomainXmlOptions& options) {
  // The spec may not have come through ParseVmSpec; its rules also keep the XML safe.
  std::vector<FieldError> errors = ValidateVmSpec(spec);
  std::vector<FieldError> option_errors = ValidateOptions(spec, options);
  errors.insert(errors.end(), option_errors.begin(), option_errors.end());
  if (!errors.empty()) {
    std::string name = IsValidVmName(spec.name) ? spec.name : "(invalid name)";
    return InvalidArgument("domain xml for vm '" + name + "': " + FormatFieldErrors(errors));
  }
  const std::string memory_kib = std::to_string(spec.memory_mib * 1024);
  XmlWriter xml;
  xml.Open("domain", Attr("type", options.domain_type));
  xml.Text("name", spec.name);
  xml.Text("uuid", options.uuid);
  xml.Text("memory", memory_kib, Attr("unit", "KiB"));
  xml.Text("currentMemory", memory_kib, Attr("unit", "KiB"));
  xml.Text("vcpu", std::to_string(spec.vcpus), Attr("placement", "static"));
  xml.Open("os");
  xml.Text("type", "hvm");
  if (!spec.kernel.empty()) {
    xml.Text("kernel", options.kernel_path.empty() ? spec.kernel : options.kernel_path);
    if (!spec.initrd.empty()) {
      xml.Text("initrd", options.initrd_path.empty() ? spec.initrd : options.initrd_path);
    }
    if (!spec.cmdline.empty()) xml.Text("cmdline", spec.cmdline);
  } else {
    xml.Empty("boot", Attr("dev", "hd"));
  }
  xml.Close("os");
  xml.Open("features");
  xml.Empty("acpi");
  xml.Empty("apic");
  xml.Close("features");
  // host-passthrough needs KVM; plain TCG emulates its default CPU model.
  if (options.domain_type == "kvm") xml.Empty("cpu", Attr("mode", "host-passthrough"));
  xml.Empty("clock", Attr("offset", "utc"));
  xml.Text("on_poweroff", "destroy");
  xml.Text("on_reboot", "restart");
  xml.Text("on_crash", "destroy");
  xml.Open("devices");
  if (!options.emulator.empty()) xml.Text("emulator", options.emulator);
  WriteDisks(spec, options, xml);
  if (spec.network.type != NetworkType::kNone) {
    bool is_network = spec.network.type == NetworkType::kNetwork;
    xml.Open("interface", Attr("type", is_network ? "network" : "bridge"));
    xml.Empty("source", Attr(is_network ? "network" : "bridge", spec.network.source));
    xml.Empty("model", Attr("type", "virtio"));
    xml.Close("interface");
  }
  WriteConsole(spec, options, xml);
  xml.Close("devices");
  xml.Close("domain");
  return xml.Take();
}

}  // namespace novacron::vm
