#include "raster/canvas.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <utility>

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

IndexedPixels::IndexedPixels(uint32_t capacity) : capacity_(std::min(capacity, 256u)) {
  std::fill(std::begin(keys_), std::end(keys_), kEmpty);
}

int IndexedPixels::nearestInvisible(uint32_t packed) const {
  // Within kSteps in every channel (one edge pixel that far off is invisible), the nearest as
  // the RGBA encoder's palette reduction measures it (colorDistance).
  static constexpr int kSteps = 16;
  int best = -1, bestD = INT32_MAX;
  for (uint32_t i = 0; i < colors_; i++) {
    int worst = 0;
    for (int k = 0; k < 4; k++) {
      worst = std::max(
          worst, std::abs(int((packed >> (8 * k)) & 255) - int((palette_[i] >> (8 * k)) & 255)));
    }
    if (worst > kSteps) continue;
    const int d = colorDistance(packed, palette_[i]);
    if (d < bestD) bestD = d, best = int(i);
  }
  return best;
}

IndexedPixels::Raw IndexedPixels::encodeNew(uint32_t packed, bool shade) {
  if (packed >> 24 == 0) packed = 0;  // one transparent colour, and kEmpty is never a key
  uint32_t h = (packed * 2654435761u) >> (32 - kBits);
  while (keys_[h] != packed && keys_[h] != kEmpty) h = (h + 1) & (kSize - 1);
  if (keys_[h] == kEmpty) {
    // New colour. The table stays at most half full, so probes stay short.
    if (keysUsed_ == kSize / 2) {
      overflow_ = true;
      return 0;
    }
    // The last sixteenth is kept for filled colours (a watermark is painted last).
    const uint32_t reserved = capacity_ / 16;
    Raw index = 0;
    bool approximate = false;
    int nearest = -1;
    if (shade && colors_ >= capacity_ - reserved) nearest = nearestInvisible(packed);
    if (nearest >= 0) {
      index = Raw(nearest);
      approximate = true;
    } else if (colors_ < capacity_) {
      index = Raw(colors_);
      palette_[colors_++] = packed;
    } else {
      overflow_ = true;
      return 0;
    }
    keys_[h] = packed;
    values_[h] = index;
    approximate_[h] = approximate;
    keysUsed_++;
  } else if (approximate_[h] && !shade) {
    overflow_ = true;  // taken as a shade before, needed exact now
    return 0;
  }
  if (!approximate_[h]) lastColor_ = packed, lastIndex_ = values_[h];
  return values_[h];
}

template <class P>
typename BasicCanvas<P>::Plateau BasicCanvas<P>::plateau(const std::vector<float>& v) {
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

template <class P>
BasicCanvas<P>::BasicCanvas(int width, int height, Rgba fill, P store)
    : store_(std::move(store)),
      width_(width),
      height_(height),
      imageHeight_(height),
      bandRows_(height),
      px_(size_t(width) * size_t(height), store_.encode(fill.packed())) {}

template <class P>
BasicCanvas<P>::BasicCanvas(int width, int bandRows, Rgba fill, int originY, int imageHeight,
                            P store)
    : store_(std::move(store)),
      width_(width),
      height_(0),
      imageHeight_(imageHeight),
      bandRows_(bandRows),
      px_(size_t(width) * size_t(bandRows), store_.encode(fill.packed())) {
  moveBandUncleared(originY);  // filled already
}

template <class P>
void BasicCanvas<P>::moveBandUncleared(int originY) {
  originY_ = originY;
  height_ = std::clamp(imageHeight_ - originY, 0, bandRows_);
}

template <class P>
void BasicCanvas<P>::moveBand(int originY, Rgba fill) {
  moveBandUncleared(originY);
  std::fill(px_.begin(), px_.begin() + std::ptrdiff_t(size_t(width_) * size_t(height_)),
            store_.encode(fill.packed()));
}

template <class P>
void BasicCanvas<P>::moveBand(int originY, Rgba fill, Rect hole) {
  moveBandUncleared(originY);
  const Raw v = store_.encode(fill.packed());
  hole = intersect(hole, bounds());
  for (int y = originY_; y < originY_ + height_; y++) {
    Raw* row = rowPtr(y);
    if (y < hole.y || y >= hole.bottom() || hole.w == 0) {
      std::fill(row, row + width_, v);
    } else {
      std::fill(row, row + hole.x, v);
      std::fill(row + hole.right(), row + width_, v);
    }
  }
}

template <class P>
Rgba BasicCanvas<P>::pixel(int x, int y) const {
  if (x < 0 || y < originY_ || x >= width_ || y >= originY_ + height_) return Rgba{0, 0, 0, 0};
  return unpack(store_.decode(row(y)[x]));
}

template <class P>
void BasicCanvas<P>::blendOver(Raw& dst, Rgba c, uint32_t alpha, bool shade) {
  if (alpha == 0) return;
  if (alpha >= 255) {
    dst = store_.encode(Rgba{c.r, c.g, c.b, 255}.packed());
    return;
  }
  Rgba d = unpack(store_.decode(dst));
  // Straight-alpha "over": only shapes' antialiased edges and shadows come here, never text.
  uint32_t da = d.a * (255 - alpha) / 255;
  uint32_t oa = alpha + da;
  auto mix = [&](uint8_t s, uint8_t t) { return uint8_t((s * alpha + t * da + oa / 2) / oa); };
  const uint32_t out = Rgba{mix(c.r, d.r), mix(c.g, d.g), mix(c.b, d.b), uint8_t(oa)}.packed();
  dst = shade ? store_.encodeShade(out) : store_.encode(out);
}

template <class P>
void BasicCanvas<P>::fillRect(Rect r, Rgba c) {
  r = intersect(r, bounds());
  if (r.w == 0 || r.h == 0) return;  // nothing drawn: no palette entry either
  if (c.a == 255) {
    const Raw v = store_.encode(c.packed());
    for (int y = r.y; y < r.bottom(); y++) std::fill(rowPtr(y) + r.x, rowPtr(y) + r.right(), v);
    return;
  }
  // Translucent (a highlighted line): mostly over one colour, so the last blend is reused.
  Raw lastIn = 0, lastOut = 0;
  bool haveLast = false;
  for (int y = r.y; y < r.bottom(); y++) {
    Raw* row = rowPtr(y);
    for (int x = r.x; x < r.right(); x++) {
      if (haveLast && row[x] == lastIn) {
        row[x] = lastOut;
        continue;
      }
      lastIn = row[x];
      blendOver(row[x], c, c.a);
      lastOut = row[x];
      haveLast = true;
    }
  }
}

template <class P>
void BasicCanvas<P>::fillRoundedRect(Rect r, int radius, Rgba c) {
  radius = std::min({radius, r.w / 2, r.h / 2});
  if (radius <= 0) return fillRect(r, c);
  // Rows away from the corners are plain spans.
  fillRect(Rect{r.x, r.y + radius, r.w, r.h - 2 * radius}, c);
  fillRect(Rect{r.x + radius, r.y, r.w - 2 * radius, radius}, c);
  fillRect(Rect{r.x + radius, r.bottom() - radius, r.w - 2 * radius, radius}, c);
  roundedCorners(r, radius, c);
}

template <class P>
void BasicCanvas<P>::fillBorderedRoundedRect(Rect r, int radius, Rgba border, Rgba fill) {
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

template <class P>
void BasicCanvas<P>::roundedCorners(Rect r, int radius, Rgba c) {
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
        blendOver(rowPtr(y)[x], c, uint32_t(std::lround(cov * c.a)), cov < 1);
      }
    }
  }
}

template <class P>
void BasicCanvas<P>::fillCircle(double cx, double cy, double radius, Rgba c) {
  int x0 = std::max(0, int(std::floor(cx - radius - 1)));
  int x1 = std::min(width_, int(std::ceil(cx + radius + 1)));
  int y0 = std::max(originY_, int(std::floor(cy - radius - 1)));
  int y1 = std::min(originY_ + height_, int(std::ceil(cy + radius + 1)));
  for (int y = y0; y < y1; y++) {
    for (int x = x0; x < x1; x++) {
      double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
      double cov = std::clamp(radius - d + 0.5, 0.0, 1.0);
      blendOver(rowPtr(y)[x], c, uint32_t(std::lround(cov * c.a)), cov < 1);
    }
  }
}

template <class P>
void BasicCanvas<P>::dropShadow(Rect r, int blur, double opacity, Rect skip, int skipRadius,
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
    Raw* row = rowPtr(y);
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
    Raw last = 0, lastIn = 0;
    uint32_t lastAlpha = 0;
    bool haveLast = false;
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
          Raw v = row[x];
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
      if (row[x] == lastIn && alpha == lastAlpha && haveLast) {
        row[x] = last;
        continue;
      }
      lastIn = row[x];
      lastAlpha = alpha;
      blendOver(row[x], Rgba{0, 0, 0, 255}, alpha);
      last = row[x];
      haveLast = true;
    }
  }
}

template <class P>
void BasicCanvas<P>::drawGlyph(const GlyphBitmap& g, int x, int baseline, Rgba c,
                               const Rect& clip) {
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
  // The glyph's colour itself, stored once it is needed (not every glyph has a full pixel).
  Raw solid = 0;
  bool haveSolid = false;
  for (int y = vis.y; y < vis.bottom(); y++) {
    const uint8_t* cov = g.coverage.data() + size_t(y - box.y) * g.width + (vis.x - box.x);
    Raw* row = rowPtr(y);
    for (int xx = vis.x; xx < vis.right(); xx++, cov++) {
      uint32_t a = *cov;
      if (a == 0) continue;
      Raw& dst = row[xx];
      if (a == 255) {
        if (!haveSolid) solid = store_.encode(Rgba{c.r, c.g, c.b, 255}.packed()), haveSolid = true;
        dst = solid;
        continue;
      }
      GlyphBlend& e = cache[a >> 4];
      if (e.a == a && e.dst == dst && e.color == color) {
        dst = e.out;
        continue;
      }
      Rgba d = unpack(store_.decode(dst));
      if (d.a != 255) {
        blendOver(dst, c, a, true);
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
      dst = store_.encodeShade(Rgba{mix(sr, d.r), mix(sg, d.g), mix(sb, d.b), 255}.packed());
      e.out = dst;
    }
  }
}

template <class P>
void BasicCanvas<P>::drawColorGlyph(const GlyphBitmap& g, int x, int baseline, const Rect& clip) {
  Rect box{x + g.left, baseline - g.top, g.width, g.height};
  Rect vis = intersect(intersect(box, clip), bounds());
  if (vis.w == 0 || vis.h == 0 || g.rgba.size() < size_t(g.width) * g.height * 4) return;
  for (int y = vis.y; y < vis.bottom(); y++) {
    const uint8_t* src = g.rgba.data() + (size_t(y - box.y) * g.width + (vis.x - box.x)) * 4;
    Raw* row = rowPtr(y);
    for (int xx = vis.x; xx < vis.right(); xx++, src += 4) {
      const uint32_t a = src[3];
      if (a == 0) continue;
      Raw& dst = row[xx];
      if (a == 255) {
        dst = store_.encodeShade(Rgba{src[0], src[1], src[2], 255}.packed());
        continue;
      }
      // Premultiplied source over straight destination.
      const Rgba d = unpack(store_.decode(dst));
      const uint32_t da = d.a * (255 - a) / 255, oa = a + da;
      auto mix = [&](uint8_t s, uint8_t t) {
        return uint8_t(std::min<uint32_t>(255, (s * 255u + t * da + oa / 2) / oa));
      };
      dst = store_.encodeShade(
          Rgba{mix(src[0], d.r), mix(src[1], d.g), mix(src[2], d.b), uint8_t(oa)}.packed());
    }
  }
}

template <class P>
void BasicCanvas<P>::strokeRect(Rect r, Rgba c) {
  fillRect(Rect{r.x, r.y, r.w, 1}, c);
  fillRect(Rect{r.x, r.bottom() - 1, r.w, 1}, c);
  fillRect(Rect{r.x, r.y, 1, r.h}, c);
  fillRect(Rect{r.right() - 1, r.y, 1, r.h}, c);
}

template class BasicCanvas<RgbaPixels>;
template class BasicCanvas<IndexedPixels>;

}  // namespace render
