// Themes: every theme colours every token class, readably, and falls back like Pygments.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "theme/themes.h"

using namespace render;

namespace {

double relLuminance(Rgba c) {
  auto lin = [](uint8_t v) {
    double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double contrast(Rgba a, Rgba b) {
  double la = relLuminance(a), lb = relLuminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace

TEST_CASE("the seven hand-made themes come first, monokai first, then the generated ones",
          "[render]") {
  const char* names[] = {"monokai",  "dracula", "github-dark",    "github-light",
                         "one-dark", "nord",    "solarized-light"};
  REQUIRE(themeCount() >= 40);
  for (size_t i = 0; i < 7; i++) CHECK(std::string(themeAt(i).name) == names[i]);
  for (const char* n :
       {"catppuccin-mocha", "catppuccin-latte", "tokyo-night", "rose-pine", "gruvbox-dark-medium",
        "one-light", "github-dark-dimmed", "solarized-dark"}) {
    INFO(n);
    CHECK(findTheme(n) != nullptr);
  }
  CHECK(findTheme("Monokai") == nullptr);
  CHECK(findTheme("") == nullptr);
  // Names are unique and lowercase-kebab.
  for (size_t i = 0; i < themeCount(); i++) {
    std::string n = themeAt(i).name;
    INFO(n);
    CHECK(findTheme(n) == &themeAt(i));
    for (char c : n) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
  }
  // Light themes are light and dark ones dark.
  CHECK_FALSE(findTheme("catppuccin-latte")->dark);
  CHECK(findTheme("catppuccin-mocha")->dark);
  CHECK(findTheme("catppuccin-mocha")->background == Rgba{0x1e, 0x1e, 0x2e, 255});
}

TEST_CASE("every theme gives every token class a colour readable on its background", "[render]") {
  for (size_t t = 0; t < themeCount(); t++) {
    const Theme& th = themeAt(t);
    INFO(th.name);
    for (size_t c = 0; c < size_t(TokenClass::Count); c++) {
      INFO(tokenClassName(TokenClass(c)));
      Rgba col = th.color(TokenClass(c));
      CHECK(col.a == 255);
      // Comments are meant to be quiet; everything else must stand out.
      double min = TokenClass(c) == TokenClass::Comment || TokenClass(c) == TokenClass::CommentDoc
                       ? 1.6
                       : 2.5;
      CHECK(contrast(col, th.background) >= min);
    }
    // 4.1: Solarized's published base00 on base3, the lowest of the hand-made seven (the
    // generator leaves out a theme below it).
    CHECK(contrast(th.foreground, th.background) >= 4.1);
    CHECK(th.highlightLine != th.background);
  }
}

TEST_CASE("classes a theme does not list fall back to their parent", "[render]") {
  CHECK(parentClass(TokenClass::KeywordType) == TokenClass::Keyword);
  CHECK(parentClass(TokenClass::StringEscape) == TokenClass::String);
  CHECK(parentClass(TokenClass::Keyword) == TokenClass::Text);
  const Theme& gh = *findTheme("github-dark");
  // github-dark does not list keyword.type or comment.doc.
  CHECK(gh.color(TokenClass::KeywordType) == gh.color(TokenClass::Keyword));
  CHECK(gh.color(TokenClass::CommentDoc) == gh.color(TokenClass::Comment));
  const Theme& monokai = *findTheme("monokai");
  CHECK(monokai.color(TokenClass::Keyword) == Rgba{0xf9, 0x26, 0x72, 255});
  CHECK(monokai.color(TokenClass::String) == Rgba{0xe6, 0xdb, 0x74, 255});
  CHECK(monokai.background == Rgba{0x27, 0x28, 0x22, 255});
}

TEST_CASE("hex colours parse strictly", "[render]") {
  Rgba c;
  CHECK(parseHexColor("#ff8000", c));
  CHECK(c == Rgba{255, 128, 0, 255});
  CHECK(parseHexColor("#FfF", c));
  CHECK(c == Rgba{255, 255, 255, 255});
  for (const char* bad : {"", "#", "ff8000", "#ff800", "#ff80000", "#gg0000", "red"}) {
    INFO(bad);
    CHECK_FALSE(parseHexColor(bad, c));
  }
}
