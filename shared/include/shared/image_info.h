// What an image's first bytes say: its type and size, read from the header without decoding
// (PNG's IHDR, JPEG's first start-of-frame, WebP's RIFF tag). For checks before anything costly:
// a model's answer, a reference photo the user sent. The size is what the header claims; a decoder
// must still check what it allocates (functions/render/thumbnail/background.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace img {

struct ImageInfo {
  std::string contentType;  // image/png, image/jpeg, image/webp; empty when not an image
  uint32_t width = 0, height = 0;
};
ImageInfo sniffImage(std::span<const uint8_t> bytes);

}  // namespace img
