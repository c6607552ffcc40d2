#include "shared/multipart.h"

#include "shared/utf8.h"

namespace multipart {

Builder::Builder(std::string boundary) : boundary_(std::move(boundary)) {}

std::string sanitizeParam(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8::validSequenceLength(s, i);
    if (n == 0) {
      out += "_";
      i++;
      continue;
    }
    char c = s[i];
    if (n == 1 && (c == '"' || c == '\\' || c == '\r' || c == '\n' || (unsigned char)c < 0x20)) {
      out += "_";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

void Builder::append(std::string_view s) {
  body_.insert(body_.end(), s.begin(), s.end());
}

void Builder::header(std::string_view name, std::string_view filename,
                     std::string_view contentType) {
  append("--");
  append(boundary_);
  append("\r\nContent-Disposition: form-data; name=\"");
  append(sanitizeParam(name));
  append("\"");
  if (!filename.empty()) {
    append("; filename=\"");
    append(sanitizeParam(filename));
    append("\"");
  }
  append("\r\n");
  if (!contentType.empty()) {
    append("Content-Type: ");
    append(sanitizeParam(contentType));
    append("\r\n");
  }
  append("\r\n");
}

void Builder::field(std::string_view name, std::string_view value) {
  header(name, {}, {});
  append(value);
  append("\r\n");
}

void Builder::file(std::string_view name, std::string_view filename, std::string_view contentType,
                   std::span<const uint8_t> bytes) {
  header(name, filename.empty() ? std::string_view("file") : filename, contentType);
  body_.insert(body_.end(), bytes.begin(), bytes.end());
  append("\r\n");
}

std::string Builder::contentType() const {
  return "multipart/form-data; boundary=" + boundary_;
}

std::vector<uint8_t> Builder::finish() {
  append("--");
  append(boundary_);
  append("--\r\n");
  return std::move(body_);
}

}  // namespace multipart
