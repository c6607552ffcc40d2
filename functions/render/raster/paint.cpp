// The RGBA canvas's fractional-coordinate drawing: gradients, polygons, discs and rings, rounded
// boxes, sRGB glyph masks and the scrim (canvas.h, "Shapes for designs"). Thumbnails draw their
// templates with these; a code card uses none of them.
//
// Blending here is sRGB "over" onto opaque pixels at 8-bit coverage, rounded half away from zero:
// d + (c - d) a / 255 per channel, done as (d (255 - a) + c a + 127) / 255. Filled runs are blended
// four pixels at a time; edges one by one.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "raster/canvas.h"

namespace render {

namespace {

// blend8 on one pixel: colour c at coverage 0..255 (times c.a) over opaque *d.
inline void blendPixel(uint32_t& d, Rgba c, uint32_t cover) {
  if (cover == 0) return;
  const int a = int((cover * c.a + 127) / 255);
  if (a >= 255) {
    d = Rgba{c.r, c.g, c.b, 255}.packed();
    return;
  }
  // (d (255 - a) + c a + 127) / 255 per channel: below 65535, where x / 255 is
  // (x + 1 + (x >> 8)) >> 8.
  const uint32_t ia = 255 - uint32_t(a);
  auto mixc = [&](uint32_t dv, uint32_t cv) {
    const uint32_t x = dv * ia + cv * uint32_t(a) + 127;
    return (x + 1 + (x >> 8)) >> 8;
  };
  d = mixc(d & 255, c.r) | mixc(d >> 8 & 255, c.g) << 8 | mixc(d >> 16 & 255, c.b) << 16 |
      0xff000000u;
}

// Coverage 0..1 (clamped above) to the 8-bit coverage blendPixel takes.
inline uint32_t cover8(double cover) {
  return cover <= 0 ? 0 : uint32_t(std::min(1.0, cover) * 255 + 0.5);
}

// Colour c at its own alpha over pixels [x0, x1) of `row`: blendPixel at full coverage, four
// pixels at a time.
void span(uint32_t* row, int x0, int x1, Rgba c) {
  if (c.a == 255) {
    std::fill(row + x0, row + x1, Rgba{c.r, c.g, c.b, 255}.packed());
    return;
  }
  // blendPixel's arithmetic on 16-bit lanes, two pixels (eight channels) to a vector.
  typedef uint16_t U16 __attribute__((vector_size(16)));
  typedef uint8_t U8 __attribute__((vector_size(16)));
  typedef uint8_t U8h __attribute__((vector_size(8)));
  const uint16_t a = c.a, ia = uint16_t(255 - c.a);
  const U16 ca = {uint16_t(c.r * a), uint16_t(c.g * a), uint16_t(c.b * a), 0,
                  uint16_t(c.r * a), uint16_t(c.g * a), uint16_t(c.b * a), 0};
  const U8 opaque = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
  auto mixv = [&](U8h d) {
    U16 x = __builtin_convertvector(d, U16) * ia + ca + 127;
    x = (x + 1 + (x >> 8)) >> 8;
    return __builtin_convertvector(x, U8h);
  };
  int x = x0;
  for (; x + 4 <= x1; x += 4) {
    U8 d;
    memcpy(&d, row + x, 16);
    const U8h lo = mixv(__builtin_shufflevector(d, d, 0, 1, 2, 3, 4, 5, 6, 7));
    const U8h hi = mixv(__builtin_shufflevector(d, d, 8, 9, 10, 11, 12, 13, 14, 15));
    const U8 out =
        __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) |
        opaque;
    memcpy(row + x, &out, 16);
  }
  for (; x < x1; x++) blendPixel(row[x], c, 255);
}

}  // namespace

template <>
void BasicCanvas<RgbaPixels>::fillGradient(Rgba from, Rgba to, Gradient g) {
  // Colours come from a 1025-entry table: a step of 1/1024 is below what 8-bit channels show.
  std::vector<uint32_t> lut(1025);
  for (size_t i = 0; i < lut.size(); i++) lut[i] = mix(from, to, double(i) / 1024).packed();
  const int W = width_, H = imageHeight_;
  for (int y = originY_; y < originY_ + height_; y++) {
    uint32_t* row = rowPtr(y);
    if (g == Gradient::Vertical) {
      std::fill(row, row + W, lut[size_t(y) * 1024 / size_t(std::max(1, H - 1))]);
      continue;
    }
    // t = 0.45 x / W + 0.55 y / H, in 1/1024 steps, as 32.32 fixed point: stepping along the
    // row is an exact integer addition (doubles would need a multiply and a conversion a pixel).
    const double base = 0.55 * y / H * 1024 + 0.5, step = 0.45 / W * 1024;
    uint64_t t = uint64_t(base * 4294967296.0);
    const uint64_t dt = uint64_t(step * 4294967296.0);
    for (int x = 0; x < W; x++, t += dt) row[x] = lut[std::min<uint64_t>(1024, t >> 32)];
  }
}

// Even-odd, 4 sub-scanlines per row, exact horizontal coverage. A span's partly covered end
// pixels go to `cover`; the whole pixels between them, a quarter each, to `run` as a start and
// an end (summed along the row): wide shapes cost their edges.
template <>
void BasicCanvas<RgbaPixels>::fillPolygon(const std::vector<PointF>& pts, Rgba c) {
  if (pts.size() < 3) return;
  const int W = width_;
  double minY = pts[0].y, maxY = pts[0].y;
  for (const PointF& p : pts) minY = std::min(minY, p.y), maxY = std::max(maxY, p.y);
  const int y0 = std::max(originY_, int(std::floor(minY)));
  const int y1 = std::min(originY_ + height_ - 1, int(std::ceil(maxY)));
  std::vector<double> cover(size_t(W) + 2, 0.0), run(size_t(W) + 2, 0.0);
  std::vector<double> xs;
  for (int y = y0; y <= y1; y++) {
    int lo = W, hi = -1;
    for (int s = 0; s < 4; s++) {
      const double sy = y + (s + 0.5) / 4;
      xs.clear();
      for (size_t i = 0; i < pts.size(); i++) {
        const PointF& a = pts[i];
        const PointF& b = pts[(i + 1) % pts.size()];
        if ((a.y <= sy && b.y > sy) || (b.y <= sy && a.y > sy)) {
          xs.push_back(a.x + (sy - a.y) / (b.y - a.y) * (b.x - a.x));
        }
      }
      std::sort(xs.begin(), xs.end());
      for (size_t i = 0; i + 1 < xs.size(); i += 2) {
        const double l = std::clamp(xs[i], 0.0, double(W)),
                     r = std::clamp(xs[i + 1], 0.0, double(W));
        if (r <= l) continue;
        const int li = int(l), ri = int(r);
        lo = std::min(lo, li), hi = std::max(hi, ri);
        if (li == ri) {
          cover[size_t(li)] += (r - l) / 4;
          continue;
        }
        cover[size_t(li)] += (li + 1 - l) / 4;
        run[size_t(li) + 1] += 0.25;
        run[size_t(ri)] -= 0.25;
        cover[size_t(ri)] += (r - ri) / 4;
      }
    }
    // Runs of whole coverage blend four pixels at a time (or fill, for an opaque colour); the
    // partly covered pixels one by one.
    uint32_t* row = rowPtr(y);
    double inside = 0;  // whole-pixel coverage at x: `run` summed so far, in exact quarters
    int full = -1;      // where the current run of whole coverage began
    const int end = std::min(hi + 1, W);
    for (int x = lo; x <= end; x++) {
      inside += run[size_t(x)];
      const double k = x < W ? cover[size_t(x)] + inside : 0;
      cover[size_t(x)] = run[size_t(x)] = 0;
      if (k >= 1 && x < end) {
        if (full < 0) full = x;
        continue;
      }
      if (full >= 0) span(row, full, x, c), full = -1;
      if (x < W) blendPixel(row[x], c, cover8(k));
    }
  }
}

template <>
void BasicCanvas<RgbaPixels>::fillBox(double x0, double y0, double x1, double y1, Rgba c) {
  fillPolygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, c);
}

template <>
void BasicCanvas<RgbaPixels>::fillRing(double cx, double cy, double r, Rgba c, double inner) {
  const int y0 = std::max(originY_, int(cy - r - 1));
  const int y1 = std::min(originY_ + height_ - 1, int(cy + r + 1));
  const int x0 = std::max(0, int(cx - r - 1)), x1 = std::min(width_ - 1, int(cx + r + 1));
  for (int y = y0; y <= y1; y++) {
    uint32_t* row = rowPtr(y);
    for (int x = x0; x <= x1; x++) {
      const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
      double cover = std::clamp(r - d + 0.5, 0.0, 1.0);
      if (inner > 0) cover = std::min(cover, std::clamp(d - inner + 0.5, 0.0, 1.0));
      blendPixel(row[x], c, cover8(cover));
    }
  }
}

template <>
void BasicCanvas<RgbaPixels>::fillRoundedBox(double x0, double y0, double x1, double y1, double r,
                                             Rgba c) {
  const int ya = std::max(originY_, int(y0)), yb = std::min(originY_ + height_, int(std::ceil(y1)));
  const int xa = std::max(0, int(x0)), xb = std::min(width_, int(std::ceil(x1)));
  for (int y = ya; y < yb; y++) {
    uint32_t* row = rowPtr(y);
    for (int x = xa; x < xb; x++) {
      const double px = x + 0.5, py = y + 0.5;
      const double dx = std::max({x0 + r - px, px - (x1 - r), 0.0});
      const double dy = std::max({y0 + r - py, py - (y1 - r), 0.0});
      blendPixel(row[x], c, cover8(std::clamp(r - std::hypot(dx, dy) + 0.5, 0.0, 1.0)));
    }
  }
}

template <>
void BasicCanvas<RgbaPixels>::drawMask(const GlyphBitmap& g, int x, int baseline, Rgba c) {
  // Clipped once: the columns of the bitmap inside the canvas.
  const int left = x + g.left;
  const int gx0 = std::max(0, -left), gx1 = std::min(g.width, width_ - left);
  const uint32_t solid = Rgba{c.r, c.g, c.b, 255}.packed();
  const bool opaque = c.a == 255;
  for (int gy = 0; gy < g.height; gy++) {
    const int y = baseline - g.top + gy;
    if (y < originY_ || y >= originY_ + height_) continue;
    const uint8_t* cov = g.coverage.data() + size_t(gy) * size_t(g.width);
    uint32_t* row = rowPtr(y) + left;
    auto one = [&](int gx) {
      if (!cov[gx]) return;
      if (cov[gx] == 255 && opaque) {
        row[gx] = solid;  // what blendPixel writes at full coverage and opacity
      } else {
        blendPixel(row[gx], c, cov[gx]);
      }
    };
    // A large glyph is mostly empty or solid: four such pixels at a time.
    int gx = gx0;
    for (; gx + 4 <= gx1; gx += 4) {
      uint32_t four;
      memcpy(&four, cov + gx, 4);
      if (four == 0) continue;
      if (four == 0xffffffffu && opaque) {
        row[gx] = row[gx + 1] = row[gx + 2] = row[gx + 3] = solid;
        continue;
      }
      one(gx), one(gx + 1), one(gx + 2), one(gx + 3);
    }
    for (; gx < gx1; gx++) one(gx);
  }
}

template <>
void BasicCanvas<RgbaPixels>::scrim(Rect box, double dim, double strength, double feather) {
  for (int y = originY_; y < originY_ + height_; y++) {
    const double dy = std::max({double(box.y - y), double(y - box.bottom()), 0.0});
    uint32_t* row = rowPtr(y);
    for (int x = 0; x < width_; x++) {
      const double dx = std::max({double(box.x - x), double(x - box.right()), 0.0});
      const double d = std::hypot(dx, dy);
      double k = dim;
      if (d < feather) {
        const double t = 1 - d / feather;
        k *= 1 - strength * t * t * (3 - 2 * t);
      }
      uint32_t& c = row[x];
      c = uint32_t((c & 255) * k + 0.5) | uint32_t((c >> 8 & 255) * k + 0.5) << 8 |
          uint32_t((c >> 16 & 255) * k + 0.5) << 16 | 0xff000000u;
    }
  }
}

}  // namespace render
