// "host:port" for messages, files and URLs, with brackets around IPv6 literals ("[::1]:8080").
#pragma once

#include <string>
#include <string_view>

namespace novacron {

std::string FormatHostPort(std::string_view host, int port);

}  // namespace novacron
