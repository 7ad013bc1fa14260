// The OpenAPI 3.0.3 document of every route the daemon serves (src/api/openapi.json, embedded at
// build time), served at GET /api/v1/openapi.json.
#pragma once

#include <string_view>

#include "http/router.h"

namespace novacron::api {

// The document's JSON text, byte for byte the file in the source tree.
std::string_view OpenApiDocument();

http::Handler OpenApiHandler();

}  // namespace novacron::api
