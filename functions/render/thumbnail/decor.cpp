// The `basic` thumbnails' designs: each template's decoration drawn on the raster canvas, and
// the palette a design is drawn with (recoloured by the caller's colours, or made to read over a
// photo).
#include "thumbnail/decor.h"

#include <cmath>

namespace thumb {

using render::Rgba;
using render::withAlpha;

void decorate(render::Canvas& p, const Template& t, const Palette& c) {
  const double W = kWidth, H = kHeight;
  switch (t.decor) {
    case Decor::DiagonalBand: {
      // The band, then a stripe inside it; speed lines start clear of the stripe at their height.
      const BandEdge& e = kBandEdge;
      p.fillPolygon({{e.topX, 0}, {W, 0}, {W, H}, {e.bottomX, H}}, withAlpha(c.accent2, 200));
      const BandEdge stripe{e.topX + W * 0.06, e.bottomX + W * 0.06};  // its left edge
      const double sw = W * 0.05;
      p.fillPolygon(
          {{stripe.topX, 0}, {stripe.topX + sw, 0}, {stripe.bottomX + sw, H}, {stripe.bottomX, H}},
          withAlpha(c.accent, 230));
      for (int i = 0; i < 6; i++) {
        double y = 70 + i * 105;
        double x = stripe.at(y) + sw + 40;
        p.fillPolygon({{x, y}, {W - 30, y - 22}, {W - 30, y - 14}, {x, y + 4}},
                      Rgba{255, 255, 255, 70});
      }
      break;
    }
    case Decor::NeonGrid: {
      const double horizon = H * 0.62;
      p.fillBox(0, horizon, W, H, Rgba{10, 0, 25, 200});
      for (int i = -12; i <= 12; i++) {
        double xb = W / 2 + i * 140.0;
        p.fillPolygon({{W / 2 + i * 12.0 - 1.2, horizon},
                       {W / 2 + i * 12.0 + 1.2, horizon},
                       {xb + 2.5, H},
                       {xb - 2.5, H}},
                      withAlpha(c.accent, 170));
      }
      for (int k = 1; k <= 7; k++) {
        double y = horizon + (H - horizon) * std::pow(k / 7.0, 1.8);
        p.fillBox(0, y - 1.2, W, y + 1.2, withAlpha(c.accent, 170));
      }
      p.fillBox(0, horizon - 3, W, horizon + 3, withAlpha(c.accent2, 230));
      p.fillRing(W / 2, horizon, 150, withAlpha(c.accent, 60));
      break;
    }
    case Decor::Rings:
      for (int i = 0; i < 5; i++) {
        double r = 90 + i * 70;
        p.fillRing(W * 0.86, H * 0.52, r, withAlpha(i % 2 ? c.accent2 : c.accent, 110), r - 14);
      }
      p.fillRing(W * 0.86, H * 0.52, 60, withAlpha(c.accent, 200));
      for (int i = 0; i < 12; i++) p.fillRing(60 + i * 26, H - 60, 4, withAlpha(c.accent, 150));
      break;
    case Decor::Panel:
      p.fillRoundedBox(110, 120, W - 110, 560, 36, Rgba{0, 0, 0, 70});
      p.fillRoundedBox(120, 560, W - 120, 572, 6, withAlpha(c.accent, 230));
      for (int i = 0; i < 3; i++) {
        p.fillRing(W - 150 - i * 46, 95, 14, withAlpha(i == 0 ? c.accent : c.accent2, 200));
      }
      break;
    case Decor::Sun:
      p.fillRing(W * 0.80, H * 0.40, 170, withAlpha(c.accent, 235));
      p.fillRing(W * 0.80, H * 0.40, 230, withAlpha(c.accent, 50));
      p.fillPolygon(
          {{0, H * 0.78}, {W * 0.3, H * 0.66}, {W * 0.65, H * 0.74}, {W, H * 0.62}, {W, H}, {0, H}},
          withAlpha(c.accent2, 190));
      break;
    case Decor::Equalizer:
      for (int i = 0; i < 32; i++) {
        double h = 40 + 200 * std::fabs(std::sin(i * 0.7) * std::cos(i * 0.23));
        double x = 24 + i * 39.0;
        p.fillRoundedBox(x, H - 24 - h, x + 26, H - 24, 8,
                         withAlpha(i % 3 ? c.accent2 : c.accent, 210));
      }
      break;
    case Decor::NewsBanner:
      p.fillBox(0, 0, W, 14, c.accent);
      p.fillBox(0, 380, W, 630, withAlpha(c.accent, 240));
      p.fillBox(0, 630, W, 642, Rgba{255, 255, 255, 220});
      p.fillRoundedBox(80, 300, 330, 360, 10, Rgba{255, 255, 255, 245});
      p.fillRing(118, 330, 13, c.accent);
      for (int i = 0; i < 4; i++)
        p.fillBox(150 + i * 40, 318, 178 + i * 40, 342, withAlpha(c.accent, 230));
      break;
    case Decor::Plates:
      p.fillRing(W * 0.83, H * 0.55, 250, Rgba{255, 255, 255, 235});
      p.fillRing(W * 0.83, H * 0.55, 190, withAlpha(c.accent, 60));
      p.fillRing(W * 0.83, H * 0.55, 150, withAlpha(c.accent, 180));
      p.fillRing(W * 0.66, H * 0.18, 70, Rgba{255, 255, 255, 200});
      p.fillRing(W * 0.66, H * 0.18, 44, withAlpha(c.accent, 120));
      break;
    case Decor::Slashes:
      for (int i = 0; i < 4; i++) {
        double x = W * 0.60 + i * 120;
        p.fillPolygon({{x + 160, 0}, {x + 230, 0}, {x + 70, H}, {x, H}},
                      withAlpha(i % 2 ? c.accent2 : c.accent, i < 2 ? 230 : 120));
      }
      p.fillBox(80, H - 90, 380, H - 76, c.accent);
      break;
    case Decor::SideBar:
      p.fillBox(0, 0, 46, H, c.accent);
      p.fillBox(46, 0, 58, H, withAlpha(c.accent2, 230));
      p.fillBox(130, 100, 520, 106, withAlpha(c.accent, 220));
      p.fillBox(130, 578, 330, 584, withAlpha(c.accent2, 230));
      p.fillRing(W - 160, 150, 90, withAlpha(c.accent, 40));
      break;
    case Decor::Frame:
      p.fillBox(40, 40, W - 40, 46, withAlpha(c.accent, 200));
      p.fillBox(40, H - 46, W - 40, H - 40, withAlpha(c.accent, 200));
      p.fillBox(40, 40, 46, H - 40, withAlpha(c.accent, 200));
      p.fillBox(W - 46, 40, W - 40, H - 40, withAlpha(c.accent, 200));
      p.fillBox(W / 2 - 60, 585, W / 2 + 60, 593, withAlpha(c.accent2, 240));
      break;
    case Decor::Mountains:
      p.fillRing(W * 0.18, H * 0.30, 60, Rgba{255, 255, 240, 200});
      p.fillPolygon({{0, H}, {W * 0.25, H * 0.52}, {W * 0.48, H}}, withAlpha(c.accent2, 235));
      p.fillPolygon({{W * 0.30, H}, {W * 0.62, H * 0.44}, {W * 0.95, H}}, withAlpha(c.accent, 240));
      p.fillPolygon({{W * 0.62, H * 0.44}, {W * 0.67, H * 0.53}, {W * 0.57, H * 0.53}},
                    Rgba{255, 255, 255, 230});
      p.fillPolygon({{W * 0.70, H}, {W * 0.90, H * 0.62}, {W * 1.1, H}}, withAlpha(c.accent2, 250));
      p.fillBox(0, H * 0.92, W, H, Rgba{20, 60, 90, 200});
      break;
  }
}

Palette recolour(Palette c, const std::vector<Rgba>& colors, bool lightTemplate) {
  if (colors.empty()) return c;
  const Rgba k = colors[0];
  c.accent = k;
  if (lightTemplate) {
    c.top = render::mix(k, Rgba{255, 255, 255}, 0.85);
    c.bottom = render::mix(k, Rgba{255, 255, 255}, 0.55);
  } else {
    c.top = render::mix(k, Rgba{0, 0, 0}, 0.85);
    c.bottom = render::mix(k, Rgba{0, 0, 0}, 0.45);
  }
  if (colors.size() > 1) c.accent2 = colors[1];
  return c;
}

Palette overImage(Palette c, const std::vector<Rgba>& colors) {
  c.title = render::luminance(c.title) > 0.6 ? c.title : Rgba{255, 255, 255};
  c.outline = Rgba{14, 14, 18};
  const Rgba accent = colors.empty() ? c.accent : colors[0];
  c.subtitle = render::luminance(accent) > 0.45 ? accent : Rgba{235, 235, 235};
  c.top = Rgba{0, 0, 0};
  return c;
}

}  // namespace thumb
