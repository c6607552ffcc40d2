// Image bytes: the built-in provider's drawing, PNG writing, size sniffing and base64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gen {

// A deterministic picture for a prompt (gradient, rings and stripes from its hash), as PNG. The
// same prompt and seed always give the same bytes, so tests can compare them.
std::vector<uint8_t> drawBuiltin(std::string_view prompt, uint64_t seed, int width, int height);

// RGB (3 bytes a pixel) -> PNG with zlib; empty on failure.
std::vector<uint8_t> encodeRgbPng(const std::vector<uint8_t>& rgb, int width, int height);

struct ImageInfo {
  std::string contentType;  // image/png, image/jpeg, image/webp; empty when not an image
  uint32_t width = 0, height = 0;
};
ImageInfo sniffImage(const std::vector<uint8_t>& bytes);

// Standard or URL-safe base64, whitespace ignored; false on anything else.
bool base64Decode(std::string_view in, std::vector<uint8_t>& out);

}  // namespace gen
