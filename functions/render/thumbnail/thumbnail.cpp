#include "thumbnail/thumbnail.h"

#include <fribidi.h>

#include <algorithm>
#include <cstring>
#include <cmath>

#include "encode/jpeg.h"
#include "encode/png.h"
#include "shared/json.h"
#include "shared/utf8.h"
#include "thumbnail/title_font.h"

namespace thumb {

namespace {

using render::Rgba;

// ---- pixels -------------------------------------------------------------------------------
// The code card's Canvas has no gradients or polygons, and its owner is reworking it; this small
// opaque RGBA buffer has exactly what the templates draw.
class Pixels {
 public:
  Pixels() : px_(size_t(kWidth) * kHeight, Rgba{}.packed()) {}
  const std::vector<uint32_t>& data() const { return px_; }
  std::vector<uint32_t>& data() { return px_; }

  // Colours come from a 1025-entry table: a step of 1/1024 is below what 8-bit channels show.
  void gradient(Rgba a, Rgba b, bool diagonal) {
    std::vector<uint32_t> lut(1025);
    for (size_t i = 0; i < lut.size(); i++) lut[i] = mix(a, b, double(i) / 1024).packed();
    for (int y = 0; y < kHeight; y++) {
      uint32_t* row = px_.data() + size_t(y) * kWidth;
      if (!diagonal) {
        std::fill(row, row + kWidth, lut[size_t(y) * 1024 / (kHeight - 1)]);
        continue;
      }
      // t = 0.45 x / W + 0.55 y / H, in 1/1024 steps, as 32.32 fixed point: stepping along the
      // row is an exact integer addition (doubles would need a multiply and a conversion a pixel).
      const double base = 0.55 * y / kHeight * 1024 + 0.5, step = 0.45 / kWidth * 1024;
      uint64_t t = uint64_t(base * 4294967296.0);
      const uint64_t dt = uint64_t(step * 4294967296.0);
      for (int x = 0; x < kWidth; x++, t += dt) row[x] = lut[std::min<uint64_t>(1024, t >> 32)];
    }
  }

  // Blends colour c at coverage 0..1 (times c.a) into one pixel.
  void blend(int x, int y, Rgba c, double cover) {
    if (cover <= 0) return;
    blend8(x, y, c, uint32_t(std::min(1.0, cover) * 255 + 0.5));
  }

  // Integer blend at coverage 0..255: the hot path of every fill and glyph.
  void blend8(int x, int y, Rgba c, uint32_t cover) {
    if (x < 0 || y < 0 || x >= kWidth || y >= kHeight || cover == 0) return;
    const int a = int((cover * c.a + 127) / 255);
    uint32_t& d = px_[size_t(y) * kWidth + x];
    if (a >= 255) {
      d = Rgba{c.r, c.g, c.b, 255}.packed();
      return;
    }
    // (d (255 - a) + c a + 127) / 255 per channel: d + (c - d) a / 255 rounded half away from
    // zero, for every d, c and a. It stays below 65535, where x / 255 is (x + 1 + (x >> 8)) >> 8.
    const uint32_t ia = 255 - uint32_t(a);
    auto mix = [&](uint32_t dv, uint32_t cv) {
      const uint32_t x = dv * ia + cv * uint32_t(a) + 127;
      return (x + 1 + (x >> 8)) >> 8;
    };
    d = mix(d & 255, c.r) | mix(d >> 8 & 255, c.g) << 8 | mix(d >> 16 & 255, c.b) << 16 | 0xff000000u;
  }

  // Colour c at its own alpha over pixels [x0, x1) of row y (in the image): blend8 at full
  // coverage, four pixels at a time.
  void span(int x0, int x1, int y, Rgba c) {
    uint32_t* row = px_.data() + size_t(y) * kWidth;
    if (c.a == 255) {
      std::fill(row + x0, row + x1, Rgba{c.r, c.g, c.b, 255}.packed());
      return;
    }
    // blend8's arithmetic on 16-bit lanes, two pixels (eight channels) to a vector.
    typedef uint16_t U16 __attribute__((vector_size(16)));
    typedef uint8_t U8 __attribute__((vector_size(16)));
    typedef uint8_t U8h __attribute__((vector_size(8)));
    const uint16_t a = c.a, ia = uint16_t(255 - c.a);
    const U16 ca = {uint16_t(c.r * a), uint16_t(c.g * a), uint16_t(c.b * a), 0,
                    uint16_t(c.r * a), uint16_t(c.g * a), uint16_t(c.b * a), 0};
    const U8 opaque = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
    auto mix = [&](U8h d) {
      U16 x = __builtin_convertvector(d, U16) * ia + ca + 127;
      x = (x + 1 + (x >> 8)) >> 8;
      return __builtin_convertvector(x, U8h);
    };
    int x = x0;
    for (; x + 4 <= x1; x += 4) {
      U8 d;
      memcpy(&d, row + x, 16);
      const U8h lo = mix(__builtin_shufflevector(d, d, 0, 1, 2, 3, 4, 5, 6, 7));
      const U8h hi = mix(__builtin_shufflevector(d, d, 8, 9, 10, 11, 12, 13, 14, 15));
      const U8 out = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                             14, 15) |
                     opaque;
      memcpy(row + x, &out, 16);
    }
    for (; x < x1; x++) blend8(x, y, c, 255);
  }

  void rect(double x0, double y0, double x1, double y1, Rgba c) {
    polygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, c);
  }

  // Antialiased disc, or a ring when inner > 0.
  void circle(double cx, double cy, double r, Rgba c, double inner = 0) {
    int y0 = std::max(0, int(cy - r - 1)), y1 = std::min(kHeight - 1, int(cy + r + 1));
    int x0 = std::max(0, int(cx - r - 1)), x1 = std::min(kWidth - 1, int(cx + r + 1));
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
        double cover = std::clamp(r - d + 0.5, 0.0, 1.0);
        if (inner > 0) cover = std::min(cover, std::clamp(d - inner + 0.5, 0.0, 1.0));
        blend(x, y, c, cover);
      }
    }
  }

  void roundedRect(double x0, double y0, double x1, double y1, double r, Rgba c) {
    for (int y = std::max(0, int(y0)); y < std::min(kHeight, int(std::ceil(y1))); y++) {
      for (int x = std::max(0, int(x0)); x < std::min(kWidth, int(std::ceil(x1))); x++) {
        double px = x + 0.5, py = y + 0.5;
        double dx = std::max({x0 + r - px, px - (x1 - r), 0.0});
        double dy = std::max({y0 + r - py, py - (y1 - r), 0.0});
        blend(x, y, c, std::clamp(r - std::hypot(dx, dy) + 0.5, 0.0, 1.0));
      }
    }
  }

  struct Pt {
    double x, y;
  };
  // Any simple polygon, even-odd, with 4 sub-scanlines per row and exact horizontal coverage.
  // A span's partly covered end pixels go to `cover`; the whole pixels between them, a quarter
  // each, to `run` as a start and an end (summed along the row): wide shapes cost their edges.
  void polygon(const std::vector<Pt>& pts, Rgba c) {
    if (pts.size() < 3) return;
    double minY = pts[0].y, maxY = pts[0].y;
    for (const Pt& p : pts) minY = std::min(minY, p.y), maxY = std::max(maxY, p.y);
    int y0 = std::max(0, int(std::floor(minY))), y1 = std::min(kHeight - 1, int(std::ceil(maxY)));
    std::vector<double> cover(kWidth + 2, 0.0), run(kWidth + 2, 0.0);
    std::vector<double> xs;
    for (int y = y0; y <= y1; y++) {
      int lo = kWidth, hi = -1;
      for (int s = 0; s < 4; s++) {
        double sy = y + (s + 0.5) / 4;
        xs.clear();
        for (size_t i = 0; i < pts.size(); i++) {
          const Pt& a = pts[i];
          const Pt& b = pts[(i + 1) % pts.size()];
          if ((a.y <= sy && b.y > sy) || (b.y <= sy && a.y > sy)) {
            xs.push_back(a.x + (sy - a.y) / (b.y - a.y) * (b.x - a.x));
          }
        }
        std::sort(xs.begin(), xs.end());
        for (size_t i = 0; i + 1 < xs.size(); i += 2) {
          double l = std::clamp(xs[i], 0.0, double(kWidth)),
                 r = std::clamp(xs[i + 1], 0.0, double(kWidth));
          if (r <= l) continue;
          int li = int(l), ri = int(r);
          lo = std::min(lo, li), hi = std::max(hi, ri);
          if (li == ri) {
            cover[li] += (r - l) / 4;
            continue;
          }
          cover[li] += (li + 1 - l) / 4;
          run[li + 1] += 0.25;
          run[ri] -= 0.25;
          cover[ri] += (r - ri) / 4;
        }
      }
      // Runs of whole coverage blend four pixels at a time (or fill, for an opaque colour); the
      // partly covered pixels one by one.
      double inside = 0;  // whole-pixel coverage at x: `run` summed so far, in exact quarters
      int full = -1;      // where the current run of whole coverage began
      const int end = std::min(hi + 1, kWidth);
      for (int x = lo; x <= end; x++) {
        inside += run[x];
        const double k = x < kWidth ? cover[x] + inside : 0;
        cover[x] = run[x] = 0;
        if (k >= 1 && x < end) {
          if (full < 0) full = x;
          continue;
        }
        if (full >= 0) span(full, x, y, c), full = -1;
        if (x < kWidth) blend(x, y, c, k);
      }
    }
  }

  void glyph(const render::GlyphBitmap& g, int x, int baseline, Rgba c) {
    // Clipped once: the columns of the bitmap inside the image.
    const int left = x + g.left;
    const int gx0 = std::max(0, -left), gx1 = std::min(g.width, kWidth - left);
    const uint32_t solid = Rgba{c.r, c.g, c.b, 255}.packed();
    for (int gy = 0; gy < g.height; gy++) {
      int y = baseline - g.top + gy;
      if (y < 0 || y >= kHeight) continue;
      const uint8_t* cov = g.coverage.data() + size_t(gy) * g.width;
      uint32_t* row = px_.data() + size_t(y) * kWidth + left;
      for (int gx = gx0; gx < gx1; gx++) {
        if (!cov[gx]) continue;
        if (cov[gx] == 255 && c.a == 255) {
          row[gx] = solid;  // what blend8 writes at full coverage and opacity
        } else {
          blend8(left + gx, y, c, cov[gx]);
        }
      }
    }
  }

  static Rgba mix(Rgba a, Rgba b, double t) {
    t = std::clamp(t, 0.0, 1.0);
    return Rgba{uint8_t(a.r + (b.r - a.r) * t + 0.5), uint8_t(a.g + (b.g - a.g) * t + 0.5),
                uint8_t(a.b + (b.b - a.b) * t + 0.5), 255};
  }

 private:
  std::vector<uint32_t> px_;
};

Rgba withAlpha(Rgba c, uint8_t a) {
  return Rgba{c.r, c.g, c.b, a};
}

double luminance(Rgba c) {
  return (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255.0;
}

// ---- text ---------------------------------------------------------------------------------
bool isRtl(char32_t cp) {
  return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFE);
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = utf8::next(s, i);
    if (cp < 0x20 || cp == 0x7F) cp = ' ';
    out.push_back(cp);
  }
  return out;
}

// The direction of a title or subtitle, decided once for all its lines. A reader of Hebrew or
// Persian (rtlReader) reads a title with any right-to-left word as a right-to-left sentence even
// when it opens with a Latin name ("iPhone 16 ביקורת"); otherwise the first strong letter decides.
enum class Dir { Auto, Ltr, Rtl };
Dir paragraphDir(const std::u32string& s, bool rtlReader) {
  bool anyRtl = false;
  for (char32_t cp : s) anyRtl = anyRtl || isRtl(cp);
  if (!anyRtl) return Dir::Ltr;
  if (rtlReader) return Dir::Rtl;
  for (char32_t cp : s) {
    if (isRtl(cp)) return Dir::Rtl;
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0x0400 && cp <= 0x04FF)) {
      return Dir::Ltr;
    }
  }
  return Dir::Rtl;
}

// Visual order with Arabic joining. Unlike code (always LTR), a title takes its direction from
// paragraphDir, the same for every line, so a wrapped title does not change direction mid-way.
std::u32string shape(const std::u32string& logical, Dir dir = Dir::Auto) {
  bool rtl = false;
  for (char32_t cp : logical) rtl = rtl || isRtl(cp);
  if (!rtl || logical.empty()) return logical;
  const FriBidiStrIndex len = FriBidiStrIndex(logical.size());
  std::vector<FriBidiChar> in(logical.begin(), logical.end()), out(logical.size());
  FriBidiParType base =
      dir == Dir::Rtl ? FRIBIDI_PAR_RTL : dir == Dir::Ltr ? FRIBIDI_PAR_LTR : FRIBIDI_PAR_ON;
  if (!fribidi_log2vis(in.data(), len, &base, out.data(), nullptr, nullptr, nullptr)) {
    return logical;
  }
  std::u32string visual;
  for (FriBidiChar c : out) {
    if (c != FRIBIDI_CHAR_FILL) visual.push_back(char32_t(c));
  }
  return visual;
}

bool isMark(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) ||
         (cp >= 0x0591 && cp <= 0x05C7 && cp != 0x05BE && cp != 0x05C0 && cp != 0x05C3 &&
          cp != 0x05C6) ||
         (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x200C || cp == 0x200D;
}

double measure(TitleFont& f, const std::u32string& visual, double px) {
  double w = 0;
  for (char32_t cp : visual) {
    if (!isMark(cp)) w += f.advance(f.glyph(cp), px);
  }
  return w;
}

// Capitals for Latin and Cyrillic in the bold templates; other scripts have no case.
void upper(std::u32string& s) {
  for (char32_t& cp : s) {
    if (cp >= 'a' && cp <= 'z')
      cp -= 32;
    else if (cp >= 0x0430 && cp <= 0x044F)
      cp -= 32;
    else if (cp >= 0x0450 && cp <= 0x045F)
      cp -= 80;
  }
}

std::vector<std::u32string> words(const std::u32string& text) {
  // Longer runs are cut so one unbroken string cannot force the size to nothing.
  constexpr size_t kMaxWord = 22;
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t cp : text) {
    if (cp == ' ' || cp == 0x3000 || cp == 0xA0) {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
      continue;
    }
    cur.push_back(cp);
    if (cur.size() >= kMaxWord) out.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

struct TextStyle {
  Rgba fill, outline;
  int grow = 0;    // outline width, px
  int shadow = 0;  // drop-shadow offset, px
  bool boldFill = false;
};

// Draws a visual-order line with its left edge at x.
void drawLine(Pixels& p, TitleFont& f, const std::u32string& visual, double x, int baseline, int px,
              const TextStyle& s) {
  struct Placed {
    uint32_t g;
    int x;
  };
  std::vector<Placed> placed;
  double pen = x;
  for (char32_t cp : visual) {
    uint32_t g = f.glyph(cp);
    if (isMark(cp)) {
      // Marks sit over the previous letter; drawn at its pen position less their own advance.
      placed.push_back({g, int(std::floor(pen - f.advance(g, px)))});
      continue;
    }
    if (cp != ' ') placed.push_back({g, int(std::floor(pen))});
    pen += f.advance(g, px);
  }
  // A dark drop shadow under a dark outline deepens it; under a light outline (dark text on a
  // light design) it would print a grey ghost of every letter, so it is left out there.
  if (s.shadow > 0 && luminance(s.outline) < 0.5) {
    for (const Placed& q : placed) {
      if (auto* b = f.bitmap(q.g, px, s.grow + 1)) {
        p.glyph(*b, q.x + s.shadow, baseline + s.shadow, Rgba{0, 0, 0, 120});
      }
    }
  }
  if (s.grow > 0) {
    for (const Placed& q : placed) {
      if (auto* b = f.bitmap(q.g, px, s.grow)) p.glyph(*b, q.x, baseline, s.outline);
    }
  }
  for (const Placed& q : placed) {
    if (auto* b = f.bitmap(q.g, px, s.boldFill ? 1 : 0)) p.glyph(*b, q.x, baseline, s.fill);
  }
}

// ---- decorations --------------------------------------------------------------------------
void decorate(Pixels& p, const Template& t, const Palette& c) {
  using Pt = Pixels::Pt;
  const double W = kWidth, H = kHeight;
  switch (t.decor) {
    case Decor::DiagonalBand: {
      // The band, then a stripe inside it; speed lines start clear of the stripe at their height.
      const BandEdge& e = kBandEdge;
      p.polygon({{e.topX, 0}, {W, 0}, {W, H}, {e.bottomX, H}}, withAlpha(c.accent2, 200));
      const BandEdge stripe{e.topX + W * 0.06, e.bottomX + W * 0.06};  // its left edge
      const double sw = W * 0.05;
      p.polygon({{stripe.topX, 0}, {stripe.topX + sw, 0}, {stripe.bottomX + sw, H}, {stripe.bottomX, H}},
                withAlpha(c.accent, 230));
      for (int i = 0; i < 6; i++) {
        double y = 70 + i * 105;
        double x = stripe.at(y) + sw + 40;
        p.polygon({{x, y}, {W - 30, y - 22}, {W - 30, y - 14}, {x, y + 4}},
                  Rgba{255, 255, 255, 70});
      }
      break;
    }
    case Decor::NeonGrid: {
      const double horizon = H * 0.62;
      p.rect(0, horizon, W, H, Rgba{10, 0, 25, 200});
      for (int i = -12; i <= 12; i++) {
        double xb = W / 2 + i * 140.0;
        p.polygon({{W / 2 + i * 12.0 - 1.2, horizon},
                   {W / 2 + i * 12.0 + 1.2, horizon},
                   {xb + 2.5, H},
                   {xb - 2.5, H}},
                  withAlpha(c.accent, 170));
      }
      for (int k = 1; k <= 7; k++) {
        double y = horizon + (H - horizon) * std::pow(k / 7.0, 1.8);
        p.rect(0, y - 1.2, W, y + 1.2, withAlpha(c.accent, 170));
      }
      p.rect(0, horizon - 3, W, horizon + 3, withAlpha(c.accent2, 230));
      p.circle(W / 2, horizon, 150, withAlpha(c.accent, 60));
      break;
    }
    case Decor::Rings:
      for (int i = 0; i < 5; i++) {
        double r = 90 + i * 70;
        p.circle(W * 0.86, H * 0.52, r, withAlpha(i % 2 ? c.accent2 : c.accent, 110), r - 14);
      }
      p.circle(W * 0.86, H * 0.52, 60, withAlpha(c.accent, 200));
      for (int i = 0; i < 12; i++) p.circle(60 + i * 26, H - 60, 4, withAlpha(c.accent, 150));
      break;
    case Decor::Panel:
      p.roundedRect(110, 120, W - 110, 560, 36, Rgba{0, 0, 0, 70});
      p.roundedRect(120, 560, W - 120, 572, 6, withAlpha(c.accent, 230));
      for (int i = 0; i < 3; i++) {
        p.circle(W - 150 - i * 46, 95, 14, withAlpha(i == 0 ? c.accent : c.accent2, 200));
      }
      break;
    case Decor::Sun:
      p.circle(W * 0.80, H * 0.40, 170, withAlpha(c.accent, 235));
      p.circle(W * 0.80, H * 0.40, 230, withAlpha(c.accent, 50));
      p.polygon(
          {{0, H * 0.78}, {W * 0.3, H * 0.66}, {W * 0.65, H * 0.74}, {W, H * 0.62}, {W, H}, {0, H}},
          withAlpha(c.accent2, 190));
      break;
    case Decor::Equalizer:
      for (int i = 0; i < 32; i++) {
        double h = 40 + 200 * std::fabs(std::sin(i * 0.7) * std::cos(i * 0.23));
        double x = 24 + i * 39.0;
        p.roundedRect(x, H - 24 - h, x + 26, H - 24, 8,
                      withAlpha(i % 3 ? c.accent2 : c.accent, 210));
      }
      break;
    case Decor::NewsBanner:
      p.rect(0, 0, W, 14, c.accent);
      p.rect(0, 380, W, 630, withAlpha(c.accent, 240));
      p.rect(0, 630, W, 642, Rgba{255, 255, 255, 220});
      p.roundedRect(80, 300, 330, 360, 10, Rgba{255, 255, 255, 245});
      p.circle(118, 330, 13, c.accent);
      for (int i = 0; i < 4; i++)
        p.rect(150 + i * 40, 318, 178 + i * 40, 342, withAlpha(c.accent, 230));
      break;
    case Decor::Plates:
      p.circle(W * 0.83, H * 0.55, 250, Rgba{255, 255, 255, 235});
      p.circle(W * 0.83, H * 0.55, 190, withAlpha(c.accent, 60));
      p.circle(W * 0.83, H * 0.55, 150, withAlpha(c.accent, 180));
      p.circle(W * 0.66, H * 0.18, 70, Rgba{255, 255, 255, 200});
      p.circle(W * 0.66, H * 0.18, 44, withAlpha(c.accent, 120));
      break;
    case Decor::Slashes:
      for (int i = 0; i < 4; i++) {
        double x = W * 0.60 + i * 120;
        p.polygon({{x + 160, 0}, {x + 230, 0}, {x + 70, H}, {x, H}},
                  withAlpha(i % 2 ? c.accent2 : c.accent, i < 2 ? 230 : 120));
      }
      p.rect(80, H - 90, 380, H - 76, c.accent);
      break;
    case Decor::SideBar:
      p.rect(0, 0, 46, H, c.accent);
      p.rect(46, 0, 58, H, withAlpha(c.accent2, 230));
      p.rect(130, 100, 520, 106, withAlpha(c.accent, 220));
      p.rect(130, 578, 330, 584, withAlpha(c.accent2, 230));
      p.circle(W - 160, 150, 90, withAlpha(c.accent, 40));
      break;
    case Decor::Frame:
      p.rect(40, 40, W - 40, 46, withAlpha(c.accent, 200));
      p.rect(40, H - 46, W - 40, H - 40, withAlpha(c.accent, 200));
      p.rect(40, 40, 46, H - 40, withAlpha(c.accent, 200));
      p.rect(W - 46, 40, W - 40, H - 40, withAlpha(c.accent, 200));
      p.rect(W / 2 - 60, 585, W / 2 + 60, 593, withAlpha(c.accent2, 240));
      break;
    case Decor::Mountains:
      p.circle(W * 0.18, H * 0.30, 60, Rgba{255, 255, 240, 200});
      p.polygon({{0, H}, {W * 0.25, H * 0.52}, {W * 0.48, H}}, withAlpha(c.accent2, 235));
      p.polygon({{W * 0.30, H}, {W * 0.62, H * 0.44}, {W * 0.95, H}}, withAlpha(c.accent, 240));
      p.polygon({{W * 0.62, H * 0.44}, {W * 0.67, H * 0.53}, {W * 0.57, H * 0.53}},
                Rgba{255, 255, 255, 230});
      p.polygon({{W * 0.70, H}, {W * 0.90, H * 0.62}, {W * 1.1, H}}, withAlpha(c.accent2, 250));
      p.rect(0, H * 0.92, W, H, Rgba{20, 60, 90, 200});
      break;
  }
  (void)sizeof(Pt);
}

// Named colours recolour the design: the first becomes the accent and tints the background,
// the second the second accent.
Palette recolour(Palette c, const std::vector<Rgba>& colors, bool lightTemplate) {
  if (colors.empty()) return c;
  const Rgba k = colors[0];
  c.accent = k;
  if (lightTemplate) {
    c.top = Pixels::mix(k, Rgba{255, 255, 255}, 0.85);
    c.bottom = Pixels::mix(k, Rgba{255, 255, 255}, 0.55);
  } else {
    c.top = Pixels::mix(k, Rgba{0, 0, 0}, 0.85);
    c.bottom = Pixels::mix(k, Rgba{0, 0, 0}, 0.45);
  }
  if (colors.size() > 1) c.accent2 = colors[1];
  return c;
}

render::RequestError bad(std::string m) {
  return render::RequestError{400, std::move(m)};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

size_t charCount(std::string_view s) {
  size_t n = 0, i = 0;
  while (i < s.size()) utf8::next(s, i), n++;
  return n;
}

}  // namespace

void splitTitle(std::string_view text, std::string& title, std::string& subtitle) {
  size_t bar = text.find('|');
  title = std::string(trim(text.substr(0, bar)));
  subtitle = bar == std::string_view::npos ? "" : std::string(trim(text.substr(bar + 1)));
}

render::RequestError parseThumbnailRequest(std::string_view body, ThumbnailRequest& out,
                                           bool plan) {
  auto tooLarge = [](size_t n) {
    return render::RequestError{413, "body is " + std::to_string(n) + " bytes; the limit is " +
                                         std::to_string(kMaxBodyBytes) + " without a background"};
  };
  // Only a body carrying a background may be larger; which one it is shows after parsing.
  if (body.size() > kMaxBodyWithBackground ||
      (body.size() > kMaxBodyBytes && body.find("\"background\"") == std::string_view::npos))
    return tooLarge(body.size());
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root)) {
    return bad(std::string("body is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) return bad("body must be a JSON object");
  std::string_view background;
  {
    simdjson::dom::element e;
    if (obj["background"].get(e) == simdjson::SUCCESS && !e.is_null() &&
        e.get(background) != simdjson::SUCCESS)
      return bad("background must be a string (base64 PNG or JPEG)");
  }
  if (body.size() - background.size() > kMaxBodyBytes) return tooLarge(body.size());
  // A present field must have the right type; null means "use the default".
  auto str = [&](const char* key, std::string_view& v, bool& present) -> render::RequestError {
    present = false;
    simdjson::dom::element e;
    if (obj[key].get(e) != simdjson::SUCCESS || e.is_null()) return {};
    if (e.get(v) != simdjson::SUCCESS) return bad(std::string(key) + " must be a string");
    if (!utf8::isValid(v)) return bad(std::string(key) + " is not valid UTF-8");
    present = true;
    return {};
  };
  std::string_view v;
  bool present = false;
  if (auto e = str("title", v, present); !e.ok()) return e;
  if (!present) return bad("title is required");
  if (trim(v).empty()) return bad("title is empty");
  if (charCount(trim(v)) > kMaxTitleChars) {
    return bad("title is " + std::to_string(charCount(trim(v))) + " characters; the limit is " +
               std::to_string(kMaxTitleChars));
  }
  out.title = std::string(trim(v));
  if (auto e = str("subtitle", v, present); !e.ok()) return e;
  if (present) {
    if (charCount(trim(v)) > kMaxSubtitleChars) {
      return bad("subtitle is over " + std::to_string(kMaxSubtitleChars) + " characters");
    }
    out.subtitle = std::string(trim(v));
  }
  if (auto e = str("locale", v, present); !e.ok()) return e;
  if (present && !v.empty()) {
    if (v != "en" && v != "ru" && v != "he" && v != "fa") {
      return bad("locale must be en, ru, he or fa");
    }
    out.rtlReader = v == "he" || v == "fa";
  }
  if (auto e = str("watermark", v, present); !e.ok()) return e;
  if (present) {
    if (charCount(v) > 64) return bad("watermark is over 64 characters");
    out.watermark = std::string(trim(v));
  }
  if (auto e = str("template", v, present); !e.ok()) return e;
  if (present) {
    if (!findTemplate(v)) {
      std::string names;
      for (size_t i = 0; i < templateCount(); i++)
        names += (i ? ", " : "") + std::string(templateAt(i).name);
      return bad("template \"" + std::string(v.substr(0, 40)) + "\" is unknown; use one of " +
                 names);
    }
    out.templateName = std::string(v);
  }
  if (auto e = str("category", v, present); !e.ok()) return e;
  if (present) {
    if (!parseCategory(v, out.category))
      return bad("category \"" + std::string(v.substr(0, 40)) + "\" is unknown");
    out.hasCategory = true;
  }
  if (auto e = str("style", v, present); !e.ok()) return e;
  if (present) {
    if (!parseStyle(v, out.style))
      return bad("style \"" + std::string(v.substr(0, 40)) +
                 "\" is unknown; use modern, bold, minimal or neon");
    out.hasStyle = true;
  }
  if (auto e = str("mood", v, present); !e.ok()) return e;
  if (present) {
    if (!parseMood(v, out.mood))
      return bad("mood \"" + std::string(v.substr(0, 40)) +
                 "\" is unknown; use neutral, exciting, calm or serious");
    out.hasMood = true;
  }
  {
    simdjson::dom::element e;
    if (obj["colors"].get(e) == simdjson::SUCCESS && !e.is_null()) {
      simdjson::dom::array arr;
      if (e.get(arr) != simdjson::SUCCESS) return bad("colors must be an array of \"#rrggbb\"");
      for (simdjson::dom::element c : arr) {
        std::string_view hex;
        render::Rgba rgba;
        if (c.get(hex) != simdjson::SUCCESS || !render::parseHexColor(hex, rgba))
          return bad("colors must be an array of \"#rrggbb\"");
        if (out.colors.size() == 3) return bad("colors holds at most 3 colours");
        out.colors.push_back(rgba);
      }
      out.hasColors = true;
    }
  }
  if (auto e = str("algorithm", v, present); !e.ok()) return e;
  if (present && !parseAlgorithm(v, out.algorithm)) {
    return bad("algorithm \"" + std::string(v.substr(0, 40)) +
               "\" is unknown; use \"basic\", \"premium\" or \"pro\"");
  }
  if (!background.empty()) {
    if (present && out.algorithm == Algorithm::Basic)
      return bad("algorithm \"basic\" draws its own background; leave out \"background\"");
    if (!present) out.algorithm = Algorithm::Premium;
    if (!base64Decode(background, out.background)) return bad("background is not valid base64");
    if (out.background.empty()) return bad("background is empty");
  } else if (out.algorithm != Algorithm::Basic && !plan) {
    return bad(std::string("algorithm \"") + algorithmName(out.algorithm) +
               "\" composes the title over an image: send it as \"background\" (base64 PNG or "
               "JPEG). An AI-drawn background is the bot's paid feature (/generate=" +
               algorithmName(out.algorithm) + " TITLE)");
  }
  if (auto e = str("format", v, present); !e.ok()) return e;
  if (present) {
    if (v == "jpeg" || v == "jpg")
      out.format = Format::Jpeg;
    else if (v == "png")
      out.format = Format::Png;
    else
      return bad("format \"" + std::string(v.substr(0, 40)) +
                 "\" is unknown; use \"jpeg\" or \"png\"");
  }
  simdjson::dom::element q;
  if (obj["quality"].get(q) == simdjson::SUCCESS && !q.is_null()) {
    int64_t n;
    if (q.get(n) != simdjson::SUCCESS) return bad("quality must be an integer");
    if (n < 40 || n > 100) return bad("quality must be between 40 and 100");
    out.quality = int(n);
  }
  return {};
}

std::string planBackgroundPrompt(const ThumbnailRequest& req, const Analysis& a,
                                 const Template& t) {
  bool rtl = paragraphDir(decode(req.title), req.rtlReader) == Dir::Rtl;
  Align side = t.align;
  if (rtl && side != Align::Center) side = side == Align::Start ? Align::End : Align::Start;
  return backgroundPrompt(a, req.title, req.algorithm, side);
}

Analysis effectiveAnalysis(const ThumbnailRequest& req) {
  Analysis a = req.analysis ? *req.analysis : analyze(req.title + " " + req.subtitle);
  if (req.hasCategory) a.category = req.category;
  if (req.hasStyle) a.style = req.style, a.styleFromText = true;
  if (req.hasMood) a.mood = req.mood;
  if (req.hasColors) a.colors = req.colors;
  return a;
}

const Template& effectiveTemplate(const ThumbnailRequest& req, const Analysis& a) {
  const Template* tp = req.templateName.empty() ? nullptr : findTemplate(req.templateName);
  return tp ? *tp : matchTemplate(a);
}

namespace {

// Text colours over a photo: the template's own are chosen for its gradient (dark text on the
// light designs), so over an unknown image the title is light on a dark outline; the subtitle
// takes the first colour when it is bright enough to read.
Palette overImage(Palette c, const std::vector<Rgba>& colors) {
  c.title = luminance(c.title) > 0.6 ? c.title : Rgba{255, 255, 255};
  c.outline = Rgba{14, 14, 18};
  const Rgba accent = colors.empty() ? c.accent : colors[0];
  c.subtitle = luminance(accent) > 0.45 ? accent : Rgba{235, 235, 235};
  c.top = Rgba{0, 0, 0};
  return c;
}

// Dims the whole image, then darkens towards black around `box`: fully (kScrim) inside it,
// fading to nothing kScrimFeather px away, so the title reads while the picture stays visible.
void scrim(std::vector<uint32_t>& px, const Box& box) {
  constexpr double kScrim = 0.5;
  for (int y = 0; y < kHeight; y++) {
    const double dy = std::max({double(box.y - y), double(y - box.bottom()), 0.0});
    for (int x = 0; x < kWidth; x++) {
      const double dx = std::max({double(box.x - x), double(x - box.right()), 0.0});
      const double d = std::hypot(dx, dy);
      double k = kBackgroundDim;
      if (d < kScrimFeather) {
        const double t = 1 - d / kScrimFeather;
        k *= 1 - kScrim * t * t * (3 - 2 * t);
      }
      uint32_t& c = px[size_t(y) * kWidth + x];
      c = uint32_t((c & 255) * k + 0.5) | uint32_t((c >> 8 & 255) * k + 0.5) << 8 |
          uint32_t((c >> 16 & 255) * k + 0.5) << 16 | 0xff000000u;
    }
  }
}

Box unite(const Box& a, const Box& b) {
  if (a.w <= 0 || a.h <= 0) return b;
  const int x = std::min(a.x, b.x), y = std::min(a.y, b.y);
  return Box{x, y, std::max(a.right(), b.right()) - x, std::max(a.bottom(), b.bottom()) - y};
}

}  // namespace

ThumbnailResult renderThumbnail(const ThumbnailRequest& req) {
  ThumbnailResult r;
  TitleFont& font = TitleFont::instance();
  if (!font.ok()) {
    r.status = 500;
    r.error = "title font failed to load";
    return r;
  }
  r.analysis = effectiveAnalysis(req);
  const Template& t = effectiveTemplate(req, r.analysis);
  r.templateName = t.name;
  const bool composed = !req.background.empty();
  Image background;
  if (composed) {
    std::string why;
    if (!decodeImage(req.background, background, why)) {
      r.status = 400;
      r.error = "background: " + why;
      return r;
    }
  }
  const bool light = luminance(t.palette.top) > 0.6;
  const Palette c = composed ? overImage(t.palette, r.analysis.colors)
                             : recolour(t.palette, r.analysis.colors, light);

  Pixels p;
  if (!composed) {
    p.gradient(c.top, c.bottom, t.diagonal);
    decorate(p, t, c);
  }

  // Title: measured once at a reference size (advances scale linearly), fitted, then drawn.
  std::u32string title = decode(req.title);
  const Dir titleDir = paragraphDir(title, req.rtlReader);
  const bool rtl = titleDir == Dir::Rtl;
  if (t.uppercase) upper(title);
  const std::vector<std::u32string> ws = words(title);
  constexpr double kRef = 100, kLine = 1.22;
  // Room for the outline and shadow around the advance box.
  constexpr int kPad = 16;
  Box box = t.titleBox;
  Box subBox{};
  const bool hasSub = !req.subtitle.empty();
  if (hasSub) {
    int sh = std::max(56, box.h / 4);
    subBox = Box{box.x, box.bottom() - sh, box.w, sh};
    box.h -= sh;
  }
  FitInput in;
  in.refPx = kRef;
  in.lineHeight = kLine;
  in.space = font.advance(font.glyph(' '), kRef);
  for (const std::u32string& w : ws) in.words.push_back(measure(font, shape(w), kRef));
  in.boxW = box.w - 2 * kPad;
  in.boxH = box.h - 2 * kPad;
  in.maxPx = hasSub ? 130 : 150;
  in.maxLines = 4;
  FitResult fit = fitTitle(in);
  const int px = fit.px;
  r.titlePx = px;
  std::vector<std::u32string> lines;
  std::vector<double> widths;
  for (int l = 0; l < fit.lineCount(); l++) {
    size_t a = fit.lineStarts[size_t(l)];
    size_t b = l + 1 < fit.lineCount() ? fit.lineStarts[size_t(l) + 1] : ws.size();
    std::u32string line;
    for (size_t i = a; i < b; i++) line += (i > a ? U" " : U"") + ws[i];
    lines.push_back(shape(line, titleDir));
    widths.push_back(measure(font, lines.back(), px));
  }
  Box inner{box.x + kPad, box.y + kPad, box.w - 2 * kPad, box.h - 2 * kPad};
  r.titleLines = placeLines(fit, widths, kLine, inner, t.align, rtl);

  // Subtitle: one line, shrunk and then cut with an ellipsis when too long.
  std::u32string sub;
  int spx = 0;
  Box sl{};
  if (hasSub) {
    std::u32string logical = decode(req.subtitle);
    const Dir subDir = paragraphDir(logical, req.rtlReader);
    sub = shape(logical, subDir);
    spx = std::min(48, std::max(20, px / 2));
    double sw = measure(font, sub, spx);
    const int avail = subBox.w - 2 * kPad;
    if (sw > avail) {
      spx = std::max(16, int(spx * avail / sw));
      sw = measure(font, sub, spx);
      // Still too long at the smallest size: cut the logical end and add an ellipsis.
      while (sw > avail && logical.size() > 1) {
        logical.pop_back();
        sub = shape(logical + U"\u2026", subDir);
        sw = measure(font, sub, spx);
      }
    }
    FitResult one;
    one.px = spx;
    one.lineStarts = {0};
    Box si{subBox.x + kPad, subBox.y, avail, subBox.h - kPad};
    sl = placeLines(one, {sw}, kLine, si, t.align, rtl)[0];
  }

  if (composed) {
    coverInto(background, p.data());
    background = Image{};  // its memory is not needed for the rest
    for (const Box& b : r.titleLines) r.scrim = unite(r.scrim, b);
    if (hasSub) r.scrim = unite(r.scrim, sl);
    scrim(p.data(), r.scrim);
  }

  TextStyle ts;
  ts.fill = c.title;
  ts.outline = c.outline;
  ts.grow = std::clamp(px / 12, 2, 10);
  ts.shadow = std::clamp(px / 18, 2, 7);
  ts.boldFill = px >= 60;
  const double asc = font.ascent(px), desc = font.descent(px);
  for (size_t l = 0; l < lines.size(); l++) {
    const Box& lb = r.titleLines[l];
    int baseline = lb.y + int(std::lround((lb.h - (asc + desc)) / 2 + asc));
    drawLine(p, font, lines[l], lb.x, baseline, px, ts);
  }

  if (hasSub) {
    TextStyle ss;
    ss.fill = c.subtitle;
    ss.outline = c.outline;
    ss.grow = std::max(2, spx / 10);
    ss.shadow = 2;
    int baseline =
        sl.y +
        int(std::lround((sl.h - (font.ascent(spx) + font.descent(spx))) / 2 + font.ascent(spx)));
    drawLine(p, font, sub, sl.x, baseline, spx, ss);
  }

  if (!req.watermark.empty()) {
    // Bottom-left: the duration badge covers bottom-right on YouTube.
    // White on a translucent dark pill reads on any design.
    std::u32string wm = shape(decode(req.watermark));
    constexpr int kWpx = 22;
    const double ww = measure(font, wm, kWpx);
    p.roundedRect(16, kHeight - 52, 16 + ww + 28, kHeight - 16, 18, Rgba{0, 0, 0, 140});
    TextStyle ws2;
    ws2.fill = Rgba{255, 255, 255, 235};
    drawLine(p, font, wm, 30, kHeight - 27, kWpx, ws2);
  }

  if (req.format == Format::Png) {
    r.contentType = "image/png";
    if (!render::encodePng(p.data(), kWidth, kHeight, r.bytes, 6).ok) {
      r.status = 500;
      r.error = "PNG encoding failed";
      return r;
    }
  } else {
    r.contentType = "image/jpeg";
    if (!render::encodeJpeg(p.data(), kWidth, kHeight, req.quality, c.top, r.bytes)) {
      r.status = 500;
      r.error = "JPEG encoding failed";
      return r;
    }
  }
  if (r.bytes.size() > kMaxBytes) {
    r.status = 413;
    r.error = "thumbnail is " + std::to_string(r.bytes.size() / 1024) +
              " KB, over the 2 MB limit (use format jpeg)";
  }
  return r;
}

}  // namespace thumb
