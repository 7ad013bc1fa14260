#include "config/suggest.h"

#include <algorithm>

namespace novacron::config {
namespace {

std::string_view LastSegment(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min(std::min(above, row[j - 1]) + 1, substitute);
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(std::string_view typed, const std::vector<std::string>& candidates) {
  // Names are short; longer input cannot be close and would only cost time.
  if (typed.empty() || typed.size() > 256) return "";
  std::string_view typed_last = LastSegment(typed);
  if (typed_last != typed) {
    for (const std::string& c : candidates) {
      if (LastSegment(c) == typed_last) return c;
    }
  }
  // Allow about one typo per four characters, at least 2.
  const size_t allowed = std::max<size_t>(2, typed.size() / 4);
  std::string best;
  size_t best_distance = 0;
  for (const std::string& c : candidates) {
    // The distance is at least the difference in length: skip hopeless candidates cheaply.
    size_t length_gap = c.size() > typed.size() ? c.size() - typed.size() : typed.size() - c.size();
    if (length_gap > allowed) continue;
    size_t d = EditDistance(typed, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return !best.empty() && best_distance <= allowed ? best : "";
}

std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates) {
  std::string match = ClosestMatch(typed, candidates);
  return match.empty() ? "" : " (did you mean '" + match + "'?)";
}

}  // namespace novacron::config
