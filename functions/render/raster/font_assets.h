// The fonts kept outside render.wasm as static asset files (raster/font_assets.py makes them and
// this table at build time): which file draws which code points, and how.
#pragma once

#include <cstddef>
#include <cstdint>

namespace render {

enum class AssetKind : uint8_t {
  Wide,    // CJK: one glyph per character, two monospace cells
  Color,   // emoji: CBDT colour bitmaps, shaped (sequences, flags), two cells per glyph
  Shaped,  // Indic, Thai, Ethiopic, ...: shaped with HarfBuzz, the font's own advances
};

struct AssetFont {
  const char* name;  // path inside the assets folder, e.g. "fonts/cjk-han.otf"
  AssetKind kind;
  uint32_t bytes;
};

// Code points [lo, hi] that asset font `font` has (sorted, disjoint).
struct AssetRange {
  char32_t lo, hi;
  uint16_t font;
};

// Code points [lo, hi) looked up one byte per code point: font[cp - lo] is the asset font, 255
// none. Where several files take turns inside one block (frequent and rare Han, Hangul), this is
// smaller than ranges; kAssetRanges has no code point inside a window.
struct AssetWindow {
  char32_t lo, hi;
  const uint8_t* font;
};

namespace fonts {
extern const AssetFont kAssetFonts[];
extern const size_t kAssetFontCount;
extern const AssetRange kAssetRanges[];
extern const size_t kAssetRangeCount;
extern const AssetWindow kAssetWindows[];
extern const size_t kAssetWindowCount;
}  // namespace fonts

}  // namespace render
