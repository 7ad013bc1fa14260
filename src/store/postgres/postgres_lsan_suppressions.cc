// Test-only: libpqxx 6.4 leaks the PGresult of a query whose connection broke (libpq's
// PQgetResult error result is never PQclear'ed inside libpqxx), which the outage tests provoke on
// purpose. Our own leaks still show: their stacks start in our code, not in libpqxx.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return "leak:libpqxx-6.4.so\n";
}
