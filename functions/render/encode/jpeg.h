// RGBA pixels -> baseline JPEG, 4:2:0, the T.81 Annex K quantisation (scaled by quality as the
// IJG library does) and Huffman tables. Translucent pixels are flattened over `matte` first, since
// JPEG has no alpha.
//
// Written here rather than taken from a library because none is fast in wasm: stb_image_write
// (what this used) and libjpeg-turbo without its x86/ARM SIMD (which wasm cannot use) took 9.1
// and 8.3 ms natively for a 1280x720 thumbnail, half its render time. This one converts colour
// sixteen pixels at a time and runs the float AAN DCT (jfdctflt's) on four columns or rows at a
// time with clang's vector extension, which is wasm SIMD in the Worker: the same images, the same
// PSNR (38.13 dB mean over 13 templates at q85) and size (75,080 against 75,083 bytes) as
// stb_image_write, and the thumbnail render 15.3 -> 9.0 ms natively, 20 -> 13 ms in render.wasm.
#pragma once

#include <cstdint>
#include <vector>

#include "raster/color.h"

namespace render {

bool encodeJpeg(const std::vector<uint32_t>& rgba, int width, int height, int quality, Rgba matte,
                std::vector<uint8_t>& out);

}  // namespace render
