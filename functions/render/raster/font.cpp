#include "raster/font.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_ADVANCES_H

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace render::fonts {
extern const uint8_t kMono[];
extern const size_t kMonoSize;
extern const uint8_t kFallback[];
extern const size_t kFallbackSize;
extern const uint8_t kTitle[];
extern const size_t kTitleSize;
}  // namespace render::fonts

namespace render {

namespace {

// Past this the cache is dropped and refilled: it bounds memory in a long-lived instance that
// sees many sizes, while the common case (a few sizes, a few hundred glyphs) stays warm.
constexpr size_t kMaxCacheBytes = 24u << 20;
// The title face's cache: a busy instance sees a handful of title sizes.
constexpr size_t kMaxTitleCacheBytes = 16u << 20;

uint64_t glyphKey(GlyphRef g, int px, int phase) {
  return uint64_t(g.face) << 48 | uint64_t(g.index) << 16 | uint64_t(px & 0x3fff) << 2 |
         uint64_t(phase & 3);
}

}  // namespace

FontSet& FontSet::instance() {
  static FontSet set;
  return set;
}

FontSet::FontSet() {
  FT_Library lib;
  if (FT_Init_FreeType(&lib)) {
    error_ = "font engine failed to start";
    return;
  }
  library_ = lib;
  const uint8_t* data[2] = {fonts::kMono, fonts::kFallback};
  const size_t sizes[2] = {fonts::kMonoSize, fonts::kFallbackSize};
  for (int i = 0; i < 2; i++) {
    FT_Face face;
    if (FT_New_Memory_Face(lib, data[i], FT_Long(sizes[i]), 0, &face)) {
      error_ = "embedded font is unreadable";
      return;
    }
    faces_[i] = face;
    unitsPerEm_[i] = face->units_per_EM ? face->units_per_EM : 1000;
  }
  FT_Face mono = static_cast<FT_Face>(faces_[0]);
  FT_Fixed adv = 0;
  FT_UInt zero = FT_Get_Char_Index(mono, '0');
  if (zero && FT_Get_Advance(mono, zero, FT_LOAD_NO_SCALE, &adv) == 0 && adv > 0) {
    monoAdvanceUnits_ = double(adv);
  }
}

FontMetrics FontSet::metrics(int px) {
  FontMetrics m;
  if (!ok()) return m;
  FT_Face mono = static_cast<FT_Face>(faces_[0]);
  const double scale = double(px) / unitsPerEm_[0];
  m.ascent = int(std::lround(mono->ascender * scale));
  m.descent = int(std::lround(-mono->descender * scale));
  // 10/7 (1.43) of the size: as open as editors set code, and 5% fewer rows to paint and encode
  // than the 1.5 this started with. The ratio keeps 2x exactly twice 1x at the sizes people pick
  // (14 -> 20, 28 -> 40; 12 -> 17, 24 -> 34; 16 -> 23, 32 -> 46).
  m.lineHeight = int(std::lround(px * 10 / 7.0));
  m.cellWidth = monoAdvanceUnits_ * scale;
  return m;
}

GlyphRef FontSet::lookup(char32_t cp) {
  const bool ascii = cp < 128;
  if (ascii && asciiKnown_[cp]) return ascii_[cp];
  auto it = cmap_.find(cp);
  if (it != cmap_.end()) return it->second;
  GlyphRef ref;
  for (int i = 0; i < 2 && ok(); i++) {
    FT_UInt index = FT_Get_Char_Index(static_cast<FT_Face>(faces_[i]), FT_ULong(cp));
    if (index) {
      ref.face = uint8_t(i);
      ref.index = index;
      break;
    }
  }
  if (ascii) {
    ascii_[cp] = ref;
    asciiKnown_[cp] = true;
  } else {
    cmap_.emplace(cp, ref);
  }
  return ref;
}

double FontSet::advance(GlyphRef g, int px) {
  const double cell = monoAdvanceUnits_ * px / unitsPerEm_[0];
  if (g.missing() || g.face == 0) return cell;
  uint64_t key = glyphKey(g, px, 0);
  auto it = advances_.find(key);
  if (it != advances_.end()) return it->second;
  FT_Fixed adv = 0;
  double result = cell;
  if (FT_Get_Advance(static_cast<FT_Face>(faces_[g.face]), g.index, FT_LOAD_NO_SCALE, &adv) == 0) {
    result = double(adv) * px / unitsPerEm_[g.face];
  }
  advances_.emplace(key, result);
  return result;
}

bool FontSet::setSize(int face, int px) {
  if (facePx_[face] == px) return true;
  if (FT_Set_Pixel_Sizes(static_cast<FT_Face>(faces_[face]), 0, FT_UInt(px))) return false;
  facePx_[face] = px;
  return true;
}

const GlyphBitmap* FontSet::bitmap(GlyphRef g, int px, int phase) {
  if (g.missing() || !ok()) return nullptr;
  uint64_t key = glyphKey(g, px, phase);
  auto it = glyphs_.find(key);
  if (it != glyphs_.end()) return &it->second;
  if (cacheBytes_ > kMaxCacheBytes) {
    glyphs_.clear();
    cacheBytes_ = 0;
  }
  FT_Face face = static_cast<FT_Face>(faces_[g.face]);
  if (!setSize(g.face, px)) return nullptr;
  // Light autohinting snaps only vertically, which keeps stems crisp on the baseline and x-height
  // while leaving horizontal positions free for quarter-pixel placement.
  if (FT_Load_Glyph(face, g.index, FT_LOAD_TARGET_LIGHT | FT_LOAD_FORCE_AUTOHINT)) return nullptr;
  FT_GlyphSlot slot = face->glyph;
  if (slot->format != FT_GLYPH_FORMAT_OUTLINE) return nullptr;
  FT_Outline_Translate(&slot->outline, FT_Pos(phase * 16), 0);
  if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL)) return nullptr;
  GlyphBitmap bmp;
  const FT_Bitmap& b = slot->bitmap;
  bmp.left = slot->bitmap_left;
  bmp.top = slot->bitmap_top;
  bmp.width = int(b.width);
  bmp.height = int(b.rows);
  bmp.coverage.resize(size_t(bmp.width) * bmp.height);
  for (int y = 0; y < bmp.height; y++) {
    const uint8_t* row = b.buffer + ptrdiff_t(y) * b.pitch;
    uint8_t* dst = bmp.coverage.data() + size_t(y) * bmp.width;
    for (int x = 0; x < bmp.width; x++) {
      // 16 levels (0, 17, ..., 255): invisible at 1x, and it keeps antialiased text within a
      // 256-colour palette so the PNG can be indexed.
      dst[x] = uint8_t(((row[x] * 15 + 127) / 255) * 17);
    }
  }
  cacheBytes_ += bmp.coverage.size() + 64;
  return &glyphs_.emplace(key, std::move(bmp)).first->second;
}

// ---- the title face ---------------------------------------------------------------------------

TitleFace& FontSet::title() {
  if (!title_) {
    title_.reset(new TitleFace(ok() ? library_ : nullptr, fonts::kTitle, fonts::kTitleSize));
  }
  return *title_;
}

TitleFace::TitleFace(void* library, const uint8_t* data, size_t size) {
  FT_Face face;
  if (!library ||
      FT_New_Memory_Face(static_cast<FT_Library>(library), data, FT_Long(size), 0, &face))
    return;
  face_ = face;
  unitsPerEm_ = face->units_per_EM ? face->units_per_EM : 2048;
  ascender_ = face->ascender / unitsPerEm_;
  descender_ = -face->descender / unitsPerEm_;
}

uint32_t TitleFace::glyph(char32_t cp) {
  if (!ok()) return 0;
  auto it = cmap_.find(cp);
  if (it != cmap_.end()) return it->second;
  uint32_t g = FT_Get_Char_Index(static_cast<FT_Face>(face_), FT_ULong(cp));
  cmap_.emplace(cp, g);
  return g;
}

double TitleFace::advance(uint32_t g, double px) {
  if (!ok()) return 0;
  auto it = advances_.find(g);
  if (it == advances_.end()) {
    FT_Fixed adv = 0;
    FT_Get_Advance(static_cast<FT_Face>(face_), g, FT_LOAD_NO_SCALE, &adv);
    it = advances_.emplace(g, double(adv)).first;
  }
  return it->second * px / unitsPerEm_;
}

const GlyphBitmap* TitleFace::bitmap(uint32_t g, int px, int grow) {
  if (!ok() || px <= 0) return nullptr;
  const uint64_t key = uint64_t(g) << 32 | uint64_t(px & 0xffff) << 16 | uint64_t(grow & 0xffff);
  auto it = cache_.find(key);
  if (it != cache_.end()) return &it->second;
  if (cacheBytes_ > kMaxTitleCacheBytes) cache_.clear(), cacheBytes_ = 0;
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
  GlyphBitmap bmp;
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

}  // namespace render
