#include "raster/font.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_ADVANCES_H
#include <hb-ot.h>
#include <hb.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "layout/lines.h"
#include "raster/font_assets.h"
#include "shared/host_abi.h"

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

// A rendered glyph slot's coverage, copied out of FreeType's bitmap (whose rows may be padded).
// `quantise`: 16 levels (0, 17, ..., 255) instead of 256.
GlyphBitmap coverageOf(FT_GlyphSlot slot, bool quantise) {
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
    if (!quantise) {
      std::copy(row, row + bmp.width, dst);
      continue;
    }
    for (int x = 0; x < bmp.width; x++) dst[x] = uint8_t(((row[x] * 15 + 127) / 255) * 17);
  }
  return bmp;
}

// Past this the cache is dropped and refilled: it bounds memory in a long-lived instance that
// sees many sizes, while the common case (a few sizes, a few hundred glyphs) stays warm.
constexpr size_t kMaxCacheBytes = 24u << 20;
// The title face's cache: a busy instance sees a handful of title sizes.
constexpr size_t kMaxTitleCacheBytes = 16u << 20;

uint64_t glyphKey(GlyphRef g, int px, int phase) {
  return uint64_t(g.face) << 48 | uint64_t(g.index) << 16 | uint64_t(px & 0x3fff) << 2 |
         uint64_t(phase & 3);
}

constexpr int kFirstAsset = 2;

// The asset font holding `cp`, or -1.
int assetFor(char32_t cp) {
  for (size_t w = 0; w < fonts::kAssetWindowCount; w++) {
    const AssetWindow& win = fonts::kAssetWindows[w];
    if (cp >= win.lo && cp < win.hi)
      return win.font[cp - win.lo] == 255 ? -1 : win.font[cp - win.lo];
  }
  const AssetRange* begin = fonts::kAssetRanges;
  const AssetRange* end = begin + fonts::kAssetRangeCount;
  const AssetRange* it =
      std::upper_bound(begin, end, cp, [](char32_t c, const AssetRange& r) { return c < r.lo; });
  if (it == begin) return -1;
  --it;
  return cp <= it->hi ? int(it->font) : -1;
}

// A code card is painted as palette indices (at most 256 colours, canvas.h) and painted again
// as RGBA only when they run out, which takes about three times as long. An emoji scaled to a
// text cell has hundreds of colours, most a few steps apart; reduced to its kEmojiColors most
// common ones (on a 4-bit grid, each the mean of its members) with pixels either opaque or
// clear, a handful of emoji fit the palette beside the text's shades. At 14-28 px the
// difference is hard to see; the image stays indexed and as fast as plain text.
constexpr int kEmojiColors = 10;

void reduceColors(GlyphBitmap& bmp) {
  struct Bin {
    uint32_t count = 0, r = 0, g = 0, b = 0;
  };
  std::unordered_map<uint32_t, Bin> bins;
  const size_t n = size_t(bmp.width) * bmp.height;
  uint8_t* px = bmp.rgba.data();
  for (size_t i = 0; i < n; i++) {
    uint8_t* p = px + i * 4;
    const uint32_t a = p[3];
    if (a < 100) {
      p[0] = p[1] = p[2] = p[3] = 0;
      continue;
    }
    // Un-premultiply: the pixel becomes opaque.
    for (int k = 0; k < 3; k++) p[k] = uint8_t(std::min<uint32_t>(255, (p[k] * 255u + a / 2) / a));
    p[3] = 255;
    Bin& bin = bins[uint32_t(p[0] >> 4) << 8 | uint32_t(p[1] >> 4) << 4 | uint32_t(p[2] >> 4)];
    bin.count++, bin.r += p[0], bin.g += p[1], bin.b += p[2];
  }
  std::vector<Bin> top;
  for (auto& [k, bin] : bins) top.push_back(bin);
  std::sort(top.begin(), top.end(), [](const Bin& x, const Bin& y) { return x.count > y.count; });
  if (top.size() > size_t(kEmojiColors)) top.resize(kEmojiColors);
  for (Bin& b : top) b.r /= b.count, b.g /= b.count, b.b /= b.count;
  for (size_t i = 0; i < n; i++) {
    uint8_t* p = px + i * 4;
    if (p[3] == 0) continue;
    int best = 0, bestD = INT32_MAX;
    for (size_t c = 0; c < top.size(); c++) {
      const int dr = int(top[c].r) - p[0], dg = int(top[c].g) - p[1], db = int(top[c].b) - p[2];
      const int d = 2 * dr * dr + 4 * dg * dg + db * db;
      if (d < bestD) bestD = d, best = int(c);
    }
    p[0] = uint8_t(top[size_t(best)].r), p[1] = uint8_t(top[size_t(best)].g);
    p[2] = uint8_t(top[size_t(best)].b);
  }
}

}  // namespace

int FontSet::defaultAssetLoader(std::string_view name, std::vector<uint8_t>& out) {
#if defined(__wasm__)
  int32_t n = host_asset(name.data(), name.size());
  if (n == -1) return 0;
  if (n < 0) return -1;
  out.resize(size_t(n));
  host_take_result(out.data(), out.size());
  return 1;
#else
  std::string path = std::string(RENDER_ASSET_DIR) + "/" + std::string(name);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return -1;
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  out.resize(size_t(std::max(0L, size)));
  bool ok = size > 0 && std::fread(out.data(), 1, out.size(), f) == out.size();
  std::fclose(f);
  return ok ? 1 : -1;
#endif
}

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
  assets_.resize(std::min<size_t>(fonts::kAssetFontCount, kMaxFaces - kFirstAsset));
  loader_ = defaultAssetLoader;
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
  if (it != cmap_.end()) {
    touch(it->second.face);
    return it->second;
  }
  GlyphRef ref;
  bool pending = false;
  // The asset font holding cp, if it is loaded (else `pending` when the loader is fetching it).
  auto fromAsset = [&] {
    const int asset = assetFor(cp);
    if (asset < 0 || size_t(asset) >= assets_.size()) return;
    if (assets_[size_t(asset)].state != 1 && !ensureAsset(size_t(asset))) {
      // Being fetched, or over kMaxAssetBytes for this request: not cached, asked again later.
      pending = assets_[size_t(asset)].state == 3 || assets_[size_t(asset)].state == 4;
      return;
    }
    const int face = kFirstAsset + asset;
    if (!faces_[face]) return;
    touch(uint8_t(face));
    FT_UInt index = FT_Get_Char_Index(static_cast<FT_Face>(faces_[face]), FT_ULong(cp));
    if (index) ref.face = uint8_t(face), ref.index = index;
  };
  // Wide characters (emoji such as U+26A1, two cells) come from the wide fonts first, in colour.
  const bool wideFirst = !ascii && isWide(cp);
  if (wideFirst && ok()) fromAsset();
  for (int i = 0; i < 2 && ok() && ref.missing() && !pending; i++) {
    FT_UInt index = FT_Get_Char_Index(static_cast<FT_Face>(faces_[i]), FT_ULong(cp));
    if (index) {
      ref.face = uint8_t(i);
      ref.index = index;
    }
  }
  if (ref.missing() && !ascii && !wideFirst && ok()) fromAsset();
  if (pending) return GlyphRef{};  // not cached: the next request asks again
  if (ascii) {
    ascii_[cp] = ref;
    asciiKnown_[cp] = true;
  } else {
    cmap_.emplace(cp, ref);
  }
  return ref;
}

bool FontSet::ensureAsset(size_t asset) {
  Asset& a = assets_[asset];
  if (a.state != 0) return a.state == 1;  // asked once per request while pending
  if (!makeRoom(fonts::kAssetFonts[asset].bytes)) {
    a.state = 4;
    return false;
  }
  const char* name = fonts::kAssetFonts[asset].name;
  const int got = loader_ ? loader_(name, a.bytes) : -1;
  if (got == 0) {
    a.state = 3;
    if (std::find(pending_.begin(), pending_.end(), name) == pending_.end()) {
      pending_.emplace_back(name);
    }
    return false;
  }
  a.state = 2;
  if (got < 0) return false;
  FT_Face face;
  if (FT_New_Memory_Face(static_cast<FT_Library>(library_), a.bytes.data(), FT_Long(a.bytes.size()),
                         0, &face)) {
    a.bytes = {};
    return false;
  }
  const int f = kFirstAsset + int(asset);
  faces_[f] = face;
  unitsPerEm_[f] = face->units_per_EM ? face->units_per_EM : 1000;
  a.state = 1;
  a.lastUsed = request_;
  return true;
}

void FontSet::clearPendingAssets() {
  pending_.clear();
  request_++;
  for (Asset& a : assets_) {
    if (a.state == 3 || a.state == 4) a.state = 0;
  }
}

bool FontSet::makeRoom(size_t bytes) {
  size_t held = loadedAssetBytes();
  while (held + bytes > kMaxAssetBytes) {
    // The least recently used loaded file that this request has not used.
    size_t victim = assets_.size();
    for (size_t i = 0; i < assets_.size(); i++) {
      const Asset& a = assets_[i];
      if (a.state != 1 || a.lastUsed == request_) continue;
      if (victim == assets_.size() || a.lastUsed < assets_[victim].lastUsed) victim = i;
    }
    if (victim == assets_.size()) return false;
    held -= assets_[victim].bytes.size();
    unloadAsset(victim);
  }
  return true;
}

void FontSet::unloadAsset(size_t asset) {
  const int f = kFirstAsset + int(asset);
  if (hbFonts_[f]) hb_font_destroy(static_cast<hb_font_t*>(hbFonts_[f]));
  if (faces_[f]) FT_Done_Face(static_cast<FT_Face>(faces_[f]));
  hbFonts_[f] = faces_[f] = nullptr;
  facePx_[f] = unitsPerEm_[f] = 0;
  std::vector<uint8_t>().swap(assets_[asset].bytes);
  assets_[asset].state = 0;
  // Nothing cached may point into the face any more.
  for (auto it = cmap_.begin(); it != cmap_.end();) {
    it = it->second.face == f ? cmap_.erase(it) : std::next(it);
  }
  for (auto it = glyphs_.begin(); it != glyphs_.end();) {
    if (int(it->first >> 48) != f) {
      ++it;
      continue;
    }
    cacheBytes_ -= std::min(cacheBytes_, it->second.coverage.size() + it->second.rgba.size() + 64);
    it = glyphs_.erase(it);
  }
  for (auto it = advances_.begin(); it != advances_.end();) {
    it = int(it->first >> 48) == f ? advances_.erase(it) : std::next(it);
  }
  for (auto it = shapes_.begin(); it != shapes_.end();) {
    it = int(it->first.back() & 0x7fffffffu) == f ? shapes_.erase(it) : std::next(it);
  }
}

bool FontSet::loadAsset(size_t asset) {
  return asset < assets_.size() && ensureAsset(asset);
}

size_t FontSet::loadedAssetBytes() const {
  size_t n = 0;
  for (const Asset& a : assets_) n += a.bytes.size();
  return n;
}

bool FontSet::shaped(uint8_t face) const {
  if (face < kFirstAsset || face == GlyphRef::kNoFace) return false;
  return fonts::kAssetFonts[face - kFirstAsset].kind != AssetKind::Wide;
}

bool FontSet::wide(uint8_t face) const {
  if (face < kFirstAsset || face == GlyphRef::kNoFace) return false;
  return fonts::kAssetFonts[face - kFirstAsset].kind != AssetKind::Shaped;
}

bool FontSet::color(uint8_t face) const {
  if (face < kFirstAsset || face == GlyphRef::kNoFace) return false;
  return fonts::kAssetFonts[face - kFirstAsset].kind == AssetKind::Color;
}

bool FontSet::has(uint8_t face, char32_t cp) const {
  return face < kMaxFaces && faces_[face] &&
         FT_Get_Char_Index(static_cast<FT_Face>(faces_[face]), FT_ULong(cp)) != 0;
}

int FontSet::unitsPerEm(uint8_t face) const {
  return face < kMaxFaces && unitsPerEm_[face] ? unitsPerEm_[face] : 1000;
}

void FontSet::shape(uint8_t face, const char32_t* cps, size_t n, bool ligatures,
                    std::vector<ShapedGlyph>& out) {
  out.clear();
  if (face >= kMaxFaces || !faces_[face] || n == 0) return;
  std::u32string key(cps, n);
  key.push_back(char32_t(face) | (ligatures ? 0x80000000u : 0));
  if (auto it = shapes_.find(key); it != shapes_.end()) {
    out = it->second;
    return;
  }
  if (!hbFonts_[face]) {
    const uint8_t* data = face == 0   ? fonts::kMono
                          : face == 1 ? fonts::kFallback
                                      : assets_[face - kFirstAsset].bytes.data();
    const size_t size = face == 0   ? fonts::kMonoSize
                        : face == 1 ? fonts::kFallbackSize
                                    : assets_[face - kFirstAsset].bytes.size();
    hb_blob_t* blob = hb_blob_create(reinterpret_cast<const char*>(data), unsigned(size),
                                     HB_MEMORY_MODE_READONLY, nullptr, nullptr);
    hb_face_t* hf = hb_face_create(blob, 0);
    hb_blob_destroy(blob);
    // From the head table: FreeType reports 0 for a bitmap-only face (the emoji font).
    unitsPerEm_[face] = int(hb_face_get_upem(hf));
    hb_font_t* font = hb_font_create(hf);
    hb_face_destroy(hf);
    hb_font_set_scale(font, unitsPerEm_[face], unitsPerEm_[face]);
    hbFonts_[face] = font;
  }
  hb_buffer_t* buf = hb_buffer_create();
  hb_buffer_add_utf32(buf, reinterpret_cast<const uint32_t*>(cps), int(n), 0, int(n));
  hb_buffer_guess_segment_properties(buf);
  // Code reads left to right; right-to-left scripts never reach here (fribidi shapes them).
  hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
  hb_feature_t features[2] = {{HB_TAG('l', 'i', 'g', 'a'), ligatures ? 1u : 0u, 0, ~0u},
                              {HB_TAG('c', 'a', 'l', 't'), ligatures ? 1u : 0u, 0, ~0u}};
  hb_shape(static_cast<hb_font_t*>(hbFonts_[face]), buf, face == 0 ? features : nullptr,
           face == 0 ? 2 : 0);
  unsigned count = 0;
  const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &count);
  const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &count);
  out.resize(count);
  for (unsigned i = 0; i < count; i++) {
    out[i] = ShapedGlyph{info[i].codepoint, info[i].cluster, pos[i].x_advance, pos[i].x_offset,
                         pos[i].y_offset};
  }
  hb_buffer_destroy(buf);
  // Words repeat (a comment's script in every line); long runs rarely do. The cache holds at
  // most 2048 runs of up to 64 code points: about 4 MB at worst, whatever the input.
  if (n > 64) return;
  if (shapes_.size() >= 2048) shapes_.clear();
  shapes_.emplace(std::move(key), out);
}

double FontSet::advance(GlyphRef g, int px) {
  const double cell = monoAdvanceUnits_ * px / unitsPerEm_[0];
  if (g.missing() || g.face == 0) return cell;
  if (wide(g.face)) return 2 * cell;
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
  if (color(g.face)) return colorBitmap(g, px, key);
  FT_Face face = static_cast<FT_Face>(faces_[g.face]);
  if (!setSize(g.face, px)) return nullptr;
  // Light autohinting snaps only vertically, which keeps stems crisp on the baseline and x-height
  // while leaving horizontal positions free for quarter-pixel placement.
  if (FT_Load_Glyph(face, g.index, FT_LOAD_TARGET_LIGHT | FT_LOAD_FORCE_AUTOHINT)) return nullptr;
  FT_GlyphSlot slot = face->glyph;
  if (slot->format != FT_GLYPH_FORMAT_OUTLINE) return nullptr;
  FT_Outline_Translate(&slot->outline, FT_Pos(phase * 16), 0);
  if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL)) return nullptr;
  // 16 levels (0, 17, ..., 255): invisible at 1x, and it keeps antialiased text within a
  // 256-colour palette so the PNG can be indexed.
  GlyphBitmap bmp = coverageOf(slot, true);
  cacheBytes_ += bmp.coverage.size() + 64;
  return &glyphs_.emplace(key, std::move(bmp)).first->second;
}

// A colour emoji: the font's one bitmap strike (Noto Color Emoji: 109 ppem, PNG inside CBDT),
// decoded by FreeType and scaled with an area filter to two monospace cells.
const GlyphBitmap* FontSet::colorBitmap(GlyphRef g, int px, uint64_t key) {
  FT_Face face = static_cast<FT_Face>(faces_[g.face]);
  if (face->num_fixed_sizes > 0 && facePx_[g.face] != -1) {
    if (FT_Select_Size(face, 0)) return nullptr;
    facePx_[g.face] = -1;
  }
  if (FT_Load_Glyph(face, g.index, FT_LOAD_COLOR)) return nullptr;
  FT_GlyphSlot slot = face->glyph;
  const FT_Bitmap& b = slot->bitmap;
  if (b.pixel_mode != FT_PIXEL_MODE_BGRA || b.width == 0 || b.rows == 0) return nullptr;
  const double strikeAdvance = slot->advance.x > 0 ? slot->advance.x / 64.0 : double(b.width);
  const double scale = 2 * monoAdvanceUnits_ * px / unitsPerEm_[0] / strikeAdvance;
  GlyphBitmap bmp;
  bmp.color = true;
  bmp.width = std::max(1, int(std::lround(b.width * scale)));
  bmp.height = std::max(1, int(std::lround(b.rows * scale)));
  bmp.left = int(std::lround(slot->bitmap_left * scale));
  bmp.top = int(std::lround(slot->bitmap_top * scale));
  bmp.rgba.assign(size_t(bmp.width) * bmp.height * 4, 0);
  // Each output pixel averages the source pixels its square covers (partial ones weighted).
  const double inv = 1.0 / scale;
  for (int y = 0; y < bmp.height; y++) {
    const double sy0 = y * inv, sy1 = std::min(double(b.rows), (y + 1) * inv);
    for (int x = 0; x < bmp.width; x++) {
      const double sx0 = x * inv, sx1 = std::min(double(b.width), (x + 1) * inv);
      double acc[4] = {0, 0, 0, 0}, area = 0;
      for (int sy = int(sy0); sy < int(std::ceil(sy1)); sy++) {
        const double wy = std::min(sy1, sy + 1.0) - std::max(sy0, double(sy));
        const uint8_t* row = b.buffer + ptrdiff_t(sy) * b.pitch;
        for (int sx = int(sx0); sx < int(std::ceil(sx1)); sx++) {
          const double w = wy * (std::min(sx1, sx + 1.0) - std::max(sx0, double(sx)));
          const uint8_t* p = row + sx * 4;  // BGRA, premultiplied
          acc[0] += w * p[2], acc[1] += w * p[1], acc[2] += w * p[0], acc[3] += w * p[3];
          area += w;
        }
      }
      uint8_t* dst = bmp.rgba.data() + (size_t(y) * bmp.width + x) * 4;
      for (int k = 0; k < 4; k++) dst[k] = uint8_t(area > 0 ? std::lround(acc[k] / area) : 0);
    }
  }
  reduceColors(bmp);
  cacheBytes_ += bmp.rgba.size() + 64;
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
  GlyphBitmap bmp = coverageOf(slot, false);
  cacheBytes_ += bmp.coverage.size() + 64;
  return &cache_.emplace(key, std::move(bmp)).first->second;
}

}  // namespace render
