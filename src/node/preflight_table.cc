// FormatPreflightTable: the text table `novacron check` prints.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "node/preflight.h"

namespace novacron::node {

std::string FormatPreflightTable(const PreflightReport& report) {
  using Row = std::array<std::string, 5>;
  std::vector<Row> rows;
  rows.push_back({"CHECK", "STATUS", "OBSERVED", "REQUIRED", "DETAIL"});
  for (const CheckResult& c : report.checks) {
    rows.push_back(
        {c.name, std::string(CheckStatusName(c.status)), c.observed, c.required, c.detail});
  }
  std::array<size_t, 5> width{};
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      // Two spaces between columns; the last column is not padded.
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace novacron::node
