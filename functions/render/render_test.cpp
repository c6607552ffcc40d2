// The whole pipeline: decode the PNG it produces and look at pixels a user would look at.
#include <png.h>
#include <catch2/catch.hpp>

#include <string>

#include "layout/layout.h"
#include "raster/font.h"
#include "render.h"

using namespace render;

namespace {

struct Decoded {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
  Rgba at(int x, int y) const {
    const uint8_t* p = rgba.data() + (size_t(y) * width + x) * 4;
    return Rgba{p[0], p[1], p[2], p[3]};
  }
};

bool decode(const std::vector<uint8_t>& png, Decoded& out) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, png.data(), png.size())) return false;
  img.format = PNG_FORMAT_RGBA;
  out.width = int(img.width);
  out.height = int(img.height);
  out.rgba.resize(PNG_IMAGE_SIZE(img));
  return png_image_finish_read(&img, nullptr, out.rgba.data(), 0, nullptr) != 0;
}

int brightness(Rgba c) {
  return c.r + c.g + c.b;
}

RenderOptions base(std::string_view code) {
  RenderOptions o;
  o.code = code;
  o.language = Language::Python;
  o.theme = findTheme("monokai");
  return o;
}

}  // namespace

TEST_CASE("a rendered window has the theme background, a shadow and coloured keywords",
          "[render]") {
  RenderOptions o = base("import os\nprint(os.getcwd())\n");
  o.title = "main.py";
  RenderResult r = renderCode(o);
  REQUIRE(r.status == 200);
  REQUIRE(r.bytes.size() > 8);
  CHECK(r.png.indexed);  // few colours: the small indexed encoding was chosen
  Decoded img;
  REQUIRE(decode(r.bytes, img));
  CHECK(img.width == r.width);
  CHECK(img.height == r.height);

  const Theme& t = *o.theme;
  // Rebuild the frame the renderer used, to know where things are.
  FontMetrics m = FontSet::instance().metrics(14);
  FrameInput fi;
  fi.lines = 2;
  fi.cellWidth = m.cellWidth;
  fi.lineHeight = uint32_t(m.lineHeight);
  fi.gutterDigits = 1;
  Frame f = computeFrame(fi);

  // Backdrop in the corner, theme background just inside the window's corner, below the title.
  CHECK(img.at(0, 0) == t.backdrop);
  CHECK(img.at(f.window.x + f.radius + 2, f.window.bottom() - 4) == t.background);
  // The shadow: below the window it is darker than the backdrop, and it fades out.
  Rgba below = img.at(f.window.x + f.window.w / 2, f.window.bottom() + 8);
  CHECK(brightness(below) < brightness(t.backdrop) - 30);
  CHECK(img.at(f.window.x + f.window.w / 2, img.height - 1) == t.backdrop);
  // Window controls: a red dot at the first control.
  Rgba red = img.at(f.controlX[0], f.controlY);
  CHECK(red.r > 200);
  CHECK(red.g < 120);

  // "import" is a keyword: its exact theme colour appears on the first line, within its 6 cells.
  std::vector<Token> toks;
  tokenize(Language::Python, "import os", toks);
  REQUIRE(!toks.empty());
  Rgba keyword = t.color(toks[0].cls);
  REQUIRE(keyword != t.foreground);
  int keywordPixels = 0, otherPixels = 0;
  for (int y = f.textTop; y < f.textTop + m.lineHeight; y++) {
    for (int x = f.textX; x < f.textX + int(6 * m.cellWidth); x++)
      keywordPixels += img.at(x, y) == keyword;
    for (int x = f.textX + int(7 * m.cellWidth); x < f.textX + int(9 * m.cellWidth); x++) {
      otherPixels += img.at(x, y) == keyword;
    }
  }
  CHECK(keywordPixels > 20);
  CHECK(otherPixels == 0);  // "os" is not drawn in the keyword colour
}

TEST_CASE("window off, transparent backdrop, 2x scale and JPEG", "[render]") {
  RenderOptions o = base("x = 1\n");
  o.window = false;
  RenderResult plain = renderCode(o);
  REQUIRE(plain.status == 200);
  Decoded img;
  REQUIRE(decode(plain.bytes, img));
  CHECK(img.at(0, 0) == o.theme->background);  // a plain block: no backdrop, no shadow

  o.scale = 2;
  RenderResult twice = renderCode(o);
  REQUIRE(twice.status == 200);
  CHECK(twice.width == 2 * plain.width);
  CHECK(twice.height == 2 * plain.height);

  RenderOptions t = base("x = 1\n");
  t.transparent = true;
  RenderResult tr = renderCode(t);
  REQUIRE(tr.status == 200);
  REQUIRE(decode(tr.bytes, img));
  CHECK(img.at(0, 0).a == 0);
  CHECK(img.at(img.width / 2, img.height / 2).a == 255);

  t.format = ImageFormat::Jpeg;
  RenderResult jpg = renderCode(t);
  REQUIRE(jpg.status == 200);
  CHECK(std::string(jpg.contentType) == "image/jpeg");
  REQUIRE(jpg.bytes.size() > 3);
  CHECK(jpg.bytes[0] == 0xFF);
  CHECK(jpg.bytes[1] == 0xD8);
}

TEST_CASE("limits fail with 413 before drawing", "[render]") {
  std::string many;
  for (int i = 0; i < 2001; i++) many += "x\n";
  RenderOptions o = base(many);
  RenderResult r = renderCode(o);
  CHECK(r.status == 413);
  CHECK_THAT(r.error, Catch::Matchers::Contains("2001 lines"));
  CHECK_THAT(r.error, Catch::Matchers::Contains("max_lines"));

  o.maxLines = 50;  // a preview of the same file is fine
  r = renderCode(o);
  CHECK(r.status == 200);

  std::string wide(1 << 20, 'x');  // a 1 MB single line
  RenderOptions w = base(wide);
  r = renderCode(w);
  CHECK(r.status == 413);
  CHECK_THAT(r.error, Catch::Matchers::Contains("the limit is 6000x50000"));
  w.wrap = 100;  // wrapped, it is far too tall instead
  r = renderCode(w);
  CHECK(r.status == 413);

  // Within the width and height caps but too many pixels for the Worker's memory.
  std::string block;
  for (int i = 0; i < 400; i++) block += std::string(300, 'x') + "\n";
  RenderOptions big = base(block);
  big.scale = 2;
  r = renderCode(big);
  CHECK(r.status == 413);
  CHECK_THAT(r.error, Catch::Matchers::Contains("megapixels"));
}

TEST_CASE("hostile text renders: NUL, control characters, invalid UTF-8, unknown scripts",
          "[render]") {
  std::string text("a\0b\x1b[31m\xff\xfe\xc3(\t\r\n", 14);
  text += "\xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87 \xE1\x83\x90\n";  // emoji, CJK, Georgian
  RenderOptions o = base(text);
  RenderResult r = renderCode(o);
  REQUIRE(r.status == 200);
  Decoded img;
  CHECK(decode(r.bytes, img));
}

TEST_CASE("a preview ends with a line saying how much was cut", "[render]") {
  std::string code;
  for (int i = 0; i < 60; i++) code += "x = " + std::to_string(i) + "\n";
  RenderOptions full = base(code);
  RenderOptions cut = base(code);
  cut.maxLines = 10;
  RenderResult a = renderCode(full), b = renderCode(cut);
  REQUIRE(a.status == 200);
  REQUIRE(b.status == 200);
  FontMetrics m = FontSet::instance().metrics(14);
  // Ten lines plus the "… 50 more lines" line.
  CHECK(a.height - b.height == (60 - 11) * m.lineHeight);
}

// The row is in the reader's language ("… и ещё 50 строк", right to left in Hebrew and Persian):
// the same card with other words in its last row, and no taller.
TEST_CASE("a preview's last row is written in the reader's language", "[render]") {
  std::string code;
  for (int i = 0; i < 60; i++) code += "x = " + std::to_string(i) + "\n";
  std::vector<std::vector<uint8_t>> images;
  int height = 0;
  for (i18n::Lang lang : {i18n::Lang::En, i18n::Lang::Ru, i18n::Lang::He, i18n::Lang::Fa}) {
    RenderOptions o = base(code);
    o.maxLines = 10;
    o.locale = lang;
    RenderResult r = renderCode(o);
    REQUIRE(r.status == 200);
    if (!height) height = r.height;
    CHECK(r.height == height);
    images.push_back(r.bytes);
  }
  for (size_t a = 0; a < images.size(); a++) {
    for (size_t b = a + 1; b < images.size(); b++) CHECK(images[a] != images[b]);
  }
}

TEST_CASE("a card painted as palette indices is the card painted as RGBA", "[render]") {
  const std::string code =
      "@dataclass\nclass Point:\n    x: int = 0  # координата\n    def norm(self):\n"
      "        return f\"{self.x:>4}\" + 'ok'\n";
  RenderOptions o = base(code);
  o.title = "point.py";
  RenderResult indexed = renderCode(o);
  // Too few palette entries for this card: it is painted again as RGBA and indexed from that.
  o.paletteColors = 16;
  RenderResult fallback = renderCode(o);
  REQUIRE(indexed.status == 200);
  REQUIRE(fallback.status == 200);
  CHECK(indexed.png.passes == 1);
  CHECK(fallback.png.passes == 2);
  REQUIRE(indexed.png.indexed);
  CHECK(indexed.png.colors > 16);
  // Fewer colours than the palette's share for shades: no pixel was given a neighbour's colour.
  REQUIRE(indexed.png.colors < 240);
  Decoded a, b;
  REQUIRE(decode(indexed.bytes, a));
  REQUIRE(decode(fallback.bytes, b));
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  CHECK(a.rgba == b.rgba);  // under 256 colours both are exact

  // Highlighted lines and a watermark bring more than 256 colours, the rest antialiasing shades:
  // still one pass, those shades given a near colour (canvas_test checks how near), as the RGBA
  // path maps its rarest colours to their nearest.
  o.highlight = {2, 4};
  o.watermark = "@code_bot";
  o.paletteColors = 256;
  indexed = renderCode(o);
  o.paletteColors = 16;
  fallback = renderCode(o);
  CHECK(indexed.png.passes == 1);
  CHECK(fallback.png.passes == 3);  // the attempt, a count, then 256 of the colours
  CHECK(indexed.png.colors <= 256);
}

TEST_CASE("a 1,000-line file renders as one tall PNG in bounded memory", "[render]") {
  std::string code;
  for (int i = 0; i < 1000; i++) {
    code += "    const value" + std::to_string(i) + " = await fetch(url, { method: 'POST' });\n";
  }
  RenderOptions o = base(code);
  o.language = Language::JavaScript;
  RenderResult r = renderCode(o);
  REQUIRE(r.status == 200);
  FontMetrics m = FontSet::instance().metrics(14);
  CHECK(r.height > 1000 * m.lineHeight);
  CHECK(r.height > 20000);  // over the old single-canvas limit
  CHECK(r.png.indexed);
  CHECK(r.png.passes == 1);  // streamed: each band painted once
  Decoded img;
  REQUIRE(decode(r.bytes, img));
  CHECK(img.width == r.width);
  CHECK(img.height == r.height);
  // The last line's text reached the bottom band: bright pixels in its line box.
  const int lastTop = r.height - 48 - 10 - 18 - m.lineHeight;
  int bright = 0;
  for (int y = lastTop; y < lastTop + m.lineHeight; y++) {
    for (int x = 0; x < img.width; x++) bright += brightness(img.at(x, y)) > 400;
  }
  CHECK(bright > 50);

  // Beyond the pixel budget it is still a clear 413, before anything is drawn.
  o.scale = 2;
  std::string wide;
  for (int i = 0; i < 1000; i++) wide += std::string(180, 'x') + "\n";
  o.code = wide;
  r = renderCode(o);
  CHECK(r.status == 413);
  CHECK_THAT(r.error, Catch::Matchers::Contains("megapixels"));
}
