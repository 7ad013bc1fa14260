# The tamper-evident audit log (docs/security.md, "Audit log").
add_library(novacron_security_audit STATIC
  audit_event.cc
  audit_files.cc
  audit_log.cc
  audit_verify.cc
)
target_link_libraries(novacron_security_audit
  PUBLIC novacron_common
  PRIVATE OpenSSL::Crypto nlohmann_json::nlohmann_json)

novacron_test(security_audit_test
  SOURCES audit_log_test.cc audit_verify_test.cc
  LIBS novacron_security_audit Threads::Threads)
