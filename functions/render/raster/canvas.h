// An RGBA image (straight alpha, sRGB) with the few drawing operations a code card needs.
//
//   render::Canvas c(800, 600, backdrop);
//   c.dropShadow(windowRect, blur, 0.45);
//   c.fillRoundedRect(windowRect, 10, theme.background);
//   c.drawGlyph(bitmap, x, baseline, color);
//
// Text is blended in linear light (sRGB decoded through tables), so antialiased edges keep the
// weight the type designer drew instead of looking thin on light themes or smeared on dark ones.
// Every operation is clipped to the canvas; sizes are validated by the caller before construction.
//
// A canvas can also hold one horizontal band of a taller image (the band constructor, moveBand):
// drawing then takes image coordinates and touches only the band's rows, so a tall image is
// painted and encoded band by band in memory proportional to its width (render.cpp).
//
// Where the pixels live is the store's business: RGBA words (Canvas), or palette indices
// (IndexedCanvas) for a PNG of at most 256 colours, which a code card nearly always is. An indexed
// canvas writes a quarter of the bytes and hands the encoder rows it can compress as they are,
// instead of rows it must first turn into indices colour by colour; the drawing is the same code.
#pragma once

#include <cstdint>
#include <vector>

#include "layout/layout.h"
#include "raster/color.h"
#include "raster/font.h"

namespace render {

// A point in pixel coordinates, fractional: (0, 0) is the top-left corner of the first pixel.
struct PointF {
  double x, y;
};

// fillGradient's direction: top to bottom, or from the top-left corner to the bottom-right one.
enum class Gradient : uint8_t { Vertical, Diagonal };

// 32-bit straight-alpha RGBA, as Rgba::packed().
struct RgbaPixels {
  using Raw = uint32_t;
  Raw encode(uint32_t packed) { return packed; }
  Raw encodeShade(uint32_t packed) { return packed; }
  uint32_t decode(Raw r) const { return r; }
};

// 8-bit indices into a palette made as colours are first painted. Once 256 colours are there, an
// antialiased edge pixel (encodeShade) whose colour is new takes the index of the nearest colour
// when the eye cannot tell them apart on one pixel, as the RGBA encoder's palette does; any other
// new colour sets overflow(), and the image must be painted as RGBA instead.
class IndexedPixels {
 public:
  using Raw = uint8_t;
  // `capacity`: at most 256 colours (fewer only to test what happens when they run out).
  explicit IndexedPixels(uint32_t capacity = 256);
  Raw encode(uint32_t packed) {
    if (packed == lastColor_) return lastIndex_;
    return encodeNew(packed, false);
  }
  Raw encodeShade(uint32_t packed) {
    if (packed == lastColor_) return lastIndex_;
    return encodeNew(packed, true);
  }
  uint32_t decode(Raw r) const { return palette_[r]; }
  const uint32_t* palette() const { return palette_; }
  uint32_t colors() const { return colors_; }
  bool overflow() const { return overflow_; }

 private:
  Raw encodeNew(uint32_t packed, bool shade);
  // The index of the palette colour nearest `packed` if the eye cannot tell them apart on one
  // pixel (16 steps or less in every channel); else -1.
  int nearestInvisible(uint32_t packed) const;
  static constexpr int kBits = 10;
  static constexpr uint32_t kSize = 1u << kBits;
  // Not a colour encode() stores: every fully transparent pixel is stored as 0.
  static constexpr uint32_t kEmpty = 0x00EDCBA9u;
  uint32_t palette_[256] = {};
  uint32_t capacity_, colors_ = 0, keysUsed_ = 0;
  bool overflow_ = false;
  uint32_t lastColor_ = kEmpty;  // an exact entry, the last one looked up
  Raw lastIndex_ = 0;
  uint32_t keys_[kSize];
  Raw values_[kSize];
  bool approximate_[kSize];  // the key's index is its nearest colour's
};

template <class Pixels>
class BasicCanvas {
 public:
  using Raw = typename Pixels::Raw;
  BasicCanvas(int width, int height, Rgba fill, Pixels store = Pixels());
  // Rows [originY, originY + bandRows) of an image `imageHeight` rows tall (clipped to it).
  BasicCanvas(int width, int bandRows, Rgba fill, int originY, int imageHeight,
              Pixels store = Pixels());
  // Moves the band to start at image row `originY` and fills it with `fill`.
  void moveBand(int originY, Rgba fill);
  // Moves the band without touching its pixels (the caller paints every pixel anyway).
  void moveBandUncleared(int originY);
  // Moves the band and fills it with `fill` except inside `hole`, which the caller paints with
  // opaque colour (the window's straight middle rows).
  void moveBand(int originY, Rgba fill, Rect hole);
  int originY() const { return originY_; }
  int imageHeight() const { return imageHeight_; }
  // Image row `y` (within the band), in the store's form.
  const Raw* row(int y) const { return px_.data() + size_t(y - originY_) * size_t(width_); }

  int width() const { return width_; }
  int height() const { return height_; }  // rows held: the band's height
  Rgba pixel(int x, int y) const;
  const std::vector<Raw>& pixels() const { return px_; }  // in the store's form
  const Pixels& store() const { return store_; }

  void fillRect(Rect r, Rgba c);
  // Antialiased corners; composited over what is there.
  void fillRoundedRect(Rect r, int radius, Rgba c);
  // The same pixels as fillRoundedRect(r, radius, border) followed by fillRoundedRect of `r`
  // inset by one pixel with radius - 1 and `fill`, but (with an opaque fill) the border is only
  // drawn where the fill leaves it showing, so each pixel is written about once.
  void fillBorderedRoundedRect(Rect r, int radius, Rgba border, Rgba fill);
  void fillCircle(double cx, double cy, double radius, Rgba c);
  // A blurred copy of `r` in black at `opacity`, drawn everywhere except inside `skip` (the opaque
  // window that will cover it). The blur of a rectangle is separable, so three box-blur passes
  // run over two 1-D edge profiles instead of the whole image: O(w + h) blur, one pass to paint.
  // `uniformBackdrop`: the canvas is still one colour, so identical rows may be copied.
  void dropShadow(Rect r, int blur, double opacity, Rect skip, int skipRadius,
                  bool uniformBackdrop);
  // Coverage bitmap at integer pen position (x, baseline), clipped to `clip`.
  void drawGlyph(const GlyphBitmap& g, int x, int baseline, Rgba c, const Rect& clip);
  // A colour glyph (premultiplied RGBA, GlyphBitmap::color) composited over what is there.
  void drawColorGlyph(const GlyphBitmap& g, int x, int baseline, const Rect& clip);
  // A hollow box for characters no font has ("tofu").
  void strokeRect(Rect r, Rgba c);

  // ---- Shapes for designs (thumbnails; raster/paint.cpp) ----
  // Fractional coordinates, antialiased, blended in sRGB onto opaque pixels (d + (c - d) a / 255,
  // rounded) at 8-bit coverage times c.a. RGBA canvases only; image coordinates, clipped to the
  // band like the rest.
  //
  // The whole canvas from `from` to `to` in 1/1024 steps: down the rows, or (Diagonal) along
  // t = 0.45 x / width + 0.55 y / height.
  void fillGradient(Rgba from, Rgba to, Gradient g);
  // Any simple polygon, even-odd: 4 sub-scanlines a row, exact horizontal coverage, so a wide
  // shape costs its edges and its inside is filled four pixels at a time.
  void fillPolygon(const std::vector<PointF>& pts, Rgba c);
  void fillBox(double x0, double y0, double x1, double y1, Rgba c);
  // A disc of radius r about (cx, cy), or a ring from `inner` out to r when inner > 0.
  void fillRing(double cx, double cy, double r, Rgba c, double inner = 0);
  void fillRoundedBox(double x0, double y0, double x1, double y1, double radius, Rgba c);
  // A coverage bitmap at pen position (x, baseline), blended in sRGB like the shapes (drawGlyph
  // blends in linear light, for code at small sizes; a title's thick layers are designed this way).
  void drawMask(const GlyphBitmap& g, int x, int baseline, Rgba c);
  // Every pixel times `dim`, and darker still towards `box`: times (1 - strength) inside it,
  // fading out (smoothstep) `feather` px away. Text over a photo reads; the photo stays visible.
  void scrim(Rect box, double dim, double strength, double feather);
  // Image row `y` (within the band), writable: for filling the canvas from elsewhere (a photo).
  Raw* row(int y) { return rowPtr(y); }

 private:
  // `shade`: an antialiased edge, which an indexed store may give a colour one shade off.
  void blendOver(Raw& dst, Rgba c, uint32_t alpha, bool shade = false);
  // fillRoundedRect's four antialiased corner squares (radius already clamped).
  void roundedCorners(Rect r, int radius, Rgba c);
  Rect bounds() const { return Rect{0, originY_, width_, height_}; }
  Raw* rowPtr(int y) { return px_.data() + size_t(y - originY_) * size_t(width_); }
  Pixels store_;  // before px_, which the constructors fill through it
  int width_, height_;
  int originY_ = 0, imageHeight_ = 0, bandRows_ = 0;
  std::vector<Raw> px_;
  // dropShadow's edge profiles, kept while a band moves down the same image.
  std::vector<float> shadowFx_, shadowFy_;
  int shadowKey_[6] = {-1, -1, -1, -1, -1, -1};
  // The longest stretch of a profile near 1, with its least and greatest value.
  struct Plateau {
    int begin = 0, end = 0;
    float min = 1, max = 1;
  };
  static Plateau plateau(const std::vector<float>& v);
  Plateau xPlateau_, yPlateau_;
  bool yPlateauUniform_ = false;  // every column has one level through the y plateau
  // drawGlyph's blends: (colour, coverage, destination) -> result, 4 colour groups x 16 levels.
  struct GlyphBlend {
    uint32_t a = 0, color = 0;
    Raw dst = 0, out = 0;
  };
  GlyphBlend glyphBlends_[64];
};

// The shapes for designs exist for RGBA canvases only (defined in raster/paint.cpp).
template <>
void BasicCanvas<RgbaPixels>::fillGradient(Rgba from, Rgba to, Gradient g);
template <>
void BasicCanvas<RgbaPixels>::fillPolygon(const std::vector<PointF>& pts, Rgba c);
template <>
void BasicCanvas<RgbaPixels>::fillBox(double x0, double y0, double x1, double y1, Rgba c);
template <>
void BasicCanvas<RgbaPixels>::fillRing(double cx, double cy, double r, Rgba c, double inner);
template <>
void BasicCanvas<RgbaPixels>::fillRoundedBox(double x0, double y0, double x1, double y1,
                                             double radius, Rgba c);
template <>
void BasicCanvas<RgbaPixels>::drawMask(const GlyphBitmap& g, int x, int baseline, Rgba c);
template <>
void BasicCanvas<RgbaPixels>::scrim(Rect box, double dim, double strength, double feather);

using Canvas = BasicCanvas<RgbaPixels>;
using IndexedCanvas = BasicCanvas<IndexedPixels>;

}  // namespace render
