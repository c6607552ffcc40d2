// The embedded fonts, opened once per module instance, and a glyph cache shared by all requests.
//
//   render::FontSet& fonts = render::FontSet::instance();
//   if (!fonts.ok()) return error(fonts.error());
//   render::FontMetrics m = fonts.metrics(14);
//   render::GlyphRef g = fonts.lookup(U'ж');           // which face draws it, or none (tofu)
//   const render::GlyphBitmap* bmp = fonts.bitmap(g, 14, phase);
//
// Face 0 is JetBrains Mono (Latin, Greek, Cyrillic, box drawing); face 1 is a subset of DejaVu
// Sans for what it lacks (Hebrew, Arabic presentation forms, arrows, symbols). Both are embedded
// at build time from the Debian font packages (embed_font.py). Glyphs are rendered with light
// autohinting (vertical only) so they can be positioned at quarter pixels: `phase` 0..3 selects
// the x offset, and each (face, glyph, size, phase) is rasterised once per instance.
//
// Faces 2.. are the asset fonts (raster/font_assets.h: CJK, colour emoji, Indic, Thai,
// Ethiopic, ...), too large for the module: the first lookup of one of their code points asks
// the asset loader for the file. In the Worker the loader is the host (host_asset in
// shared/include/shared/host_abi.h), which answers from its per-isolate cache or says "not yet";
// then lookup() reports the glyph missing, pendingAssets() names the file, and the caller
// answers so that the host loads it and runs the request again. Natively the loader reads the
// files from the build's assets folder.
//
// Shaping (any caller: code cards, thumbnails):
//   GlyphRef g = fonts.lookup(cp);
//   if (fonts.shaped(g.face)) fonts.shape(g.face, cps, n, false, glyphs);  // HarfBuzz
//   // glyphs[i].index on face g.face; advance/offsets in font units: * px / fonts.unitsPerEm(face)
#pragma once

#include <functional>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace render {

struct FontMetrics {
  int ascent = 0;        // px above the baseline
  int descent = 0;       // px below (positive)
  int lineHeight = 0;    // px from one baseline to the next
  double cellWidth = 0;  // px, the monospace advance
};

struct GlyphRef {
  uint8_t face = kNoFace;  // kNoFace: no font has it
  uint32_t index = 0;
  static constexpr uint8_t kNoFace = 255;
  bool missing() const { return face == kNoFace; }
};

// 8-bit coverage, quantised to 16 levels (see canvas.h for why); or, for a colour glyph
// (emoji), premultiplied RGBA.
struct GlyphBitmap {
  int left = 0, top = 0;  // offset from the pen position on the baseline (top: up is positive)
  int width = 0, height = 0;
  std::vector<uint8_t> coverage;
  bool color = false;
  std::vector<uint8_t> rgba;  // color: width * height * 4, premultiplied
};

// The bold display face of thumbnail titles: DejaVu Sans Bold (Latin, Cyrillic, Hebrew, Arabic
// with Persian presentation forms), embedded at build time from fonts-dejavu-core like the code
// faces and opened on first use with the font set's FreeType library (FontSet::title()).
//
//   render::TitleFace& f = render::FontSet::instance().title();
//   uint32_t g = f.glyph(U'ж');
//   double adv = f.advance(g, 96);                       // exact: scales linearly with the size
//   const render::GlyphBitmap* b = f.bitmap(g, 96, 8);  // grown by 8 px on every side
//
// A title wants one heavy proportional face, not the code's monospace cells and quarter-pixel
// phases. `grow` thickens the outline with FreeType's emboldening, which gives the title its
// outline layer without a stroker. Glyphs are unhinted and keep all 256 coverage levels: at title
// sizes hinting buys nothing, and advances stay linear, so fitting can measure once at one size.
class TitleFace {
 public:
  bool ok() const { return face_ != nullptr; }
  // 0 (the font's box glyph) when the face lacks the character.
  uint32_t glyph(char32_t cp);
  double advance(uint32_t glyph, double px);
  double ascent(double px) const { return ascender_ * px; }
  double descent(double px) const { return descender_ * px; }
  // nullptr when FreeType fails; cached per (glyph, px, grow).
  const GlyphBitmap* bitmap(uint32_t glyph, int px, int grow);

 private:
  friend class FontSet;
  TitleFace(void* library, const uint8_t* data, size_t size);
  void* face_ = nullptr;  // FT_Face
  int facePx_ = 0;
  double unitsPerEm_ = 2048;
  double ascender_ = 0.93, descender_ = 0.24;  // per px of size
  std::unordered_map<char32_t, uint32_t> cmap_;
  std::unordered_map<uint32_t, double> advances_;  // font units
  std::unordered_map<uint64_t, GlyphBitmap> cache_;
  size_t cacheBytes_ = 0;
};

// One glyph of a shaped run, in font units (scale by px / unitsPerEm).
struct ShapedGlyph {
  uint32_t index = 0;    // glyph index in the run's face
  uint32_t cluster = 0;  // index of the first input code point it draws
  int32_t advance = 0, xOffset = 0, yOffset = 0;
};

// How an asset font file is obtained: 1 with `out` filled, 0 when it is being fetched (ask
// again later), -1 when it cannot be had (its glyphs stay boxes).
using AssetLoader = std::function<int(std::string_view name, std::vector<uint8_t>& out)>;

class FontSet {
 public:
  static FontSet& instance();

  bool ok() const { return error_.empty(); }
  std::string_view error() const { return error_; }

  FontMetrics metrics(int px);
  GlyphRef lookup(char32_t cp);
  // Advance in px at `px` size: the monospace cell for face 0, two cells for a wide face, the
  // font's own for the others.
  double advance(GlyphRef g, int px);
  // nullptr for a missing glyph or when FreeType fails; the caller draws a box instead.
  const GlyphBitmap* bitmap(GlyphRef g, int px, int phase);

  // Faces whose runs go through shape(): asset fonts of kind Color or Shaped.
  bool shaped(uint8_t face) const;
  // Faces drawn two cells wide per glyph (CJK, emoji).
  bool wide(uint8_t face) const;
  bool color(uint8_t face) const;
  // Whether a loaded face has a glyph for `cp`. An emoji file also has the other characters of
  // the sequences it owns (a ZWJ sequence lives in the file of its first character), which other
  // files own for lookup(): a run of a colour face goes on over them after a joiner.
  bool has(uint8_t face, char32_t cp) const;
  int unitsPerEm(uint8_t face) const;
  // HarfBuzz over code points `cps` (one script, one face); `ligatures` turns on the font's
  // liga/calt (JetBrains Mono's programming ligatures), otherwise off for face 0. Results are
  // cached per instance.
  void shape(uint8_t face, const char32_t* cps, size_t n, bool ligatures,
             std::vector<ShapedGlyph>& out);

  void setAssetLoader(AssetLoader loader) { loader_ = std::move(loader); }
  // The host's cache in the wasm module (host_asset), the build's assets folder natively.
  static int defaultAssetLoader(std::string_view name, std::vector<uint8_t>& out);
  // Asset files lookups wanted since the last clearPendingAssets() and the loader had not yet.
  const std::vector<std::string>& pendingAssets() const { return pending_; }
  // Called as each request starts: forgets what the last one was waiting for.
  void clearPendingAssets();
  // Asset font bytes one instance holds at most (each instance copies the files it uses into its
  // own memory; a Worker's isolate has 128 MB for all of them and the host's copy). Loading past
  // it first unloads the files least recently used by earlier requests; a request that needs
  // more than this by itself gets the characters of the rest as boxes.
  static constexpr size_t kMaxAssetBytes = 12u << 20;
  // Loads an asset font now (benchmarks, tests); false when the loader cannot give it yet.
  bool loadAsset(size_t asset);
  size_t loadedAssetBytes() const;

  size_t cachedGlyphs() const { return glyphs_.size(); }

  // The bold display face (thumbnail titles), opened on first use.
  TitleFace& title();

 private:
  FontSet();
  bool setSize(int face, int px);
  bool ensureAsset(size_t asset);
  bool makeRoom(size_t bytes);
  void unloadAsset(size_t asset);
  void touch(uint8_t face) {
    if (face >= 2 && face != GlyphRef::kNoFace) assets_[face - 2].lastUsed = request_;
  }
  const GlyphBitmap* colorBitmap(GlyphRef g, int px, uint64_t key);

  static constexpr int kMaxFaces = 64;
  std::string error_;
  void* library_ = nullptr;        // FT_Library
  void* faces_[kMaxFaces] = {};    // FT_Face
  void* hbFonts_[kMaxFaces] = {};  // hb_font_t, made on first shape()
  int facePx_[kMaxFaces] = {};
  int unitsPerEm_[kMaxFaces] = {};
  // Asset fonts: their bytes (FreeType and HarfBuzz read them in place) and state.
  struct Asset {
    std::vector<uint8_t> bytes;
    // 0 not asked, 1 loaded, 2 unavailable, 3 pending, 4 over kMaxAssetBytes (3, 4 until cleared)
    uint8_t state = 0;
    uint32_t lastUsed = 0;  // request_ when a lookup last found it
  };
  uint32_t request_ = 0;  // clearPendingAssets() calls
  std::vector<Asset> assets_;
  AssetLoader loader_;
  std::vector<std::string> pending_;
  double monoAdvanceUnits_ = 600;
  std::unordered_map<std::u32string, std::vector<ShapedGlyph>> shapes_;
  // Code points -> glyphs: ASCII (most code) in an array, the rest in a map.
  GlyphRef ascii_[128];
  bool asciiKnown_[128] = {};
  std::unordered_map<char32_t, GlyphRef> cmap_;
  std::unordered_map<uint64_t, double> advances_;
  std::unordered_map<uint64_t, GlyphBitmap> glyphs_;
  size_t cacheBytes_ = 0;
  std::unique_ptr<TitleFace> title_;
};

}  // namespace render
