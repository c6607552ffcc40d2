// premium/pro thumbnails: a decoded background under the title (the title in the safe area, the
// background's own colour visible away from it), the request rules for backgrounds, the prompt
// for the model, and the strict validation of an LLM's analysis (with a table of refusals).
#include <png.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "encode/jpeg.h"
#include "encode/png.h"
#include "thumbnail/background.h"
#include "thumbnail/llm.h"
#include "thumbnail/thumbnail.h"

using namespace thumb;

namespace {

std::vector<uint8_t> solidPng(int w, int h, render::Rgba c) {
  std::vector<uint32_t> px(size_t(w) * h, c.packed());
  std::vector<uint8_t> out;
  REQUIRE(render::encodePng(px, w, h, out).ok);
  return out;
}

std::vector<uint8_t> decodePng(const std::vector<uint8_t>& png, int& w, int& h) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&img, png.data(), png.size()));
  img.format = PNG_FORMAT_RGB;
  w = int(img.width), h = int(img.height);
  std::vector<uint8_t> px(size_t(w) * h * 3);
  REQUIRE(png_image_finish_read(&img, nullptr, px.data(), 0, nullptr));
  return px;
}

std::string base64(const std::vector<uint8_t>& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(in[i]) << 16 | (i + 1 < in.size() ? uint32_t(in[i + 1]) << 8 : 0) |
                 (i + 2 < in.size() ? in[i + 2] : 0);
    out += k[v >> 18 & 63];
    out += k[v >> 12 & 63];
    out += i + 1 < in.size() ? k[v >> 6 & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return out;
}

double distanceToBox(int x, int y, const Box& b) {
  double dx = std::max({double(b.x - x), double(x - b.right()), 0.0});
  double dy = std::max({double(b.y - y), double(y - b.bottom()), 0.0});
  return std::hypot(dx, dy);
}

}  // namespace

TEST_CASE("composed: the title over a decoded background, in the safe area", "[thumbnail]") {
  const render::Rgba bg{40, 120, 200};
  for (auto [w, h] : {std::pair{64, 64}, std::pair{1024, 576}, std::pair{2000, 900}}) {
    ThumbnailRequest req;
    req.title = "Minecraft speedrun world record!";
    req.subtitle = "any% glitchless";
    req.algorithm = Algorithm::Premium;
    req.background = solidPng(w, h, bg);
    req.format = Format::Png;
    ThumbnailResult r = renderThumbnail(req);
    REQUIRE(r.status == 200);
    int iw, ih;
    std::vector<uint8_t> px = decodePng(r.bytes, iw, ih);
    REQUIRE(iw == kWidth);
    REQUIRE(ih == kHeight);
    REQUIRE(!r.titleLines.empty());
    for (const Box& b : r.titleLines) {
      CHECK(kSafeArea.contains(b));
      CHECK(!b.intersects(kDurationBadge));
    }
    // Away from the scrim the background shows, dimmed and nothing else; that is most of the
    // picture.
    size_t far = 0, bgLike = 0, bright = 0;
    for (int y = 0; y < kHeight; y += 4) {
      for (int x = 0; x < kWidth; x += 4) {
        const uint8_t* p = &px[(size_t(y) * kWidth + x) * 3];
        if (distanceToBox(x, y, r.scrim) > kScrimFeather + 1) {
          far++;
          bool same = std::abs(p[0] - std::lround(bg.r * kBackgroundDim)) <= 1 &&
                      std::abs(p[1] - std::lround(bg.g * kBackgroundDim)) <= 1 &&
                      std::abs(p[2] - std::lround(bg.b * kBackgroundDim)) <= 1;
          bgLike += same;
        }
        bright += 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2] > 200;
      }
    }
    INFO(w << "x" << h);
    CHECK(far > 57600 / 5);  // of the 320x180 samples, over a fifth is beyond the scrim
    CHECK(bgLike == far);
    // The title is light (white or the template's light colour) over a dimmed picture: its fill
    // covers a visible share of it.
    CHECK(bright > 400);
  }
}

TEST_CASE("composed: a JPEG background, cropped to 16:9 from its centre", "[thumbnail]") {
  // Left half red, right half green, in a square: the centre crop keeps both halves.
  const int n = 512;
  std::vector<uint32_t> px(size_t(n) * n);
  for (int y = 0; y < n; y++)
    for (int x = 0; x < n; x++)
      px[size_t(y) * n + x] =
          (x < n / 2 ? render::Rgba{220, 30, 30} : render::Rgba{30, 200, 60}).packed();
  std::vector<uint8_t> jpeg;
  REQUIRE(render::encodeJpeg(px, n, n, 95, render::Rgba{}, jpeg));
  Image img;
  std::string why;
  REQUIRE(decodeImage(jpeg, img, why));
  CHECK(img.width == n);
  std::vector<uint32_t> canvas;
  coverInto(img, canvas);
  REQUIRE(canvas.size() == size_t(kWidth) * kHeight);
  auto red = [](uint32_t c) { return int(c & 255); };
  CHECK(red(canvas[size_t(360) * kWidth + 100]) > 180);
  CHECK(red(canvas[size_t(360) * kWidth + 1180]) < 70);
}

TEST_CASE("decodeImage refuses what is not a usable PNG or JPEG", "[thumbnail]") {
  Image img;
  std::string why;
  const std::vector<uint8_t> cases[] = {
      {},
      {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0},
      {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'},
      {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R'},  // cut short
      {0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 'J', 'F'},
  };
  for (const auto& c : cases) {
    CHECK(!decodeImage(c, img, why));
    CHECK(!why.empty());
  }
  // 5000 px wide: refused from the header, before any pixel is allocated.
  std::vector<uint8_t> wide = solidPng(5000, 2, {1, 2, 3});
  CHECK(!decodeImage(wide, img, why));
  CHECK(why.find("4096") != std::string::npos);
}

TEST_CASE("POST /thumbnail rules for premium, pro and backgrounds", "[thumbnail]") {
  const std::string b64 = base64(solidPng(32, 18, {10, 20, 30}));
  ThumbnailRequest ok;
  REQUIRE(parseThumbnailRequest(R"({"title":"x","background":")" + b64 + "\"}", ok).ok());
  CHECK(ok.algorithm == Algorithm::Premium);
  CHECK(!ok.background.empty());
  ThumbnailRequest pro;
  REQUIRE(
      parseThumbnailRequest(
          R"({"title":"x","algorithm":"pro","mood":"calm","colors":["#ff0000"],"background":")" +
              b64 + "\"}",
          pro)
          .ok());
  CHECK(pro.algorithm == Algorithm::Pro);
  CHECK(pro.hasMood);
  CHECK(pro.colors.size() == 1);
  // A plan needs no background.
  ThumbnailRequest plan;
  CHECK(parseThumbnailRequest(R"({"title":"x","algorithm":"pro"})", plan, true).ok());
  // A body with a background may pass the 16 KB limit; without one it may not.
  std::string big = base64(std::vector<uint8_t>(60000, 7));
  ThumbnailRequest large;
  CHECK(parseThumbnailRequest(R"({"title":"x","background":")" + big + "\"}", large).ok());

  struct Bad {
    std::string body;
    int status;
    const char* message;
  };
  const Bad table[] = {
      {R"({"title":"x","algorithm":"premium"})", 400, "send it as \"background\""},
      {R"({"title":"x","algorithm":"pro"})", 400, "/generate=pro"},
      {R"({"title":"x","algorithm":"ultra"})", 400, "unknown"},
      {R"({"title":"x","algorithm":"basic","background":")" + b64 + "\"}", 400, "basic"},
      {R"({"title":"x","background":"@@@"})", 400, "not valid base64"},
      {R"({"title":"x","background":42})", 400, "must be a string"},
      {R"({"title":"x","mood":"sleepy"})", 400, "mood"},
      {R"({"title":"x","colors":"#fff"})", 400, "colors"},
      {R"({"title":"x","colors":["red"]})", 400, "colors"},
      {R"({"title":"x","colors":["#000000","#000000","#000000","#000000"]})", 400, "at most 3"},
      {R"({"title":"x","subtitle":")" + std::string(20000, 'y') + "\"}", 413, "limit"},
  };
  for (const Bad& b : table) {
    ThumbnailRequest out;
    render::RequestError e = parseThumbnailRequest(b.body, out);
    INFO(b.body.substr(0, 80));
    CHECK(e.status == b.status);
    CHECK(e.message.find(b.message) != std::string::npos);
  }
  // Bytes that are base64 but no image: refused when drawing, as the caller's error.
  ThumbnailRequest junk;
  REQUIRE(parseThumbnailRequest(R"({"title":"x","background":"aGVsbG8gd29ybGQh"})", junk).ok());
  ThumbnailResult r = renderThumbnail(junk);
  CHECK(r.status == 400);
  CHECK(r.error.find("background") != std::string::npos);
}

TEST_CASE("the background prompt asks for the topic, the look and no text", "[thumbnail]") {
  Analysis a = analyze("Easy pizza recipe in red");
  std::string p = backgroundPrompt(a, "Easy \"pizza\" recipe", Algorithm::Premium, Align::Start);
  CHECK(p.find("food") != std::string::npos);
  CHECK(p.find("red") != std::string::npos);
  CHECK(p.find("empty space on the left") != std::string::npos);
  CHECK(p.find("No text") != std::string::npos);
  CHECK(p.find('"') == std::string::npos);  // quotes would ask the model to letter the title
  std::string pro = backgroundPrompt(a, "x", Algorithm::Pro, Align::End);
  CHECK(pro.find("highly detailed") != std::string::npos);
  CHECK(pro.find("empty space on the right") != std::string::npos);
  // A Hebrew title in a start-aligned template reads from the right: the space goes there.
  ThumbnailRequest he;
  he.title = "חדשות דחוף";
  const Analysis ha = effectiveAnalysis(he);
  const Template& t = *findTemplate("impact");
  CHECK(planBackgroundPrompt(he, ha, t).find("empty space on the right") != std::string::npos);
}

TEST_CASE("an LLM's analysis: accepted answers", "[thumbnail]") {
  Analysis a;
  std::string why;
  REQUIRE(parseLlmAnswer(
      R"({"category":"cooking","style":"bold","mood":"exciting","colors":["#FF0000","#00ff00"]})",
      a, why));
  CHECK(a.category == Category::Cooking);
  CHECK(a.style == Style::Bold);
  CHECK(a.mood == Mood::Exciting);
  REQUIRE(a.colors.size() == 2);
  CHECK(a.colors[0] == render::Rgba{255, 0, 0});
  // A fenced answer, no colours, extra keys the model volunteered.
  REQUIRE(
      parseLlmAnswer("```json\n{\"category\":\"travel\",\"style\":\"minimal\",\"mood\":\"calm\","
                     "\"why\":\"x\"}\n```",
                     a, why));
  CHECK(a.category == Category::Travel);
  CHECK(a.colors.empty());
  REQUIRE(parseLlmAnswer(R"({"category":"news","style":"modern","mood":"serious","colors":[]})", a,
                         why));
}

TEST_CASE("an LLM's analysis: refused answers keep the rules", "[thumbnail]") {
  const char* table[] = {
      "",
      "Sure! Here is the JSON you asked for.",
      R"({"category":"cooking","style":"bold","mood":"exciting"} and more)",
      R"(["cooking","bold","exciting"])",
      R"({"style":"bold","mood":"exciting"})",
      R"({"category":"food","style":"bold","mood":"exciting"})",
      R"({"category":"Cooking","style":"bold","mood":"exciting"})",
      R"({"category":"cooking","style":"shiny","mood":"exciting"})",
      R"({"category":"cooking","style":"bold","mood":7})",
      R"({"category":"cooking","style":"bold","mood":"exciting","colors":"#ff0000"})",
      R"({"category":"cooking","style":"bold","mood":"exciting","colors":["red"]})",
      R"({"category":"cooking","style":"bold","mood":"exciting","colors":["#fff"]})",
      R"({"category":"cooking","style":"bold","mood":"exciting","colors":["#000000","#111111","#222222","#333333"]})",
      "```json\n{\"category\":\"cooking\",\"style\":\"bold\",\"mood\":\"exciting\"}",
  };
  for (const char* answer : table) {
    Analysis a;
    a.category = Category::Gaming;
    std::string why;
    INFO(answer);
    CHECK(!parseLlmAnswer(answer, a, why));
    CHECK(!why.empty());
    CHECK(a.category == Category::Gaming);  // untouched
  }
  std::string huge = R"({"category":"cooking","style":"bold","mood":"exciting","x":")" +
                     std::string(3000, 'x') + "\"}";
  Analysis a;
  std::string why;
  CHECK(!parseLlmAnswer(huge, a, why));
  // Natively there is no host: a configured LLM fails and says so, and the caller keeps the rules.
  CHECK(!analyzeWithLlm("anything").used);
}
