#include "fields.h"

#include <simdjson.h>

#include <cmath>

#include "shared/utf8.h"

namespace render {

namespace {

RequestError bad(std::string message) {
  return RequestError{400, std::move(message)};
}

}  // namespace

RequestError Fields::parse(std::string_view body, simdjson::dom::parser& parser,
                           simdjson::dom::object& out) {
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root)) {
    return bad(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  if (root.get(out) != simdjson::SUCCESS) return bad("body must be a JSON object");
  return {};
}

bool Fields::find(std::string_view key, simdjson::dom::element& out) {
  if (o_[key].get(out) != simdjson::SUCCESS) return false;
  return out.type() != simdjson::dom::element_type::NULL_VALUE;
}

RequestError Fields::string(std::string_view key, std::string& out, bool& present,
                            size_t maxBytes) {
  simdjson::dom::element e;
  present = find(key, e);
  if (!present) return {};
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return bad(std::string(key) + " must be a string");
  if (s.size() > maxBytes) {
    return bad(std::string(key) + " is longer than " + std::to_string(maxBytes) + " bytes");
  }
  out.assign(s);
  return {};
}

RequestError Fields::text(std::string_view key, std::string& out, bool& present, size_t maxBytes) {
  if (RequestError e = string(key, out, present, maxBytes); !e.ok()) return e;
  if (present && !utf8::isValid(out)) return bad(std::string(key) + " is not valid UTF-8");
  return {};
}

RequestError Fields::boolean(std::string_view key, bool& out) {
  simdjson::dom::element e;
  if (!find(key, e)) return {};
  if (e.get(out) != simdjson::SUCCESS) return bad(std::string(key) + " must be true or false");
  return {};
}

RequestError Fields::integer(std::string_view key, int64_t lo, int64_t hi, int64_t& out,
                             bool& present) {
  simdjson::dom::element e;
  present = find(key, e);
  if (!present) return {};
  return toInteger(e, key, lo, hi, out);
}

RequestError Fields::toInteger(const simdjson::dom::element& e, std::string_view key, int64_t lo,
                               int64_t hi, int64_t& out) {
  std::string range =
      " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  int64_t v;
  double d;
  uint64_t u;
  if (e.get(v) == simdjson::SUCCESS) {
  } else if (e.get(u) == simdjson::SUCCESS) {
    return bad(std::string(key) + range);
  } else if (e.get(d) == simdjson::SUCCESS && std::isfinite(d) && d == std::floor(d) &&
             std::fabs(d) < 1e15) {
    v = int64_t(d);
  } else {
    return bad(std::string(key) + range);
  }
  if (v < lo || v > hi) return bad(std::string(key) + range);
  out = v;
  return {};
}

}  // namespace render
