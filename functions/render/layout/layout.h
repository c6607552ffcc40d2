// Frame arithmetic: where the window, title bar, gutter, text and shadow go, in pixels.
//
//   render::FrameInput in;  in.lines = 12; in.textWidth = 480; in.cellWidth = 8.4; ...
//   render::Frame f = render::computeFrame(in);   // f.width x f.height is the image size
//
// Pure arithmetic with no font or pixels, so tests can check sizes and positions directly and the
// renderer can reject an over-sized image before allocating it. All constants are at 1x and
// multiplied by `scale`; font metrics arrive already scaled.
#pragma once

#include <cstdint>

namespace render {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
  bool operator==(const Rect&) const = default;
};

struct FrameInput {
  uint32_t lines = 1;           // visual lines, including the preview's "… more" line
  uint32_t textWidth = 0;       // px, the widest line's advance
  double cellWidth = 8;         // px, one monospace column
  uint32_t lineHeight = 20;     // px
  uint32_t gutterDigits = 0;    // 0: no line numbers
  uint32_t minWindowWidth = 0;  // px the title needs, measured by the caller
  int scale = 1;
  bool window = true;  // rounded window with title bar; false: a plain padded block
  bool shadow = true;  // only with window
};

struct Frame {
  int width = 0, height = 0;  // the image
  Rect window;                // the code card (the whole image when !window)
  int radius = 0;             // window corner radius
  int titleBarHeight = 0;
  int controlRadius = 0;  // the three window controls
  int controlY = 0;
  int controlX[3] = {0, 0, 0};
  int gutterRight = 0;  // line numbers end here (right-aligned)
  int textX = 0;        // column 0 of the code
  int textTop = 0;      // top of the first line box
  int lineHeight = 0;
  int contentRight = 0;  // highlight bands span [window.x, window.right())
  bool shadow = false;
  Rect shadowRect;     // the shape casting the shadow, before blurring
  int shadowBlur = 0;  // box-blur radius (3 passes)
};

Frame computeFrame(const FrameInput& in);

}  // namespace render
