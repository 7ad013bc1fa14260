// JSON renderings of the API's resources (issue 3 contract): a VM, a page of VMs and the node.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/response.h"
#include "vm/manager.h"

namespace novacron::api {

// RFC 3339 UTC with microseconds: "2026-11-25T03:40:00.123456Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point time);

nlohmann::json VmToJson(const vm::Vm& vm);
nlohmann::json VmListToJson(const vm::VmList& list);
nlohmann::json NodeToJson(const vm::NodeView& node);

// Compact JSON text; invalid UTF-8 is replaced rather than thrown.
std::string DumpJson(const nlohmann::json& doc);

// The entity tag of a VM version: "\"3\"".
std::string EntityTag(int64_t version);
// Parses an If-Match value: a strong tag ("3") or `*` (nullopt: any version). Weak tags and
// lists are refused because a version check needs exactly one strong tag.
std::optional<std::optional<int64_t>> ParseIfMatch(std::string_view value);

// A single-VM answer: JSON body and ETag.
http::Response VmResponse(int status, const vm::Vm& vm);

}  // namespace novacron::api
