#include "cli/table.h"

#include <algorithm>
#include <cstdio>

namespace novacron::cli {

std::string Table::Render() const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);  // an empty last cell leaves no trailing blanks
    out += line + "\n";
  }
  return out;
}

std::string DetailList::Render() const {
  size_t width = 0;
  for (const auto& [key, value] : entries_) width = std::max(width, key.size() + 1);
  std::string out;
  for (const auto& [key, value] : entries_) {
    std::string label = key.empty() ? "" : key + ":";
    label.resize(width + 1, ' ');
    out += label + value + "\n";
  }
  return out;
}

std::string FormatMillis(double ms) {
  char buf[32];
  if (ms >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  }
  return buf;
}

}  // namespace novacron::cli
