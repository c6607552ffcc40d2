// The thumbnail title face: DejaVu Sans Bold (Latin, Cyrillic, Hebrew, Arabic with Persian
// presentation forms), embedded at build time from fonts-dejavu-core like the code fonts.
//
//   thumb::TitleFont& f = thumb::TitleFont::instance();
//   uint32_t g = f.glyph(U'ж');
//   double adv = f.advance(g, 96);                    // exact: scales linearly with the size
//   const render::GlyphBitmap* b = f.bitmap(g, 96, 8);  // grown by 8 px on every side
//
// The code fonts (raster/font.h) are a monospace face and a regular fallback; a thumbnail title
// wants one heavy proportional face. `grow` thickens the outline with FreeType's emboldening,
// which gives the title its outline layer without a stroker. Glyphs are unhinted: at title sizes
// hinting buys nothing and advances stay linear, so fitting can measure once at one size.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "raster/font.h"

namespace thumb {

class TitleFont {
 public:
  static TitleFont& instance();

  bool ok() const { return face_ != nullptr; }
  // 0 (the font's box glyph) when the face lacks the character.
  uint32_t glyph(char32_t cp);
  double advance(uint32_t glyph, double px);
  double ascent(double px) const { return ascender_ * px; }
  double descent(double px) const { return descender_ * px; }
  // nullptr when FreeType fails; cached per (glyph, px, grow).
  const render::GlyphBitmap* bitmap(uint32_t glyph, int px, int grow);

 private:
  TitleFont();
  void* library_ = nullptr;  // FT_Library
  void* face_ = nullptr;     // FT_Face
  int facePx_ = 0;
  double unitsPerEm_ = 2048;
  double ascender_ = 0.93, descender_ = 0.24;  // per px of size
  std::unordered_map<char32_t, uint32_t> cmap_;
  std::unordered_map<uint32_t, double> advances_;  // font units
  std::unordered_map<uint64_t, render::GlyphBitmap> cache_;
  size_t cacheBytes_ = 0;
};

}  // namespace thumb
