// How `novacron vm list` and `novacron vm show` print VM objects of the API for people (-o json
// prints the objects as received).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace novacron::cli {

// The first 8 characters of a uuid.
std::string ShortId(std::string_view id);
// "running", or "running (drift: missing_on_hypervisor)" when the VM has drifted.
std::string StateCell(const nlohmann::json& vm);
// "a=1,b=2" sorted by key, "-" without labels.
std::string FormatLabels(const nlohmann::json& labels);

// "2026-11-25T03:40:00.123456Z" or with a "+01:00" offset; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);
// kubectl-style: "42s", "5m", "3h", "12d" (the unit changes at 2 of the next one); "-" when
// `created_at` is malformed; "0s" for times in the future (clock skew).
std::string FormatAge(std::string_view created_at, std::chrono::system_clock::time_point now);
// The same for a time point.
std::string FormatAge(std::chrono::system_clock::time_point then,
                      std::chrono::system_clock::time_point now);

// NAME ID STATE VCPUS MEMORY(MiB) AGE LABELS, one row per VM; NODE after STATE when any VM has a
// node (cluster mode), "-" for those without.
std::string RenderVmTable(const std::vector<nlohmann::json>& vms,
                          std::chrono::system_clock::time_point now);
// "Name:  web1\nID: ...": every field of one VM, its spec included. Node, HA and Node selector
// only when set (cluster mode; the spec omits ha and node_selector at their defaults).
std::string RenderVmDetails(const nlohmann::json& vm, std::chrono::system_clock::time_point now);

}  // namespace novacron::cli
