// Reading a JSON request body's fields: one place for "present but null means the default",
// type checks and the messages that name the field. POST /render (request.cpp) and
// POST /thumbnail (thumbnail/request.cpp) both read through it.
//
//   simdjson::dom::object obj;
//   if (auto e = render::Fields::parse(body, parser, obj); !e.ok()) return e;
//   render::Fields f(obj);
//   std::string title;
//   bool present = false;
//   if (auto e = f.string("title", title, present, 200); !e.ok()) return e;
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace simdjson::dom {
class element;
class object;
class parser;
}  // namespace simdjson::dom

namespace render {

struct RequestError {
  int status = 0;  // 0: no error
  std::string message;
  bool ok() const { return status == 0; }
};

class Fields {
 public:
  explicit Fields(const simdjson::dom::object& o) : o_(o) {}

  // `body` as a JSON object, parsed by `parser` (kept by the caller so its buffers are reused);
  // 400 "body is not valid JSON: ..." or "body must be a JSON object".
  static RequestError parse(std::string_view body, simdjson::dom::parser& parser,
                            simdjson::dom::object& out);

  // False when absent or null.
  bool find(std::string_view key, simdjson::dom::element& out);

  // "<key> must be a string"; "<key> is longer than N bytes".
  RequestError string(std::string_view key, std::string& out, bool& present, size_t maxBytes);
  // string() that also refuses invalid UTF-8 ("<key> is not valid UTF-8": JSON escapes can
  // spell lone surrogates), for text that is drawn.
  RequestError text(std::string_view key, std::string& out, bool& present, size_t maxBytes);
  RequestError boolean(std::string_view key, bool& out);
  RequestError integer(std::string_view key, int64_t lo, int64_t hi, int64_t& out, bool& present);
  static RequestError toInteger(const simdjson::dom::element& e, std::string_view key, int64_t lo,
                                int64_t hi, int64_t& out);

 private:
  const simdjson::dom::object& o_;
};

}  // namespace render
