// Colours: the pixel type every stage shares (theme, raster, encoders, thumbnails) and the few
// operations on it. A leaf: nothing here includes another render header, so the encoders can
// use it without the themes (and through them the lexers' token classes).
//
//   render::Rgba c;
//   if (render::parseHexColor("#ff8800", c)) c = render::mix(c, render::Rgba{0, 0, 0}, 0.5);
//   bool light = render::luminance(c) > 0.6;
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace render {

// Straight (not premultiplied) alpha; packed() is the byte order of the pixel buffers (R lowest).
struct Rgba {
  uint8_t r = 0, g = 0, b = 0, a = 255;
  constexpr bool operator==(const Rgba&) const = default;
  constexpr uint32_t packed() const {
    return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24;
  }
};

constexpr Rgba withAlpha(Rgba c, uint8_t a) {
  return Rgba{c.r, c.g, c.b, a};
}

// How far apart two packed colours look, for choosing a palette colour in place of another:
// squared channel differences weighted as the eye sees them, green most, then red, then blue;
// alpha as much as green.
constexpr int colorDistance(uint32_t a, uint32_t b) {
  constexpr int kWeight[4] = {3, 4, 2, 4};
  int d = 0;
  for (int k = 0; k < 4; k++) {
    const int x = int((a >> (8 * k)) & 255) - int((b >> (8 * k)) & 255);
    d += kWeight[k] * x * x;
  }
  return d;
}

// Relative luminance of the sRGB values taken as they are (Rec. 709 weights), 0..1: which side
// of a light/dark decision a colour falls on, not a colorimetric measure.
constexpr double luminance(Rgba c) {
  return (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255.0;
}

// a at t = 0 to b at t = 1 (clamped), each channel rounded; opaque.
constexpr Rgba mix(Rgba a, Rgba b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  return Rgba{uint8_t(a.r + (b.r - a.r) * t + 0.5), uint8_t(a.g + (b.g - a.g) * t + 0.5),
              uint8_t(a.b + (b.b - a.b) * t + 0.5), 255};
}

// "#rrggbb" or "#rgb" (case-insensitive). False for anything else.
constexpr bool parseHexColor(std::string_view s, Rgba& out) {
  if ((s.size() != 4 && s.size() != 7) || s[0] != '#') return false;
  int d[6] = {};
  const size_t n = s.size() - 1;
  for (size_t i = 0; i < n; i++) {
    const char c = s[i + 1];
    d[i] = c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
    if (d[i] < 0) return false;
  }
  if (n == 3) {
    out = Rgba{uint8_t(d[0] * 17), uint8_t(d[1] * 17), uint8_t(d[2] * 17), 255};
  } else {
    out =
        Rgba{uint8_t(d[0] * 16 + d[1]), uint8_t(d[2] * 16 + d[3]), uint8_t(d[4] * 16 + d[5]), 255};
  }
  return true;
}

}  // namespace render
