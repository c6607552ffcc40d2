// Bidi reordering and Arabic shaping of one visual line, with fribidi.
//
//   std::vector<render::Cell> visual;
//   render::shapeLine(line.cells, visual);   // draw `visual` left to right
//
// Code reads left to right, so the paragraph direction is LTR; right-to-left runs inside it
// (a Persian comment, a Hebrew string) come out in visual order, Arabic-script letters in their
// joined presentation forms (U+FB50..U+FEFF), brackets inside RTL runs mirrored. Each output cell
// keeps the token class of the logical character it came from. Lines without RTL characters are
// copied unchanged, so plain code never pays for fribidi.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layout/lines.h"

namespace render {

// True when any cell is a right-to-left or Arabic-joining character.
bool needsBidi(const std::vector<Cell>& cells);

void shapeLine(const std::vector<Cell>& logical, std::vector<Cell>& visual);

// Prose rather than code (a thumbnail's title or caption): the paragraph direction is the
// caller's, or with Auto the first strong character's. A caller that breaks a paragraph into
// lines passes the same direction for each, so a wrapped title does not change direction
// mid-way. Visual order with Arabic joining; text without right-to-left characters comes back
// as it is.
enum class ParagraphDir : uint8_t { Auto, Ltr, Rtl };
std::u32string shapeParagraph(const std::u32string& logical, ParagraphDir dir = ParagraphDir::Auto);

}  // namespace render
