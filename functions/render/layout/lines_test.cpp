// Lines: what untrusted text becomes before it is drawn.
#include <catch2/catch.hpp>

#include <string>

#include "layout/lines.h"

using namespace render;

namespace {

std::u32string codepoints(const VisualLine& l) {
  std::u32string s;
  for (const Cell& c : l.cells) s.push_back(c.cp);
  return s;
}

std::vector<VisualLine> build(std::string_view text, LineOptions opt = {}) {
  std::vector<Token> toks;  // no tokens: everything is Text
  std::vector<VisualLine> out;
  buildLines(text, toks, opt, out);
  return out;
}

}  // namespace

TEST_CASE("lines: splitting, tabs, control characters, invalid UTF-8", "[render]") {
  struct Row {
    const char* what;
    std::string text;
    std::vector<std::u32string> lines;
  };
  const Row rows[] = {
      {"a final newline adds no line", "a\nb\n", {U"a", U"b"}},
      {"blank lines are kept", "a\n\nb", {U"a", U"", U"b"}},
      {"CRLF is one line break", "a\r\nb", {U"a", U"b"}},
      {"tabs expand to the next stop", "\tx\ty", {U"    x   y"}},
      {"NUL and ESC become control pictures", std::string("a\0b\x1b", 4), {U"a\u2400b\u241b"}},
      {"invalid UTF-8 becomes U+FFFD", "ok\xff\xc3(", {U"ok\uFFFD\uFFFD("}},
      {"overlong and surrogate encodings are invalid",
       "\xc0\xaf\xed\xa0\x80",
       {U"\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"}},
      {"multi-byte text survives", "привет שלום", {U"привет שלום"}},
  };
  for (const Row& r : rows) {
    INFO(r.what);
    auto lines = build(r.text);
    REQUIRE(lines.size() == r.lines.size());
    for (size_t i = 0; i < lines.size(); i++) CHECK(codepoints(lines[i]) == r.lines[i]);
  }
}

TEST_CASE("lines: wrapping, numbering, highlights and the preview line", "[render]") {
  LineOptions opt;
  opt.wrapColumn = 4;
  opt.startNumber = 10;
  opt.highlight = {11};
  auto lines = build("abcdefghij\nxy\n", opt);
  REQUIRE(lines.size() == 4);
  CHECK(codepoints(lines[0]) == U"abcd");
  CHECK(lines[0].kind == LineKind::Code);
  CHECK(lines[0].number == 10);
  CHECK(codepoints(lines[1]) == U"efgh");
  CHECK(lines[1].kind == LineKind::Continuation);
  CHECK(codepoints(lines[2]) == U"ij");
  CHECK(lines[3].number == 11);
  CHECK(lines[3].highlighted);
  CHECK_FALSE(lines[0].highlighted);

  LineOptions preview;
  preview.moreLines = 123;
  auto cut = build("a\nb", preview);
  REQUIRE(cut.size() == 3);
  CHECK(cut[2].kind == LineKind::More);
  CHECK(codepoints(cut[2]) == U"\u2026 123 more lines");
  CHECK(cut[2].cells[0].cls == TokenClass::Comment);
}

TEST_CASE("lines: a huge line or many lines are counted, not stored", "[render]") {
  LineOptions opt;
  opt.maxColumns = 100;
  opt.maxLines = 10;
  std::string big(1 << 20, 'x');
  std::vector<Token> toks;
  std::vector<VisualLine> out;
  LineStats st = buildLines(big, toks, opt, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].cells.size() == 100);
  CHECK(st.maxColumns == 1u << 20);

  std::string many;
  for (int i = 0; i < 100000; i++) many += "x\n";
  st = buildLines(many, toks, opt, out);
  CHECK(out.size() == 10);
  CHECK(st.visualLines == 100000);
  CHECK(st.sourceLines == 100000);
}

TEST_CASE("lines: counting and cutting source lines", "[render]") {
  CHECK(countSourceLines("") == 0);
  CHECK(countSourceLines("a") == 1);
  CHECK(countSourceLines("a\n") == 1);
  CHECK(countSourceLines("a\nb") == 2);
  CHECK(prefixOfLines("a\nbb\nccc\n", 2) == 4);
  CHECK(prefixOfLines("a\nbb", 5) == 4);
}
