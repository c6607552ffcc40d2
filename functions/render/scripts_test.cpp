// Scripts beyond Latin: what a reader of a CJK, Indic, Thai or Ethiopic comment, or of emoji,
// sees. Each sample is compared with the rendering of a code point no font has (the box), at
// the same width, so "drew something" means "drew a glyph".
#include <png.h>
#include <catch2/catch.hpp>

#include <string>

#include "layout/lines.h"
#include "raster/font.h"
#include "raster/font_assets.h"
#include "render.h"
#include "request.h"

using namespace render;

namespace {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
};

Image renderText(const std::string& code, bool ligatures = false) {
  RenderOptions o;
  o.code = code;
  o.language = Language::PlainText;
  o.theme = findTheme("monokai");
  o.window = false;
  o.shadow = false;
  o.lineNumbers = false;
  o.ligatures = ligatures;
  RenderResult r = renderCode(o);
  REQUIRE(r.status == 200);
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&img, r.bytes.data(), r.bytes.size()));
  img.format = PNG_FORMAT_RGBA;
  Image out;
  out.width = int(img.width);
  out.height = int(img.height);
  out.rgba.resize(PNG_IMAGE_SIZE(img));
  REQUIRE(png_image_finish_read(&img, nullptr, out.rgba.data(), 0, nullptr));
  return out;
}

int differingPixels(const Image& a, const Image& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  int n = 0;
  for (size_t i = 0; i < a.rgba.size(); i += 4) {
    int d = std::abs(a.rgba[i] - b.rgba[i]) + std::abs(a.rgba[i + 1] - b.rgba[i + 1]) +
            std::abs(a.rgba[i + 2] - b.rgba[i + 2]);
    if (d > 60) n++;
  }
  return n;
}

// Pixels far from grey (the plain-text colour and the background are nearly grey).
int colourful(const Image& img) {
  int n = 0;
  for (size_t i = 0; i < img.rgba.size(); i += 4) {
    int hi = std::max({img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]});
    int lo = std::min({img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]});
    if (hi - lo > 100) n++;
  }
  return n;
}

std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6)), s += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += char(0xE0 | (cp >> 12)), s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xF0 | (cp >> 18)), s += char(0x80 | ((cp >> 12) & 0x3F));
    s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
  }
  return s;
}

// A code point asset file `i` has (the middle of its first range, else its first in a window),
// not a mark; 0 if none.
char32_t sampleOf(size_t i) {
  for (size_t r = 0; r < fonts::kAssetRangeCount; r++) {
    const AssetRange& ar = fonts::kAssetRanges[r];
    if (ar.font == i && !isCombiningMark(ar.lo + (ar.hi - ar.lo) / 2)) {
      return ar.lo + (ar.hi - ar.lo) / 2;
    }
  }
  for (size_t w = 0; w < fonts::kAssetWindowCount; w++) {
    const AssetWindow& win = fonts::kAssetWindows[w];
    for (char32_t c = win.lo; c < win.hi; c++) {
      if (win.font[c - win.lo] == i) return c;
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("CJK, kana, Hangul, Indic, Thai, Ethiopic and emoji draw glyphs, not the box",
          "[render][scripts]") {
  struct Sample {
    const char* what;
    std::string text;
    char32_t box;  // a code point no font has, as wide as the sample's characters
  };
  // U+0378 is unassigned (one cell), U+3FFFD unassigned and East Asian wide (two cells).
  const Sample samples[] = {
      {"Han", "你好世界", 0x3FFFD},      {"kana", "こんにちは", 0x3FFFD},
      {"Hangul", "안녕하세요", 0x3FFFD}, {"emoji", "🚀🔥", 0x3FFFD},
      {"Thai", "สวัสดี", 0x0378},          {"Ethiopic", "ሰላም", 0x0378},
      {"Devanagari", "क्षत्रिय", 0x0378},  {"Bengali", "বাংলা", 0x0378},
      {"Tamil", "தமிழ்", 0x0378},
  };
  int compared = 0;
  for (const Sample& s : samples) {
    INFO(s.what);
    Image real = renderText("# " + s.text);
    // The box rendering as wide as the real one (shaped scripts have their own advances).
    std::string boxes;
    Image tofu;
    for (int n = 1; n < 40; n++) {
      boxes += utf8(s.box);
      tofu = renderText("# " + boxes);
      if (tofu.width >= real.width) break;
    }
    if (tofu.width != real.width) continue;  // no box count matches this width exactly
    CHECK(differingPixels(real, tofu) > 40);
    compared++;
  }
  CHECK(compared >= 6);
  // The fonts themselves: every sample's characters are found.
  FontSet& fonts = FontSet::instance();
  for (char32_t cp : {U'你', U'こ', U'안', U'क', U'ส', U'ሰ', U'ব', U'த', char32_t(0x1F680)}) {
    INFO(uint32_t(cp));
    CHECK_FALSE(fonts.lookup(cp).missing());
  }
  CHECK(fonts.lookup(0x0378).missing());
  CHECK(fonts.lookup(0x3FFFD).missing());
}

TEST_CASE("a character no font has is still a visible box", "[render][scripts]") {
  Image box = renderText(
      "a\xCD\xB8"
      "b");  // a U+0378 b
  Image space = renderText("a b");
  CHECK(differingPixels(box, space) > 8);
  Image wide = renderText(
      "a\xF0\xBF\xBF\xBD"
      "b");  // U+3FFFD: a box two cells wide
  Image two = renderText("a  b");
  CHECK(wide.width == two.width);
  CHECK(differingPixels(wide, two) > 8);
}

TEST_CASE("Devanagari is shaped: a conjunct and a matra drawn before its consonant",
          "[render][scripts]") {
  FontSet& fonts = FontSet::instance();
  GlyphRef ka = fonts.lookup(U'क');
  REQUIRE_FALSE(ka.missing());
  REQUIRE(fonts.shaped(ka.face));
  std::vector<ShapedGlyph> glyphs;
  // KA + VIRAMA + SSA: one conjunct glyph (kssa), not three.
  const char32_t kssa[] = {0x0915, 0x094D, 0x0937};
  fonts.shape(ka.face, kssa, 3, false, glyphs);
  CHECK(glyphs.size() == 1);
  CHECK(glyphs[0].index != ka.index);
  // KA + VOWEL SIGN I: the matra comes first in visual order, the consonant after it.
  const char32_t ki[] = {0x0915, 0x093F};
  fonts.shape(ka.face, ki, 2, false, glyphs);
  REQUIRE(glyphs.size() == 2);
  CHECK(glyphs[0].index != ka.index);
  CHECK(glyphs[1].index == ka.index);
}

TEST_CASE("emoji are drawn in colour, text glyphs are not", "[render][scripts]") {
  CHECK(colourful(renderText("# 🚀🔥✅")) > 50);
  CHECK(colourful(renderText("# abc 你好")) == 0);
  // A flag (two regional indicators) and a ZWJ sequence are one glyph each: two cells.
  Image flag = renderText("🇯🇵|");
  Image twoCells = renderText("ab|");
  CHECK(flag.width == twoCells.width);
  Image coder = renderText("👨\u200D💻|");
  CHECK(coder.width == twoCells.width);
}

TEST_CASE("wide characters take two cells: following text stays aligned, wrapping counts them",
          "[render][scripts]") {
  // Four ideographs are as wide as eight Latin letters, emoji too.
  CHECK(renderText("你好世界|").width == renderText("abcdefgh|").width);
  CHECK(renderText("🚀🔥|").width == renderText("abcd|").width);
  CHECK(renderText("# 中文\nx = 1  # aligned").width ==
        renderText("# abcd\nx = 1  # aligned").width);

  std::vector<Token> none;
  std::vector<VisualLine> lines;
  LineOptions opt;
  LineStats st = buildLines("a你b", none, opt, lines);
  CHECK(st.maxColumns == 4);
  // Wrapping at 3 columns: the ideograph would straddle the edge, so it starts the next line.
  opt.wrapColumn = 3;
  buildLines("ab你c", none, opt, lines);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].cells.size() == 2);
  CHECK(lines[1].cells[0].cp == U'你');
  CHECK(cellColumns(U'a') == 1);
  CHECK(cellColumns(U'한') == 2);
  CHECK(cellColumns(0x1F680) == 2);
  CHECK(cellColumns(0x0301) == 0);
}

TEST_CASE("programming ligatures are off by default and drawn when asked", "[render][scripts]") {
  const std::string code = "if a != b and c -> d: pass";
  Image plain = renderText(code);
  Image again = renderText(code, false);
  Image liga = renderText(code, true);
  CHECK(differingPixels(plain, again) == 0);
  CHECK(liga.width == plain.width);  // JetBrains Mono's ligatures keep the grid
  CHECK(differingPixels(plain, liga) > 10);
}

TEST_CASE("POST /render's ligatures field: off unless true, a boolean or a 400",
          "[render][scripts]") {
  RenderRequest req;
  REQUIRE(parseRenderRequest(R"j({"code":"x"})j", RequestDefaults{}, req).ok());
  CHECK_FALSE(req.options().ligatures);
  REQUIRE(parseRenderRequest(R"j({"code":"x","ligatures":true})j", RequestDefaults{}, req).ok());
  CHECK(req.options().ligatures);
  RequestError err =
      parseRenderRequest(R"j({"code":"x","ligatures":"yes"})j", RequestDefaults{}, req);
  CHECK(err.status == 400);
  CHECK(err.message.find("ligatures must be true or false") != std::string::npos);
}

TEST_CASE("a font the loader is still fetching makes the render ask for it, then succeed",
          "[render][scripts]") {
  FontSet& fonts = FontSet::instance();
  // Lao: no other test needs its font, so it has not been loaded in this process.
  std::vector<std::string> asked;
  fonts.setAssetLoader([&](std::string_view name, std::vector<uint8_t>&) {
    asked.emplace_back(name);
    return 0;
  });
  RenderOptions o;
  o.code = "# ສະບາຍດີ";
  o.theme = findTheme("monokai");
  RenderResult r = renderCode(o);
  CHECK(r.status == 503);
  REQUIRE(r.needAssets.size() == 1);
  CHECK(r.needAssets[0] == "fonts/lao.ttf");
  CHECK(asked == std::vector<std::string>{"fonts/lao.ttf"});
  CHECK(r.bytes.empty());
  fonts.setAssetLoader(FontSet::defaultAssetLoader);
  r = renderCode(o);
  CHECK(r.status == 200);
  CHECK(r.needAssets.empty());
  CHECK_FALSE(fonts.lookup(0x0EAA).missing());
}

TEST_CASE("every asset font is under the 25 MiB static asset limit", "[render][scripts]") {
  REQUIRE(fonts::kAssetFontCount > 10);
  for (size_t i = 0; i < fonts::kAssetFontCount; i++) {
    INFO(fonts::kAssetFonts[i].name);
    CHECK(fonts::kAssetFonts[i].bytes < (25u << 20));
    FontSet::instance().clearPendingAssets();  // each as its own request: older ones may go
    CHECK(FontSet::instance().loadAsset(i));
  }
}

TEST_CASE("every asset file draws its characters: rare Han, rare emoji, sequences across files",
          "[render][scripts]") {
  FontSet& fonts = FontSet::instance();
  // One code point of each file: found, and drawn unlike the box of a character no font has.
  for (size_t i = 0; i < fonts::kAssetFontCount; i++) {
    INFO(fonts::kAssetFonts[i].name);
    const char32_t cp = sampleOf(i);
    REQUIRE(cp != 0);
    INFO(uint32_t(cp));
    CHECK_FALSE(fonts.lookup(cp).missing());
    Image real = renderText("# " + utf8(cp));
    Image box = renderText("# " + utf8(isWide(cp) ? 0x3FFFD : 0x0378));
    if (real.width == box.width) CHECK(differingPixels(real, box) > 10);
  }
  // Rare characters, each in a file of its own now: Han extension A, a rare unified ideograph,
  // a compatibility ideograph; a troll and a pushing hand (Unicode 14, 15).
  for (char32_t cp : {char32_t(0x3400), char32_t(0x9F98), char32_t(0xF900), char32_t(0x1F9CC),
                      char32_t(0x1FAF8), char32_t(0xD7A3)}) {
    INFO(uint32_t(cp));
    CHECK_FALSE(fonts.lookup(cp).missing());
    Image real = renderText("# " + utf8(cp) + "|");
    Image box = renderText("# " + utf8(0x3FFFD) + "|");
    REQUIRE(real.width == box.width);
    CHECK(differingPixels(real, box) > 10);
  }
  // Sequences whose characters other files own for lookup: still one glyph, two cells.
  CHECK(fonts.lookup(0x1F468).face != fonts.lookup(0x1F680).face);  // man, rocket
  CHECK(fonts.lookup(0x1F43B).face != fonts.lookup(0x2744).face);   // bear, snowflake
  const int two = renderText("ab|").width;
  for (const char* seq : {"👨\u200D🚀|", "🐻\u200D❄\uFE0F|", "👍🏽|", "🏳\uFE0F\u200D🌈|",
                          "🧑🏿\u200D🤝\u200D🧑🏻|", "👩\u200D👩\u200D👧\u200D👦|"}) {
    INFO(seq);
    CHECK(renderText(seq).width == two);
  }
}

TEST_CASE("an instance holds at most kMaxAssetBytes of asset fonts, least recently used go first",
          "[render][scripts]") {
  FontSet& fonts = FontSet::instance();
  // One character of every asset file (more than the cap all together).
  size_t total = 0;
  std::string all = "# ";
  std::vector<char32_t> firsts;
  for (size_t i = 0; i < fonts::kAssetFontCount; i++) {
    total += fonts::kAssetFonts[i].bytes;
    firsts.push_back(sampleOf(i));
    all += utf8(firsts.back()) + " ";
  }
  REQUIRE(total > FontSet::kMaxAssetBytes);
  Image img = renderText(all);  // 200: what does not fit is drawn as boxes
  CHECK(img.width > 0);
  CHECK(fonts.loadedAssetBytes() <= FontSet::kMaxAssetBytes);
  // The next request makes room for what it needs: every one of those characters draws again,
  // one request each, and the instance still holds no more than the cap.
  for (char32_t cp : firsts) {
    INFO(uint32_t(cp));
    renderText("# " + utf8(cp));
    CHECK_FALSE(fonts.lookup(cp).missing());
    CHECK(fonts.loadedAssetBytes() <= FontSet::kMaxAssetBytes);
  }
}
