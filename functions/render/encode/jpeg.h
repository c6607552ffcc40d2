// RGBA pixels -> baseline JPEG (stb_image_write, to memory, no stdio). Translucent pixels are
// flattened over `matte` first, since JPEG has no alpha.
#pragma once

#include <cstdint>
#include <vector>

#include "theme/themes.h"

namespace render {

bool encodeJpeg(const std::vector<uint32_t>& rgba, int width, int height, int quality, Rgba matte,
                std::vector<uint8_t>& out);

}  // namespace render
