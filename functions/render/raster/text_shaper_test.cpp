// Bidi and Arabic shaping: right-to-left comments must read correctly in a left-to-right file.
#include <catch2/catch.hpp>

#include <string>

#include "layout/lines.h"
#include "raster/text_shaper.h"
#include "shared/utf8.h"

using namespace render;

namespace {

std::vector<Cell> cells(std::string_view s, TokenClass cls = TokenClass::Comment) {
  std::vector<Cell> out;
  size_t i = 0;
  while (i < s.size()) out.push_back(Cell{utf8::next(s, i), cls});
  return out;
}

std::u32string shaped(std::string_view s) {
  std::vector<Cell> v;
  shapeLine(cells(s), v);
  std::u32string out;
  for (const Cell& c : v) out.push_back(c.cp);
  return out;
}

}  // namespace

TEST_CASE("Hebrew inside code is shown in visual order", "[render]") {
  // "# שלום": the comment marker stays on the left, the word reads right to left.
  CHECK(shaped("# \u05E9\u05DC\u05D5\u05DD") == U"# \u05DD\u05D5\u05DC\u05E9");
  // Code around a Hebrew string keeps its order.
  CHECK(shaped("x = \"\u05D0\u05D1\"") == U"x = \"\u05D1\u05D0\"");
}

TEST_CASE("Persian letters are joined and reversed", "[render]") {
  // "# سلام" (seen, lam, alef, meem). Shown right to left after "# ": meem stands alone (alef never
  // joins forward) as U+FEE1, lam+alef become the final lam-alef ligature U+FEFC, and seen takes
  // its initial form U+FEB3.
  CHECK(shaped("# \u0633\u0644\u0627\u0645") == U"# \uFEE1\uFEFC\uFEB3");
  // "دنیا" (dal, noon, farsi yeh, alef): noon initial, yeh medial, alef final, dal isolated.
  CHECK(shaped("\u062F\u0646\u06CC\u0627") == U"\uFE8E\uFBFF\uFEE7\uFEA9");
}

TEST_CASE("token classes follow their characters through reordering", "[render]") {
  std::vector<Cell> in = cells("a ", TokenClass::Name);
  auto tail = cells("\u05D0\u05D1", TokenClass::String);
  in.insert(in.end(), tail.begin(), tail.end());
  std::vector<Cell> out;
  shapeLine(in, out);
  REQUIRE(out.size() == 4);
  CHECK(out[0].cls == TokenClass::Name);
  CHECK(out[2].cp == U'\u05D1');
  CHECK(out[2].cls == TokenClass::String);
}

TEST_CASE("pure left-to-right lines are untouched", "[render]") {
  CHECK_FALSE(needsBidi(cells("int main() { return 0; } // привет")));
  CHECK(shaped("(a) [b]") == U"(a) [b]");
}
