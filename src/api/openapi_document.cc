#include "api/openapi_document.h"

#include <string>

#include "http/response.h"

namespace novacron::api {

// Defined in openapi_json.cc, which CMake generates from openapi.json.
extern const char kOpenApiJson[];
extern const size_t kOpenApiJsonSize;

std::string_view OpenApiDocument() { return {kOpenApiJson, kOpenApiJsonSize}; }

http::Handler OpenApiHandler() {
  return [](const http::Request&) {
    http::Response response = http::Response::Json(200, std::string(OpenApiDocument()));
    response.headers.Set("Cache-Control", "public, max-age=300");
    return response;
  };
}

}  // namespace novacron::api
