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
#pragma once

#include <cstdint>
#include <vector>

#include "layout/layout.h"
#include "raster/font.h"
#include "theme/themes.h"

namespace render {

class Canvas {
 public:
  Canvas(int width, int height, Rgba fill);

  int width() const { return width_; }
  int height() const { return height_; }
  Rgba pixel(int x, int y) const;
  const std::vector<uint32_t>& pixels() const { return px_; }  // Rgba::packed() values

  void fillRect(Rect r, Rgba c);
  // Antialiased corners; composited over what is there.
  void fillRoundedRect(Rect r, int radius, Rgba c);
  void fillCircle(double cx, double cy, double radius, Rgba c);
  // A blurred copy of `r` in black at `opacity`, drawn everywhere except inside `skip` (the opaque
  // window that will cover it). The blur of a rectangle is separable, so three box-blur passes
  // run over two 1-D edge profiles instead of the whole image: O(w + h) blur, one pass to paint.
  // `uniformBackdrop`: the canvas is still one colour, so identical rows may be copied.
  void dropShadow(Rect r, int blur, double opacity, Rect skip, int skipRadius,
                  bool uniformBackdrop);
  // Coverage bitmap at integer pen position (x, baseline), clipped to `clip`.
  void drawGlyph(const GlyphBitmap& g, int x, int baseline, Rgba c, const Rect& clip);
  // A hollow box for characters no font has ("tofu").
  void strokeRect(Rect r, Rgba c);

 private:
  void blendOver(uint32_t& dst, Rgba c, uint32_t alpha);
  int width_, height_;
  std::vector<uint32_t> px_;
};

}  // namespace render
