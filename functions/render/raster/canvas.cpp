#include "raster/canvas.h"

#include <algorithm>
#include <cmath>

namespace render {

namespace {

struct GammaTables {
  uint16_t toLinear[256];  // sRGB byte -> linear light, 16 bit
  uint8_t toSrgb[4096];    // linear light (top 12 bits) -> sRGB byte
  // Coverage for dark text on a light background. Linear-light blending is right for light text
  // on dark, but dark strokes come out thinner than they read on screen at small sizes; a mild
  // curve (what FreeType's docs call stem darkening, done here on coverage) restores the weight.
  uint8_t darkOnLight[256];
  GammaTables() {
    for (int i = 0; i < 256; i++) {
      darkOnLight[i] = uint8_t(std::lround(255 * std::pow(i / 255.0, 0.7)));
    }
    for (int i = 0; i < 256; i++) {
      double c = i / 255.0;
      double l = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
      toLinear[i] = uint16_t(std::lround(l * 65535));
    }
    for (int i = 0; i < 4096; i++) {
      double l = (i + 0.5) / 4096.0;
      double c = l <= 0.0031308 ? l * 12.92 : 1.055 * std::pow(l, 1 / 2.4) - 0.055;
      toSrgb[i] = uint8_t(std::clamp(std::lround(c * 255), 0L, 255L));
    }
  }
};

const GammaTables& gamma() {
  static const GammaTables t;
  return t;
}

inline Rgba unpack(uint32_t v) {
  return Rgba{uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}

Rect intersect(Rect a, Rect b) {
  int x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  int x1 = std::min(a.right(), b.right()), y1 = std::min(a.bottom(), b.bottom());
  return Rect{x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

// Three box-blur passes of the indicator of [a0, a1) over [0, n): the 1-D edge profile of a
// blurred rectangle (three boxes approximate a Gaussian within a few percent).
std::vector<float> blurredEdge(int n, int a0, int a1, int radius) {
  std::vector<float> v(size_t(std::max(n, 0)), 0.0f), sum(size_t(std::max(n, 0)) + 1);
  for (int i = std::max(a0, 0); i < std::min(a1, n); i++) v[size_t(i)] = 1.0f;
  if (radius <= 0) return v;
  const float inv = 1.0f / float(2 * radius + 1);
  for (int pass = 0; pass < 3; pass++) {
    sum[0] = 0;
    for (int i = 0; i < n; i++) sum[size_t(i) + 1] = sum[size_t(i)] + v[size_t(i)];
    for (int i = 0; i < n; i++) {
      int lo = std::max(0, i - radius), hi = std::min(n, i + radius + 1);
      v[size_t(i)] = (sum[size_t(hi)] - sum[size_t(lo)]) * inv;
    }
  }
  return v;
}

}  // namespace

Canvas::Plateau Canvas::plateau(const std::vector<float>& v) {
  Plateau best;
  for (size_t i = 0; i < v.size();) {
    if (v[i] < 0.98f) {
      i++;
      continue;
    }
    Plateau p{int(i), int(i), v[i], v[i]};
    for (; i < v.size() && v[i] >= 0.98f; i++) {
      p.min = std::min(p.min, v[i]);
      p.max = std::max(p.max, v[i]);
    }
    p.end = int(i);
    if (p.end - p.begin > best.end - best.begin) best = p;
  }
  return best;
}

Canvas::Canvas(int width, int height, Rgba fill)
    : width_(width),
      height_(height),
      imageHeight_(height),
      bandRows_(height),
      px_(size_t(width) * size_t(height), fill.packed()) {}

Canvas::Canvas(int width, int bandRows, Rgba fill, int originY, int imageHeight)
    : width_(width),
      height_(0),
      imageHeight_(imageHeight),
      bandRows_(bandRows),
      px_(size_t(width) * size_t(bandRows), fill.packed()) {
  moveBandUncleared(originY);  // filled already
}

void Canvas::moveBandUncleared(int originY) {
  originY_ = originY;
  height_ = std::clamp(imageHeight_ - originY, 0, bandRows_);
}

void Canvas::moveBand(int originY, Rgba fill) {
  moveBandUncleared(originY);
  std::fill(px_.begin(), px_.begin() + std::ptrdiff_t(size_t(width_) * size_t(height_)),
            fill.packed());
}

void Canvas::moveBand(int originY, Rgba fill, Rect hole) {
  moveBandUncleared(originY);
  const uint32_t v = fill.packed();
  hole = intersect(hole, bounds());
  for (int y = originY_; y < originY_ + height_; y++) {
    uint32_t* row = rowPtr(y);
    if (y < hole.y || y >= hole.bottom() || hole.w == 0) {
      std::fill(row, row + width_, v);
    } else {
      std::fill(row, row + hole.x, v);
      std::fill(row + hole.right(), row + width_, v);
    }
  }
}

Rgba Canvas::pixel(int x, int y) const {
  if (x < 0 || y < originY_ || x >= width_ || y >= originY_ + height_) return Rgba{0, 0, 0, 0};
  return unpack(row(y)[x]);
}

void Canvas::blendOver(uint32_t& dst, Rgba c, uint32_t alpha) {
  if (alpha == 0) return;
  if (alpha >= 255) {
    dst = Rgba{c.r, c.g, c.b, 255}.packed();
    return;
  }
  Rgba d = unpack(dst);
  // Straight-alpha "over": only shapes' antialiased edges and shadows come here, never text.
  uint32_t da = d.a * (255 - alpha) / 255;
  uint32_t oa = alpha + da;
  auto mix = [&](uint8_t s, uint8_t t) { return uint8_t((s * alpha + t * da + oa / 2) / oa); };
  dst = Rgba{mix(c.r, d.r), mix(c.g, d.g), mix(c.b, d.b), uint8_t(oa)}.packed();
}

void Canvas::fillRect(Rect r, Rgba c) {
  r = intersect(r, bounds());
  for (int y = r.y; y < r.bottom(); y++) {
    uint32_t* row = rowPtr(y);
    if (c.a == 255) {
      std::fill(row + r.x, row + r.right(), c.packed());
    } else {
      for (int x = r.x; x < r.right(); x++) blendOver(row[x], c, c.a);
    }
  }
}

void Canvas::fillRoundedRect(Rect r, int radius, Rgba c) {
  radius = std::min({radius, r.w / 2, r.h / 2});
  if (radius <= 0) return fillRect(r, c);
  // Rows away from the corners are plain spans.
  fillRect(Rect{r.x, r.y + radius, r.w, r.h - 2 * radius}, c);
  fillRect(Rect{r.x + radius, r.y, r.w - 2 * radius, radius}, c);
  fillRect(Rect{r.x + radius, r.bottom() - radius, r.w - 2 * radius, radius}, c);
  roundedCorners(r, radius, c);
}

void Canvas::fillBorderedRoundedRect(Rect r, int radius, Rgba border, Rgba fill) {
  const Rect in{r.x + 1, r.y + 1, r.w - 2, r.h - 2};
  const int R = std::min({radius, r.w / 2, r.h / 2});
  const int Ri = std::min({radius - 1, in.w / 2, in.h / 2});
  if (fill.a != 255 || R <= 0 || in.w <= 0 || in.h <= 0) {
    fillRoundedRect(r, radius, border);
    return fillRoundedRect(in, radius - 1, fill);
  }
  // The border's straight spans, less the columns the opaque fill's straight spans will cover in
  // that row (one interval: the fill's middle rows, or its strips between the corners).
  auto spanMinusFill = [&](Rect o) {
    o = intersect(o, bounds());
    for (int y = o.y; y < o.bottom(); y++) {
      int c0 = 0, c1 = 0;
      if (Ri <= 0) {
        if (y >= in.y && y < in.bottom()) c0 = in.x, c1 = in.right();
      } else if (y >= in.y + Ri && y < in.bottom() - Ri) {
        c0 = in.x, c1 = in.right();
      } else if (y >= in.y && y < in.bottom()) {
        c0 = in.x + Ri, c1 = in.right() - Ri;
      }
      c0 = std::max(c0, o.x), c1 = std::min(c1, o.right());
      if (c1 <= c0) {
        fillRect(Rect{o.x, y, o.w, 1}, border);
      } else {
        fillRect(Rect{o.x, y, c0 - o.x, 1}, border);
        fillRect(Rect{c1, y, o.right() - c1, 1}, border);
      }
    }
  };
  spanMinusFill(Rect{r.x, r.y + R, r.w, r.h - 2 * R});
  spanMinusFill(Rect{r.x + R, r.y, r.w - 2 * R, R});
  spanMinusFill(Rect{r.x + R, r.bottom() - R, r.w - 2 * R, R});
  roundedCorners(r, R, border);
  fillRoundedRect(in, radius - 1, fill);
}

void Canvas::roundedCorners(Rect r, int radius, Rgba c) {
  const double rr = radius;
  for (int corner = 0; corner < 4; corner++) {
    int x0 = corner & 1 ? r.right() - radius : r.x;
    int y0 = corner & 2 ? r.bottom() - radius : r.y;
    double cx = corner & 1 ? r.right() - rr : r.x + rr;
    double cy = corner & 2 ? r.bottom() - rr : r.y + rr;
    for (int y = std::max(y0, originY_); y < std::min(y0 + radius, originY_ + height_); y++) {
      for (int x = std::max(x0, 0); x < std::min(x0 + radius, width_); x++) {
        double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
        double cov = std::clamp(rr - d + 0.5, 0.0, 1.0);
        blendOver(rowPtr(y)[x], c, uint32_t(std::lround(cov * c.a)));
      }
    }
  }
}

void Canvas::fillCircle(double cx, double cy, double radius, Rgba c) {
  int x0 = std::max(0, int(std::floor(cx - radius - 1)));
  int x1 = std::min(width_, int(std::ceil(cx + radius + 1)));
  int y0 = std::max(originY_, int(std::floor(cy - radius - 1)));
  int y1 = std::min(originY_ + height_, int(std::ceil(cy + radius + 1)));
  for (int y = y0; y < y1; y++) {
    for (int x = x0; x < x1; x++) {
      double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
      double cov = std::clamp(radius - d + 0.5, 0.0, 1.0);
      blendOver(rowPtr(y)[x], c, uint32_t(std::lround(cov * c.a)));
    }
  }
}

void Canvas::dropShadow(Rect r, int blur, double opacity, Rect skip, int skipRadius,
                        bool uniformBackdrop) {
  // 32 alpha levels, few enough colours for an indexed PNG. They are spaced on a square-root
  // scale: the faint outer edge gets fine steps (evenly spaced levels showed a visible ring where
  // the first step met the backdrop), the dark inner part coarser ones where the gradient is steep.
  constexpr int kLevels = 31;
  const float scale = float(kLevels);
  // Non-decreasing in each of fx and fy (every step is a correctly rounded monotonic operation),
  // which the plateaus below rely on.
  auto levelOf = [scale](float fx, float fy) {
    return uint32_t(std::sqrt(fx * fy) * scale + 0.5f);
  };
  const int key[6] = {width_, imageHeight_, r.x, r.y, r.w * 65536 + r.h, blur};
  if (!std::equal(key, key + 6, shadowKey_)) {
    shadowFx_ = blurredEdge(width_, r.x, r.right(), blur);
    shadowFy_ = blurredEdge(imageHeight_, r.y, r.bottom(), blur);
    std::copy(key, key + 6, shadowKey_);
    // The plateaus: the shadow's flat middle, where the profiles are 1 give or take rounding.
    // Across the x plateau a row's level is one value when it is at both ends of the profile's
    // range; rows in the y plateau all have the same levels when each column's level is the same
    // at both ends of that range.
    xPlateau_ = plateau(shadowFx_);
    yPlateau_ = plateau(shadowFy_);
    yPlateauUniform_ = yPlateau_.end > yPlateau_.begin;
    for (int x = 0; x < width_ && yPlateauUniform_; x++) {
      const float f = shadowFx_[size_t(x)];
      yPlateauUniform_ = levelOf(f, yPlateau_.min) == levelOf(f, yPlateau_.max);
    }
  }
  const std::vector<float>& fx = shadowFx_;
  const std::vector<float>& fy = shadowFy_;
  uint32_t levelAlpha[kLevels + 1];
  for (int q = 0; q <= kLevels; q++) {
    double t = double(q) / kLevels;
    levelAlpha[q] = uint32_t(std::lround(opacity * t * t * 255));
  }
  int prevS0 = -1, prevS1 = -1;
  bool prevDrawn = false;
  for (int y = originY_; y < originY_ + height_; y++) {
    if (fy[size_t(y)] <= 0.0f) {
      prevDrawn = false;
      continue;
    }
    // The part of this row the opaque window will cover anyway.
    int s0 = 0, s1 = 0;
    if (y >= skip.y + skipRadius && y < skip.bottom() - skipRadius) {
      s0 = skip.x, s1 = skip.right();
    } else if (y >= skip.y && y < skip.bottom()) {
      s0 = skip.x + skipRadius, s1 = skip.right() - skipRadius;
    }
    uint32_t* row = rowPtr(y);
    // Inside the shadow's vertical plateau rows repeat: the backdrop is uniform when the shadow
    // is drawn (it is the first thing painted), so a row equal in profile is a copy.
    const bool sameLevels = fy[size_t(y)] == fy[size_t(y) - 1] ||
                            (yPlateauUniform_ && y - 1 >= yPlateau_.begin && y < yPlateau_.end);
    if (uniformBackdrop && prevDrawn && sameLevels && s0 == prevS0 && s1 == prevS1) {
      if (s1 > s0) {
        // The skipped middle is covered later; only the sides need copying.
        std::copy(row - width_, row - width_ + s0, row);
        std::copy(row - width_ + s1, row, row + s1);
      } else {
        std::copy(row - width_, row, row);
      }
      continue;
    }
    prevDrawn = true;
    prevS0 = s0;
    prevS1 = s1;
    const float ry = fy[size_t(y)];
    const bool flat = levelOf(xPlateau_.min, ry) == levelOf(xPlateau_.max, ry);
    const uint32_t flatLevel = levelOf(xPlateau_.max, ry);
    uint32_t last = 0xFFFFFFFF, lastIn = 0, lastAlpha = 0;
    for (int x = 0; x < width_; x++) {
      if (x == s0 && s1 > s0) {
        x = s1 - 1;
        continue;
      }
      if (flat && uniformBackdrop && x >= xPlateau_.begin && x < xPlateau_.end) {
        // One level over the plateau (up to the skipped part) on one backdrop colour: one
        // blend, then a fill.
        const int end = std::min(xPlateau_.end, s1 > s0 && s0 > x ? s0 : width_);
        const uint32_t alpha = levelAlpha[flatLevel];
        if (alpha) {
          uint32_t v = row[x];
          blendOver(v, Rgba{0, 0, 0, 255}, alpha);
          std::fill(row + x, row + end, v);
        }
        x = end - 1;
        continue;
      }
      const uint32_t level = levelOf(fx[size_t(x)], ry);
      uint32_t alpha = levelAlpha[level];
      if (alpha == 0) continue;
      // Neighbouring pixels mostly share colour and level: reuse the last blend.
      if (row[x] == lastIn && alpha == lastAlpha && last != 0xFFFFFFFF) {
        row[x] = last;
        continue;
      }
      lastIn = row[x];
      lastAlpha = alpha;
      blendOver(row[x], Rgba{0, 0, 0, 255}, alpha);
      last = row[x];
    }
  }
}

void Canvas::drawGlyph(const GlyphBitmap& g, int x, int baseline, Rgba c, const Rect& clip) {
  const GammaTables& t = gamma();
  Rect box{x + g.left, baseline - g.top, g.width, g.height};
  Rect vis = intersect(intersect(box, clip), bounds());
  if (vis.w == 0 || vis.h == 0) return;
  const uint32_t sr = t.toLinear[c.r], sg = t.toLinear[c.g], sb = t.toLinear[c.b];
  // Text mostly lands on one background colour at a few coverage levels (16 for FontSet's
  // glyphs) in a few colours, so blends repeat: a cache kept across glyphs, keyed by (colour,
  // coverage, destination), skips the linear-light arithmetic for most pixels. A slot is picked
  // by the coverage level and two bits of the colour; entries with a == 0 are never looked up.
  const uint32_t color = c.packed();
  GlyphBlend* cache = glyphBlends_ + (((color * 2654435761u) >> 30) << 4);
  for (int y = vis.y; y < vis.bottom(); y++) {
    const uint8_t* cov = g.coverage.data() + size_t(y - box.y) * g.width + (vis.x - box.x);
    uint32_t* row = rowPtr(y);
    for (int xx = vis.x; xx < vis.right(); xx++, cov++) {
      uint32_t a = *cov;
      if (a == 0) continue;
      uint32_t& dst = row[xx];
      if (a == 255) {
        dst = Rgba{c.r, c.g, c.b, 255}.packed();
        continue;
      }
      GlyphBlend& e = cache[a >> 4];
      if (e.a == a && e.dst == dst && e.color == color) {
        dst = e.out;
        continue;
      }
      Rgba d = unpack(dst);
      if (d.a != 255) {
        blendOver(dst, c, a);
        continue;
      }
      e.a = a;
      e.dst = dst;
      e.color = color;
      if (t.toLinear[d.g] > sg) a = t.darkOnLight[a];
      auto mix = [&](uint32_t s, uint8_t db) {
        int32_t dl = t.toLinear[db];
        int32_t l = dl + ((int32_t(s) - dl) * int32_t(a)) / 255;
        return t.toSrgb[uint32_t(l) >> 4];
      };
      dst = Rgba{mix(sr, d.r), mix(sg, d.g), mix(sb, d.b), 255}.packed();
      e.out = dst;
    }
  }
}

void Canvas::strokeRect(Rect r, Rgba c) {
  fillRect(Rect{r.x, r.y, r.w, 1}, c);
  fillRect(Rect{r.x, r.bottom() - 1, r.w, 1}, c);
  fillRect(Rect{r.x, r.y, 1, r.h}, c);
  fillRect(Rect{r.right() - 1, r.y, 1, r.h}, c);
}

}  // namespace render
