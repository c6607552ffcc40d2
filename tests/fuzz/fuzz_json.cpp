// JsonWriter on arbitrary strings: the output always parses, and valid UTF-8 comes back as is.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/json.h"
#include "shared/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  json::JsonWriter w;
  w.beginObject().key(s).value(s).endObject();
  simdjson::dom::parser p;
  simdjson::dom::object o;
  if (p.parse(w.str()).get(o) != simdjson::SUCCESS) __builtin_trap();
  if (utf8::isValid(s)) {
    std::string_view back;
    if (o[s].get(back) != simdjson::SUCCESS || back != s) __builtin_trap();
  }
  return 0;
}
