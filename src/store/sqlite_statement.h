// A prepared SQLite statement: bind parameters (by 1-based index or by name such as ":id"),
// step through rows, read columns. Move-only; finalized by the destructor.
//
// A statement belongs to the transaction it was prepared in (SqliteTransaction::Prepare) and must
// be destroyed before that transaction ends; declare it after the transaction in a scope.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace novacron::store {

class SqliteStatement {
 public:
  // Compiles exactly one SQL statement; trailing statements are an error (use
  // SqliteTransaction::Exec for scripts).
  static Result<SqliteStatement> Prepare(sqlite3* db, std::string_view sql);

  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view value);  // the text is copied
  Status BindNull(int index);
  Status BindOptionalInt64(int index, std::optional<int64_t> value);

  // By parameter name as written in the SQL, including its prefix (":id", "@id", "$id").
  Status BindInt64(std::string_view name, int64_t value);
  Status BindText(std::string_view name, std::string_view value);
  Status BindNull(std::string_view name);
  Status BindOptionalInt64(std::string_view name, std::optional<int64_t> value);

  // Advances to the next row: true when a row is ready to read, false when the statement is done.
  Result<bool> Step();
  // Steps until done, for statements that return no rows (INSERT, UPDATE, DELETE, DDL).
  Status Run();
  // Makes the statement ready to run again; bindings are kept.
  Status Reset();

  // Columns of the current row, 0-based. NULL reads as 0 / "" / nullopt.
  int column_count() const;
  bool IsNull(int column) const;
  int64_t Int64(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::optional<int64_t> OptionalInt64(int column) const;

  // The SQL text, for messages.
  std::string_view sql() const;

 private:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status Check(int rc, std::string_view operation) const;
  Result<int> ParameterIndex(std::string_view name) const;

  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace novacron::store
