#include "shared/host.h"

#include <cstring>

#include "shared/host_abi.h"
#include "shared/json.h"

namespace host {
namespace {

// Copies the reply of the import call that returned `len` and splits it into JSON and body.
Reply collect(int32_t len) {
  Reply r;
  if (len < 4) {
    r.error = "host returned no reply";
    return r;
  }
  std::vector<uint8_t> blob(static_cast<size_t>(len));
  host_take_result(blob.data(), blob.size());
  uint32_t jsonLen;
  memcpy(&jsonLen, blob.data(), 4);
  if (size_t(jsonLen) + 4 > blob.size()) {
    r.error = "host reply is malformed";
    return r;
  }
  r.json.assign(reinterpret_cast<const char*>(blob.data()) + 4, jsonLen);
  r.body.assign(blob.begin() + 4 + jsonLen, blob.end());
  // The host marks failures with a top-level "error" string.
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(r.json).get(obj) == simdjson::SUCCESS) {
    if (auto e = json::getString(obj, "error")) r.error = std::string(*e);
  } else {
    r.error = "host reply is not JSON";
  }
  return r;
}

}  // namespace

Reply d1(std::string_view req) {
  return collect(host_d1(req.data(), req.size()));
}
Reply r2(std::string_view req, std::span<const uint8_t> body) {
  return collect(host_r2(req.data(), req.size(), body.data(), body.size()));
}
Reply fetch(std::string_view req, std::span<const uint8_t> body) {
  return collect(host_fetch(req.data(), req.size(), body.data(), body.size()));
}
Reply doFetch(std::string_view req, std::span<const uint8_t> body) {
  return collect(host_do_fetch(req.data(), req.size(), body.data(), body.size()));
}
Reply storage(std::string_view req) {
  return collect(host_storage(req.data(), req.size()));
}
Reply ai(std::string_view req, std::span<const uint8_t> body) {
  return collect(host_ai(req.data(), req.size(), body.data(), body.size()));
}

Reply invoke(std::string_view req, std::span<const uint8_t> body) {
  return collect(host_invoke(req.data(), req.size(), body.data(), body.size()));
}

void sleepMs(int64_t ms) {
  std::string req = "{\"ms\":" + std::to_string(ms) + "}";
  collect(host_sleep(req.data(), req.size()));
}

double nowMs() {
  return host_now_ms();
}
void randomBytes(void* dst, size_t len) {
  host_random(dst, len);
}
void defer(std::string_view event) {
  host_defer(event.data(), event.size());
}
bool spawn(std::string_view event, std::span<const uint8_t> body) {
  return host_spawn(event.data(), event.size(), body.data(), body.size()) == 1;
}

}  // namespace host

namespace logger {
void debug(std::string_view m) {
  host_log(0, m.data(), m.size());
}
void info(std::string_view m) {
  host_log(1, m.data(), m.size());
}
void warn(std::string_view m) {
  host_log(2, m.data(), m.size());
}
void error(std::string_view m) {
  host_log(3, m.data(), m.size());
}
}  // namespace logger
