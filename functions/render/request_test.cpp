// POST /render bodies: a table of valid requests and a separate table of errors.
#include <catch2/catch.hpp>

#include <string>

#include "request.h"

using namespace render;

TEST_CASE("valid render requests", "[render]") {
  struct Row {
    const char* body;
    void (*check)(const RenderRequest&);
  };
  const Row rows[] = {
      {R"j({"code":"print(1)"})j",
       [](const RenderRequest& r) {
         CHECK(r.code == "print(1)");
         CHECK(std::string(r.opt.theme->name) == "monokai");
         CHECK(r.opt.fontSize == 14);
         CHECK(r.opt.lineNumbers);
         CHECK(r.opt.window);
         CHECK(r.opt.shadow);
         CHECK(r.watermark.empty());  // off by default over HTTP
         CHECK(r.opt.format == ImageFormat::Png);
       }},
      {R"j({"code":"x","language":"PY"})j",
       [](const RenderRequest& r) { CHECK(r.opt.language == Language::Python); }},
      {R"j({"code":"fn main() {}","filename":"src/main.rs"})j",
       [](const RenderRequest& r) {
         CHECK(r.opt.language == Language::Rust);
         CHECK(r.title == "main.rs");  // the title defaults to the file's name
       }},
      {R"j({"code":"x","filename":"a.py","title":""})j",
       [](const RenderRequest& r) { CHECK(r.title.empty()); }},
      {R"j({"code":"x","theme":"github-light","font_size":20,"scale":2,"line_numbers":false})j",
       [](const RenderRequest& r) {
         CHECK(std::string(r.opt.theme->name) == "github-light");
         CHECK(r.opt.fontSize == 20);
         CHECK(r.opt.scale == 2);
         CHECK_FALSE(r.opt.lineNumbers);
       }},
      {R"j({"code":"x","highlight_lines":[1,"3-5",9],"start_line":7,"max_lines":40})j",
       [](const RenderRequest& r) {
         CHECK(r.opt.highlight == std::vector<uint32_t>{1, 3, 4, 5, 9});
         CHECK(r.opt.startLine == 7);
         CHECK(r.opt.maxLines == 40);
       }},
      {R"j({"code":"x","wrap":80,"tab_width":2,"window":false,"shadow":false})j",
       [](const RenderRequest& r) {
         CHECK(r.opt.wrap == 80);
         CHECK(r.opt.tabWidth == 2);
         CHECK_FALSE(r.opt.window);
         CHECK_FALSE(r.opt.shadow);
       }},
      {R"j({"code":"x","background":"transparent","format":"jpeg"})j",
       [](const RenderRequest& r) {
         CHECK(r.opt.transparent);
         CHECK(r.opt.format == ImageFormat::Jpeg);
       }},
      {R"j({"code":"x","background":"#102030"})j",
       [](const RenderRequest& r) {
         CHECK(r.opt.customBackdrop);
         CHECK(r.opt.backdrop == Rgba{0x10, 0x20, 0x30, 255});
       }},
      {R"j({"code":"x","watermark":true})j",
       [](const RenderRequest& r) { CHECK(r.watermark == "CodeImageBot"); }},
      {R"j({"code":"x","watermark":"made by me","font_size":null})j",
       [](const RenderRequest& r) {
         CHECK(r.watermark == "made by me");
         CHECK(r.opt.fontSize == 14);  // null means the default
       }},
      {R"j({"code":"x","font_size":16.0,"unknown_field":[1,2]})j",
       [](const RenderRequest& r) { CHECK(r.opt.fontSize == 16); }},
      {R"j({"code":"x","locale":"fa"})j",
       [](const RenderRequest& r) { CHECK(r.opt.locale == i18n::Lang::Fa); }},
  };
  for (const Row& row : rows) {
    INFO(row.body);
    RenderRequest req;
    RequestError err = parseRenderRequest(row.body, RequestDefaults{}, req);
    REQUIRE(err.ok());
    row.check(req);
  }
}

TEST_CASE("config defaults apply to requests", "[render]") {
  RequestDefaults d;
  d.theme = "nord";
  d.fontSize = 18;
  d.maxSourceLines = 7;
  RenderRequest req;
  REQUIRE(parseRenderRequest(R"j({"code":"x"})j", d, req).ok());
  CHECK(std::string(req.opt.theme->name) == "nord");
  CHECK(req.opt.fontSize == 18);
  CHECK(req.opt.maxSourceLines == 7);

  d.theme = "no-such-theme";  // a mistyped DEFAULT_THEME does not break every request
  RenderRequest fallback;
  REQUIRE(parseRenderRequest(R"j({"code":"x"})j", d, fallback).ok());
  CHECK(std::string(fallback.opt.theme->name) == "monokai");
}

TEST_CASE("invalid render requests name the field", "[render]") {
  struct Row {
    std::string body;
    int status;
    const char* message;  // a substring of the error
  };
  const Row rows[] = {
      {"", 400, "not valid JSON"},
      {"{\"code\":", 400, "not valid JSON"},
      {"[1,2]", 400, "must be a JSON object"},
      {"{}", 400, "code is required"},
      {R"j({"code":null})j", 400, "code is required"},
      {R"j({"code":42})j", 400, "code must be a string"},
      {R"j({"code":""})j", 400, "code is empty"},
      {R"j({"code":"x","language":"klingon"})j", 400, "language 'klingon' is unknown"},
      {R"j({"code":"x","language":7})j", 400, "language must be a string"},
      {R"j({"code":"x","theme":"neon"})j", 400, "theme 'neon' is unknown"},
      {R"j({"code":"x","font_size":7})j", 400, "font_size must be an integer from 8 to 48"},
      {R"j({"code":"x","font_size":49})j", 400, "font_size must be an integer from 8 to 48"},
      {R"j({"code":"x","font_size":"14"})j", 400, "font_size must be an integer"},
      {R"j({"code":"x","font_size":14.5})j", 400, "font_size must be an integer"},
      {R"j({"code":"x","scale":3})j", 400, "scale must be 1 or 2"},
      {R"j({"code":"x","line_numbers":"yes"})j", 400, "line_numbers must be true or false"},
      {R"j({"code":"x","start_line":0})j", 400, "start_line must be an integer"},
      {R"j({"code":"x","max_lines":0})j", 400, "max_lines must be an integer from 1"},
      {R"j({"code":"x","wrap":-1})j", 400, "wrap must be an integer from 0 to 1000"},
      {R"j({"code":"x","locale":"de"})j", 400, "locale 'de' is unknown; use en, ru, he or fa"},
      {R"j({"code":"x","tab_width":0})j", 400, "tab_width must be an integer from 1 to 16"},
      {R"j({"code":"x","highlight_lines":"3"})j", 400, "highlight_lines must be an array"},
      {R"j({"code":"x","highlight_lines":["5-3"]})j", 400, "highlight_lines has an invalid range"},
      {R"j({"code":"x","highlight_lines":[0]})j", 400, "highlight_lines entries must be"},
      {R"j({"code":"x","highlight_lines":["1-999999"]})j", 400, "more than 10000 lines"},
      {R"j({"code":"x","background":"blue"})j", 400, "background must be"},
      {R"j({"code":"x","format":"gif"})j", 400, "format 'gif' is unknown"},
      {R"j({"code":"x","watermark":5})j", 400, "watermark must be a string or true/false"},
      {R"j({"code":"x","window":1})j", 400, "window must be true or false"},
      {R"j({"code":"x","title":5})j", 400, "title must be a string"},
      {"{\"code\":\"" + std::string(600 * 1024, 'a') + "\"}", 413, "the limit is 512 KB"},
  };
  for (const Row& row : rows) {
    INFO(row.body.substr(0, 80));
    RenderRequest req;
    RequestError err = parseRenderRequest(row.body, RequestDefaults{}, req);
    CHECK(err.status == row.status);
    CHECK_THAT(err.message, Catch::Matchers::Contains(row.message));
  }
}
