#include "thumbnail/title_font.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_ADVANCES_H

// Embedded by CMake (embed_font.py) beside the code fonts, hence their namespace.
namespace render::fonts {
extern const uint8_t kTitle[];
extern const size_t kTitleSize;
}  // namespace render::fonts

namespace thumb {

namespace {
// A busy instance sees a handful of sizes; past this the cache is dropped and refilled.
constexpr size_t kMaxCacheBytes = 16u << 20;
}  // namespace

TitleFont& TitleFont::instance() {
  static TitleFont f;
  return f;
}

TitleFont::TitleFont() {
  FT_Library lib;
  if (FT_Init_FreeType(&lib)) return;
  library_ = lib;
  FT_Face face;
  if (FT_New_Memory_Face(lib, render::fonts::kTitle, FT_Long(render::fonts::kTitleSize), 0, &face))
    return;
  face_ = face;
  unitsPerEm_ = face->units_per_EM ? face->units_per_EM : 2048;
  ascender_ = face->ascender / unitsPerEm_;
  descender_ = -face->descender / unitsPerEm_;
}

uint32_t TitleFont::glyph(char32_t cp) {
  if (!ok()) return 0;
  auto it = cmap_.find(cp);
  if (it != cmap_.end()) return it->second;
  uint32_t g = FT_Get_Char_Index(static_cast<FT_Face>(face_), FT_ULong(cp));
  cmap_.emplace(cp, g);
  return g;
}

double TitleFont::advance(uint32_t g, double px) {
  if (!ok()) return 0;
  auto it = advances_.find(g);
  if (it == advances_.end()) {
    FT_Fixed adv = 0;
    FT_Get_Advance(static_cast<FT_Face>(face_), g, FT_LOAD_NO_SCALE, &adv);
    it = advances_.emplace(g, double(adv)).first;
  }
  return it->second * px / unitsPerEm_;
}

const render::GlyphBitmap* TitleFont::bitmap(uint32_t g, int px, int grow) {
  if (!ok() || px <= 0) return nullptr;
  const uint64_t key = uint64_t(g) << 32 | uint64_t(px & 0xffff) << 16 | uint64_t(grow & 0xffff);
  auto it = cache_.find(key);
  if (it != cache_.end()) return &it->second;
  if (cacheBytes_ > kMaxCacheBytes) cache_.clear(), cacheBytes_ = 0;
  FT_Face face = static_cast<FT_Face>(face_);
  if (facePx_ != px) {
    if (FT_Set_Pixel_Sizes(face, 0, FT_UInt(px))) return nullptr;
    facePx_ = px;
  }
  if (FT_Load_Glyph(face, g, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP)) return nullptr;
  FT_GlyphSlot slot = face->glyph;
  if (slot->format != FT_GLYPH_FORMAT_OUTLINE) return nullptr;
  // Emboldening moves every edge outward by half the strength: 2 * grow widens each side by grow.
  if (grow > 0) FT_Outline_Embolden(&slot->outline, FT_Pos(grow) * 128);
  if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL)) return nullptr;
  render::GlyphBitmap bmp;
  const FT_Bitmap& b = slot->bitmap;
  bmp.left = slot->bitmap_left;
  bmp.top = slot->bitmap_top;
  bmp.width = int(b.width);
  bmp.height = int(b.rows);
  bmp.coverage.resize(size_t(bmp.width) * bmp.height);
  for (int y = 0; y < bmp.height; y++) {
    const uint8_t* row = b.buffer + ptrdiff_t(y) * b.pitch;
    std::copy(row, row + bmp.width, bmp.coverage.data() + size_t(y) * bmp.width);
  }
  cacheBytes_ += bmp.coverage.size() + 64;
  return &cache_.emplace(key, std::move(bmp)).first->second;
}

}  // namespace thumb
