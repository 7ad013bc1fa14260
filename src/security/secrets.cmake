# Secrets at rest: enc:v1: values (AES-256-GCM), named key files, key rotation of config files
# (docs/security.md, "Secrets in configuration files"). Included by src/security/CMakeLists.txt,
# or by src/config/ when a partial build (NOVACRON_MODULES) leaves out security: paths are
# relative to this file and a second include does nothing.
if(TARGET novacron_security_secrets)
  return()
endif()
find_package(OpenSSL 3 REQUIRED)

set(_secrets_dir ${CMAKE_CURRENT_LIST_DIR})
add_library(novacron_security_secrets STATIC
  ${_secrets_dir}/secret_base64.cc
  ${_secrets_dir}/secret_file.cc
  ${_secrets_dir}/secret_key.cc
  ${_secrets_dir}/secret_rotate.cc
  ${_secrets_dir}/secret_value.cc
)
target_link_libraries(novacron_security_secrets
  PUBLIC novacron_common
  PRIVATE OpenSSL::Crypto yaml-cpp)

novacron_test(security_secrets_test
  SOURCES
    ${_secrets_dir}/secret_base64_test.cc
    ${_secrets_dir}/secret_key_test.cc
    ${_secrets_dir}/secret_rotate_test.cc
    ${_secrets_dir}/secret_value_test.cc
  LIBS novacron_security_secrets)
