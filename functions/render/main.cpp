// The render module's adapter: HTTP routes -> the render core. Nothing here draws or parses
// code; it checks method, auth and size, and turns results into responses.
//
//   POST /render            JSON (request.h) -> image/png or image/jpeg
//   POST /render/tokens     same body -> [[class, text], ...] (the CLI's --tokens)
//   GET  /render/themes     {"themes": [{"name", "dark", "colors": {...}}], "default": "..."}
//   GET  /render/languages  {"languages": [...]}
//   POST /thumbnail         JSON (thumbnail/thumbnail.h) -> 1280x720 image/jpeg or image/png
//   POST /thumbnail/plan    same body -> the analysis, template and premium background prompt
// and one event from the other modules (never an HTTP route):
//   reference {"mode": "normalize"|"builtin", "max_side", "width", "height", "seed"} + the photo's
//             bytes -> the image (reference/reference.h); 422 {"error"} when it cannot be decoded
#include <optional>
#include <string>

#include "lexer/token.h"
#include "reference/reference.h"
#include "render.h"
#include "request.h"
#include "shared/config.h"
#include "shared/entry.h"
#include "shared/host.h"
#include "shared/json.h"
#include "theme/themes.h"
#include "thumbnail/llm.h"
#include "thumbnail/thumbnail.h"

namespace {

fn::Response languages() {
  json::JsonWriter w;
  w.beginObject().key("languages").beginArray();
  for (size_t i = 0; i < render::languageCount(); i++) {
    if (!render::languageListed(render::Language(i))) continue;
    w.value(render::languageName(render::Language(i)));
  }
  w.endArray().endObject();
  return fn::Response::json(200, w.str());
}

std::string hexColor(render::Rgba c) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "#";
  for (uint8_t v : {c.r, c.g, c.b}) s += {kDigits[v >> 4], kDigits[v & 15]};
  return s;
}

// Each theme with the colours a client needs for a swatch.
fn::Response themes() {
  using render::TokenClass;
  json::JsonWriter w;
  w.beginObject().key("themes").beginArray();
  for (size_t i = 0; i < render::themeCount(); i++) {
    const render::Theme& t = render::themeAt(i);
    w.beginObject().key("name").value(t.name).key("dark").value(t.dark).key("colors").beginObject();
    w.key("background").value(hexColor(t.background));
    w.key("foreground").value(hexColor(t.foreground));
    w.key("line_number").value(hexColor(t.lineNumber));
    w.key("highlight_line").value(hexColor(t.highlightLine));
    for (TokenClass c : {TokenClass::Keyword, TokenClass::String, TokenClass::Comment,
                         TokenClass::NameFunction, TokenClass::Number, TokenClass::KeywordType}) {
      w.key(render::tokenClassName(c)).value(hexColor(t.color(c)));
    }
    w.endObject().endObject();
  }
  w.endArray().key("default").value(config::get(config::Setting::DEFAULT_THEME)).endObject();
  return fn::Response::json(200, w.str());
}

render::RequestDefaults defaults() {
  using config::Setting;
  render::RequestDefaults d;
  d.theme = std::string(config::get(Setting::DEFAULT_THEME));
  d.fontSize = int(config::getInt(Setting::DEFAULT_FONT_SIZE, 14));
  d.botName = std::string(config::get(Setting::BOT_NAME));
  d.maxSourceLines =
      uint32_t(std::max<int64_t>(1, config::getInt(Setting::RENDER_MAX_LINES, 2000)));
  d.maxWidth = uint32_t(std::max<int64_t>(64, config::getInt(Setting::RENDER_MAX_WIDTH, 6000)));
  d.maxHeight = uint32_t(std::max<int64_t>(64, config::getInt(Setting::RENDER_MAX_HEIGHT, 50000)));
  return d;
}

// Empty when allowed. With RENDER_API_KEY set, callers send `Authorization: Bearer <key>`.
std::string authProblem(const fn::Request& req) {
  std::string_view key = config::get(config::Setting::RENDER_API_KEY);
  if (key.empty()) return {};
  std::string_view token = config::bearerToken(req.header("authorization"));
  if (token.empty()) return "missing Authorization: Bearer token";
  if (!config::constantTimeEquals(token, key)) return "invalid API key";
  return {};
}

// The gate of every POST route here: 405 for another method, 401 without the key. Nothing when
// the request may go on.
std::optional<fn::Response> refusePost(const fn::Request& req) {
  if (req.method != "POST") {
    fn::Response r = fn::Response::error(405, "use POST with a JSON body");
    r.headers.emplace_back("allow", "POST");
    return r;
  }
  // An empty key leaves the API open; a placeholder or short one closes it (503, naming the
  // setting) rather than protecting it with a guessable key.
  if (!config::get(config::Setting::RENDER_API_KEY).empty()) {
    if (std::string p = config::secretProblem(config::Setting::RENDER_API_KEY); !p.empty()) {
      return fn::Response::error(503, p);
    }
  }
  if (std::string problem = authProblem(req); !problem.empty()) {
    fn::Response r = fn::Response::error(401, problem);
    r.headers.emplace_back("www-authenticate", "Bearer");
    return r;
  }
  return std::nullopt;
}

fn::Response tokens(const render::RenderRequest& req) {
  std::vector<render::Token> toks;
  render::tokenize(req.opt.language, req.code, toks);
  json::JsonWriter w;
  w.beginArray();
  for (const render::Token& t : toks) {
    w.beginArray()
        .value(render::tokenClassName(t.cls))
        .value(std::string_view(req.code).substr(t.begin, t.length))
        .endArray();
  }
  w.endArray();
  return fn::Response::json(200, w.str());
}

fn::Response renderRoute(const fn::Request& req, bool tokensOnly) {
  if (auto refusal = refusePost(req)) return *refusal;
  render::RenderRequest rr;
  render::RequestError err = render::parseRenderRequest(req.body, defaults(), rr);
  if (!err.ok()) return fn::Response::error(err.status, err.message);
  if (tokensOnly) return tokens(rr);
  render::RenderResult r = render::renderCode(rr.options());
  if (!r.needAssets.empty()) {
    // The host loads these fonts and runs the request again (host_abi.h, host_asset).
    fn::Response res = fn::Response::error(r.status, r.error);
    std::string names;
    for (const std::string& n : r.needAssets) names += (names.empty() ? "" : ",") + n;
    res.headers.emplace_back("x-host-need-assets", names);
    return res;
  }
  if (r.status != 200) return fn::Response::error(r.status, r.error);
  fn::Response res = fn::Response::bytes(200, r.contentType, std::move(r.bytes));
  res.headers.emplace_back("x-image-size",
                           std::to_string(r.width) + "x" + std::to_string(r.height));
  return res;
}

// The LLM's analysis when one is configured and the caller left the category to us (a caller
// that gives it, like the queue composing a planned thumbnail, was analysed already). Any failure
// keeps the rules: "llm" or "rules" says which one the image was drawn with.
const char* analyseWithLlm(thumb::ThumbnailRequest& tr) {
  if (tr.hasCategory || !thumb::llmConfigured()) return "rules";
  thumb::LlmAnalysis l = thumb::analyzeWithLlm(tr.title + " " + tr.subtitle);
  if (!l.used) {
    logger::warn(l.note + "; using the rules");
    return "rules";
  }
  tr.analysis = std::move(l.analysis);
  return "llm";
}

// Same rules as POST /render: 405, 401 with RENDER_API_KEY, 400/413 from the parser.
fn::Response thumbnailRoute(const fn::Request& req) {
  if (auto refusal = refusePost(req)) return *refusal;
  thumb::ThumbnailRequest tr;
  render::RequestError err = thumb::parseThumbnailRequest(req.body, tr);
  if (!err.ok()) return fn::Response::error(err.status, err.message);
  const char* source = analyseWithLlm(tr);
  thumb::ThumbnailResult r = thumb::renderThumbnail(tr);
  if (r.status != 200) return fn::Response::error(r.status, r.error);
  fn::Response res = fn::Response::bytes(200, r.contentType, std::move(r.bytes));
  res.headers.emplace_back("x-image-size",
                           std::to_string(r.width) + "x" + std::to_string(r.height));
  res.headers.emplace_back("x-thumbnail-template", r.templateName);
  res.headers.emplace_back("x-thumbnail-category", thumb::categoryName(r.analysis.category));
  res.headers.emplace_back("x-thumbnail-analysis", source);
  res.headers.emplace_back("x-thumbnail-algorithm", thumb::algorithmName(tr.algorithm));
  return res;
}

std::string hex(render::Rgba c) {
  static const char* kHex = "0123456789abcdef";
  std::string s = "#";
  for (uint8_t v : {c.r, c.g, c.b}) s += kHex[v >> 4], s += kHex[v & 15];
  return s;
}

// What a thumbnail would be drawn with, without drawing it: the bot asks this before queueing a
// premium/pro background, and sends the answer back with the model's image to compose.
fn::Response planRoute(const fn::Request& req) {
  if (auto refusal = refusePost(req)) return *refusal;
  thumb::ThumbnailRequest tr;
  render::RequestError err = thumb::parseThumbnailRequest(req.body, tr, true);
  if (!err.ok()) return fn::Response::error(err.status, err.message);
  const char* source = analyseWithLlm(tr);
  thumb::Analysis a = thumb::effectiveAnalysis(tr);
  const thumb::Template& t = thumb::effectiveTemplate(tr, a);
  json::JsonWriter w;
  w.beginObject()
      .key("category")
      .value(thumb::categoryName(a.category))
      .key("style")
      .value(thumb::styleName(a.style))
      .key("mood")
      .value(thumb::moodName(a.mood))
      .key("colors")
      .beginArray();
  for (const render::Rgba& c : a.colors) w.value(hex(c));
  w.endArray()
      .key("template")
      .value(t.name)
      .key("analysis")
      .value(source)
      .key("algorithm")
      .value(thumb::algorithmName(tr.algorithm))
      .key("background_prompt")
      .value(thumb::planBackgroundPrompt(tr, a, t))
      .endObject();
  return fn::Response::json(200, w.str());
}

fn::Response getOnly(const fn::Request& req, fn::Response (*handler)()) {
  if (req.method != "GET" && req.method != "HEAD") {
    fn::Response r = fn::Response::error(405, "use GET");
    r.headers.emplace_back("allow", "GET");
    return r;
  }
  return handler();
}

fn::Response referenceEvent(const fn::Event& ev) {
  refimg::Options o;
  o.mode = json::getString(ev.data, "mode").value_or("") == "builtin" ? refimg::Mode::Builtin
                                                                      : refimg::Mode::Normalize;
  o.maxSide = int(json::getInt(ev.data, "max_side").value_or(1024));
  o.width = int(json::getInt(ev.data, "width").value_or(512));
  o.height = int(json::getInt(ev.data, "height").value_or(512));
  o.seed = uint64_t(json::getInt(ev.data, "seed").value_or(0));
  refimg::Output out;
  std::string why;
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(ev.body.data()), ev.body.size());
  if (!refimg::process(bytes, o, out, why)) return fn::Response::error(422, why);
  fn::Response r = fn::Response::bytes(200, out.contentType, std::move(out.bytes));
  r.headers.emplace_back("x-width", std::to_string(out.width));
  r.headers.emplace_back("x-height", std::to_string(out.height));
  return r;
}

}  // namespace

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind == "reference") return referenceEvent(ev);
  if (ev.kind != "fetch") return Response::error(400, "render handles HTTP requests only");
  const Request& req = ev.request;
  if (req.path == "/render") return renderRoute(req, false);
  if (req.path == "/render/tokens") return renderRoute(req, true);
  if (req.path == "/render/themes") return getOnly(req, themes);
  if (req.path == "/render/languages") return getOnly(req, languages);
  if (req.path == "/thumbnail") return thumbnailRoute(req);
  if (req.path == "/thumbnail/plan") return planRoute(req);
  return Response::error(404, "no such route");
}
