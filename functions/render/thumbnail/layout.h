// Thumbnail geometry without pixels: the template library, matching a template to an analysis,
// the safe area, and fitting a title (size and line breaks) into a template's title box.
//
//   const thumb::Template& t = thumb::matchTemplate(analysis);
//   thumb::FitResult fit = thumb::fitTitle(in);          // in: word widths at a reference size
//   std::vector<thumb::Box> lines = thumb::placeLines(fit, lineWidths, t.titleBox, align);
//
// Everything here is arithmetic on numbers, so tests check that every template's title lands
// inside the safe area for any title, without rendering.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "thumbnail/analyze.h"

namespace thumb {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
  bool contains(const Box& o) const {
    return o.x >= x && o.y >= y && o.right() <= right() && o.bottom() <= bottom();
  }
  bool intersects(const Box& o) const {
    return o.x < right() && x < o.right() && o.y < bottom() && y < o.bottom();
  }
};

// Where text stays readable on YouTube: 5% margins, and clear of the duration badge that the
// player draws over the bottom-right corner.
constexpr Box kSafeArea{64, 36, kWidth - 128, kHeight - 72};
constexpr Box kDurationBadge{kWidth - 200, kHeight - 96, 200, 96};

// The DiagonalBand decoration's left edge, a line from (topX, 0) to (bottomX, kHeight): a title
// box in such a template ends left of it at every height, so no letter sits on the band.
struct BandEdge {
  double topX, bottomX;
  double at(double y) const { return topX + (bottomX - topX) * y / kHeight; }
};
constexpr BandEdge kBandEdge{kWidth * 0.80, kWidth * 0.60};

enum class Align : uint8_t { Start, Center, End };  // Start: left for LTR, right for RTL titles

// The decorations drawn under the title; decor.cpp paints each.
enum class Decor : uint8_t {
  DiagonalBand,  // a slanted accent band and speed lines
  NeonGrid,      // perspective grid and a glowing horizon
  Rings,         // concentric rings on the right
  Panel,         // a rounded panel behind the title, accent underline
  Sun,           // a low sun over soft hills
  Equalizer,     // bars along the bottom
  NewsBanner,    // a red lower-third banner holding the title, "LIVE"-style tag
  Plates,        // round plates on the right
  Slashes,       // parallel slashes in two accents
  SideBar,       // a thick accent bar on the start side, thin rules
  Frame,         // a thin inset frame
  Mountains,     // layered triangles under a sky
};

struct Palette {
  render::Rgba top, bottom;  // background gradient (diagonal when `diagonal`)
  render::Rgba accent, accent2;
  render::Rgba title, outline, subtitle;
};

struct Template {
  const char* name;
  uint32_t categories;  // bit per Category
  Style style;
  Mood mood;
  Decor decor;
  bool diagonal;
  bool uppercase;  // Latin/Cyrillic titles in capitals (bold styles)
  Align align;
  Box titleBox;  // inside kSafeArea, clear of kDurationBadge
  Palette palette;
};

size_t templateCount();
const Template& templateAt(size_t i);
const Template* findTemplate(std::string_view name);

// Score of a template for an analysis: category 10, style 4 (6 when the text named it), mood 3.
int matchScore(const Template& t, const Analysis& a);
// The best-scoring template; ties go to the earlier one in the table.
const Template& matchTemplate(const Analysis& a);

struct FitInput {
  std::vector<double> words;  // advance of each word at `refPx`
  double space = 0;           // advance of a space at `refPx`
  double refPx = 100;
  double lineHeight = 1.2;  // line pitch as a multiple of the size
  int boxW = 0, boxH = 0;
  int minPx = 14, maxPx = 150;
  int maxLines = 4;
};

struct FitResult {
  int px = 0;
  std::vector<size_t> lineStarts;  // index of each line's first word
  int lineCount() const { return int(lineStarts.size()); }
};

// The largest size at which the words, broken into at most maxLines balanced lines, fit the box.
// Never larger than maxPx; below minPx only when even one word per line would not fit (so the
// result always fits the box).
FitResult fitTitle(const FitInput& in);

// Line boxes (advance width x line pitch) for lines of the given widths at fit.px, stacked and
// centred vertically in `box`, aligned horizontally.
std::vector<Box> placeLines(const FitResult& fit, const std::vector<double>& lineWidths,
                            double lineHeight, const Box& box, Align align, bool rtl);

}  // namespace thumb
