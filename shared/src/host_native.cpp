// The host imports for native builds (unit tests, fuzzers, tools): a host with no bindings.
// Logging goes to stderr; every binding answers {"error":"no host"}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "shared/host_abi.h"

namespace {
std::string gResult;

int32_t noBinding() {
  static const char kJson[] = R"({"error":"no host in a native build"})";
  uint32_t n = sizeof kJson - 1;
  gResult.assign(reinterpret_cast<const char*>(&n), 4);
  gResult.append(kJson, n);
  return int32_t(gResult.size());
}
}  // namespace

extern "C" {
void host_log(int32_t level, const char* msg, size_t len) {
  if (getenv("HOST_LOG")) fprintf(stderr, "[%d] %.*s\n", level, int(len), msg);
}
double host_now_ms() {
  using namespace std::chrono;
  return double(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}
void host_random(void* dst, size_t len) {
  static std::random_device rd;
  auto* p = static_cast<unsigned char*>(dst);
  for (size_t i = 0; i < len; i++) p[i] = static_cast<unsigned char>(rd());
}
void host_take_result(void* dst, size_t len) {
  memcpy(dst, gResult.data(), len);
}
void host_defer(const char*, size_t) {}
int32_t host_spawn(const char*, size_t, const uint8_t*, size_t) {
  return 0;
}
int32_t host_d1(const char*, size_t) {
  return noBinding();
}
int32_t host_r2(const char*, size_t, const uint8_t*, size_t) {
  return noBinding();
}
int32_t host_fetch(const char*, size_t, const uint8_t*, size_t) {
  return noBinding();
}
int32_t host_do_fetch(const char*, size_t, const uint8_t*, size_t) {
  return noBinding();
}
int32_t host_storage(const char*, size_t) {
  return noBinding();
}
int32_t host_sleep(const char*, size_t) {
  return noBinding();
}
int32_t host_invoke(const char*, size_t, const uint8_t*, size_t) {
  return noBinding();
}
int32_t host_ai(const char*, size_t, const uint8_t*, size_t) {
  return noBinding();
}
}
