#include "shared/models.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"

namespace gen {
namespace {

// Local runs and tests work with no account: both default models draw offline.
constexpr const char* kBuiltinDefaults =
    R"([{"name":"flux","provider":"builtin","cost":1,"inputs":["text","images:4"],)"
    R"("params":{"steps":4,"width":512,"height":512}},)"
    R"({"name":"sdxl","provider":"builtin","cost":2,"params":{"width":512,"height":512,"steps":20,)"
    R"("negative_prompt":"blurry, low quality","seed":true}}])";

bool validName(std::string_view n) {
  if (n.empty() || n.size() > 32) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int clampInt(std::optional<int64_t> v, int lo, int hi) {
  if (!v) return 0;
  return int(*v < lo ? lo : *v > hi ? hi : *v);
}

}  // namespace

std::vector<Model> parseModels(std::string_view text, std::string* error) {
  std::vector<Model> out;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  json::Array arr;
  if (parser.parse(padded).get(arr) != simdjson::SUCCESS) {
    if (error) *error = "MODELS is not a JSON array";
    return out;
  }
  for (json::Element e : arr) {
    json::Object o;
    if (e.get(o) != simdjson::SUCCESS) continue;
    Model m;
    m.name = std::string(json::getString(o, "name").value_or(""));
    m.provider = std::string(json::getString(o, "provider").value_or("builtin"));
    m.target =
        std::string(json::getString(o, "model").value_or(json::getString(o, "url").value_or("")));
    m.cost = json::getInt(o, "cost").value_or(1);
    m.concurrency = int(json::getInt(o, "concurrency")
                            .value_or(config::getInt(config::Setting::QUEUE_CONCURRENCY, 1)));
    if (m.concurrency < 1) m.concurrency = 1;
    if (m.concurrency > 8) m.concurrency = 8;
    bool known = m.provider == "builtin" || m.provider == "workers-ai" ||
                 m.provider == "http-get" || m.provider == "http-post" || m.provider == "fal-queue";
    if (!validName(m.name) || !known || m.cost < 0 ||
        (m.provider != "builtin" && m.target.empty())) {
      if (error) *error = "MODELS entry '" + m.name + "' is invalid";
      continue;
    }
    if (auto p = json::getObject(o, "params")) {
      m.width = clampInt(json::getInt(*p, "width"), 64, 2048);
      m.height = clampInt(json::getInt(*p, "height"), 64, 2048);
      m.steps = clampInt(json::getInt(*p, "steps"), 1, 50);
      m.negativePrompt = std::string(json::getString(*p, "negative_prompt").value_or(""));
      m.seed = json::getBool(*p, "seed").value_or(false);
    }
    m.answer = std::string(json::getString(o, "answer").value_or("auto"));
    if (auto in = json::getArray(o, "inputs")) {
      for (json::Element e : *in) {
        std::string_view v;
        if (e.get(v) != simdjson::SUCCESS) continue;
        if (v == "image") {
          m.maxImages = std::max(m.maxImages, 1);
        } else if (v.substr(0, 7) == "images:") {
          int n = atoi(std::string(v.substr(7)).c_str());
          m.maxImages = std::max(m.maxImages, n < 1 ? 1 : n > 10 ? 10 : n);
        } else if (v == "lora") {
          m.lora = true;
        }
      }
    }
    if (m.lora && m.provider != "fal-queue") {
      if (error) *error = "MODELS entry '" + m.name + "': only a fal-queue model takes a LoRA";
      m.lora = false;
    }
    if (m.provider == "http-get" && m.maxImages > 0) {
      // A GET request carries no photo.
      if (error) *error = "MODELS entry '" + m.name + "': an http-get model cannot take images";
      m.maxImages = 0;
    }
    m.requiresImage = m.maxImages > 0 && json::getBool(o, "requires_image").value_or(false);
    m.format = std::string(json::getString(o, "format").value_or(""));
    if (m.format.empty() && m.provider == "workers-ai" && m.maxImages > 0) {
      m.format = m.target.find("flux-2") != std::string::npos ? "multipart" : "image_b64";
    }
    if (auto p = json::getObject(o, "params")) {
      double st = json::getDouble(*p, "strength").value_or(0);
      m.strength = st < 0 ? 0 : st > 1 ? 1 : st;
    }
    out.push_back(std::move(m));
  }
  return out;
}

const std::vector<Model>& models() {
  // Settings are loaded once per instance, before any event: parse once.
  static std::vector<Model> cached = [] {
    std::string_view v = config::get(config::Setting::MODELS);
    std::string err;
    std::vector<Model> m = parseModels(v.empty() ? kBuiltinDefaults : v, &err);
    if (!err.empty()) logger::warn("models: " + err);
    if (m.empty()) m = parseModels(kBuiltinDefaults, nullptr);
    return m;
  }();
  return cached;
}

const Model* findModel(std::string_view name) {
  for (const Model& m : models()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const Model* trainingModel() {
  static const std::optional<Model> cached = []() -> std::optional<Model> {
    std::string_view v = config::get(config::Setting::AVATAR_TRAINING);
    if (v.empty()) return std::nullopt;
    std::string err;
    std::vector<Model> m = parseModels("[" + std::string(v) + "]", &err);
    if (m.size() != 1 || m[0].provider != "fal-queue" || findModel(m[0].name)) {
      logger::warn("AVATAR_TRAINING: not one fal-queue model entry named unlike MODELS' " + err);
      return std::nullopt;
    }
    m[0].training = true;
    m[0].maxImages = 10;  // all of an avatar's photos
    m[0].seed = false;
    m[0].lora = false;
    return m[0];
  }();
  return cached ? &*cached : nullptr;
}

const Model* queueModel(std::string_view name) {
  if (const Model* m = findModel(name)) return m;
  const Model* t = trainingModel();
  return t && t->name == name ? t : nullptr;
}

const Model* loraModel() {
  const Model* m = findModel(config::get(config::Setting::AVATAR_LORA_MODEL));
  if (m && m->lora) return m;
  for (const Model& x : models()) {
    if (x.lora) return &x;
  }
  return nullptr;
}

std::string modelNames() {
  std::string s;
  for (const Model& m : models()) {
    if (!s.empty()) s += ", ";
    s += m.name;
  }
  return s;
}

namespace {

constexpr const char* kDefaultStyles =
    R"([{"name":"anime","prefix":"anime style illustration of ","suffix":", cel shading, vibrant )"
    R"(colours","negative_prompt":"photo, realistic"},)"
    R"({"name":"photo","prefix":"photograph of ","suffix":", 35mm, natural light, sharp focus",)"
    R"("negative_prompt":"drawing, cartoon, illustration"},)"
    R"({"name":"watercolor","prefix":"watercolour painting of ","suffix":", soft washes, paper )"
    R"(texture","negative_prompt":"photo"},)"
    R"({"name":"pixel","prefix":"pixel art of ","suffix":", 16-bit, limited palette",)"
    R"("negative_prompt":"blurry, smooth gradients"},)"
    R"({"name":"cinematic","prefix":"cinematic still of ","suffix":", dramatic lighting, )"
    R"(anamorphic lens, film grain","negative_prompt":"cartoon"}])";

std::string textField(const json::Object& o, std::string_view key, size_t max) {
  std::string s(json::getString(o, key).value_or(""));
  if (s.size() > max) s.resize(max);
  return s;
}

}  // namespace

std::vector<Style> parseStyles(std::string_view text, std::string* error) {
  std::vector<Style> out;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  json::Array arr;
  if (parser.parse(padded).get(arr) != simdjson::SUCCESS) {
    if (error) *error = "STYLE_PRESETS is not a JSON array";
    return out;
  }
  for (json::Element e : arr) {
    json::Object o;
    if (e.get(o) != simdjson::SUCCESS) continue;
    Style s;
    s.name = std::string(json::getString(o, "name").value_or(""));
    if (!validName(s.name) || findModel(s.name)) {
      // A style named like a model would make /image=NAME=... ambiguous.
      if (error) *error = "STYLE_PRESETS entry '" + s.name + "' is invalid";
      continue;
    }
    s.prefix = textField(o, "prefix", 200);
    s.suffix = textField(o, "suffix", 200);
    s.negativePrompt = textField(o, "negative_prompt", 300);
    s.model = std::string(json::getString(o, "model").value_or(""));
    out.push_back(std::move(s));
    if (out.size() == 50) break;
  }
  return out;
}

const std::vector<Style>& styles() {
  static std::vector<Style> cached = [] {
    std::string_view v = config::get(config::Setting::STYLE_PRESETS);
    std::string err;
    std::vector<Style> s = parseStyles(v.empty() ? kDefaultStyles : v, &err);
    if (!err.empty()) logger::warn("styles: " + err);
    return s;
  }();
  return cached;
}

const Style* findStyle(std::string_view name) {
  for (const Style& s : styles()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string imageModelNames() {
  std::string s;
  for (const Model& m : models()) {
    if (!m.takesImages()) continue;
    if (!s.empty()) s += ", ";
    s += m.name;
  }
  return s;
}

}  // namespace gen
