// Canvas bands: painting an image band by band gives exactly the pixels of painting it whole;
// painting it as palette indices gives exactly the pixels of painting it as RGBA.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "raster/canvas.h"

using namespace render;

namespace {

// Everything a code card draws, in image coordinates.
template <class CanvasT>
void paintCard(CanvasT& c) {
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

TEST_CASE("an indexed canvas has the pixels of an RGBA one, whole and in bands", "[render]") {
  const int w = 200, h = 221;
  for (const Rgba backdrop : {Rgba{171, 184, 195, 255}, Rgba{0, 0, 0, 0}}) {
    Canvas rgba(w, h, backdrop);
    paintCard(rgba);
    for (int rows : {16, 221}) {
      IndexedCanvas band(w, rows, backdrop, 0, h);
      for (int y0 = 0; y0 < h; y0 += rows) {
        if (y0) band.moveBand(y0, backdrop);
        paintCard(band);
        for (int y = y0; y < y0 + band.height(); y++) {
          for (int x = 0; x < w; x++) {
            INFO("backdrop alpha " << int(backdrop.a) << " band " << rows << " pixel " << x << ","
                                   << y);
            // A transparent pixel is one colour whatever its RGB: what a PNG shows.
            const Rgba want = rgba.pixel(x, y).a ? rgba.pixel(x, y) : Rgba{0, 0, 0, 0};
            REQUIRE(band.pixel(x, y) == want);
            REQUIRE(band.store().decode(band.row(y)[x]) == want.packed());
          }
        }
      }
      CHECK_FALSE(band.store().overflow());
      CHECK(band.store().colors() > 20);  // shadow levels, shapes, glyph shades
      CHECK(band.store().colors() <= 256);
    }
  }
}

TEST_CASE("an indexed canvas's palette: shades may share a colour, fills may not", "[render]") {
  IndexedPixels p(32);  // the last 2 entries are kept for fills
  auto grey = [](uint32_t v) { return Rgba{uint8_t(v), uint8_t(v), uint8_t(v), 255}.packed(); };
  for (uint32_t i = 0; i < 30; i++) CHECK(p.encode(grey(i * 8)) == i);  // new colours, in order
  CHECK(p.encode(grey(16)) == 2);                                       // known: its index
  CHECK(p.colors() == 30);
  // Past 30, a new shade takes the nearest colour when one is within a few steps...
  CHECK(p.encodeShade(grey(17)) == 2);
  CHECK(p.decode(2) == grey(16));
  CHECK(p.colors() == 30);
  // ... and a slot of its own when none is.
  const uint32_t red = Rgba{255, 0, 0, 255}.packed();
  CHECK(p.encodeShade(red) == 30);
  CHECK(p.decode(30) == red);
  CHECK_FALSE(p.overflow());
  // A fill's colour is never approximated: exact in the last slot, then the palette has run out.
  const uint32_t green = Rgba{0, 200, 0, 255}.packed();
  CHECK(p.encode(green) == 31);
  CHECK(p.decode(31) == green);
  CHECK_FALSE(p.overflow());
  p.encode(Rgba{0, 0, 200, 255}.packed());
  CHECK(p.overflow());
  // So is a colour first taken as a shade and then needed for a fill.
  IndexedPixels q(32);
  for (uint32_t i = 0; i < 30; i++) q.encode(grey(i * 8));
  q.encodeShade(grey(17));
  CHECK_FALSE(q.overflow());
  q.encode(grey(17));
  CHECK(q.overflow());
  // Every fully transparent colour is one entry.
  IndexedPixels t;
  CHECK(t.encode(0x00FFFFFFu) == t.encode(0u));
  CHECK(t.colors() == 1);
}

TEST_CASE("an indexed canvas short of colours gives shades a colour a few steps off", "[render]") {
  const int w = 200, h = 221;
  const Rgba backdrop{171, 184, 195, 255};
  Canvas rgba(w, h, backdrop);
  paintCard(rgba);
  IndexedCanvas whole(w, h, backdrop, IndexedPixels(128));
  paintCard(whole);
  REQUIRE_FALSE(whole.store().overflow());
  CHECK(whole.store().colors() <= 128);
  int approximate = 0;
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const Rgba a = rgba.pixel(x, y), b = whole.pixel(x, y);
      INFO("pixel " << x << "," << y);
      REQUIRE(std::abs(a.r - b.r) <= 16);
      REQUIRE(std::abs(a.g - b.g) <= 16);
      REQUIRE(std::abs(a.b - b.b) <= 16);
      REQUIRE(a.a == b.a);
      approximate += !(a == b);
    }
  }
  CHECK(approximate > 0);           // the test reached the approximation
  CHECK(approximate < w * h / 50);  // edge pixels only
}
