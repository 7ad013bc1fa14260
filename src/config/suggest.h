// "Did you mean" hints for misspelled keys and variable names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace novacron::config {

// Levenshtein distance, for short strings (keys, names).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `typed`: one whose last dotted segment equals typed's (a key put in the
// wrong section), else the one with the smallest edit distance if that is small for its length.
// Empty when nothing is close.
std::string ClosestMatch(std::string_view typed, const std::vector<std::string>& candidates);

// " (did you mean 'x.y'?)" or "".
std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace novacron::config
