// A model-drawn background for the `premium` and `pro` thumbnails: the prompt that asks for it,
// and turning the model's image into the 1280x720 canvas the title is drawn over.
//
//   std::string p = thumb::backgroundPrompt(analysis, title, Algorithm::Premium, Align::Start);
//   thumb::Image img;
//   std::string why;
//   if (thumb::decodeImage(bytes, img, why)) thumb::coverInto(img, canvas);  // 1280x720 RGBA
//
// The bytes come from a model or an HTTP caller, so they are hostile: PNG is decoded by libpng,
// JPEG by a patched stb_image (background.cpp says why), from memory, with the size checked
// from the header before any pixel is allocated. tests/fuzz/fuzz_thumbnail.cpp fuzzes both.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "raster/canvas.h"
#include "thumbnail/analyze.h"
#include "thumbnail/layout.h"

namespace thumb {

// basic: drawn here. premium: a background from THUMBNAIL_PREMIUM_MODEL under the title. pro:
// the better THUMBNAIL_PRO_MODEL, a richer prompt, prompt enhancement when configured, and a
// higher price (THUMBNAIL_PRO_COST).
enum class Algorithm : uint8_t { Basic, Premium, Pro };
const char* algorithmName(Algorithm a);
bool parseAlgorithm(std::string_view s, Algorithm& out);

// Larger images are refused before decoding (memory: 4 bytes a pixel in a 128 MB isolate).
constexpr int kMaxBackgroundSide = 4096;
constexpr int64_t kMaxBackgroundPixels = 16 * 1024 * 1024;
// Worst-case bytes a decode may allocate, judged from the header before any pixel is decoded:
// a progressive JPEG keeps 2 bytes of coefficients per sample besides its planes and the RGBA
// result, so a 4096x4096 one would need over 200 MB (the isolate has 128). Larger: refused.
constexpr int64_t kDecodeBudgetBytes = 48 * 1024 * 1024;

struct Image {
  int width = 0, height = 0;
  std::vector<uint32_t> px;  // RGBA packed like render::Rgba::packed(), alpha 255
};

// PNG or JPEG bytes -> pixels. False with a reason for anything else (WebP, GIF, truncated,
// too large).
[[nodiscard]] bool decodeImage(std::span<const uint8_t> bytes, Image& out, std::string& why);

// Scales `src` to cover kWidth x kHeight (aspect kept, centre cropped), averaging the source
// pixels under each destination pixel so a large image does not alias. `dst` is resized.
void coverInto(const Image& src, std::vector<uint32_t>& dst);
// The same into any width x height (a reference photo's copy, reference.h).
void coverInto(const Image& src, int width, int height, std::vector<uint32_t>& dst);
// The same into a kWidth x kHeight canvas (every pixel written).
void coverInto(const Image& src, render::Canvas& dst);

// The model prompt: the title's topic as a scene, style, mood and colours from the analysis, room
// for the headline on the title's side, and an explicit ban on text (the title is drawn here).
std::string backgroundPrompt(const Analysis& a, std::string_view title, Algorithm algorithm,
                             Align titleSide);

// Standard base64 (whitespace ignored, padding optional); false on any other character.
bool base64Decode(std::string_view in, std::vector<uint8_t>& out);

}  // namespace thumb
