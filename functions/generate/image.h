// Image bytes: the built-in provider's drawing, PNG writing, size sniffing and base64.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/image_info.h"

namespace gen {

// A deterministic picture for a prompt (gradient, rings and stripes from its hash), as PNG. The
// same prompt and seed always give the same bytes, so tests can compare them.
std::vector<uint8_t> drawBuiltin(std::string_view prompt, uint64_t seed, int width, int height);

// RGB (3 bytes a pixel) -> PNG with zlib; empty on failure.
std::vector<uint8_t> encodeRgbPng(const std::vector<uint8_t>& rgb, int width, int height);

using img::ImageInfo;
using img::sniffImage;

// Standard base64 with padding.
std::string base64Encode(std::span<const uint8_t> in);
// Standard or URL-safe base64, whitespace ignored; false on anything else.
bool base64Decode(std::string_view in, std::vector<uint8_t>& out);

}  // namespace gen
