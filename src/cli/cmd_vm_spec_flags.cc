#include "cli/cmd_vm_spec_flags.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace novacron::cli {

namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

constexpr uint64_t kMiB = 1 << 20;

struct SizeUnit {
  std::string_view name;
  uint64_t bytes;
};
constexpr std::array<SizeUnit, 16> kSizeUnits = {{
    {"K", 1ULL << 10},
    {"KiB", 1ULL << 10},
    {"k", 1ULL << 10},
    {"KB", 1000ULL},
    {"M", 1ULL << 20},
    {"MiB", 1ULL << 20},
    {"m", 1ULL << 20},
    {"MB", 1000ULL * 1000},
    {"G", 1ULL << 30},
    {"GiB", 1ULL << 30},
    {"g", 1ULL << 30},
    {"GB", 1000ULL * 1000 * 1000},
    {"T", 1ULL << 40},
    {"TiB", 1ULL << 40},
    {"t", 1ULL << 40},
    {"TB", 1000ULL * 1000 * 1000 * 1000},
}};

// Splits "k=v" at the first '='; nullopt without one.
std::optional<std::pair<std::string_view, std::string_view>> SplitPair(std::string_view s) {
  size_t eq = s.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  return std::pair{s.substr(0, eq), s.substr(eq + 1)};
}

// Repeated "k=v" flags (--label, --node-selector) -> a JSON object; `what` names a key in errors.
Result<nlohmann::json> PairsFromFlags(const std::vector<std::string>& values, std::string_view flag,
                                      std::string_view what) {
  nlohmann::json pairs = nlohmann::json::object();
  for (const auto& v : values) {
    auto kv = SplitPair(v);
    if (!kv || kv->first.empty()) {
      return InvalidArgument(std::string(flag) + " " + Quote(v) + ": expected key=value");
    }
    if (pairs.contains(kv->first)) {
      return InvalidArgument(std::string(flag) + " " + Quote(v) + ": " + std::string(what) + " " +
                             Quote(kv->first) + " given twice");
    }
    pairs[std::string(kv->first)] = kv->second;
  }
  return pairs;
}

}  // namespace

Result<uint64_t> ParseSizeMib(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("expected a size such as 512M, 1G or 2048 (MiB), got " + Quote(text) +
                           ": " + std::string(why));
  };
  size_t digits = 0;
  uint64_t n = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    uint64_t d = static_cast<uint64_t>(text[digits] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) return bad("too large");
    n = n * 10 + d;
    ++digits;
  }
  if (digits == 0) return bad("expected a number");
  std::string_view unit = text.substr(digits);
  if (!unit.empty() && unit.front() == '.') return bad("no fractions; use a smaller unit (1536M)");
  uint64_t bytes_per_unit = kMiB;  // bare number: MiB
  if (!unit.empty()) {
    bytes_per_unit = 0;
    for (const SizeUnit& u : kSizeUnits) {
      if (unit == u.name) bytes_per_unit = u.bytes;
    }
    if (bytes_per_unit == 0) return bad("unknown unit; use K, M, G, T (KiB...), or KB, MB, GB, TB");
  }
  if (n > std::numeric_limits<uint64_t>::max() / bytes_per_unit) return bad("too large");
  uint64_t bytes = n * bytes_per_unit;
  if (bytes == 0) return bad("must be more than 0");
  if (bytes % kMiB != 0) return bad("not a whole number of MiB");
  return bytes / kMiB;
}

Result<nlohmann::json> ParseDiskFlag(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("--disk " + Quote(text) + ": " + std::string(why) +
                           " (use base=/path/image.qcow2 or size=10G, optionally ,target=vdb)");
  };
  nlohmann::json disk = nlohmann::json::object();
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = std::min(text.find(',', pos), text.size());
    std::string_view part = text.substr(pos, comma - pos);
    pos = comma + 1;
    auto kv = SplitPair(part);
    if (!kv) return bad("expected key=value, got " + Quote(part));
    auto [key, value] = *kv;
    if (disk.contains(key == "base" ? "base_image" : key == "size" ? "size_mib" : key)) {
      return bad("repeated " + std::string(key));
    }
    if (key == "base") {
      if (value.empty()) return bad("base needs an image path");
      disk["base_image"] = value;
    } else if (key == "size") {
      auto mib = ParseSizeMib(value);
      if (!mib.ok()) return bad(mib.status().message());
      disk["size_mib"] = *mib;
    } else if (key == "target") {
      disk["target"] = value;
    } else {
      return bad("unknown key " + Quote(key));
    }
  }
  if (disk.contains("base_image") == disk.contains("size_mib")) {
    return bad("exactly one of base= or size= is required");
  }
  return disk;
}

Result<nlohmann::json> ParseNetworkFlag(std::string_view text) {
  if (text == "none") return nlohmann::json{{"type", "none"}};
  std::string_view type = "network";
  std::string_view source = text;
  if (size_t colon = text.find(':'); colon != std::string_view::npos) {
    type = text.substr(0, colon);
    source = text.substr(colon + 1);
    if (type != "network" && type != "bridge") {
      return InvalidArgument("--network " + Quote(text) + ": unknown type " + Quote(type) +
                             " (use default, network:NAME, bridge:BRIDGE or none)");
    }
  }
  if (source.empty()) {
    return InvalidArgument("--network " + Quote(text) +
                           ": needs a name (use default, network:NAME, bridge:BRIDGE or none)");
  }
  return nlohmann::json{{"type", type}, {"source", source}};
}

Result<nlohmann::json> SpecFromFlags(const VmSpecFlags& flags) {
  if (flags.name.empty()) return InvalidArgument("--name is required (or give a spec with -f)");
  nlohmann::json spec = {{"name", flags.name}};
  if (flags.vcpus) spec["vcpus"] = *flags.vcpus;
  if (!flags.memory.empty()) {
    auto mib = ParseSizeMib(flags.memory);
    if (!mib.ok()) return InvalidArgument("--memory: " + mib.status().message());
    spec["memory_mib"] = *mib;
  }
  if (!flags.disks.empty()) {
    nlohmann::json disks = nlohmann::json::array();
    for (const auto& d : flags.disks) {
      NOVACRON_ASSIGN_OR_RETURN(auto disk, ParseDiskFlag(d));
      disks.push_back(std::move(disk));
    }
    spec["disks"] = std::move(disks);
  }
  if (!flags.network.empty()) {
    NOVACRON_ASSIGN_OR_RETURN(auto network, ParseNetworkFlag(flags.network));
    spec["network"] = std::move(network);
  }
  for (auto [key, value] : {std::pair{"kernel", &flags.kernel}, std::pair{"initrd", &flags.initrd},
                            std::pair{"cmdline", &flags.cmdline}}) {
    if (!value->empty()) spec[key] = *value;
  }
  if (flags.serial_log) spec["serial_log"] = true;
  if (!flags.labels.empty()) {
    NOVACRON_ASSIGN_OR_RETURN(auto labels, PairsFromFlags(flags.labels, "--label", "label"));
    spec["labels"] = std::move(labels);
  }
  if (flags.ha) spec["ha"] = true;
  if (!flags.node_selector.empty()) {
    NOVACRON_ASSIGN_OR_RETURN(auto selector,
                              PairsFromFlags(flags.node_selector, "--node-selector", "key"));
    spec["node_selector"] = std::move(selector);
  }
  return spec;
}

Result<nlohmann::json> ParseSpecDocument(std::string_view text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // The exception's text says where the syntax error is.
    return InvalidArgument(std::string(source) + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) return InvalidArgument(std::string(source) + ": must be a JSON object");
  return doc;
}

}  // namespace novacron::cli
