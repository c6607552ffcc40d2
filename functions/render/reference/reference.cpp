#include "reference/reference.h"

#include <algorithm>
#include <cmath>

#include "encode/jpeg.h"
#include "encode/png.h"
#include "thumbnail/background.h"

namespace refimg {
namespace {

constexpr int kMaxOutputSide = 2048;

// The seed's hue turn (60..300 degrees, never near 0 so the copy visibly differs) applied to
// each pixel in YIQ space, which keeps its brightness.
void recolour(std::vector<uint32_t>& px, uint64_t seed) {
  const double turn = (60.0 + double(seed % 241)) * M_PI / 180.0;
  const double c = std::cos(turn), s = std::sin(turn);
  for (uint32_t& p : px) {
    const double r = p & 255, g = (p >> 8) & 255, b = (p >> 16) & 255;
    const double y = 0.299 * r + 0.587 * g + 0.114 * b;
    const double i = 0.596 * r - 0.274 * g - 0.322 * b;
    const double q = 0.211 * r - 0.523 * g + 0.312 * b;
    const double i2 = i * c - q * s, q2 = i * s + q * c;
    auto clamp8 = [](double v) { return uint32_t(std::clamp(v, 0.0, 255.0) + 0.5); };
    p = clamp8(y + 0.956 * i2 + 0.621 * q2) | clamp8(y - 0.272 * i2 - 0.647 * q2) << 8 |
        clamp8(y - 1.106 * i2 + 1.703 * q2) << 16 | 0xff000000u;
  }
}

void mirror(std::vector<uint32_t>& px, int width, int height) {
  for (int y = 0; y < height; y++) {
    std::reverse(px.begin() + ptrdiff_t(y) * width, px.begin() + ptrdiff_t(y + 1) * width);
  }
}

}  // namespace

bool process(std::span<const uint8_t> bytes, const Options& opt, Output& out, std::string& why) {
  thumb::Image img;
  if (!thumb::decodeImage(bytes, img, why)) return false;
  std::vector<uint32_t> px;
  if (opt.mode == Mode::Builtin) {
    const int w = std::clamp(opt.width, 16, kMaxOutputSide);
    const int h = std::clamp(opt.height, 16, kMaxOutputSide);
    thumb::coverInto(img, w, h, px);
    mirror(px, w, h);
    recolour(px, opt.seed);
    render::PngInfo info = render::encodePng(px, w, h, out.bytes);
    if (!info.ok || out.bytes.empty()) {
      why = "PNG encoding failed";
      return false;
    }
    out.contentType = "image/png";
    out.width = w;
    out.height = h;
    return true;
  }
  const int maxSide = std::clamp(opt.maxSide, 64, kMaxOutputSide);
  const double k = std::min(1.0, double(maxSide) / std::max(img.width, img.height));
  const int w = std::max(1, int(std::lround(img.width * k)));
  const int h = std::max(1, int(std::lround(img.height * k)));
  if (w == img.width && h == img.height) {
    px = std::move(img.px);
  } else {
    thumb::coverInto(img, w, h, px);
  }
  if (!render::encodeJpeg(px, w, h, 90, render::Rgba{255, 255, 255, 255}, out.bytes)) {
    why = "JPEG encoding failed";
    return false;
  }
  out.contentType = "image/jpeg";
  out.width = w;
  out.height = h;
  return true;
}

}  // namespace refimg
