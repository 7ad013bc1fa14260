#include "vm/vm_spec.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace novacron::vm {
namespace {

using nlohmann::json;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool HasControlChar(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// [A-Za-z0-9][A-Za-z0-9._-]* of at most `max` characters: libvirt network and bridge names.
bool IsSimpleName(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max || !IsAlnum(s[0])) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// Kubernetes label name: at most 63 chars, alphanumeric at both ends, [-_.] inside.
bool IsLabelName(std::string_view s) {
  if (s.empty() || s.size() > 63 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// DNS subdomain (label key prefix): at most 253 chars of lowercase dot-separated labels.
bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (part.empty() || part.size() > 63 || part.front() == '-' || part.back() == '-') return false;
    for (char c : part) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

std::string CheckLabelKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    if (!IsDnsSubdomain(key.substr(0, slash))) {
      return "label key prefix must be a lowercase DNS subdomain of at most 253 characters";
    }
    key = key.substr(slash + 1);
  }
  if (!IsLabelName(key)) {
    return "label key name must be 1-63 characters, alphanumeric at both ends, [-_.] inside";
  }
  return "";
}

// Paths go into libvirt XML and JSON, which both need UTF-8; overlong forms are rejected too.
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
    if (n == 9 || (n == 1 && c < 0xc2) || i + n >= s.size()) return false;
    uint32_t cp = n == 0 ? c : c & (0x3f >> n);
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool IsDiskTarget(std::string_view s) {
  return s.size() == 3 && s[0] == 'v' && s[1] == 'd' && s[2] >= 'a' && s[2] <= 'z';
}

class Collector {
 public:
  void Add(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  std::vector<FieldError>& errors() { return errors_; }

 private:
  std::vector<FieldError> errors_;
};

void CheckUnknown(const json& obj, const std::set<std::string_view>& known,
                  const std::string& prefix, Collector& out) {
  for (const auto& [key, unused] : obj.items()) {
    if (!known.contains(key)) out.Add(prefix + key, "unknown field");
  }
}

bool GetString(const json& obj, const char* key, const std::string& field, std::string* dst,
               Collector& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_string()) {
    out.Add(field, "must be a string");
    return false;
  }
  *dst = it->get<std::string>();
  return true;
}

// An object of string values (`labels`, `node_selector`); errors name `<key>.<member>`.
void GetStringMap(const json& obj, const char* key, std::map<std::string, std::string>* dst,
                  Collector& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (!it->is_object()) {
    out.Add(key, "must be an object of string values");
    return;
  }
  for (const auto& [member, value] : it->items()) {
    if (!value.is_string()) {
      out.Add(std::string(key) + "." + member, "must be a string");
    } else {
      (*dst)[member] = value.get<std::string>();
    }
  }
}

// The label rules, for `labels` and for `node_selector` (which names node labels): at most
// kMaxLabels pairs, Kubernetes-style keys and values; errors name `<field>.<key>`.
void CheckLabelMap(const std::map<std::string, std::string>& labels, const std::string& field,
                   std::string_view noun, Collector& out) {
  if (labels.size() > kMaxLabels) {
    out.Add(field, "at most " + std::to_string(kMaxLabels) + " " + std::string(noun));
  }
  for (const auto& [key, value] : labels) {
    std::string path = field + "." + key;
    if (HasControlChar(key)) path = field;  // keep the field path printable
    if (std::string e = CheckLabelKey(key); !e.empty()) out.Add(path, e);
    if (!value.empty() && !IsLabelName(value)) {
      out.Add(path, "label value must be empty or 1-63 characters, alphanumeric at both ends");
    }
  }
}

// A path field that is present must not be empty; absent means "not set".
void GetPath(const json& obj, const char* key, const std::string& field, std::string* dst,
             Collector& out) {
  if (GetString(obj, key, field, dst, out) && dst->empty()) out.Add(field, "must not be empty");
}

// Integers only (no 2.0, no booleans); range checks are left to ValidateVmSpec.
template <typename T>
bool GetUint(const json& obj, const char* key, const std::string& field, T* dst, Collector& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_number_integer() ||
      (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() < 0)) {
    out.Add(field, "must be a non-negative integer");
    return false;
  }
  uint64_t v = it->get<uint64_t>();
  if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
    out.Add(field, "is too large");
    return false;
  }
  *dst = static_cast<T>(v);
  return true;
}

void ParseDisk(const json& obj, const std::string& prefix, DiskSpec* disk, Collector& out) {
  if (!obj.is_object()) {
    out.Add(prefix.substr(0, prefix.size() - 1), "must be an object");
    return;
  }
  CheckUnknown(obj, {"base_image", "size_mib", "target"}, prefix, out);
  GetPath(obj, "base_image", prefix + "base_image", &disk->base_image, out);
  uint64_t size = 0;
  if (GetUint(obj, "size_mib", prefix + "size_mib", &size, out)) disk->size_mib = size;
  GetString(obj, "target", prefix + "target", &disk->target, out);
}

void ParseNetwork(const json& obj, NetworkSpec* net, Collector& out) {
  if (!obj.is_object()) {
    out.Add("network", "must be an object");
    return;
  }
  CheckUnknown(obj, {"type", "source"}, "network.", out);
  std::string type;
  if (GetString(obj, "type", "network.type", &type, out)) {
    if (type == "network") {
      net->type = NetworkType::kNetwork;
    } else if (type == "bridge") {
      net->type = NetworkType::kBridge;
    } else if (type == "none") {
      net->type = NetworkType::kNone;
    } else {
      out.Add("network.type", "must be one of network, bridge, none");
    }
  } else if (!obj.contains("type")) {
    out.Add("network.type", "is required");
  }
  GetString(obj, "source", "network.source", &net->source, out);
}

}  // namespace

std::string_view NetworkTypeName(NetworkType type) {
  switch (type) {
    case NetworkType::kNone:
      return "none";
    case NetworkType::kNetwork:
      return "network";
    case NetworkType::kBridge:
      return "bridge";
  }
  return "none";
}

bool IsValidVmName(std::string_view name) { return IsSimpleName(name, 63); }

std::string CheckAbsolutePath(std::string_view path) {
  if (path.empty()) return "must not be empty";
  if (path.size() > kMaxPathLength) return "must be at most 4096 characters";
  if (HasControlChar(path)) return "must not contain NUL or control characters";
  if (!IsValidUtf8(path)) return "must be valid UTF-8";
  if (path[0] != '/') return "must be an absolute path";
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == path.npos ? path.npos : slash - start);
    if (part == "..") return "must not contain '..' components";
    if (part == ".") return "must not contain '.' components";
    if (slash == path.npos) break;
    start = slash + 1;
  }
  if (path.back() == '/') return "must name a file, not a directory";
  return "";
}

std::vector<FieldError> ValidateVmSpec(const VmSpec& spec) {
  Collector out;
  if (!IsValidVmName(spec.name)) {
    out.Add("name", "must be 1-63 characters of [A-Za-z0-9._-], starting alphanumeric");
  }
  if (spec.vcpus < kMinVcpus || spec.vcpus > kMaxVcpus) out.Add("vcpus", "must be 1..256");
  if (spec.memory_mib < kMinMemoryMib || spec.memory_mib > kMaxMemoryMib) {
    out.Add("memory_mib", "must be 16..4194304");
  }
  if (spec.disks.size() > kMaxDisks) out.Add("disks", "at most 16 disks");
  std::set<std::string> targets;
  for (size_t i = 0; i < spec.disks.size(); ++i) {
    const DiskSpec& d = spec.disks[i];
    std::string prefix = "disks[" + std::to_string(i) + "].";
    bool has_base = !d.base_image.empty();
    if (has_base == d.size_mib.has_value()) {
      out.Add(prefix + "base_image", "exactly one of base_image or size_mib is required");
    }
    if (has_base) {
      if (std::string e = CheckAbsolutePath(d.base_image); !e.empty()) {
        out.Add(prefix + "base_image", e);
      }
    }
    if (d.size_mib && (*d.size_mib == 0 || *d.size_mib > kMaxDiskSizeMib)) {
      out.Add(prefix + "size_mib", "must be 1..67108864");
    }
    if (!d.target.empty()) {
      if (!IsDiskTarget(d.target)) {
        out.Add(prefix + "target", "must be vda..vdz");
      } else if (!targets.insert(d.target).second) {
        out.Add(prefix + "target", "duplicate target '" + d.target + "'");
      }
    }
  }
  if (spec.network.type == NetworkType::kNone) {
    if (!spec.network.source.empty()) out.Add("network.source", "must be empty for type none");
  } else {
    size_t max = spec.network.type == NetworkType::kBridge ? 15 : 63;  // IFNAMSIZ - 1
    if (!IsSimpleName(spec.network.source, max)) {
      out.Add("network.source", "must be 1-" + std::to_string(max) +
                                    " characters of [A-Za-z0-9._-], starting alphanumeric");
    }
  }
  if (!spec.kernel.empty()) {
    if (std::string e = CheckAbsolutePath(spec.kernel); !e.empty()) out.Add("kernel", e);
  } else {
    if (!spec.initrd.empty()) out.Add("initrd", "requires kernel");
    if (!spec.cmdline.empty()) out.Add("cmdline", "requires kernel");
  }
  if (!spec.initrd.empty()) {
    if (std::string e = CheckAbsolutePath(spec.initrd); !e.empty()) out.Add("initrd", e);
  }
  if (spec.cmdline.size() > kMaxCmdlineLength)
    out.Add("cmdline", "must be at most 4096 characters");
  if (HasControlChar(spec.cmdline) || !IsValidUtf8(spec.cmdline)) {
    out.Add("cmdline", "must be UTF-8 without control characters");
  }
  CheckLabelMap(spec.labels, "labels", "labels", out);
  CheckLabelMap(spec.node_selector, "node_selector", "pairs", out);
  return std::move(out.errors());
}

std::string FormatFieldErrors(const std::vector<FieldError>& errors) {
  std::string s;
  for (const FieldError& e : errors) {
    if (!s.empty()) s += "; ";
    s += e.field + ": " + e.message;
  }
  return s;
}

Result<VmSpec> ParseVmSpec(const json& doc, std::vector<FieldError>* errors) {
  Collector out;
  VmSpec spec;
  if (!doc.is_object()) {
    out.Add("", "vm spec must be a JSON object");
  } else {
    CheckUnknown(doc,
                 {"name", "vcpus", "memory_mib", "disks", "network", "kernel", "initrd", "cmdline",
                  "serial_log", "labels", "ha", "node_selector"},
                 "", out);
    if (!GetString(doc, "name", "name", &spec.name, out) && !doc.contains("name")) {
      out.Add("name", "is required");
    }
    GetUint(doc, "vcpus", "vcpus", &spec.vcpus, out);
    GetUint(doc, "memory_mib", "memory_mib", &spec.memory_mib, out);
    if (auto it = doc.find("disks"); it != doc.end()) {
      if (!it->is_array()) {
        out.Add("disks", "must be an array");
      } else {
        spec.disks.resize(it->size());
        for (size_t i = 0; i < it->size(); ++i) {
          ParseDisk((*it)[i], "disks[" + std::to_string(i) + "].", &spec.disks[i], out);
        }
      }
    }
    if (auto it = doc.find("network"); it != doc.end()) ParseNetwork(*it, &spec.network, out);
    GetPath(doc, "kernel", "kernel", &spec.kernel, out);
    GetPath(doc, "initrd", "initrd", &spec.initrd, out);
    GetString(doc, "cmdline", "cmdline", &spec.cmdline, out);
    if (auto it = doc.find("serial_log"); it != doc.end()) {
      if (it->is_boolean()) {
        spec.serial_log = it->get<bool>();
      } else if (it->is_string()) {
        out.Add("serial_log",
                "the daemon chooses the serial log path (serial.log in the VM's own directory); "
                "send true to turn it on");
      } else {
        out.Add("serial_log", "must be a boolean");
      }
    }
    GetStringMap(doc, "labels", &spec.labels, out);
    if (auto it = doc.find("ha"); it != doc.end()) {
      if (it->is_boolean()) {
        spec.ha = it->get<bool>();
      } else {
        out.Add("ha", "must be a boolean");
      }
    }
    GetStringMap(doc, "node_selector", &spec.node_selector, out);
  }
  if (out.errors().empty()) out.errors() = ValidateVmSpec(spec);
  if (errors != nullptr) *errors = out.errors();
  if (!out.errors().empty()) return InvalidArgument("vm spec: " + FormatFieldErrors(out.errors()));
  return spec;
}

Result<VmSpec> ParseVmSpecJson(std::string_view text, std::vector<FieldError>* errors) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    if (errors != nullptr) *errors = {{"", "not valid JSON"}};
    return InvalidArgument("vm spec: not valid JSON");
  }
  return ParseVmSpec(doc, errors);
}

json ToJson(const VmSpec& spec) {
  json doc = {{"name", spec.name}, {"vcpus", spec.vcpus}, {"memory_mib", spec.memory_mib}};
  json disks = json::array();
  for (const DiskSpec& d : spec.disks) {
    json disk = json::object();
    if (!d.base_image.empty()) disk["base_image"] = d.base_image;
    if (d.size_mib) disk["size_mib"] = *d.size_mib;
    if (!d.target.empty()) disk["target"] = d.target;
    disks.push_back(std::move(disk));
  }
  doc["disks"] = std::move(disks);
  doc["network"] = {{"type", NetworkTypeName(spec.network.type)}};
  if (!spec.network.source.empty()) doc["network"]["source"] = spec.network.source;
  if (!spec.kernel.empty()) doc["kernel"] = spec.kernel;
  if (!spec.initrd.empty()) doc["initrd"] = spec.initrd;
  if (!spec.cmdline.empty()) doc["cmdline"] = spec.cmdline;
  if (spec.serial_log) doc["serial_log"] = true;
  if (!spec.labels.empty()) doc["labels"] = spec.labels;
  if (spec.ha) doc["ha"] = true;
  if (!spec.node_selector.empty()) doc["node_selector"] = spec.node_selector;
  return doc;
}

}  // namespace novacron::vm
