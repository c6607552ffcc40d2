// The `basic` thumbnails' designs on the raster canvas: a template's decoration (its Decor,
// layout.h) over its gradient, and the palettes a design is drawn with.
//
//   render::Canvas p(kWidth, kHeight, render::Rgba{});
//   const Palette c = recolour(t.palette, analysis.colors, light);
//   p.fillGradient(c.top, c.bottom, t.diagonal ? render::Gradient::Diagonal
//                                              : render::Gradient::Vertical);
//   decorate(p, t, c);
#pragma once

#include <vector>

#include "raster/canvas.h"
#include "thumbnail/layout.h"

namespace thumb {

// Draws the template's decoration with the palette's accents.
void decorate(render::Canvas& p, const Template& t, const Palette& c);

// Named colours recolour the design: the first becomes the accent and tints the background,
// the second the second accent.
Palette recolour(Palette c, const std::vector<render::Rgba>& colors, bool lightTemplate);

// Text colours over a photo: the template's own are chosen for its gradient (dark text on the
// light designs), so over an unknown image the title is light on a dark outline; the subtitle
// takes the first colour when it is bright enough to read.
Palette overImage(Palette c, const std::vector<render::Rgba>& colors);

}  // namespace thumb
