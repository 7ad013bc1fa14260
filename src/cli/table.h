// Plain aligned text for people (scripts use -o json): tables, and "Key:  value" detail lists.
#pragma once

#include <string>
#include <utility>
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

// "Name:       web1" lines, every value starting one column after the longest "Key:". An entry
// with an empty key continues the one before it on a line of its own.
class DetailList {
 public:
  void Add(std::string key, std::string value) {
    entries_.emplace_back(std::move(key), std::move(value));
  }
  std::string Render() const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// "12.3 ms", "1.20 s".
std::string FormatMillis(double ms);

}  // namespace novacron::cli
