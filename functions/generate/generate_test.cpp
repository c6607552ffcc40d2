// The generate core without a host: model configuration, the enhancer's output cleaning,
// moderation detection, image sniffing and the built-in drawing; FAL's queue format (fal.h).
#include <catch2/catch.hpp>

#include "enhance.h"
#include "fal.h"
#include "image.h"
#include "providers.h"
#include "shared/models.h"

using namespace gen;

TEST_CASE("MODELS: names, providers, prices and parameters", "[generate]") {
  std::string err;
  auto m = parseModels(
      R"([{"name":"flux","provider":"workers-ai","model":"@cf/black-forest-labs/flux-1-schnell","cost":1,"params":{"steps":4}},
          {"name":"sdxl","provider":"http-post","url":"https://x.example/sdxl","cost":2,
           "params":{"width":1024,"height":1024,"steps":20,"negative_prompt":"blurry","seed":true},"concurrency":3}])",
      &err);
  REQUIRE(m.size() == 2);
  CHECK(err.empty());
  CHECK(m[0].name == "flux");
  CHECK(m[0].target == "@cf/black-forest-labs/flux-1-schnell");
  CHECK(m[0].steps == 4);
  CHECK(m[0].width == 0);  // flux-1-schnell has no size parameter
  CHECK(m[1].provider == "http-post");
  CHECK(m[1].cost == 2);
  CHECK(m[1].width == 1024);
  CHECK(m[1].negativePrompt == "blurry");
  CHECK(m[1].seed);
  CHECK(m[1].concurrency == 3);
}

TEST_CASE("MODELS: invalid entries are skipped with a reason", "[generate]") {
  struct Case {
    const char* json;
  } cases[] = {
      {R"([{"name":"Bad Name","provider":"builtin"}])"},
      {R"([{"name":"x","provider":"magic"}])"},
      {R"([{"name":"x","provider":"http-get"}])"},  // no url
      {R"([{"name":"x","provider":"builtin","cost":-1}])"},
  };
  for (const Case& c : cases) {
    std::string err;
    INFO(c.json);
    CHECK(parseModels(c.json, &err).empty());
    CHECK(!err.empty());
  }
  std::string err;
  CHECK(parseModels("not json", &err).empty());
  CHECK(err == "MODELS is not a JSON array");
}

TEST_CASE("MODELS: what each model takes besides the prompt", "[generate]") {
  std::string err;
  auto m = parseModels(
      R"([{"name":"edit","provider":"workers-ai","model":"@cf/runwayml/stable-diffusion-v1-5-img2img",
           "inputs":["text","image"],"requires_image":true,"params":{"strength":1.7}},
          {"name":"f2","provider":"workers-ai","model":"@cf/black-forest-labs/flux-2-dev",
           "inputs":["text","images:40"]},
          {"name":"get","provider":"http-get","url":"https://x.example/","inputs":["images:2"]},
          {"name":"plain","provider":"builtin","requires_image":true}])",
      &err);
  REQUIRE(m.size() == 4);
  CHECK(m[0].maxImages == 1);
  CHECK(m[0].requiresImage);
  CHECK(m[0].format == "image_b64");
  CHECK(m[0].strength == 1.0);  // clamped
  CHECK(m[1].maxImages == 10);  // clamped
  CHECK(m[1].format == "multipart");
  CHECK(m[2].maxImages == 0);  // a GET carries no photo
  CHECK(err.find("http-get model cannot take images") != std::string::npos);
  CHECK_FALSE(m[3].takesImages());
  CHECK_FALSE(m[3].requiresImage);  // a text-only model cannot require a photo
}

TEST_CASE("STYLE_PRESETS: prefix and suffix around the prompt; names of models are refused",
          "[generate]") {
  std::string err;
  auto s = parseStyles(
      R"([{"name":"noir","prefix":"film noir still of ","suffix":", high contrast",
           "negative_prompt":"colour","model":"sdxl"},
          {"name":"flux","prefix":"x"},
          {"name":"Bad Name"}])",
      &err);
  REQUIRE(s.size() == 1);
  CHECK(s[0].apply("a detective") == "film noir still of a detective, high contrast");
  CHECK(s[0].negativePrompt == "colour");
  CHECK(s[0].model == "sdxl");
  CHECK_FALSE(err.empty());
  CHECK(parseStyles("{}", &err).empty());
}

TEST_CASE("enhancer output is cleaned: fences, labels, quotes, whitespace, length", "[generate]") {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"A fox", "A fox"},
      {"```\nA fox in snow\n```", "A fox in snow"},
      {"```text\nPrompt: \"A fox\"\n```", "A fox"},
      {"Enhanced prompt: 'a fox'", "a fox"},
      {"  «лиса»  ", "лиса"},
      {"“a fox”", "a fox"},
      {"a\n\n  fox\t in   snow", "a fox in snow"},
      {"```\n\n```", ""},
      {"\"\"", ""},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(cleanEnhanced(c.in, 1000) == c.out);
  }
  CHECK(cleanEnhanced("абвгд", 3) == "абв");  // code points, not bytes
  CHECK(cleanEnhanced("a\xff"
                      "b",
                      10) ==
        "a\xEF\xBF\xBD"
        "b");
}

TEST_CASE("moderation answers are recognised; other errors are not", "[generate]") {
  CHECK(looksModerated(400, R"({"error":"NSFW content detected","moderation":true})"));
  CHECK(looksModerated(451, ""));
  CHECK(looksModerated(0, "AiError: Input prompt contains NSFW content (3030)"));
  CHECK(looksModerated(200, R"({"flagged":true})"));
  CHECK_FALSE(looksModerated(400, R"({"error":"invalid parameters"})"));
  CHECK_FALSE(looksModerated(500, "moderation service down"));
  CHECK_FALSE(looksModerated(429, "rate limited"));
}

TEST_CASE("built-in images are deterministic PNGs of the asked size", "[generate]") {
  auto a = drawBuiltin("a fox", 7, 96, 64);
  auto b = drawBuiltin("a fox", 7, 96, 64);
  auto c = drawBuiltin("a dog", 7, 96, 64);
  CHECK(a == b);
  CHECK(a != c);
  ImageInfo info = sniffImage(a);
  CHECK(info.contentType == "image/png");
  CHECK(info.width == 96);
  CHECK(info.height == 64);
}

TEST_CASE("base64 and image sniffing", "[generate]") {
  std::vector<uint8_t> out;
  REQUIRE(base64Decode("aGVsbG8=", out));
  CHECK(std::string(out.begin(), out.end()) == "hello");
  CHECK_FALSE(base64Decode("a*b", out));
  std::vector<uint8_t> jpeg = {0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11,
                               0x08, 0x01, 0x00, 0x02, 0x00, 0x03};
  ImageInfo j = sniffImage(jpeg);
  CHECK(j.contentType == "image/jpeg");
  CHECK(j.width == 512);
  CHECK(j.height == 256);
  CHECK(sniffImage(std::vector<uint8_t>{'{', '}'}).contentType.empty());
}

TEST_CASE("model answers: flux's base64 JSON and SDXL's bytes both decode", "[generate]") {
  std::vector<uint8_t> png = drawBuiltin("x", 1, 8, 4);
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i < png.size(); i += 3) {
    uint32_t v = uint32_t(png[i]) << 16 | (i + 1 < png.size() ? uint32_t(png[i + 1]) << 8 : 0) |
                 (i + 2 < png.size() ? png[i + 2] : 0);
    b64 += kB64[v >> 18 & 63];
    b64 += kB64[v >> 12 & 63];
    b64 += i + 1 < png.size() ? kB64[v >> 6 & 63] : '=';
    b64 += i + 2 < png.size() ? kB64[v & 63] : '=';
  }
  for (std::string json :
       {"{\"image\":\"" + b64 + "\"}", "{\"result\":{\"image\":\"" + b64 + "\"}}"}) {
    ImageResult r;
    INFO(json.substr(0, 20));
    REQUIRE(decodeModelAnswer(std::vector<uint8_t>(json.begin(), json.end()), r));
    CHECK(r.bytes == png);
    CHECK(r.contentType == "image/png");
    CHECK(r.width == 8);
    CHECK(r.height == 4);
  }
  ImageResult raw;
  REQUIRE(decodeModelAnswer(png, raw));
  CHECK(raw.bytes == png);
  ImageResult bad;
  std::string err = R"({"errors":[{"message":"capacity"}]})";
  CHECK_FALSE(decodeModelAnswer(std::vector<uint8_t>(err.begin(), err.end()), bad));
}

TEST_CASE("fal-queue: the model entry, the request body with photos as data URIs", "[generate]") {
  std::string err;
  auto m = parseModels(
      R"([{"name":"fal","provider":"fal-queue","model":"fal-ai/flux/dev","cost":2,"inputs":["text","images:2"],
           "params":{"width":512,"height":384,"steps":8,"negative_prompt":"blurry","seed":true}},
          {"name":"nomodel","provider":"fal-queue"}])",
      &err);
  REQUIRE(m.size() == 1);  // a fal-queue entry needs its model id
  CHECK(!err.empty());
  CHECK(isAsync(m[0]));
  CHECK(m[0].maxImages == 2);
  GenerateRequest req;
  req.model = &m[0];
  req.prompt = "a fox \"in\" snow";
  req.seed = 7;
  req.negativePrompt = "text";
  req.refs.push_back({{0xff, 0xd8, 0xff}, "image/jpeg"});
  const std::string body = fal::inputJson(req);
  CHECK(body.find(R"("prompt":"a fox \"in\" snow")") != std::string::npos);
  CHECK(body.find(R"("image_size":{"width":512,"height":384})") != std::string::npos);
  CHECK(body.find(R"("num_inference_steps":8)") != std::string::npos);
  CHECK(body.find(R"("seed":7)") != std::string::npos);
  CHECK(body.find(R"("negative_prompt":"blurry, text")") != std::string::npos);
  CHECK(body.find(R"("image_url":"data:image/jpeg;base64,/9j/")") != std::string::npos);
  CHECK(body.find(R"("image_urls":["data:image/jpeg;base64,/9j/"])") != std::string::npos);
}

TEST_CASE("fal-queue: webhooks are parsed strictly", "[generate]") {
  fal::Hook ok = fal::parseHook(
      R"({"request_id":"r-1","gateway_request_id":"r-1","status":"OK","payload":{"images":[{"url":"https://x/1.png"}]}})");
  CHECK(ok.valid);
  CHECK(ok.ok);
  CHECK(ok.requestId == "r-1");
  CHECK(ok.payload.find("https://x/1.png") != std::string::npos);
  fal::Hook bad =
      fal::parseHook(R"({"request_id":"r-2","status":"ERROR","error":"Out of memory"})");
  CHECK(bad.valid);
  CHECK(!bad.ok);
  CHECK(bad.error == "Out of memory");
  CHECK(!fal::parseHook("not json").valid);
  CHECK(!fal::parseHook(R"({"status":"OK","payload":{}})").valid);        // no request id
  CHECK(!fal::parseHook(R"({"request_id":"r","status":"DONE"})").valid);  // unknown status
  CHECK(!fal::parseHook(R"({"request_id":"r","status":"OK"})").valid);    // OK, no result
  CHECK(!fal::parseHook(R"({"request_id":")" + std::string(200, 'a') + R"(","status":"ERROR"})")
             .valid);
}

TEST_CASE("fal-queue: a result's image from a data URI; a flagged or empty result is refused",
          "[generate]") {
  const std::vector<uint8_t> png = drawBuiltin("x", 1, 8, 8);
  const std::string uri = "data:image/png;base64," + base64Encode(png);
  ImageResult r = fal::imageFrom(R"({"images":[{"url":")" + uri + R"("}]})", 0);
  CHECK(r.outcome == Outcome::Ok);
  CHECK(r.contentType == "image/png");
  CHECK(r.width == 8);
  CHECK(r.bytes == png);
  ImageResult flagged =
      fal::imageFrom(R"({"images":[{"url":")" + uri + R"("}],"has_nsfw_concepts":[true]})", 0);
  CHECK(flagged.outcome == Outcome::Moderated);
  CHECK(fal::imageFrom(R"({"images":[]})", 0).outcome == Outcome::Failed);
  CHECK(fal::imageFrom(R"({"images":[{"url":"file:///etc/passwd"}]})", 0).outcome ==
        Outcome::Failed);
  CHECK(fal::imageFrom(R"({"images":[{"url":"data:text/plain,hello"}]})", 0).outcome ==
        Outcome::Failed);
  CHECK(fal::failureFrom(422, R"({"detail":"NSFW content detected"})").outcome ==
        Outcome::Moderated);
  CHECK(fal::failureFrom(422, R"({"detail":"bad size"})").outcome == Outcome::Failed);
}
