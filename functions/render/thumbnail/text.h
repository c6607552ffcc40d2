// Thumbnail text: a title or subtitle from UTF-8 to visual-order lines of the title face, and
// drawing a line as shadow, outline and fill layers so it reads on any background.
//
//   std::u32string t = thumb::decode(req.title);
//   thumb::Dir dir = thumb::paragraphDir(t, req.rtlReader);     // one direction for every line
//   std::u32string line = render::shapeParagraph(t, dir);       // raster/text_shaper.h
//   double w = thumb::measure(face, line, 96);
//   thumb::drawLine(canvas, face, line, x, baseline, 96, style);
//
// The face is the font set's bold title face (render::FontSet::instance().title()); bidi and
// Arabic joining are the shared shaper's. What is decided here is thumbnail typography: which
// direction a mixed title reads in, capitals, where words may break, and the layered look.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "raster/canvas.h"
#include "raster/font.h"
#include "raster/text_shaper.h"

namespace thumb {

using Dir = render::ParagraphDir;

// UTF-8 to code points, control characters as spaces (the input is valid UTF-8: the request
// parser checks).
std::u32string decode(std::string_view s);

// The direction of a title or subtitle, decided once for all its lines. A reader of Hebrew or
// Persian (rtlReader) reads a title with any right-to-left word as a right-to-left sentence even
// when it opens with a Latin name ("iPhone 16 ביקורת"); otherwise the first strong letter decides.
Dir paragraphDir(const std::u32string& s, bool rtlReader);

// Combining marks and joiners: drawn over the previous letter, no advance of their own.
bool isMark(char32_t cp);

// The advance of a visual-order line at `px`.
double measure(render::TitleFace& f, const std::u32string& visual, double px);

// Capitals for Latin and Cyrillic in the bold templates; other scripts have no case.
void upper(std::u32string& s);

// Words split at spaces; longer runs are cut so one unbroken string cannot force the size to
// nothing.
std::vector<std::u32string> words(const std::u32string& text);

struct TextStyle {
  render::Rgba fill, outline;
  int grow = 0;    // outline width, px
  int shadow = 0;  // drop-shadow offset, px
  bool boldFill = false;
};

// Draws a visual-order line with its left edge at x.
void drawLine(render::Canvas& p, render::TitleFace& f, const std::u32string& visual, double x,
              int baseline, int px, const TextStyle& s);

}  // namespace thumb
