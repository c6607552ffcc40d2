// C++ wrappers over the host imports (host_abi.h). Each call blocks the C++ code while the Worker
// awaits the binding; a failure is a value (Reply::error), never an abort.
//
//   host::Reply r = host::d1(R"({"op":"first","sql":"SELECT 1 AS one","params":[]})");
//   if (!r.ok()) logger::error("d1: " + r.error);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace host {

struct Reply {
  std::string json;           // the reply's JSON part (always an object when the host answered)
  std::vector<uint8_t> body;  // bytes that came with it (R2 get, fetch, AI images)
  std::string error;          // set when the host or the binding reported a failure
  bool ok() const { return error.empty(); }
};

Reply d1(std::string_view request);
Reply r2(std::string_view request, std::span<const uint8_t> body = {});
Reply fetch(std::string_view request, std::span<const uint8_t> body = {});
Reply doFetch(std::string_view request, std::span<const uint8_t> body = {});
Reply storage(std::string_view request);
Reply ai(std::string_view request, std::span<const uint8_t> body = {});
Reply invoke(std::string_view request, std::span<const uint8_t> body = {});

double nowMs();
void sleepMs(int64_t ms);
void randomBytes(void* dst, size_t len);
// Runs `event` (an event JSON, see entry.h) after this event's reply has gone out.
void defer(std::string_view event);
// Starts `event` now, in parallel, with `body` (host_abi.h host_spawn); false when the host
// cannot, and the caller does the work itself.
bool spawn(std::string_view event, std::span<const uint8_t> body);

}  // namespace host

namespace logger {
void debug(std::string_view msg);
void info(std::string_view msg);
void warn(std::string_view msg);
void error(std::string_view msg);
}  // namespace logger
