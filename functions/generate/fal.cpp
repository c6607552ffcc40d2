#include "fal.h"

#include <algorithm>

#include "image.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "zip.h"

namespace gen::fal {
namespace {

using config::Setting;

// A result image larger than this is refused (a model's image is a few MB at most).
constexpr size_t kMaxImageBytes = 32u << 20;

struct Http {
  bool sent = false;  // false: network error or timeout (error says which)
  bool timedOut = false;
  int status = 0;
  double retryAfterMs = 0;
  std::string error;
  std::vector<uint8_t> body;
  std::string_view text() const {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
  bool transient() const { return !sent || status == 429 || status >= 500; }
};

std::string base() {
  std::string b(config::get(Setting::FAL_API_BASE));
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

double perTryMs() {
  return double(config::getInt(Setting::MODEL_CONNECT_TIMEOUT, 30) +
                config::getInt(Setting::MODEL_READ_TIMEOUT, 120)) *
         1000;
}

// `withKey`: the FAL key goes only to FAL_API_BASE, never to an image URL.
Http call(std::string_view method, const std::string& url, std::string_view body, bool withKey,
          double timeoutMs) {
  json::JsonWriter w;
  w.beginObject().key("url").value(url).key("method").value(method);
  w.key("headers").beginObject();
  if (!body.empty()) w.key("content-type").value("application/json");
  std::string_view key = config::get(Setting::FAL_KEY);
  if (withKey && !key.empty()) w.key("authorization").value("Key " + std::string(key));
  w.endObject();
  w.key("timeout_ms").value(int64_t(std::max(1.0, timeoutMs))).endObject();
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  host::Reply r = host::fetch(w.str(), bytes);
  Http h;
  if (!r.ok()) {
    h.error = r.error;
    h.timedOut = r.error.find("timeout") != std::string::npos;
    return h;
  }
  simdjson::dom::parser p;
  json::Object meta;
  if (p.parse(r.json).get(meta) == simdjson::SUCCESS) {
    if (auto e = json::getString(meta, "error")) {
      h.error = std::string(*e);
      h.timedOut = json::getBool(meta, "timeout").value_or(false);
      return h;
    }
    h.status = int(json::getInt(meta, "status").value_or(0));
    if (auto hd = json::getObject(meta, "headers")) {
      if (auto ra = json::getString(*hd, "retry-after")) h.retryAfterMs = retryAfterMs(*ra);
    }
  }
  h.sent = true;
  h.body = std::move(r.body);
  return h;
}

std::string describe(const Http& h) {
  return h.sent ? "HTTP " + std::to_string(h.status) : h.error;
}

bool under(std::string_view url, const std::string& b) {
  return url.size() > b.size() && url.substr(0, b.size() + 1) == b + "/";
}

std::string dataUri(const Reference& r) {
  return "data:" + (r.contentType.empty() ? std::string("image/jpeg") : r.contentType) +
         ";base64," + base64Encode(r.bytes);
}

}  // namespace

std::string trainingInput(const GenerateRequest& req) {
  std::vector<zip::File> files;
  for (size_t i = 0; i < req.refs.size(); i++) {
    files.push_back({"photo" + std::to_string(i + 1) + ".jpg", &req.refs[i].bytes});
  }
  json::JsonWriter b;
  b.beginObject()
      .key("images_data_url")
      .value("data:application/zip;base64," + base64Encode(zip::stored(files)))
      .key("trigger_word")
      .value(req.trigger)
      .key("create_masks")
      .value(true)
      .endObject();
  return b.take();
}

std::string inputJson(const GenerateRequest& req) {
  const Model& m = *req.model;
  if (m.training) return trainingInput(req);
  json::JsonWriter b;
  // A trained avatar: its trigger word starts the prompt, its weights go as "loras".
  b.beginObject().key("prompt").value(
      req.lora.empty() || req.trigger.empty() ? req.prompt : req.trigger + ", " + req.prompt);
  if (!req.lora.empty()) {
    b.key("loras").beginArray().beginObject().key("path").value(req.lora);
    b.key("scale").value(1.0).endObject().endArray();
  }
  if (m.width) {
    b.key("image_size")
        .beginObject()
        .key("width")
        .value(req.width ? req.width : m.width)
        .key("height")
        .value(req.height ? req.height : m.height)
        .endObject();
  }
  if (m.steps) b.key("num_inference_steps").value(m.steps);
  if (m.seed) b.key("seed").value(int64_t(req.seed % 4294967295ull));
  // Only to a model whose params list one, the style's after the model's (as providers.cpp).
  if (!m.negativePrompt.empty()) {
    std::string neg = m.negativePrompt;
    if (!req.negativePrompt.empty()) neg += ", " + req.negativePrompt;
    b.key("negative_prompt").value(neg);
  }
  if (!req.refs.empty()) {
    b.key("image_url").value(dataUri(req.refs[0]));
    b.key("image_urls").beginArray();
    for (const Reference& r : req.refs) b.value(dataUri(r));
    b.endArray();
    if (m.strength > 0) b.key("strength").value(m.strength);
  }
  b.key("num_images").value(1).key("enable_safety_checker").value(true).endObject();
  return b.take();
}

Submission submit(const GenerateRequest& req, std::string_view webhookUrl) {
  const Model& m = *req.model;
  Submission out;
  const std::string b = base();
  std::string url = b + "/" + m.target;
  if (!webhookUrl.empty()) url += "?fal_webhook=" + urlEncode(webhookUrl);
  const std::string body = inputJson(req);
  Retried r = withRetries(req, "model " + m.name + " submit", [&](double timeoutMs) {
    Http h = call("POST", url, body, true, timeoutMs);
    Attempt a;
    a.detail = describe(h);
    a.retryAfterMs = h.retryAfterMs;
    if (h.sent && (h.status == 200 || h.status == 201 || h.status == 202)) {
      a.kind = Attempt::Done;
      simdjson::dom::parser p;
      json::Object o;
      if (p.parse(h.text()).get(o) != simdjson::SUCCESS) {
        a.detail = "the submit answer is not JSON";
        return a;
      }
      out.requestId = std::string(json::getString(o, "request_id").value_or(""));
      if (out.requestId.empty() || out.requestId.size() > 128) {
        a.detail = "the submit answer has no request_id";
        return a;
      }
      // FAL's own URLs (an app's path may differ from the model id's); built from the id when
      // absent or not under FAL_API_BASE.
      std::string_view su = json::getString(o, "status_url").value_or("");
      std::string_view ru = json::getString(o, "response_url").value_or("");
      const std::string id = urlEncode(out.requestId);
      out.statusUrl =
          under(su, b) ? std::string(su) : b + "/" + m.target + "/requests/" + id + "/status";
      out.responseUrl = under(ru, b) ? std::string(ru) : b + "/" + m.target + "/requests/" + id;
      out.outcome = Outcome::Ok;
      return a;
    }
    if (h.sent && looksModerated(h.status, h.text())) {
      out.outcome = Outcome::Moderated;
      return a;  // Stop
    }
    // 4xx: the request is wrong, a retry would be too.
    a.kind = h.transient() ? Attempt::Retry : Attempt::Stop;
    return a;
  });
  out.tries = r.tries;
  out.detail = r.detail;
  if (out.outcome == Outcome::Moderated || out.outcome == Outcome::Ok) return out;
  out.outcome = r.outcome == Outcome::TimedOut ? Outcome::TimedOut : Outcome::Failed;
  return out;
}

ImageResult failureFrom(int status, std::string_view text) {
  ImageResult out;
  out.tries = 1;
  out.outcome =
      looksModerated(status == 0 ? 400 : status, text) ? Outcome::Moderated : Outcome::Failed;
  out.detail = status ? "HTTP " + std::to_string(status) : "the provider reported an error";
  return out;
}

ImageResult loraFrom(std::string_view resultJson) {
  ImageResult out;
  out.tries = 1;
  simdjson::dom::parser p;
  json::Object o, file;
  std::string_view url;
  if (p.parse(resultJson).get(o) != simdjson::SUCCESS ||
      o["diffusers_lora_file"].get(file) != simdjson::SUCCESS ||
      file["url"].get(url) != simdjson::SUCCESS) {
    out.detail = "the training's result has no diffusers_lora_file.url";
    return out;
  }
  // Sent back to the provider with each generation: an https URL of a sane length only.
  if (url.substr(0, 8) != "https://" || url.size() > 1000) {
    out.detail = "the training's LoRA URL is not an https URL";
    return out;
  }
  out.loraUrl = std::string(url);
  out.outcome = Outcome::Ok;
  return out;
}

ImageResult resultFrom(const Model& m, std::string_view resultJson, double deadlineMs) {
  return m.training ? loraFrom(resultJson) : imageFrom(resultJson, deadlineMs);
}

ImageResult imageFrom(std::string_view resultJson, double deadlineMs) {
  ImageResult out;
  out.tries = 1;
  simdjson::dom::parser p;
  json::Object o;
  json::Array images;
  if (p.parse(resultJson).get(o) != simdjson::SUCCESS ||
      o["images"].get(images) != simdjson::SUCCESS || images.size() == 0) {
    out.detail = "the result has no images";
    return out;
  }
  // FAL's safety checker: a flagged image comes back black; say so instead of sending it.
  if (auto flags = json::getArray(o, "has_nsfw_concepts")) {
    for (json::Element f : *flags) {
      bool b = false;
      if (f.get(b) == simdjson::SUCCESS && b) {
        out.outcome = Outcome::Moderated;
        out.detail = "flagged by the provider's safety checker";
        return out;
      }
    }
  }
  json::Object first;
  std::string_view url;
  if (images.at(0).get(first) != simdjson::SUCCESS || first["url"].get(url) != simdjson::SUCCESS) {
    out.detail = "the result's image has no url";
    return out;
  }
  std::vector<uint8_t> bytes;
  if (url.substr(0, 5) == "data:") {
    const size_t comma = url.find(',');
    if (comma == std::string_view::npos || url.substr(0, comma).find(";base64") == url.npos ||
        url.size() > kMaxImageBytes * 4 / 3 + 64 || !base64Decode(url.substr(comma + 1), bytes)) {
      out.detail = "the result's data URI is not base64";
      return out;
    }
  } else if (url.substr(0, 8) == "https://" || url.substr(0, 7) == "http://") {
    const double left = deadlineMs - host::nowMs();
    if (left <= 0) {
      out.outcome = Outcome::TimedOut;
      out.detail = "generation timeout";
      return out;
    }
    Http h = call("GET", std::string(url), "", false, std::min(perTryMs(), left));
    if (!h.sent || h.status != 200) {
      out.detail = "image download: " + describe(h);
      return out;
    }
    bytes = std::move(h.body);
  } else {
    out.detail = "the result's image url is not http(s) or data";
    return out;
  }
  if (bytes.size() > kMaxImageBytes) {
    out.detail = "the result's image is over " + std::to_string(kMaxImageBytes >> 20) + " MB";
    return out;
  }
  if (!decodeModelAnswer(std::move(bytes), out)) {
    out.detail = "the result is not an image";
    return out;
  }
  out.outcome = Outcome::Ok;
  return out;
}

Collected poll(const Model& m, std::string_view statusUrl, std::string_view responseUrl,
               double deadlineMs) {
  Collected c;
  const double left = deadlineMs - host::nowMs();
  if (left <= 0) {
    c.pending = false;
    c.result.outcome = Outcome::TimedOut;
    c.result.detail = "generation timeout";
    return c;
  }
  Http st = call("GET", std::string(statusUrl), "", true, std::min(perTryMs(), left));
  if (st.transient()) {
    c.error = "status: " + describe(st);
    return c;
  }
  simdjson::dom::parser p;
  json::Object o;
  if (st.status != 200 || p.parse(st.text()).get(o) != simdjson::SUCCESS) {
    // 4xx: FAL no longer knows the request (or the key is wrong): it will not finish.
    c.pending = false;
    c.result = failureFrom(st.status, st.text());
    c.result.detail = "status: " + c.result.detail;
    return c;
  }
  std::string_view status = json::getString(o, "status").value_or("");
  if (status != "COMPLETED") return c;
  Http res = call("GET", std::string(responseUrl), "", true,
                  std::min(perTryMs(), deadlineMs - host::nowMs()));
  if (res.transient()) {
    c.error = "response: " + describe(res);
    return c;
  }
  c.pending = false;
  c.result = res.status == 200 ? resultFrom(m, res.text(), deadlineMs)
                               : failureFrom(res.status, res.text());
  if (c.result.outcome != Outcome::Ok) c.result.detail = m.name + ": " + c.result.detail;
  return c;
}

bool cancel(std::string_view responseUrl) {
  if (!under(responseUrl, base())) return false;
  Http h = call("PUT", std::string(responseUrl) + "/cancel", "", true, 5000);
  return h.sent && (h.status == 200 || h.status == 202);
}

Hook parseHook(std::string_view body) {
  Hook h;
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(body).get(o) != simdjson::SUCCESS) return h;
  h.requestId = std::string(json::getString(o, "request_id").value_or(""));
  std::string_view status = json::getString(o, "status").value_or("");
  if (h.requestId.empty() || h.requestId.size() > 128 || (status != "OK" && status != "ERROR"))
    return h;
  h.ok = status == "OK";
  if (auto pl = json::getObject(o, "payload")) h.payload = simdjson::to_string(*pl);
  if (auto e = json::getString(o, "error")) h.error = std::string(*e);
  if (h.ok && h.payload.empty()) return h;  // OK without a result: not a webhook we understand
  if (!h.ok && h.error.empty()) h.error = h.payload.empty() ? "error" : h.payload;
  h.valid = true;
  return h;
}

}  // namespace gen::fal
