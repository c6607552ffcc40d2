#include "providers.h"

#include <algorithm>
#include <cctype>

#include "image.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"

namespace gen {
namespace {

using config::Setting;

constexpr double kBackoffBaseMs = 500;
constexpr int kMaxRetryAfterS = 30;

struct Try {
  enum Kind { Ok, Retry, Moderated, Fatal } kind = Fatal;
  ImageResult result;
  std::string detail;
  double retryAfterMs = 0;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string urlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool decodeModelAnswer(std::vector<uint8_t> body, ImageResult& out) {
  ImageInfo info = sniffImage(body);
  if (info.contentType.empty()) {
    simdjson::dom::parser p;
    json::Object o;
    std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
    if (p.parse(text).get(o) != simdjson::SUCCESS) return false;
    std::optional<std::string_view> b64 = json::getString(o, "image");
    if (!b64) {
      if (auto r = json::getObject(o, "result")) b64 = json::getString(*r, "image");
    }
    std::vector<uint8_t> decoded;
    if (!b64 || !base64Decode(*b64, decoded)) return false;
    body = std::move(decoded);
    info = sniffImage(body);
    if (info.contentType.empty()) return false;
  }
  out.bytes = std::move(body);
  out.contentType = info.contentType;
  out.width = info.width;
  out.height = info.height;
  return true;
}

namespace {

// The model's negative prompt with the style's after it. Models whose params list no negative
// prompt get none (flux takes none).
std::string negativeOf(const GenerateRequest& req) {
  const std::string& m = req.model->negativePrompt;
  if (req.negativePrompt.empty()) return m;
  return m.empty() ? req.negativePrompt : m + ", " + req.negativePrompt;
}

Try classifyHttp(const host::Reply& r) {
  Try t;
  if (!r.ok()) {
    t.kind = Try::Retry;
    t.detail = r.error;
    return t;
  }
  simdjson::dom::parser p;
  json::Object meta;
  int64_t status = 0;
  double waitMs = 0;
  if (p.parse(r.json).get(meta) == simdjson::SUCCESS) {
    if (auto e = json::getString(meta, "error")) {
      t.kind = Try::Retry;
      t.detail = std::string(*e);
      return t;
    }
    status = json::getInt(meta, "status").value_or(0);
    if (auto h = json::getObject(meta, "headers")) {
      if (auto ra = json::getString(*h, "retry-after")) waitMs = retryAfterMs(*ra);
    }
  }
  std::string_view body(reinterpret_cast<const char*>(r.body.data()), r.body.size());
  t.detail = "HTTP " + std::to_string(status);
  if (looksModerated(int(status), body)) {
    t.kind = Try::Moderated;
    return t;
  }
  if (status == 429 || status >= 500) {
    t.kind = Try::Retry;
    t.retryAfterMs = waitMs;
    return t;
  }
  if (status != 200) {
    t.kind = Try::Fatal;
    return t;
  }
  if (!decodeModelAnswer(r.body, t.result)) {
    t.kind = Try::Fatal;
    t.detail = "the answer is not an image";
    return t;
  }
  t.kind = Try::Ok;
  return t;
}

Try callHttp(const GenerateRequest& req, double timeoutMs) {
  const Model& m = *req.model;
  json::JsonWriter w;
  w.beginObject();
  std::string bodyText;
  if (m.provider == "http-get") {
    std::string url = m.target + (m.target.find('?') == std::string::npos ? "?" : "&");
    url += "prompt=" + urlEncode(req.prompt);
    if (m.steps) url += "&steps=" + std::to_string(m.steps);
    if (m.width) {
      url += "&width=" + std::to_string(req.width ? req.width : m.width) +
             "&height=" + std::to_string(req.height ? req.height : m.height);
    }
    if (m.seed) url += "&seed=" + std::to_string(req.seed);
    if (!m.negativePrompt.empty()) url += "&negative_prompt=" + urlEncode(negativeOf(req));
    w.key("url").value(url).key("method").value("GET");
  } else {
    json::JsonWriter b;
    b.beginObject().key("prompt").value(req.prompt);
    if (!m.negativePrompt.empty()) b.key("negative_prompt").value(negativeOf(req));
    if (m.width) {
      b.key("width")
          .value(req.width ? req.width : m.width)
          .key("height")
          .value(req.height ? req.height : m.height);
    }
    if (m.steps) b.key("num_steps").value(m.steps);
    if (m.seed) b.key("seed").value(int64_t(req.seed));
    // Reference photos: the first as "image_b64" (the SDXL img2img field), all as "images_b64".
    if (!req.refs.empty()) {
      b.key("image_b64").value(base64Encode(req.refs[0].bytes));
      b.key("images_b64").beginArray();
      for (const Reference& r : req.refs) b.value(base64Encode(r.bytes));
      b.endArray();
      if (m.strength > 0) b.key("strength").value(m.strength);
    }
    b.endObject();
    bodyText = b.take();
    w.key("url")
        .value(m.target)
        .key("method")
        .value("POST")
        .key("headers")
        .beginObject()
        .key("content-type")
        .value("application/json");
    std::string_view key = config::get(Setting::MODEL_API_KEY);
    if (!key.empty()) w.key("authorization").value("Bearer " + std::string(key));
    w.endObject();
  }
  w.key("timeout_ms").value(int64_t(timeoutMs)).endObject();
  std::span<const uint8_t> body(reinterpret_cast<const uint8_t*>(bodyText.data()), bodyText.size());
  return classifyHttp(host::fetch(w.str(), body));
}

Try classifyAi(const host::Reply& r) {
  Try t;
  if (!r.ok()) {
    t.detail = r.error;
    std::string l = lower(r.error);
    t.kind = looksModerated(0, r.error) ? Try::Moderated
             : l.find("timeout") != std::string::npos || l.find("capacity") != std::string::npos ||
                     l.find("network") != std::string::npos ||
                     l.find("internal") != std::string::npos ||
                     l.find("429") != std::string::npos || l.find("rate") != std::string::npos
                 ? Try::Retry
                 : Try::Fatal;
    return t;
  }
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(r.json).get(o) != simdjson::SUCCESS) return t;
  std::string_view type = json::getString(o, "type").value_or("");
  bool ok = false;
  if (type == "bytes") {
    ok = decodeModelAnswer(r.body, t.result);
  } else if (auto v = json::getObject(o, "value")) {
    std::string text = simdjson::to_string(*v);
    ok = decodeModelAnswer(std::vector<uint8_t>(text.begin(), text.end()), t.result);
  }
  t.kind = ok ? Try::Ok : Try::Fatal;
  if (!ok) t.detail = "the model's answer is not an image";
  return t;
}

// flux-2 on Workers AI takes multipart form data, even for a prompt alone: the host builds the
// form from "multipart" (text fields) and "files" (slices of the body, in order).
// {"model", "timeout_ms", `inputs`: {"prompt", ...: the caller goes on with the inputs.
void aiRequestHead(json::JsonWriter& w, const GenerateRequest& req, double timeoutMs,
                   std::string_view inputs) {
  w.beginObject()
      .key("model")
      .value(req.model->target)
      .key("timeout_ms")
      .value(int64_t(timeoutMs))
      .key(inputs)
      .beginObject()
      .key("prompt")
      .value(req.prompt);
}

host::Reply callMultipart(const GenerateRequest& req, double timeoutMs) {
  const Model& m = *req.model;
  json::JsonWriter w;
  aiRequestHead(w, req, timeoutMs, "multipart");
  if (m.steps) w.key("steps").value(std::to_string(m.steps));
  if (m.width) {
    w.key("width")
        .value(std::to_string(req.width ? req.width : m.width))
        .key("height")
        .value(std::to_string(req.height ? req.height : m.height));
  }
  if (m.seed) w.key("seed").value(std::to_string(req.seed % 4294967295ull));
  w.endObject().key("files").beginArray();
  std::vector<uint8_t> body;
  for (size_t i = 0; i < req.refs.size(); i++) {
    w.beginObject()
        .key("name")
        .value("input_image_" + std::to_string(i))
        .key("type")
        .value(req.refs[i].contentType)
        .key("size")
        .value(int64_t(req.refs[i].bytes.size()))
        .endObject();
    body.insert(body.end(), req.refs[i].bytes.begin(), req.refs[i].bytes.end());
  }
  w.endArray().endObject();
  return host::ai(w.str(), body);
}

Try callWorkersAi(const GenerateRequest& req, double timeoutMs) {
  const Model& m = *req.model;
  if (m.format == "multipart") return classifyAi(callMultipart(req, timeoutMs));
  json::JsonWriter w;
  aiRequestHead(w, req, timeoutMs, "input");
  // img2img and inpainting (stable-diffusion-v1-5-img2img/-inpainting): the photo as base64.
  if (!req.refs.empty()) {
    w.key("image_b64").value(base64Encode(req.refs[0].bytes));
    if (m.strength > 0) w.key("strength").value(m.strength);
  }
  // flux-1-schnell takes prompt + steps; SDXL takes width/height, num_steps (<= 20), a negative
  // prompt and a seed. Only what the model's params list is sent.
  bool isFlux = m.target.find("flux") != std::string::npos;
  if (m.steps) w.key(isFlux ? "steps" : "num_steps").value(m.steps);
  if (m.width) {
    w.key("width")
        .value(req.width ? req.width : m.width)
        .key("height")
        .value(req.height ? req.height : m.height);
  }
  if (!m.negativePrompt.empty()) w.key("negative_prompt").value(negativeOf(req));
  if (m.seed) w.key("seed").value(int64_t(req.seed % 4294967295ull));
  w.endObject().endObject();
  return classifyAi(host::ai(w.str()));
}

}  // namespace

bool looksModerated(int status, std::string_view body) {
  if (status == 451) return true;
  if (status != 0 && status != 400 && status != 403 && status != 422 && status != 200) return false;
  std::string l = lower(body.substr(0, 4096));
  for (const char* w : {"nsfw", "moderation", "moderated", "flagged", "content policy",
                        "safety system", "unsafe content"}) {
    if (l.find(w) != std::string::npos) return true;
  }
  return false;
}

namespace {

// The render module decodes a reference (hostile bytes) and answers a clean image: a JPEG that
// fits `maxSide` (Normalize), or the built-in provider's drawing from it (mode "builtin").
Result<clients::Answer> throughRender(const Reference& ref, std::string_view fields) {
  return clients::event("render", "reference", fields, ref.bytes);
}

ImageResult badReference(std::string detail) {
  ImageResult out;
  out.outcome = Outcome::BadReference;
  out.detail = std::move(detail);
  out.tries = 0;
  return out;
}

}  // namespace

std::optional<ImageResult> normalizeReferences(std::vector<Reference>& refs) {
  for (Reference& r : refs) {
    Result<clients::Answer> a = throughRender(r, R"({"mode":"normalize","max_side":1024})");
    if (!a) {
      ImageResult out;
      out.detail = "render: " + a.detail();
      return out;  // Failed: the render module was unreachable, not the photo's fault
    }
    if (a->status != 200) return badReference(a->errorMessage("the photo cannot be read"));
    r.bytes = std::move(a->body);
    r.contentType = "image/jpeg";
  }
  return std::nullopt;
}

ImageResult generateImage(const GenerateRequest& reqIn) {
  const Model& m = *reqIn.model;
  ImageResult out;
  if (m.provider == "builtin" && !reqIn.refs.empty()) {
    // Offline with a photo: a recoloured, mirrored copy of the first one, decoded by render.
    int w = reqIn.width ? reqIn.width : m.width ? m.width : 512;
    int h = reqIn.height ? reqIn.height : m.height ? m.height : 512;
    json::JsonWriter f;
    f.beginObject()
        .key("mode")
        .value("builtin")
        .key("width")
        .value(w)
        .key("height")
        .value(h)
        .key("seed")
        .value(int64_t(reqIn.seed % 4294967295ull))
        .endObject();
    Result<clients::Answer> a = throughRender(reqIn.refs[0], f.str());
    out.tries = 1;
    if (!a) {
      out.detail = "render: " + a.detail();
      return out;
    }
    if (a->status != 200) return badReference(a->errorMessage("the photo cannot be read"));
    out.bytes = std::move(a->body);
    out.outcome = Outcome::Ok;
    out.contentType = "image/png";
    out.width = uint32_t(w);
    out.height = uint32_t(h);
    return out;
  }
  GenerateRequest withRefs;
  const GenerateRequest* use = &reqIn;
  if (!reqIn.refs.empty()) {
    withRefs = reqIn;
    if (auto failed = normalizeReferences(withRefs.refs)) return *failed;
    use = &withRefs;
  }
  const GenerateRequest& req = *use;
  if (m.provider == "builtin") {
    int w = req.width ? req.width : m.width ? m.width : 512;
    int h = req.height ? req.height : m.height ? m.height : 512;
    out.bytes = drawBuiltin(req.prompt, req.seed, w, h);
    out.tries = 1;
    if (out.bytes.empty()) {
      out.detail = "png encoding failed";
      return out;
    }
    out.outcome = Outcome::Ok;
    out.contentType = "image/png";
    out.width = uint32_t(w);
    out.height = uint32_t(h);
    return out;
  }
  ImageResult made;
  Retried r = withRetries(req, "model " + m.name, [&](double timeoutMs) {
    Try t = m.provider == "workers-ai" ? callWorkersAi(req, timeoutMs) : callHttp(req, timeoutMs);
    Attempt a;
    a.detail = t.detail;
    a.retryAfterMs = t.retryAfterMs;
    a.kind = t.kind == Try::Retry ? Attempt::Retry : Attempt::Stop;
    if (t.kind == Try::Ok) {
      a.kind = Attempt::Done;
      made = std::move(t.result);
    } else if (t.kind == Try::Moderated) {
      made.outcome = Outcome::Moderated;
    }
    return a;
  });
  out.tries = r.tries;
  out.detail = r.detail;
  if (r.outcome == Outcome::Ok) {
    made.outcome = Outcome::Ok;
    made.tries = r.tries;
    return made;
  }
  out.outcome = made.outcome == Outcome::Moderated ? Outcome::Moderated : r.outcome;
  return out;
}

double retryAfterMs(std::string_view header) {
  const double s = atof(std::string(header).c_str());
  return s > 0 ? std::min<double>(s, kMaxRetryAfterS) * 1000 : 0;
}

Retried withRetries(const GenerateRequest& req, std::string_view what,
                    const std::function<Attempt(double timeoutMs)>& attempt) {
  Retried out;
  const int tries = int(std::clamp<int64_t>(config::getInt(Setting::MODEL_RETRIES, 3), 1, 10));
  const double perTry = double(config::getInt(Setting::MODEL_CONNECT_TIMEOUT, 30) +
                               config::getInt(Setting::MODEL_READ_TIMEOUT, 120)) *
                        1000;
  double backoff = kBackoffBaseMs;
  for (int i = 1; i <= tries; i++) {
    const double left = req.deadlineMs - host::nowMs();
    if (left <= 0) {
      out.outcome = Outcome::TimedOut;
      out.detail = "generation timeout";
      return out;
    }
    Attempt a = attempt(std::min(perTry, left));
    out.tries = i;
    out.detail = a.detail;
    if (a.kind == Attempt::Done) {
      out.outcome = Outcome::Ok;
      return out;
    }
    if (a.kind == Attempt::Stop) return out;
    logger::warn(std::string(what) + " try " + std::to_string(i) + ": " + a.detail);
    if (i == tries) break;
    if (req.heartbeat) req.heartbeat();
    const double wait = std::max(backoff, a.retryAfterMs);
    if (host::nowMs() + wait >= req.deadlineMs) {
      out.outcome = Outcome::TimedOut;
      return out;
    }
    host::sleepMs(int64_t(wait));
    backoff *= 2;
  }
  if (host::nowMs() >= req.deadlineMs) out.outcome = Outcome::TimedOut;
  return out;
}

}  // namespace gen
