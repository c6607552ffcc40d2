// Text + tokens -> visual lines of code points, each carrying its token class.
//
//   std::vector<render::VisualLine> lines;
//   render::LineOptions opt;  opt.wrapColumn = 80;
//   render::LineStats st = render::buildLines(text, tokens, opt, lines);
//
// This is where untrusted bytes become something drawable: invalid UTF-8 becomes U+FFFD, control
// characters become their visible Control Pictures (U+2400..), tabs expand to the next tab stop,
// CR before LF disappears, and long lines soft-wrap. Limits are enforced while building, so a
// 1 MB single line or 100k short lines cost a counter, not memory: cells past `maxColumns` and
// lines past `maxLines` are counted in LineStats but not stored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lexer/token.h"

namespace render {

struct Cell {
  char32_t cp;
  TokenClass cls;
};

enum class LineKind : uint8_t {
  Code,          // the first visual line of a source line: shows its number
  Continuation,  // a soft-wrapped remainder: shows the continuation mark
  More,          // the preview's last line: "… N more lines"
};

struct VisualLine {
  LineKind kind = LineKind::Code;
  bool highlighted = false;
  uint32_t number = 0;  // the displayed line number (Code lines)
  // Columns this line occupies: 1 a character, 2 for East Asian wide ones and emoji, 0 for
  // marks and what a zero-width joiner joins.
  uint32_t columns = 0;
  std::vector<Cell> cells;  // logical order; bidi reordering happens at shaping time
};

struct LineOptions {
  uint32_t tabWidth = 4;
  uint32_t wrapColumn = 0;  // 0: no wrapping
  uint32_t startNumber = 1;
  // Displayed numbers to highlight, sorted ascending.
  std::vector<uint32_t> highlight;
  // Source lines cut off by preview mode; > 0 appends a LineKind::More line reading moreText
  // (the reader's language, from the catalog; English when empty).
  uint32_t moreLines = 0;
  std::string moreText;
  // Storage caps (see the header comment); the caller derives them from the image size limits.
  uint32_t maxColumns = 1u << 20;
  uint32_t maxLines = 1u << 20;
};

struct LineStats {
  uint32_t visualLines = 0;  // including ones past maxLines
  uint32_t maxColumns = 0;   // widest line, including cells past LineOptions::maxColumns
  uint32_t sourceLines = 0;
};

// Combining marks take no column of their own: they sit on the previous character.
bool isCombiningMark(char32_t cp);
// East Asian Wide/Fullwidth characters and emoji: two columns.
bool isWide(char32_t cp);
// 0, 1 or 2: the columns `cp` takes in a line.
uint32_t cellColumns(char32_t cp);

// Number of source lines in `text` (a final newline does not start another line; "" has 0).
uint32_t countSourceLines(std::string_view text);
// Byte offset just past the first `n` source lines (their final newline excluded).
size_t prefixOfLines(std::string_view text, uint32_t n);

LineStats buildLines(std::string_view text, const std::vector<Token>& tokens,
                     const LineOptions& opt, std::vector<VisualLine>& out);

}  // namespace render
