# API tokens and roles (docs/security.md, "API tokens" and "Roles").
add_library(novacron_security_tokens STATIC
  api_token.cc
  role.cc
  token_authenticator.cc
)
target_link_libraries(novacron_security_tokens
  PUBLIC novacron_common novacron_store
  PRIVATE novacron_security_secrets OpenSSL::Crypto)  # base64url

novacron_test(security_tokens_test
  SOURCES api_token_test.cc role_test.cc token_authenticator_test.cc
  LIBS novacron_security_tokens Threads::Threads)
