#include "layout/layout.h"

#include <algorithm>
#include <cmath>

namespace render {

namespace {

// 1x constants, chosen to look like carbon / ray.so at Telegram's preview sizes.
constexpr int kMargin = 32;        // backdrop around the window
constexpr int kShadowMargin = 48;  // ...when a shadow needs room to fade out
constexpr int kTitleBar = 36;
constexpr int kRadius = 10;
constexpr int kPadX = 20;   // inside the window, left of the gutter and right of the text
constexpr int kPadTop = 6;  // below the title bar
constexpr int kPadTopNoTitle = 18;
constexpr int kPadBottom = 18;
constexpr int kControlRadius = 6;
constexpr int kControlStep = 20;
constexpr int kControlFirst = 20;
constexpr int kShadowOffset = 10;
constexpr int kShadowBlur = 14;  // per box pass; three passes spread ~1.7x this

}  // namespace

Frame computeFrame(const FrameInput& in) {
  Frame f;
  const int s = std::max(1, in.scale);
  f.lineHeight = int(in.lineHeight);
  // Fractional widths round up in 1x pixels, so a 2x image is exactly twice the 1x one.
  auto roundUp = [s](double px) { return int(std::ceil(px / s - 1e-9)) * s; };
  const int gutter = in.gutterDigits ? roundUp((in.gutterDigits + 2) * in.cellWidth) : 0;
  const int padX = kPadX * s;
  int windowW = padX + gutter + roundUp(in.textWidth) + padX;
  windowW = std::max(windowW, int(in.minWindowWidth));
  f.titleBarHeight = in.window ? kTitleBar * s : 0;
  const int padTop = in.window ? kPadTop * s : kPadTopNoTitle * s;
  const int windowH = f.titleBarHeight + padTop + int(in.lines) * f.lineHeight + kPadBottom * s;

  f.shadow = in.window && in.shadow;
  const int margin = !in.window ? 0 : (f.shadow ? kShadowMargin : kMargin) * s;
  f.window = Rect{margin, margin, windowW, windowH};
  f.width = windowW + 2 * margin;
  // The shadow falls downwards, so it needs a little more room below.
  f.height = windowH + 2 * margin + (f.shadow ? kShadowOffset * s : 0);
  f.radius = in.window ? kRadius * s : 0;

  f.controlRadius = kControlRadius * s;
  f.controlY = f.window.y + f.titleBarHeight / 2;
  for (int i = 0; i < 3; i++) f.controlX[i] = f.window.x + (kControlFirst + i * kControlStep) * s;

  f.gutterRight = f.window.x + padX + gutter - roundUp(2 * in.cellWidth);
  f.textX = f.window.x + padX + gutter;
  f.textTop = f.window.y + f.titleBarHeight + padTop;
  f.contentRight = f.window.right();
  if (f.shadow) {
    f.shadowRect = Rect{f.window.x, f.window.y + kShadowOffset * s, f.window.w, f.window.h};
    f.shadowBlur = kShadowBlur * s;
  }
  return f;
}

}  // namespace render
