// multipart/form-data bodies (RFC 7578) for Telegram uploads (sendPhoto, sendDocument,
// sendMediaGroup). Field names and file names are ours or sanitised; values are any bytes.
//
//   Multipart m(boundaryFromRandom);
//   m.field("chat_id", "42");
//   m.file("photo", "code.png", "image/png", pngBytes);
//   fetch(..., headers {"content-type": m.contentType()}, body m.finish());
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace multipart {

class Builder {
 public:
  // `boundary` must not occur in any part; random 24+ characters make that practically certain.
  explicit Builder(std::string boundary);
  void field(std::string_view name, std::string_view value);
  void file(std::string_view name, std::string_view filename, std::string_view contentType,
            std::span<const uint8_t> bytes);
  std::string contentType() const;
  std::vector<uint8_t> finish();

 private:
  void header(std::string_view name, std::string_view filename, std::string_view contentType);
  void append(std::string_view s);
  std::string boundary_;
  std::vector<uint8_t> body_;
};

// A quoted-string safe form of a header parameter: drops CR, LF and '"', keeps valid UTF-8.
std::string sanitizeParam(std::string_view s);

}  // namespace multipart
