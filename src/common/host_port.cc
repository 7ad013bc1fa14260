#include "common/host_port.h"

namespace novacron {

std::string FormatHostPort(std::string_view host, int port) {
  std::string out;
  bool v6_literal = host.find(':') != std::string_view::npos;
  if (v6_literal) out += '[';
  out += host;
  if (v6_literal) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace novacron
