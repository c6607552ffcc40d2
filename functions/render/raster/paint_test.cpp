// The canvas's shapes for designs (raster/paint.cpp): what each covers and the colour it leaves,
// checked against the blend they promise, d + (c - d) a / 255 rounded, pixel by pixel.
#include <catch2/catch.hpp>

#include <algorithm>

#include "raster/canvas.h"

using namespace render;

namespace {

const Rgba kBack{40, 60, 200, 255};

// The promised blend of c at alpha a (0..255) over opaque d, per channel.
Rgba over(Rgba d, Rgba c, int a) {
  auto ch = [&](int dv, int cv) { return uint8_t((dv * (255 - a) + cv * a + 127) / 255); };
  return Rgba{ch(d.r, c.r), ch(d.g, c.g), ch(d.b, c.b), 255};
}

}  // namespace

TEST_CASE("fillGradient runs from one colour to the other", "[render]") {
  const Rgba from{10, 20, 30, 255}, to{250, 120, 0, 255};
  Canvas v(64, 48, kBack);
  v.fillGradient(from, to, Gradient::Vertical);
  for (int x : {0, 31, 63}) {
    CHECK(v.pixel(x, 0) == from);
    CHECK(v.pixel(x, 47) == to);
  }
  CHECK(v.pixel(5, 24) == v.pixel(60, 24));  // rows are flat
  CHECK(v.pixel(0, 24).r > from.r);
  CHECK(v.pixel(0, 24).r < to.r);

  Canvas d(64, 48, kBack);
  d.fillGradient(from, to, Gradient::Diagonal);
  CHECK(d.pixel(0, 0) == from);
  // Red rises along both axes and down the diagonal, and nearly reaches `to` in the far corner.
  for (int i = 1; i < 47; i++) {
    CHECK(d.pixel(i, i).r >= d.pixel(i - 1, i - 1).r);
    CHECK(d.pixel(i, 0).r >= d.pixel(i - 1, 0).r);
  }
  CHECK(d.pixel(63, 47).r > 240);
}

TEST_CASE("fillPolygon covers its area, antialiased at the edges", "[render]") {
  Canvas c(40, 20, kBack);
  const Rgba red{255, 0, 0, 255};
  // Whole pixels x 5..14, y 3..8, then a right edge half way through column 15.
  c.fillPolygon({{5, 3}, {15.5, 3}, {15.5, 9}, {5, 9}}, red);
  CHECK(c.pixel(5, 3) == red);
  CHECK(c.pixel(14, 8) == red);
  CHECK(c.pixel(4, 5) == kBack);
  CHECK(c.pixel(16, 5) == kBack);
  CHECK(c.pixel(10, 2) == kBack);
  CHECK(c.pixel(10, 9) == kBack);
  CHECK(c.pixel(15, 5) == over(kBack, red, 128));  // half covered: 0.5 * 255 rounds to 128

  // A translucent fill: the four-at-a-time inside and the one-by-one edges give the same blend.
  Canvas t(40, 20, kBack);
  const Rgba glass{250, 250, 10, 90};
  t.fillBox(1, 1, 38, 4, glass);
  for (int x = 1; x < 38; x++) CHECK(t.pixel(x, 2) == over(kBack, glass, 90));
  CHECK(t.pixel(0, 2) == kBack);
  CHECK(t.pixel(38, 2) == kBack);

  // A triangle: inside, outside, and nothing drawn beyond the canvas.
  Canvas tri(40, 20, kBack);
  tri.fillPolygon({{-10, 19}, {20, -10}, {50, 19}}, red);
  CHECK(tri.pixel(20, 10) == red);
  CHECK(tri.pixel(1, 1) == kBack);
  CHECK(tri.pixel(38, 1) == kBack);
}

TEST_CASE("fillRing draws a disc, or a ring around a hole", "[render]") {
  const Rgba white{255, 255, 255, 255};
  Canvas disc(60, 60, kBack), ring(60, 60, kBack);
  disc.fillRing(30, 30, 20, white);
  ring.fillRing(30, 30, 20, white, 10);
  CHECK(disc.pixel(30, 30) == white);
  CHECK(ring.pixel(30, 30) == kBack);  // the hole
  CHECK(ring.pixel(30, 15) == white);  // 15 px from the centre: on the ring
  CHECK(disc.pixel(30, 5) == kBack);   // beyond the radius
  CHECK(ring.pixel(52, 30) == kBack);
  // The edge is antialiased: a pixel the circle cuts is between the two colours.
  const Rgba edge = disc.pixel(44, 43);  // 19.8 px from the centre: 0.7 covered
  CHECK(edge != white);
  CHECK(edge.r > kBack.r);
}

TEST_CASE("fillRoundedBox rounds its corners", "[render]") {
  const Rgba black{0, 0, 0, 255};
  Canvas c(50, 40, kBack);
  c.fillRoundedBox(5, 5, 45, 35, 10, black);
  CHECK(c.pixel(25, 20) == black);
  CHECK(c.pixel(25, 5) == black);   // the straight top edge
  CHECK(c.pixel(5, 5) == kBack);    // the corner is cut off
  CHECK(c.pixel(25, 36) == kBack);  // below the box
}

TEST_CASE("drawMask blends a glyph's coverage in sRGB, clipped to the canvas", "[render]") {
  GlyphBitmap g;
  g.left = 0, g.top = 2, g.width = 3, g.height = 2;
  g.coverage = {0, 128, 255, 255, 128, 0};
  const Rgba ink{255, 255, 255, 255};
  Canvas c(10, 10, kBack);
  c.drawMask(g, 4, 6, ink);  // rows 4 and 5, columns 4..6
  CHECK(c.pixel(4, 4) == kBack);
  CHECK(c.pixel(5, 4) == over(kBack, ink, 128));
  CHECK(c.pixel(6, 4) == ink);
  CHECK(c.pixel(4, 5) == ink);
  // At the canvas's edges: only the part inside is drawn.
  Canvas e(10, 10, kBack);
  e.drawMask(g, -1, 1, ink);
  e.drawMask(g, 8, 11, ink);
  CHECK(e.pixel(0, 0) == over(kBack, ink, 128));  // the bitmap's second row, second column
  CHECK(e.pixel(1, 0) == kBack);
  CHECK(e.pixel(8, 9) == kBack);  // its first row, cut at the bottom and the right
  CHECK(e.pixel(9, 9) == over(kBack, ink, 128));
  // A translucent colour takes its alpha times the coverage.
  Canvas t(10, 10, kBack);
  t.drawMask(g, 4, 6, Rgba{255, 255, 255, 120});
  CHECK(t.pixel(6, 4) == over(kBack, ink, 120));
}

TEST_CASE("scrim dims everything and darkens towards its box", "[render]") {
  const Rgba grey{200, 200, 200, 255};
  Canvas c(200, 100, grey);
  c.scrim(Rect{80, 40, 40, 20}, 0.8, 0.5, 30);
  const Rgba far = c.pixel(0, 0), inside = c.pixel(100, 50), near = c.pixel(130, 50);
  CHECK(far == Rgba{160, 160, 160, 255});  // 200 * 0.8
  CHECK(inside == Rgba{80, 80, 80, 255});  // 200 * 0.8 * 0.5
  CHECK(near.r > inside.r);                // 10 px out: fading
  CHECK(near.r < far.r);
}

TEST_CASE("shapes painted in bands have the pixels of the shapes painted whole", "[render]") {
  const int w = 120, h = 90;
  auto paint = [](Canvas& c) {
    c.fillGradient(Rgba{0, 0, 0, 255}, Rgba{255, 200, 100, 255}, Gradient::Diagonal);
    c.fillPolygon({{10.3, 5.7}, {100.2, 20.1}, {60.5, 80.9}}, Rgba{20, 200, 20, 170});
    c.fillRing(60, 45, 30, Rgba{255, 255, 255, 90}, 22);
    c.fillRoundedBox(5.5, 60.25, 70.75, 85.5, 8, Rgba{0, 0, 0, 140});
    c.scrim(Rect{30, 30, 40, 20}, 0.9, 0.4, 25);
  };
  Canvas whole(w, h, kBack);
  paint(whole);
  for (int rows : {1, 7, 64}) {
    Canvas band(w, rows, kBack, 0, h);
    for (int y0 = 0; y0 < h; y0 += rows) {
      if (y0) band.moveBand(y0, kBack);
      paint(band);
      for (int y = y0; y < std::min(h, y0 + rows); y++) {
        for (int x = 0; x < w; x++) {
          INFO("bands of " << rows << ", pixel " << x << "," << y);
          REQUIRE(band.pixel(x, y) == whole.pixel(x, y));
        }
      }
    }
  }
}
