#include "shared/image_info.h"

#include <cstring>

namespace img {
namespace {

uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

}  // namespace

ImageInfo sniffImage(std::span<const uint8_t> b) {
  ImageInfo info;
  if (b.size() >= 24 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
    info.contentType = "image/png";
    info.width = be32(&b[16]);
    info.height = be32(&b[20]);
    return info;
  }
  if (b.size() >= 4 && b[0] == 0xff && b[1] == 0xd8) {
    info.contentType = "image/jpeg";
    // Walk the markers to the first start-of-frame for the size.
    size_t i = 2;
    while (i + 9 < b.size()) {
      if (b[i] != 0xff) break;
      uint8_t m = b[i + 1];
      size_t len = size_t(b[i + 2]) << 8 | b[i + 3];
      if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
        info.height = uint32_t(b[i + 5]) << 8 | b[i + 6];
        info.width = uint32_t(b[i + 7]) << 8 | b[i + 8];
        break;
      }
      i += 2 + len;
    }
    return info;
  }
  if (b.size() >= 12 && memcmp(b.data(), "RIFF", 4) == 0 && memcmp(b.data() + 8, "WEBP", 4) == 0) {
    info.contentType = "image/webp";
  }
  return info;
}

}  // namespace img
