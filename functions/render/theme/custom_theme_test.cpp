// POST /render's custom theme object: what a caller sends is what is drawn, and every mistake
// gets a 400 that names it.
#include <catch2/catch.hpp>

#include <string>

#include "request.h"
#include "theme/custom_theme.h"

using namespace render;

namespace {

RequestError parse(const std::string& theme, RenderRequest& req) {
  return parseRenderRequest("{\"code\":\"x = 1\",\"theme\":" + theme + "}", RequestDefaults{}, req);
}

}  // namespace

TEST_CASE("a custom theme object colours the image as given", "[render]") {
  RenderRequest req;
  REQUIRE(parse(R"j({"background":"#102030","foreground":"#e0e0e0","line_number":"#808080",
                     "tokens":{"keyword":"#ff0000","comment":"#0f0","keyword.type":"#00ff00"}})j",
                req)
              .ok());
  RenderOptions o = req.options();
  REQUIRE(o.theme == &req.customTheme);
  const Theme& t = *o.theme;
  CHECK(t.background == Rgba{0x10, 0x20, 0x30, 255});
  CHECK(t.foreground == Rgba{0xe0, 0xe0, 0xe0, 255});
  CHECK(t.lineNumber == Rgba{0x80, 0x80, 0x80, 255});
  CHECK(t.dark);  // from the background
  CHECK(t.color(TokenClass::Keyword) == Rgba{255, 0, 0, 255});
  CHECK(t.color(TokenClass::KeywordType) == Rgba{0, 255, 0, 255});
  CHECK(t.color(TokenClass::Comment) == Rgba{0, 255, 0, 255});
  // Not given: the parent class, else the foreground.
  CHECK(t.color(TokenClass::KeywordConstant) == Rgba{255, 0, 0, 255});
  CHECK(t.color(TokenClass::CommentDoc) == Rgba{0, 255, 0, 255});
  CHECK(t.color(TokenClass::String) == t.foreground);
  CHECK(t.highlightLine != t.background);

  RenderRequest light;
  REQUIRE(parse(R"j({"background":"#fff","foreground":"#000","dark":true})j", light).ok());
  CHECK(light.options().theme->dark);  // the caller's word wins
  RenderRequest light2;
  REQUIRE(parse(R"j({"background":"#fafafa","foreground":"#111"})j", light2).ok());
  CHECK_FALSE(light2.options().theme->dark);
}

TEST_CASE("bad custom themes are refused with a message naming the problem", "[render]") {
  std::string many = "{\"background\":\"#000\",\"foreground\":\"#fff\",\"tokens\":{";
  for (int i = 0; i < 65; i++) many += std::string(i ? "," : "") + "\"keyword\":\"#fff\"";
  many += "}}";
  std::string manyTop = "{";
  for (int i = 0; i < 17; i++) manyTop += std::string(i ? "," : "") + "\"dark\":true";
  manyTop += "}";
  struct Row {
    std::string theme;
    const char* message;
  } rows[] = {
      {R"j({"foreground":"#fff"})j", "needs background and foreground"},
      {R"j({"background":"#000"})j", "needs background and foreground"},
      {R"j({})j", "needs background and foreground"},
      {R"j({"background":"#000","foreground":"#fff","font":"x"})j", "unknown key 'font'"},
      {R"j({"background":"black","foreground":"#fff"})j",
       "theme.background must be \"#rrggbb\" or \"#rgb\", not 'black'"},
      {R"j({"background":"#00000","foreground":"#fff"})j", "theme.background must be"},
      {R"j({"background":0,"foreground":"#fff"})j", "theme.background must be a colour string"},
      {R"j({"background":"#000","foreground":"#fff","dark":"yes"})j",
       "theme.dark must be true or false"},
      {R"j({"background":"#000","foreground":"#fff","tokens":[]})j",
       "theme.tokens must be an object"},
      {R"j({"background":"#000","foreground":"#fff","tokens":{"keywrd":"#fff"}})j",
       "unknown token class 'keywrd'"},
      {R"j({"background":"#000","foreground":"#fff","tokens":{"string":"#ggg"}})j",
       "theme.tokens.string must be"},
      {R"j({"background":"#000","foreground":"#fff","line_number":null})j",
       "theme.line_number must be a colour string"},
      {many, "theme.tokens has more than 64 keys"},
      {manyTop, "theme has more than 16 keys"},
      {"[\"#000\"]", "theme must be a theme name or an object of colours"},
      {"42", "theme must be a theme name or an object of colours"},
  };
  for (const Row& row : rows) {
    INFO(row.theme.substr(0, 80));
    RenderRequest req;
    RequestError err = parse(row.theme, req);
    CHECK(err.status == 400);
    CHECK_THAT(err.message, Catch::Matchers::Contains(row.message));
  }
}
