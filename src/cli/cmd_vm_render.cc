#include "cli/cmd_vm_render.h"

#include <algorithm>
#include <ctime>

#include "cli/cmd_vm_api_client.h"
#include "cli/table.h"

namespace novacron::cli {

namespace {

const nlohmann::json& Spec(const nlohmann::json& vm) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = vm.find("spec");
  return it != vm.end() && it->is_object() ? *it : kEmpty;
}

bool ReadInt(std::string_view& s, size_t digits, int& out) {
  if (s.size() < digits) return false;
  out = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  s.remove_prefix(digits);
  return true;
}

bool Expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

std::string DiskLine(const nlohmann::json& disk) {
  std::string target = JsonString(disk, "target");
  std::string line = (target.empty() ? "(auto)" : target) + "  ";
  if (!JsonString(disk, "base_image").empty())
    return line + "overlay on " + JsonString(disk, "base_image");
  return line + "blank " + JsonScalar(disk, "size_mib") + " MiB";
}

std::string NetworkText(const nlohmann::json& spec) {
  auto it = spec.find("network");
  if (it == spec.end() || !it->is_object()) return "none";
  std::string type = JsonString(*it, "type");
  if (type.empty() || type == "none") return "none";
  return type + " " + JsonString(*it, "source");
}

std::string BootText(const nlohmann::json& spec) {
  if (JsonString(spec, "kernel").empty()) return "from the first disk";
  std::string out = "kernel " + JsonString(spec, "kernel");
  if (!JsonString(spec, "initrd").empty()) out += ", initrd " + JsonString(spec, "initrd");
  if (!JsonString(spec, "cmdline").empty())
    out += ", cmdline \"" + JsonString(spec, "cmdline") + "\"";
  return out;
}

}  // namespace

std::string ShortId(std::string_view id) { return std::string(id.substr(0, 8)); }

std::string StateCell(const nlohmann::json& vm) {
  std::string state = JsonString(vm, "state");
  if (state.empty()) state = "-";
  std::string drift = JsonString(vm, "drift");
  if (!drift.empty()) state += " (drift: " + drift + ")";
  return state;
}

std::string FormatLabels(const nlohmann::json& labels) {
  if (!labels.is_object() || labels.empty()) return "-";
  std::string out;
  for (const auto& [key, value] : labels.items()) {  // nlohmann::json objects are sorted
    if (!out.empty()) out += ",";
    out += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s) {
  std::tm tm{};
  int year = 0, month = 0;
  if (!ReadInt(s, 4, year) || !Expect(s, '-') || !ReadInt(s, 2, month) || !Expect(s, '-') ||
      !ReadInt(s, 2, tm.tm_mday) || s.empty() || (s.front() != 'T' && s.front() != 't')) {
    return std::nullopt;
  }
  s.remove_prefix(1);
  if (!ReadInt(s, 2, tm.tm_hour) || !Expect(s, ':') || !ReadInt(s, 2, tm.tm_min) ||
      !Expect(s, ':') || !ReadInt(s, 2, tm.tm_sec)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  std::chrono::microseconds fraction{0};
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int64_t scale = 1000000;
    size_t digits = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      scale /= 10;
      fraction += std::chrono::microseconds((s.front() - '0') * scale);
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int offset_minutes = 0;
  if (s == "Z" || s == "z") {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    int sign = s.front() == '+' ? 1 : -1;
    s.remove_prefix(1);
    int hours = 0, minutes = 0;
    if (!ReadInt(s, 2, hours) || !Expect(s, ':') || !ReadInt(s, 2, minutes)) return std::nullopt;
    offset_minutes = sign * (hours * 60 + minutes);
  } else {
    return std::nullopt;
  }
  if (!s.empty()) return std::nullopt;
  std::time_t secs = timegm(&tm);
  return std::chrono::system_clock::from_time_t(secs) - std::chrono::minutes(offset_minutes) +
         fraction;
}

std::string FormatAge(std::string_view created_at, std::chrono::system_clock::time_point now) {
  auto created = ParseRfc3339(created_at);
  if (!created) return "-";
  return FormatAge(*created, now);
}

std::string FormatAge(std::chrono::system_clock::time_point then,
                      std::chrono::system_clock::time_point now) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
  if (secs < 0) secs = 0;
  if (secs < 120) return std::to_string(secs) + "s";
  if (secs < 120 * 60) return std::to_string(secs / 60) + "m";
  if (secs < 48 * 3600) return std::to_string(secs / 3600) + "h";
  return std::to_string(secs / 86400) + "d";
}

std::string RenderVmTable(const std::vector<nlohmann::json>& vms,
                          std::chrono::system_clock::time_point now) {
  // NODE only when a VM has one (cluster mode): a standalone daemon's list stays as narrow.
  const bool nodes = std::any_of(vms.begin(), vms.end(), [](const nlohmann::json& vm) {
    return !JsonString(vm, "node").empty();
  });
  std::vector<std::string> header = {"NAME", "ID", "STATE"};
  if (nodes) header.push_back("NODE");
  header.insert(header.end(), {"VCPUS", "MEMORY(MiB)", "AGE", "LABELS"});
  Table table(std::move(header));
  for (const auto& vm : vms) {
    const nlohmann::json& spec = Spec(vm);
    std::string name = JsonString(vm, "name");
    if (name.empty()) name = JsonString(spec, "name");
    std::vector<std::string> row = {name, ShortId(JsonString(vm, "id")), StateCell(vm)};
    if (nodes) {
      std::string node = JsonString(vm, "node");
      row.push_back(node.empty() ? "-" : node);
    }
    row.insert(row.end(), {JsonScalar(spec, "vcpus"), JsonScalar(spec, "memory_mib"),
                           FormatAge(JsonString(vm, "created_at"), now),
                           FormatLabels(spec.value("labels", nlohmann::json::object()))});
    table.Add(std::move(row));
  }
  return table.Render();
}

std::string RenderVmDetails(const nlohmann::json& vm, std::chrono::system_clock::time_point now) {
  const nlohmann::json& spec = Spec(vm);
  DetailList out;
  std::string name = JsonString(vm, "name");
  out.Add("Name", name.empty() ? JsonString(spec, "name") : name);
  out.Add("ID", JsonString(vm, "id"));
  out.Add("State", StateCell(vm));
  // The owner in cluster mode; a standalone daemon (and one not placed yet: drift "unplaced")
  // answers "".
  if (!JsonString(vm, "node").empty()) out.Add("Node", JsonString(vm, "node"));
  if (!JsonString(vm, "last_error").empty()) out.Add("Last error", JsonString(vm, "last_error"));
  out.Add("Version", JsonScalar(vm, "version"));
  out.Add("Created", JsonString(vm, "created_at") + " (" +
                         FormatAge(JsonString(vm, "created_at"), now) + " ago)");
  out.Add("Updated", JsonString(vm, "updated_at"));
  out.Add("VCPUs", JsonScalar(spec, "vcpus"));
  out.Add("Memory", JsonScalar(spec, "memory_mib") + " MiB");
  auto disks = spec.find("disks");
  if (disks == spec.end() || !disks->is_array() || disks->empty()) {
    out.Add("Disks", "none");
  } else {
    for (size_t i = 0; i < disks->size(); ++i) {
      out.Add(i == 0 ? "Disks" : "", DiskLine((*disks)[i]));
    }
  }
  out.Add("Network", NetworkText(spec));
  out.Add("Boot", BootText(spec));
  out.Add("Serial log", spec.value("serial_log", nlohmann::json(false)) == true
                            ? "serial.log in the VM's directory"
                            : "pty console");
  out.Add("Labels", FormatLabels(spec.value("labels", nlohmann::json::object())));
  // Cluster placement fields: the spec omits them at their defaults (false, empty).
  if (spec.value("ha", nlohmann::json(false)) == true) out.Add("HA", "yes");
  const nlohmann::json selector = spec.value("node_selector", nlohmann::json::object());
  if (selector.is_object() && !selector.empty()) out.Add("Node selector", FormatLabels(selector));
  return out.Render();
}

}  // namespace novacron::cli
