// libFuzzer target: arbitrary bytes as a VM spec from the REST API, through ParseVmSpecJson and,
// for a valid spec, the domain XML generator. Properties beyond "no crash, leak or exception":
//  - a failed parse reports at least one field error and a non-empty message; a success none;
//  - ToJson of a parsed spec parses back to the same spec;
//  - the XML is generated, and it is exactly as safe as the generator means it to be: its count
//    of '<', '>' and '\'' is what the spec's shape alone gives (so no value added markup or
//    broke out of an attribute), it has no '"', every '&' starts one of the five entities the
//    escaper emits and there are exactly as many as escapable characters in the values, and the
//    name, kernel, initrd and cmdline texts unescape back to the spec values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vm/domain_xml.h"
#include "vm/vm_spec.h"

namespace {

using novacron::Result;
using novacron::vm::DomainXmlOptions;
using novacron::vm::FieldError;
using novacron::vm::NetworkType;
using novacron::vm::VmSpec;

// Caller-chosen values, with every escapable character, so options go through the escaper too.
constexpr std::string_view kUuid = "0123abcd-4567-89ab-cdef-0123456789AB";
constexpr std::string_view kEmulator = "/usr/bin/qemu&<'\">";

void Check(bool ok) {
  if (!ok) abort();
}

size_t CountEscapable(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (c == '&' || c == '<' || c == '>' || c == '"' || c == '\'') ? 1 : 0;
  return n;
}

struct Shape {
  size_t tags = 0;   // '<' (and '>') of the markup the generator writes itself
  size_t attrs = 0;  // attributes, each quoted with two '\''
  size_t escapable = 0;
};

// Mirrors GenerateDomainXml element by element: a Text element has two tags, Open/Close one each,
// Empty one. Only the shape of the spec decides this, never the content of its strings.
Shape ExpectedShape(const VmSpec& spec, const DomainXmlOptions& options) {
  Shape s;
  auto text = [&s](std::string_view value, size_t attrs = 0) {
    s.tags += 2;
    s.attrs += attrs;
    s.escapable += CountEscapable(value);
  };
  auto element = [&s](size_t tags, size_t attrs) {
    s.tags += tags;
    s.attrs += attrs;
  };
  element(2, 1);  // <domain type>..</domain>
  text(spec.name);
  text(options.uuid);
  text("", 1);    // memory unit
  text("", 1);    // currentMemory unit
  text("", 1);    // vcpu placement
  element(2, 0);  // <os>..</os>
  text("hvm");
  if (!spec.kernel.empty()) {
    text(spec.kernel);
    if (!spec.initrd.empty()) text(spec.initrd);
    if (!spec.cmdline.empty()) text(spec.cmdline);
  } else {
    element(1, 1);  // <boot dev/>
  }
  element(4, 0);                                    // <features><acpi/><apic/></features>
  if (options.domain_type == "kvm") element(1, 1);  // <cpu mode/>
  element(1, 1);                                    // <clock offset/>
  text("destroy");
  text("restart");
  text("destroy");
  element(2, 0);  // <devices>..</devices>
  if (!options.emulator.empty()) text(options.emulator);
  for (size_t i = 0; i < spec.disks.size(); ++i) {
    // <disk type device><driver name type/><source file/><target dev bus/></disk>
    element(5, 2 + 2 + 1 + 2);
    s.escapable += CountEscapable(options.disk_paths[i]) + CountEscapable(spec.disks[i].target);
  }
  if (spec.network.type != NetworkType::kNone) {
    element(4, 3);  // <interface type><source network|bridge/><model type/></interface>
    s.escapable += CountEscapable(spec.network.source);
  }
  if (!spec.serial_log) {
    element(6, 1 + 1 + 1 + 2);  // pty serial and console, each with a <target .../>
  } else {
    // file serial and console, each with <source path append/> and a <target .../>
    element(8, (1 + 2 + 1) + (1 + 2 + 2));
    s.escapable += 2 * CountEscapable(options.serial_log_path);
  }
  return s;
}

std::string Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    Check(semi != std::string_view::npos);
    std::string_view entity = text.substr(i, semi - i + 1);
    if (entity == "&amp;") {
      out += '&';
    } else if (entity == "&lt;") {
      out += '<';
    } else if (entity == "&gt;") {
      out += '>';
    } else if (entity == "&quot;") {
      out += '"';
    } else if (entity == "&apos;") {
      out += '\'';
    } else {
      abort();
    }
    i = semi;
  }
  return out;
}

// The unescaped text of the first `<tag>text</tag>` in `xml`.
std::string TextOf(std::string_view xml, std::string_view tag) {
  std::string open = "<" + std::string(tag) + ">";
  size_t start = xml.find(open);
  Check(start != std::string_view::npos);
  start += open.size();
  size_t end = xml.find('<', start);
  std::string close = "</" + std::string(tag) + ">";
  Check(end != std::string_view::npos && xml.substr(end, close.size()) == close);
  return Unescape(xml.substr(start, end - start));
}

void CheckXml(const VmSpec& spec, const DomainXmlOptions& options, const std::string& xml) {
  Shape want = ExpectedShape(spec, options);
  size_t lt = 0, gt = 0, apos = 0, amp = 0;
  for (char c : xml) {
    lt += c == '<' ? 1 : 0;
    gt += c == '>' ? 1 : 0;
    apos += c == '\'' ? 1 : 0;
    amp += c == '&' ? 1 : 0;
    Check(c != '"');
  }
  Check(lt == want.tags && gt == want.tags);
  Check(apos == 2 * want.attrs);
  Check(amp == want.escapable);
  // Unescape aborts on any '&' that does not start one of the five entities.
  Check(Unescape(xml).size() <= xml.size());
  Check(TextOf(xml, "name") == spec.name);
  if (!spec.kernel.empty()) {
    Check(TextOf(xml, "kernel") == spec.kernel);
    if (!spec.initrd.empty()) Check(TextOf(xml, "initrd") == spec.initrd);
    if (!spec.cmdline.empty()) Check(TextOf(xml, "cmdline") == spec.cmdline);
  }
}

DomainXmlOptions OptionsFor(const VmSpec& spec, size_t variant) {
  DomainXmlOptions options;
  // Both domain types and both emulator choices, picked by the input so runs stay reproducible.
  options.domain_type = variant % 2 == 0 ? "kvm" : "qemu";
  if (variant % 3 == 0) options.emulator = std::string(kEmulator);
  options.uuid = std::string(kUuid);
  for (size_t i = 0; i < spec.disks.size(); ++i) {
    options.disk_paths.push_back("/var/lib/novacron/disks/" + std::to_string(i) + "<&'\">.qcow2");
  }
  // The daemon chooses the serial log's path (vm/host_paths.h); escapable here too.
  if (spec.serial_log) options.serial_log_path = "/var/lib/novacron/vms/x/serial<&'\">.log";
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<FieldError> errors;
  Result<VmSpec> spec = novacron::vm::ParseVmSpecJson(text, &errors);
  if (!spec.ok()) {
    Check(!errors.empty() && !spec.status().message().empty());
    Check(spec.status().code() == novacron::ErrorCode::kInvalidArgument);
    return 0;
  }
  Check(errors.empty());
  Check(novacron::vm::ValidateVmSpec(*spec).empty());

  // Through text, as a client would see it.
  std::string canonical = novacron::vm::ToJson(*spec).dump();
  Result<VmSpec> again = novacron::vm::ParseVmSpecJson(canonical);
  Check(again.ok() && *again == *spec);

  DomainXmlOptions options = OptionsFor(*spec, size);
  Result<std::string> xml = novacron::vm::GenerateDomainXml(*spec, options);
  Check(xml.ok());
  CheckXml(*spec, options, *xml);
  return 0;
}
