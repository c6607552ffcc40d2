#include "shared/json.h"

#include <cmath>
#include <cstdio>

#include "shared/utf8.h"

namespace json {

void appendQuoted(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c >= 0x80) {
      size_t n = utf8::validSequenceLength(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        i++;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(char(c));
        }
    }
    i++;
  }
  out.push_back('"');
}

void JsonWriter::sep() {
  if (needComma_) out_.push_back(',');
  needComma_ = true;
}

JsonWriter& JsonWriter::beginObject() {
  sep();
  out_.push_back('{');
  needComma_ = false;
  return *this;
}
JsonWriter& JsonWriter::endObject() {
  out_.push_back('}');
  needComma_ = true;
  return *this;
}
JsonWriter& JsonWriter::beginArray() {
  sep();
  out_.push_back('[');
  needComma_ = false;
  return *this;
}
JsonWriter& JsonWriter::endArray() {
  out_.push_back(']');
  needComma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  sep();
  appendQuoted(out_, k);
  out_.push_back(':');
  needComma_ = false;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  sep();
  appendQuoted(out_, s);
  return *this;
}
JsonWriter& JsonWriter::value(int64_t n) {
  sep();
  out_ += std::to_string(n);
  return *this;
}
JsonWriter& JsonWriter::value(double d) {
  sep();
  if (!std::isfinite(d)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%.17g", d);
  out_.append(buf, n);
  return *this;
}
JsonWriter& JsonWriter::value(bool b) {
  sep();
  out_ += b ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::null() {
  sep();
  out_ += "null";
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view j) {
  sep();
  out_.append(j);
  return *this;
}

std::optional<std::string_view> getString(const Object& o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}
std::optional<int64_t> getInt(const Object& o, std::string_view key) {
  int64_t v;
  if (o[key].get(v) == simdjson::SUCCESS) return v;
  uint64_t u;
  if (o[key].get(u) == simdjson::SUCCESS && u <= uint64_t(INT64_MAX)) return int64_t(u);
  return std::nullopt;
}
std::optional<double> getDouble(const Object& o, std::string_view key) {
  double v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}
std::optional<bool> getBool(const Object& o, std::string_view key) {
  bool v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}
std::optional<Object> getObject(const Object& o, std::string_view key) {
  Object v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}
std::optional<Array> getArray(const Object& o, std::string_view key) {
  Array v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

}  // namespace json
