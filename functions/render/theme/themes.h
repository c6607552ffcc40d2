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

namespace render {

struct Rgba {
  uint8_t r = 0, g = 0, b = 0, a = 255;
  constexpr bool operator==(const Rgba&) const = default;
  constexpr uint32_t packed() const {
    return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24;
  }
};

// How far apart two packed colours look, for choosing a palette colour in place of another:
// squared channel differences weighted as the eye sees them, green most, then red, then blue;
// alpha as much as green.
constexpr int colorDistance(uint32_t a, uint32_t b) {
  constexpr int kWeight[4] = {3, 4, 2, 4};
  int d = 0;
  for (int k = 0; k < 4; k++) {
    const int x = int((a >> (8 * k)) & 255) - int((b >> (8 * k)) & 255);
    d += kWeight[k] * x * x;
  }
  return d;
}

// "#rrggbb" or "#rgb" (case-insensitive). False for anything else.
bool parseHexColor(std::string_view s, Rgba& out);

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
