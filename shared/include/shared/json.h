// JSON in and out. Parsing uses simdjson's DOM with error codes (SIMDJSON_EXCEPTIONS=0); writing
// uses JsonWriter, which always emits valid UTF-8 (invalid input bytes become U+FFFD).
//
//   JsonWriter w;
//   w.beginObject().key("name").value(name).key("size").value(42).endObject();
//   std::string out = w.take();
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace json {

using Element = simdjson::dom::element;
using Object = simdjson::dom::object;
using Array = simdjson::dom::array;

// Appends `s` as a JSON string literal (with quotes) to `out`.
void appendQuoted(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t n);
  JsonWriter& value(int n) { return value(int64_t(n)); }
  JsonWriter& value(uint32_t n) { return value(int64_t(n)); }
  JsonWriter& value(size_t n) { return value(int64_t(n)); }
  JsonWriter& value(double d);
  JsonWriter& value(bool b);
  JsonWriter& null();
  // Inserts already-serialised JSON.
  JsonWriter& raw(std::string_view json);
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void sep();
  std::string out_;
  bool needComma_ = false;
};

// Field accessors that treat a missing key, null or a wrong type as std::nullopt.
std::optional<std::string_view> getString(const Object& o, std::string_view key);
std::optional<int64_t> getInt(const Object& o, std::string_view key);
std::optional<double> getDouble(const Object& o, std::string_view key);
std::optional<bool> getBool(const Object& o, std::string_view key);
std::optional<Object> getObject(const Object& o, std::string_view key);
std::optional<Array> getArray(const Object& o, std::string_view key);

}  // namespace json
