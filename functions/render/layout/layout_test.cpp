// Frame arithmetic: image sizes and positions, checked without drawing anything.
#include <catch2/catch.hpp>

#include "layout/layout.h"

using render::computeFrame;
using render::Frame;
using render::FrameInput;

namespace {

FrameInput input(uint32_t lines, uint32_t textWidth, uint32_t digits, bool window, bool shadow,
                 int scale) {
  FrameInput in;
  in.lines = lines;
  in.textWidth = textWidth;
  in.cellWidth = 8.4 * scale;
  in.lineHeight = 21 * scale;
  in.gutterDigits = digits;
  in.window = window;
  in.shadow = shadow;
  in.scale = scale;
  return in;
}

}  // namespace

TEST_CASE("frame sizes follow lines, width, gutter, window and scale", "[render]") {
  struct Row {
    const char* what;
    FrameInput in;
    int width, height;
    int textX, textTop;
  };
  // gutter = ceil((digits + 2) * cell) in 1x pixels; window = 20 + gutter + text + 20;
  // height = title 36 + 6 + lines * 21 + 18; margins 48 (shadow: +10 below) or 32.
  const Row rows[] = {
      {"plain block, no numbers", input(10, 400, 0, false, false, 1), 440, 18 + 210 + 18, 20, 18},
      {"plain block, 2-digit numbers", input(10, 400, 2, false, false, 1), 440 + 34, 246, 54, 18},
      {"window without shadow", input(3, 300, 1, true, false, 1), 32 * 2 + 40 + 26 + 300,
       32 * 2 + 36 + 6 + 63 + 18, 32 + 20 + 26, 32 + 36 + 6},
      {"window with shadow", input(3, 300, 1, true, true, 1), 48 * 2 + 40 + 26 + 300,
       48 * 2 + 10 + 36 + 6 + 63 + 18, 48 + 20 + 26, 48 + 36 + 6},
      {"2x doubles every 1x size", input(3, 600, 1, true, true, 2), 96 * 2 + 80 + 52 + 600,
       96 * 2 + 20 + 72 + 12 + 126 + 36, 96 + 40 + 52, 96 + 72 + 12},
  };
  for (const Row& r : rows) {
    INFO(r.what);
    Frame f = computeFrame(r.in);
    CHECK(f.width == r.width);
    CHECK(f.height == r.height);
    CHECK(f.textX == r.textX);
    CHECK(f.textTop == r.textTop);
    // The code always fits inside the window, below the title bar.
    CHECK(f.textX + int(r.in.textWidth) <= f.window.right());
    CHECK(f.textTop + int(r.in.lines * r.in.lineHeight) <= f.window.bottom());
    CHECK(f.window.right() <= f.width);
    CHECK(f.window.bottom() <= f.height);
  }
}

TEST_CASE("frame places window controls and the shadow", "[render]") {
  Frame f = computeFrame(input(5, 200, 1, true, true, 1));
  CHECK(f.controlY == f.window.y + 18);
  CHECK(f.controlX[0] == f.window.x + 20);
  CHECK(f.controlX[2] - f.controlX[0] == 40);
  REQUIRE(f.shadow);
  // The shadow falls below the window and stays inside the image even after blurring
  // (three box passes spread it by 3 * blur).
  CHECK(f.shadowRect.y > f.window.y);
  CHECK(f.shadowRect.bottom() + 3 * f.shadowBlur <= f.height);
  CHECK(f.shadowRect.x - 3 * f.shadowBlur >= 0);

  Frame plain = computeFrame(input(5, 200, 1, false, true, 1));
  CHECK_FALSE(plain.shadow);  // no window, no shadow
  CHECK(plain.window.x == 0);
  CHECK(plain.width == plain.window.w);
}

TEST_CASE("a title widens a narrow window", "[render]") {
  FrameInput in = input(1, 40, 0, true, false, 1);
  Frame narrow = computeFrame(in);
  in.minWindowWidth = 400;
  Frame wide = computeFrame(in);
  CHECK(narrow.window.w == 80);
  CHECK(wide.window.w == 400);
  CHECK(wide.width == 400 + 64);
}
