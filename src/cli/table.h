// A plain aligned text table for people (scripts use -o json).
#pragma once

#include <string>
#include <vector>

namespace novacron::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "12.3 ms", "1.20 s".
std::string FormatMillis(double ms);

}  // namespace novacron::cli
