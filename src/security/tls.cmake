# TLS and mTLS (docs/security.md, "TLS", "mTLS identities", "Certificates").
add_library(novacron_security_tls STATIC
  cert_authority.cc
  certificate.cc
  openssl_util.cc
  session_ticket_keys.cc
  tls_context.cc
  tls_context_source.cc
)
target_link_libraries(novacron_security_tls
  PUBLIC novacron_common OpenSSL::SSL OpenSSL::Crypto Boost::headers Threads::Threads)

# A temp PKI, a loopback TLS server and a configurable client, for tests here and in http/.
add_library(novacron_security_tls_testing STATIC tls_test_util.cc)
target_link_libraries(novacron_security_tls_testing PUBLIC novacron_security_tls)

novacron_test(security_tls_test
  SOURCES certificate_test.cc session_ticket_keys_test.cc tls_context_test.cc
  LIBS novacron_security_tls novacron_security_tls_testing)
