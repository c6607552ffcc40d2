// The multipart builder with arbitrary names, file names and values. Invariants: the header
// parameters never carry CR, LF or '"' (no header injection), and the body ends with the
// closing boundary.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t a = in.find('\x01'), b = in.find('\x01', a == std::string_view::npos ? a : a + 1);
  std::string_view name = in.substr(0, a);
  std::string_view filename = a == std::string_view::npos ? "" : in.substr(a + 1, b - a - 1);
  std::string_view value = b == std::string_view::npos ? "" : in.substr(b + 1);
  std::string clean = multipart::sanitizeParam(name);
  if (clean.find_first_of("\r\n\"") != std::string::npos) __builtin_trap();
  multipart::Builder m("----fuzzboundary0123456789");
  m.field(name, value);
  m.file(name, filename, "image/png",
         {reinterpret_cast<const uint8_t*>(value.data()), value.size()});
  auto body = m.finish();
  std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
  constexpr std::string_view kEnd = "------fuzzboundary0123456789--\r\n";
  if (text.size() < kEnd.size() || text.substr(text.size() - kEnd.size()) != kEnd) __builtin_trap();
  return 0;
}
