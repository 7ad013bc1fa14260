// What every state store backend does the same way, whatever its SQL: the column conventions
// of the schema (times as unix microseconds, component dependencies as a JSON array), the rules
// a VM record must satisfy, the page cursor, and the messages the conformance suite expects.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/vm_store.h"

namespace novacron::store {

int64_t ToUnixMicros(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromUnixMicros(int64_t us);
std::optional<int64_t> OptionalMicros(const std::optional<std::chrono::microseconds>& d);
std::optional<std::chrono::microseconds> ToOptionalDuration(std::optional<int64_t> us);

// A component's dependencies column. Invalid UTF-8 is replaced, not refused: a name is data here,
// not something to fail a boot over. Decoding names `where` when the column is corrupt.
std::string EncodeDependencies(const std::vector<std::string>& dependencies);
Result<std::vector<std::string>> DecodeDependencies(const std::string& text,
                                                    std::string_view where);

inline constexpr int kMaxVmPageLimit = 1000;

// kInvalidArgument for a record without id, name, spec or state, or with an empty label key.
Status ValidateVmRecord(const VmRecord& record);
// kInvalidArgument unless 1 <= limit <= kMaxVmPageLimit.
Status ValidateVmPageLimit(int limit);

// The cursor is the decimal seq of the last item of the previous page; "" is the first page.
std::string EncodeVmCursor(int64_t seq);
Result<int64_t> DecodeVmCursor(const std::string& cursor);  // kInvalidArgument "cursor: malformed"

Status VmNameTaken(const std::string& name);  // kAlreadyExists "vm name 'x' is taken"
Status VmVersionMoved(const std::string& id, int64_t stored, int64_t expected);  // kConflict

}  // namespace novacron::store
