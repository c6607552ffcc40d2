// Canvas bands: painting an image band by band gives exactly the pixels of painting it whole.
#include <catch2/catch.hpp>

#include "raster/canvas.h"

using namespace render;

namespace {

// Everything a code card draws, in image coordinates.
void paintCard(Canvas& c) {
  const Rect window{30, 25, 140, 150};
  c.dropShadow(Rect{30, 35, 140, 150}, 9, 0.55, window, 8, true);
  c.fillRoundedRect(window, 8, Rgba{80, 80, 80, 255});
  c.fillRoundedRect(Rect{31, 26, 138, 148}, 7, Rgba{39, 40, 34, 255});
  c.fillCircle(45.5, 38.5, 5, Rgba{255, 95, 86, 255});
  c.fillRect(Rect{31, 90, 138, 13}, Rgba{255, 255, 255, 40});
  c.strokeRect(Rect{60, 120, 9, 12}, Rgba{200, 200, 0, 255});
  GlyphBitmap g;
  g.left = 1, g.top = 9, g.width = 6, g.height = 11;
  for (int i = 0; i < g.width * g.height; i++) g.coverage.push_back(uint8_t((i * 37) % 256));
  for (int y = 40; y < 180; y += 9)
    c.drawGlyph(g, 50 + y % 30, y, Rgba{230, 219, 116, 255}, Rect{31, 26, 138, 148});
}

}  // namespace

TEST_CASE("a canvas painted in bands has the pixels of one painted whole", "[render]") {
  const int w = 200, h = 221;
  const Rgba backdrop{171, 184, 195, 255};
  Canvas whole(w, h, backdrop);
  paintCard(whole);
  for (int rows : {1, 16, 50, 220, 400}) {
    Canvas band(w, rows, backdrop, 0, h);
    for (int y0 = 0; y0 < h; y0 += rows) {
      if (y0) band.moveBand(y0, backdrop);
      REQUIRE(band.originY() == y0);
      REQUIRE(band.height() == std::min(rows, h - y0));
      paintCard(band);
      for (int y = y0; y < y0 + band.height(); y++) {
        for (int x = 0; x < w; x += 3) {
          INFO("band " << rows << " pixel " << x << "," << y);
          REQUIRE(band.pixel(x, y) == whole.pixel(x, y));
          REQUIRE(band.row(y)[x] == whole.row(y)[x]);
        }
      }
      CHECK(band.pixel(0, y0 + band.height()) == Rgba{0, 0, 0, 0});  // outside the band
    }
  }
}

TEST_CASE("a bordered rounded rect has the pixels of the border painted under the fill",
          "[render]") {
  struct Case {
    Rect r;
    int radius;
    Rgba border, fill;
  };
  const Rgba grey{80, 80, 80, 255}, dark{39, 40, 34, 255};
  const Case cases[] = {
      {{30, 25, 140, 150}, 10, grey, dark},
      {{30, 25, 140, 150}, 1, grey, dark},
      {{30, 25, 140, 150}, 0, grey, dark},
      {{30, 25, 5, 4}, 10, grey, dark},                     // radius clamped by the size
      {{30, 25, 2, 9}, 3, grey, dark},                      // no inside at all
      {{-20, -7, 100, 250}, 12, grey, dark},                // clipped by the canvas
      {{30, 25, 140, 150}, 10, Rgba{255, 0, 0, 90}, dark},  // translucent border
      {{30, 25, 140, 150}, 10, grey, Rgba{0, 0, 0, 128}},   // translucent fill: painted twice
  };
  const int w = 200, h = 221;
  const Rgba backdrop{171, 184, 195, 255};
  for (const Case& c : cases) {
    for (int rows : {7, h}) {
      Canvas a(w, rows, backdrop, 0, h), b(w, rows, backdrop, 0, h);
      for (int y0 = 0; y0 < h; y0 += rows) {
        if (y0) a.moveBand(y0, backdrop), b.moveBand(y0, backdrop);
        a.fillRoundedRect(c.r, c.radius, c.border);
        a.fillRoundedRect(Rect{c.r.x + 1, c.r.y + 1, c.r.w - 2, c.r.h - 2}, c.radius - 1, c.fill);
        b.fillBorderedRoundedRect(c.r, c.radius, c.border, c.fill);
        INFO("rect " << c.r.x << "," << c.r.y << " " << c.r.w << "x" << c.r.h << " radius "
                     << c.radius << ", bands of " << rows << " at " << y0);
        REQUIRE(a.pixels() == b.pixels());
      }
    }
  }
}

TEST_CASE("a band moved around a hole fills everything but the hole", "[render]") {
  const int w = 50, h = 40;
  const Rgba fill{1, 2, 3, 255}, mark{9, 9, 9, 255};
  const Rect hole{10, 12, 30, 20};
  Canvas c(w, 16, mark, 0, h);
  for (int y0 = 0; y0 < h; y0 += 16) {
    c.moveBandUncleared(y0);
    c.fillRect(Rect{0, y0, w, 16}, mark);
    c.moveBand(y0, fill, hole);
    for (int y = y0; y < y0 + c.height(); y++) {
      for (int x = 0; x < w; x++) {
        const bool inHole = x >= hole.x && x < hole.right() && y >= hole.y && y < hole.bottom();
        INFO(x << "," << y);
        CHECK(c.pixel(x, y) == (inHole ? mark : fill));
      }
    }
  }
}
