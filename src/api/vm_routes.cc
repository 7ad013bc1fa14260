#include "api/vm_routes.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

#include "api/problem.h"
#include "api/request_input.h"
#include "api/vm_codec.h"
#include "vm/spec_errors.h"
#include "vm/vm_spec.h"

namespace novacron::api {
namespace {

using nlohmann::json;

// Longer than any name or UUID: cannot name a VM, and is not worth a store lookup.
constexpr size_t kMaxVmRefLength = 255;
// A label PATCH pins the version it merged into; it retries when another write slipped in.
constexpr int kPatchAttempts = 3;

template <typename T>
const http::Response* Problem(const Parsed<T>& parsed) {
  return std::get_if<http::Response>(&parsed);
}

http::Response VmNotFound(std::string_view ref) {
  return ProblemResponse({.status = 404,
                          .title = "",
                          .detail = "no vm '" + std::string(ref.substr(0, 64)) + "'",
                          .field = "id"});
}

// A manager error; a kConflict under If-Match is 412 when the version is what moved.
http::Response ManagerError(const ApiV1Deps& deps, const std::string& ref, const Status& status,
                            std::optional<int64_t> if_match) {
  if (status.code() == ErrorCode::kConflict && if_match) {
    Result<vm::Vm> current = deps.manager->Get(ref);
    if (current.ok() && current->version != *if_match) {
      return ProblemResponse({.status = 412,
                              .title = "Precondition Failed",
                              .detail = "vm '" + current->spec.name + "' is at version " +
                                        std::to_string(current->version) + ", If-Match names " +
                                        std::to_string(*if_match),
                              .field = "If-Match"});
    }
  }
  return StatusResponse(status, deps.log);
}

// The reference from the path, or nullopt when it cannot name a VM.
std::optional<std::string> VmRef(const http::Request& request) {
  std::string_view ref = request.Param("id");
  if (ref.empty() || ref.size() > kMaxVmRefLength) return std::nullopt;
  return std::string(ref);
}

// Checks one PATCH member and applies it to `patch`; the merge of labels needs the current ones.
void ApplyPatchMember(const std::string& key, const json& value,
                      const std::map<std::string, std::string>& current_labels, vm::VmPatch& patch,
                      std::vector<vm::FieldError>& errors) {
  if (key == "vcpus") {
    if (!value.is_number_integer()) {
      errors.push_back({key, "must be an integer"});
    } else if (value.get<int64_t>() < vm::kMinVcpus || value.get<int64_t>() > vm::kMaxVcpus) {
      errors.push_back({key, "must be 1..256"});
    } else {
      patch.vcpus = value.get<int>();
    }
  } else if (key == "memory_mib") {
    if (!value.is_number_integer() || value.get<int64_t>() < 0) {
      errors.push_back({key, "must be a non-negative integer"});
    } else if (value.get<uint64_t>() < vm::kMinMemoryMib ||
               value.get<uint64_t>() > vm::kMaxMemoryMib) {
      errors.push_back({key, "must be 16..4194304"});
    } else {
      patch.memory_mib = value.get<uint64_t>();
    }
  } else if (key == "labels") {
    // JSON merge patch (RFC 7396): null removes all labels, a null value removes one.
    std::map<std::string, std::string> labels;
    if (value.is_object()) {
      labels = current_labels;
      for (const auto& item : value.items()) {
        if (item.value().is_null()) {
          labels.erase(item.key());
        } else if (item.value().is_string()) {
          labels[item.key()] = item.value().get<std::string>();
        } else {
          errors.push_back({"labels." + item.key(), "must be a string or null"});
        }
      }
    } else if (!value.is_null()) {
      errors.push_back({key, "must be an object or null"});
      return;
    }
    patch.labels = std::move(labels);
  } else {
    errors.push_back({key, "unknown field; a PATCH may change vcpus, memory_mib and labels"});
  }
}

// The patch for `body` merged into `current`, or the 422 listing every bad field.
Parsed<vm::VmPatch> BuildPatch(const json& body, const vm::Vm& current) {
  vm::VmPatch patch;
  std::vector<vm::FieldError> errors;
  for (const auto& item : body.items()) {
    ApplyPatchMember(item.key(), item.value(), current.spec.labels, patch, errors);
  }
  if (errors.empty()) {
    // The spec rules (label syntax, counts) apply to the result, so check it as a whole.
    vm::VmSpec merged = current.spec;
    if (patch.vcpus) merged.vcpus = *patch.vcpus;
    if (patch.memory_mib) merged.memory_mib = *patch.memory_mib;
    if (patch.labels) merged.labels = *patch.labels;
    for (vm::FieldError& e : vm::ValidateVmSpec(merged)) {
      if (e.field == "vcpus" || e.field == "memory_mib" || e.field.starts_with("labels")) {
        errors.push_back(std::move(e));
      }
    }
  }
  if (!errors.empty()) return Unprocessable(std::move(errors));
  return patch;
}

}  // namespace

http::Handler ListVmsHandler(ApiV1DepsPtr deps_ptr) {
  return [deps_ptr](const http::Request& request) {
    const ApiV1Deps& deps = *deps_ptr;
    Parsed<ListQuery> query = ParseListQuery(request.query);
    if (auto* problem = Problem(query)) return *problem;
    const ListQuery& q = std::get<ListQuery>(query);
    const uint64_t generation = deps.manager->generation();  // before reading the VMs
    if (auto cached = deps.list_cache->Get(request.query, generation)) {
      return http::Response::Json(200, *cached);
    }
    Result<vm::VmList> list = deps.manager->List(q.filter, q.page);
    if (!list.ok()) {
      // The only argument the store can still refuse is the cursor.
      if (list.status().code() == ErrorCode::kInvalidArgument) {
        return BadRequest("cursor", list.status().message());
      }
      return StatusResponse(list.status(), deps.log);
    }
    std::string body = DumpJson(VmListToJson(*list));
    deps.list_cache->Put(request.query, generation, body);
    return http::Response::Json(200, std::move(body));
  };
}

http::Handler CreateVmHandler(ApiV1DepsPtr deps_ptr) {
  return [deps_ptr](const http::Request& request) {
    const ApiV1Deps& deps = *deps_ptr;
    auto params = ParseQuery(request.query, {"start"});
    if (auto* problem = Problem(params)) return *problem;
    Parsed<bool> start = ParseBoolParam(std::get<0>(params), "start");
    if (auto* problem = Problem(start)) return *problem;
    Parsed<json> body = ParseJsonObjectBody(request);
    if (auto* problem = Problem(body)) return *problem;

    std::vector<vm::FieldError> errors;
    Result<vm::VmSpec> spec = vm::ParseVmSpec(std::get<json>(body), &errors);
    if (!spec.ok()) return Unprocessable(std::move(errors));

    Result<vm::Vm> created = deps.manager->Create(*spec, std::get<bool>(start));
    if (!created.ok()) {
      // Host paths and images are checked by the manager (vm/host_paths.h): 422 naming them.
      std::vector<vm::FieldError> refused = vm::SpecErrorsOf(created.status());
      if (!refused.empty()) return Unprocessable(std::move(refused));
      return StatusResponse(created.status(), deps.log);
    }
    http::Response response = VmResponse(201, *created);
    response.headers.Set("Location", "/api/v1/vms/" + created->id);
    return response;
  };
}

http::Handler GetVmHandler(ApiV1DepsPtr deps_ptr) {
  return [deps_ptr](const http::Request& request) {
    const ApiV1Deps& deps = *deps_ptr;
    auto params = ParseQuery(request.query, {});
    if (auto* problem = Problem(params)) return *problem;
    std::optional<std::string> ref = VmRef(request);
    if (!ref) return VmNotFound(request.Param("id"));
    Result<vm::Vm> vm = deps.manager->Get(*ref);
    if (!vm.ok()) return StatusResponse(vm.status(), deps.log);
    return VmResponse(200, *vm);
  };
}

http::Handler PatchVmHandler(ApiV1DepsPtr deps_ptr) {
  return [deps_ptr](const http::Request& request) {
    const ApiV1Deps& deps = *deps_ptr;
    auto params = ParseQuery(request.query, {});
    if (auto* problem = Problem(params)) return *problem;
    Parsed<std::optional<int64_t>> if_match = ParseIfMatchHeader(request);
    if (auto* problem = Problem(if_match)) return *problem;
    Parsed<json> body = ParseJsonObjectBody(request);
    if (auto* problem = Problem(body)) return *problem;
    std::optional<std::string> ref = VmRef(request);
    if (!ref) return VmNotFound(request.Param("id"));

    std::optional<int64_t> client_version = std::get<std::optional<int64_t>>(if_match);
    for (int attempt = 1;; ++attempt) {
      Result<vm::Vm> current = deps.manager->Get(*ref);
      if (!current.ok()) return StatusResponse(current.status(), deps.log);
      if (client_version && current->version != *client_version) {
        return ManagerError(deps, *ref, Conflict("stale"), client_version);
      }
      Parsed<vm::VmPatch> patch = BuildPatch(std::get<json>(body), *current);
      if (auto* problem = Problem(patch)) return *problem;
      const vm::VmPatch& p = std::get<vm::VmPatch>(patch);
      // Labels were merged into this version: write them only over it.
      std::optional<int64_t> expected = client_version;
      if (p.labels && !expected) expected = current->version;
      Result<vm::Vm> updated = deps.manager->Update(*ref, p, expected);
      if (updated.ok()) return VmResponse(200, *updated);
      bool raced = updated.status().code() == ErrorCode::kConflict && !client_version && p.labels &&
                   attempt < kPatchAttempts;
      if (raced) {
        Result<vm::Vm> now = deps.manager->Get(*ref);
        if (now.ok() && now->version != current->version) continue;
      }
      return ManagerError(deps, *ref, updated.status(), client_version);
    }
  };
}

http::Handler DeleteVmHandler(ApiV1DepsPtr deps_ptr) {
  return [deps_ptr](const http::Request& request) {
    const ApiV1Deps& deps = *deps_ptr;
    auto params = ParseQuery(request.query, {"force"});
    if (auto* problem = Problem(params)) return *problem;
    Parsed<bool> force = ParseBoolParam(std::get<0>(params), "force");
    if (auto* problem = Problem(force)) return *problem;
    Parsed<std::optional<int64_t>> if_match = ParseIfMatchHeader(request);
    if (auto* problem = Problem(if_match)) return *problem;
    Parsed<std::monostate> body = ParseEmptyBody(request);
    if (auto* problem = Problem(body)) return *problem;
    std::optional<std::string> ref = VmRef(request);
    if (!ref) return VmNotFound(request.Param("id"));

    std::optional<int64_t> version = std::get<std::optional<int64_t>>(if_match);
    Status deleted = deps.manager->Delete(*ref, version, std::get<bool>(force));
    if (!deleted.ok()) return ManagerError(deps, *ref, deleted, version);
    http::Response response;
    response.status = 204;
    return response;
  };
}

http::Handler VmActionHandler(ApiV1DepsPtr deps_ptr, VmActionRoute action) {
  return [deps_ptr, action](const http::Request& request) {
    const ApiV1Deps& deps = *deps_ptr;
    auto params = ParseQuery(request.query, {});
    if (auto* problem = Problem(params)) return *problem;
    Parsed<std::optional<int64_t>> if_match = ParseIfMatchHeader(request);
    if (auto* problem = Problem(if_match)) return *problem;
    Parsed<std::monostate> body = ParseEmptyBody(request);
    if (auto* problem = Problem(body)) return *problem;
    std::optional<std::string> ref = VmRef(request);
    if (!ref) return VmNotFound(request.Param("id"));

    std::optional<int64_t> version = std::get<std::optional<int64_t>>(if_match);
    Result<vm::Vm> vm = [&]() -> Result<vm::Vm> {
      switch (action) {
        case VmActionRoute::kStart:
          return deps.manager->Start(*ref, version);
        case VmActionRoute::kStop:
          return deps.manager->Stop(*ref, vm::StopMode::kForce, version);
        case VmActionRoute::kShutdown:
          return deps.manager->Stop(*ref, vm::StopMode::kGraceful, version);
        case VmActionRoute::kReboot:
          return deps.manager->Reboot(*ref, version);
      }
      return Internal("unknown vm action");
    }();
    if (!vm.ok()) return ManagerError(deps, *ref, vm.status(), version);
    return VmResponse(202, *vm);
  };
}

}  // namespace novacron::api
