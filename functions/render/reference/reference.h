// Reference photos (issue 22): a user's photo on its way to an image model. The bytes come from
// Telegram and are hostile: they are decoded here with the thumbnail backgrounds' decoder (size
// judged from the header before any pixel is allocated, thumbnail/background.h), never passed on
// as they came.
//
//   Normalize: decode, shrink to fit `maxSide`, encode as JPEG. What a model receives: no EXIF
//              (GPS position, camera serial), no trailing bytes, no format it cannot read.
//   Builtin:   the offline provider's answer to a prompt with a photo: the photo covering
//              width x height, mirrored and recoloured by the seed, as PNG; the same photo and
//              seed always give the same bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace refimg {

enum class Mode { Normalize, Builtin };

struct Options {
  Mode mode = Mode::Normalize;
  int maxSide = 1024;         // Normalize: the longer side at most this (never enlarged)
  int width = 0, height = 0;  // Builtin: the drawing's size
  uint64_t seed = 0;          // Builtin: the recolouring
};

struct Output {
  std::vector<uint8_t> bytes;
  std::string contentType;
  int width = 0, height = 0;
};

// False with `why` ("not a PNG or JPEG image", "the image is too large to decode", ...).
[[nodiscard]] bool process(std::span<const uint8_t> bytes, const Options& opt, Output& out,
                           std::string& why);

}  // namespace refimg
