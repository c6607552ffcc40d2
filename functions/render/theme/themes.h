// Colour themes for rendered code: a palette per theme with every TokenClass resolved.
//
//   const render::Theme* t = render::findTheme("dracula");   // nullptr when unknown
//   render::Rgba c = t->color(render::TokenClass::KeywordType);
//
// Seven palettes are hand-made from what each theme publishes (Sublime Monokai, Dracula spec,
// Primer's GitHub themes, Atom One Dark, Nord, Solarized); the others are generated at build time
// from the VS Code theme files of the npm package @shikijs/themes (theme/gen_themes.mjs). A theme
// lists only the classes it colours; the rest fall back to their parent class ("keyword.type" ->
// "keyword" -> text), as Pygments styles do.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "lexer/token.h"
#include "raster/color.h"

namespace render {

// Rgba, colorDistance and parseHexColor live in raster/color.h.

struct Theme {
  const char* name;
  bool dark;
  Rgba background;     // code area and title bar
  Rgba foreground;     // plain text
  Rgba lineNumber;     // gutter numbers and continuation marks
  Rgba highlightLine;  // band behind highlighted lines
  Rgba title;          // window title text
  Rgba
      windowBorder;  // 1px hairline around the window, so light themes stand out on light backdrops
  Rgba backdrop;     // default colour around the window
  std::array<Rgba, size_t(TokenClass::Count)> tokens;

  Rgba color(TokenClass c) const { return tokens[size_t(c)]; }
};

// nullptr when `name` is not a theme (case-sensitive canonical names, see themeNames()).
const Theme* findTheme(std::string_view name);
size_t themeCount();
const Theme& themeAt(size_t i);

// The class a token falls back to when a theme does not colour it; Text falls back to itself.
TokenClass parentClass(TokenClass c);

// Which classes a palette gives explicitly.
using TokenClassSet = std::array<bool, size_t(TokenClass::Count)>;
// Colours every class `set` does not mark like its nearest marked parent class; Text is always
// the foreground. For palettes made at run time (POST /render's custom theme object).
void fillFromParents(Theme& t, const TokenClassSet& set);

}  // namespace render
