#include "store/sqlite_statement.h"

#include <sqlite3.h>

#include <cctype>
#include <utility>

#include "store/sqlite_error.h"

namespace novacron::store {
namespace {

bool OnlyWhitespace(const char* begin, const char* end) {
  for (const char* p = begin; p < end; ++p) {
    if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';') return false;
  }
  return true;
}

}  // namespace

Result<SqliteStatement> SqliteStatement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) return SqliteError(rc, db, "prepare " + QuoteSql(sql));
  SqliteStatement statement(stmt);
  if (stmt == nullptr) return InvalidArgument("sqlite prepare: empty SQL statement");
  if (tail != nullptr && !OnlyWhitespace(tail, sql.data() + sql.size())) {
    return InvalidArgument("sqlite prepare " + QuoteSql(sql) +
                           ": more than one statement (use Exec for scripts)");
  }
  return statement;
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Status SqliteStatement::Check(int rc, std::string_view operation) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteError(rc, sqlite3_db_handle(stmt_), std::string(operation) + " " + QuoteSql(sql()));
}

Status SqliteStatement::BindInt64(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value),
               "bind parameter " + std::to_string(index) + " of");
}

Status SqliteStatement::BindDouble(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value),
               "bind parameter " + std::to_string(index) + " of");
}

Status SqliteStatement::BindText(int index, std::string_view value) {
  return Check(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind parameter " + std::to_string(index) + " of");
}

Status SqliteStatement::BindNull(int index) {
  return Check(sqlite3_bind_null(stmt_, index), "bind parameter " + std::to_string(index) + " of");
}

Status SqliteStatement::BindOptionalInt64(int index, std::optional<int64_t> value) {
  return value.has_value() ? BindInt64(index, *value) : BindNull(index);
}

Result<int> SqliteStatement::ParameterIndex(std::string_view name) const {
  int index = sqlite3_bind_parameter_index(stmt_, std::string(name).c_str());
  if (index == 0) {
    return InvalidArgument("sqlite bind: no parameter " + std::string(name) + " in " +
                           QuoteSql(sql()));
  }
  return index;
}

Status SqliteStatement::BindInt64(std::string_view name, int64_t value) {
  Result<int> index = ParameterIndex(name);
  if (!index.ok()) return index.status();
  return BindInt64(*index, value);
}

Status SqliteStatement::BindText(std::string_view name, std::string_view value) {
  Result<int> index = ParameterIndex(name);
  if (!index.ok()) return index.status();
  return BindText(*index, value);
}

Status SqliteStatement::BindNull(std::string_view name) {
  Result<int> index = ParameterIndex(name);
  if (!index.ok()) return index.status();
  return BindNull(*index);
}

Status SqliteStatement::BindOptionalInt64(std::string_view name, std::optional<int64_t> value) {
  Result<int> index = ParameterIndex(name);
  if (!index.ok()) return index.status();
  return BindOptionalInt64(*index, value);
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Check(rc, "step");
}

Status SqliteStatement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
  }
  return Reset();
}

Status SqliteStatement::Reset() { return Check(sqlite3_reset(stmt_), "reset"); }

int SqliteStatement::column_count() const { return sqlite3_column_count(stmt_); }

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double SqliteStatement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  // column_bytes after column_text: the length of the UTF-8 form just produced.
  int bytes = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(bytes));
}

std::optional<int64_t> SqliteStatement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

std::string_view SqliteStatement::sql() const {
  const char* text = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return text != nullptr ? std::string_view(text) : std::string_view();
}

}  // namespace novacron::store
