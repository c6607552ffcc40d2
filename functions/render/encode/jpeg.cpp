#include "encode/jpeg.h"

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmissing-field-initializers"
#pragma clang diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma clang diagnostic pop

namespace render {

namespace {

void append(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

}  // namespace

bool encodeJpeg(const std::vector<uint32_t>& rgba, int w, int h, int quality, Rgba matte,
                std::vector<uint8_t>& out) {
  out.clear();
  if (w <= 0 || h <= 0 || rgba.size() != size_t(w) * size_t(h)) return false;
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  for (size_t i = 0; i < rgba.size(); i++) {
    uint32_t c = rgba[i], a = c >> 24;
    uint8_t* d = &rgb[i * 3];
    if (a == 255) {  // every pixel of a thumbnail and of a code image with a background
      d[0] = uint8_t(c);
      d[1] = uint8_t(c >> 8);
      d[2] = uint8_t(c >> 16);
      continue;
    }
    for (int k = 0; k < 3; k++) {
      uint32_t s = (c >> (8 * k)) & 255, m = k == 0 ? matte.r : k == 1 ? matte.g : matte.b;
      d[k] = uint8_t((s * a + m * (255 - a) + 127) / 255);
    }
  }
  return stbi_write_jpg_to_func(append, &out, w, h, 3, rgb.data(), quality) != 0 && !out.empty();
}

}  // namespace render
