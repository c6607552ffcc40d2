#include "shared/clients.h"

#include <algorithm>

#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"

namespace clients {
namespace {

std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Error errorOf(const host::Reply& r) {
  return r.error.find("timed out") != std::string::npos ||
                 r.error.find("timeout") != std::string::npos
             ? Error::Timeout
             : Error::Unavailable;
}

Result<Answer> answerOf(host::Reply r, std::string_view what) {
  if (!r.ok()) return {errorOf(r), std::string(what) + ": " + r.error};
  Answer a;
  simdjson::dom::parser p;
  json::Object meta;
  if (p.parse(r.json).get(meta) != simdjson::SUCCESS) {
    return {Error::Internal, std::string(what) + ": an unreadable reply"};
  }
  a.status = int(json::getInt(meta, "status").value_or(0));
  a.meta = std::move(r.json);
  a.body = std::move(r.body);
  return a;
}

}  // namespace

// ---- R2
// ------------------------------------------------------------------------------------------
namespace r2 {

Result<Object> get(std::string_view key) {
  json::JsonWriter w;
  w.beginObject().key("op").value("get").key("key").value(key).endObject();
  host::Reply r = host::r2(w.str());
  if (!r.ok()) {
    return {errorOf(r), "r2 get " + std::string(key) + ": " + r.error};
  }
  Object o;
  simdjson::dom::parser p;
  json::Object meta;
  if (p.parse(r.json).get(meta) == simdjson::SUCCESS) {
    if (json::getBool(meta, "found") == false) return {Error::NotFound, std::string(key)};
    o.contentType = std::string(json::getString(meta, "content_type").value_or(""));
  }
  o.bytes = std::move(r.body);
  return o;
}

Status put(std::string_view key, std::span<const uint8_t> bytes, std::string_view contentType,
           std::string_view metadataJson) {
  json::JsonWriter w;
  w.beginObject()
      .key("op")
      .value("put")
      .key("key")
      .value(key)
      .key("content_type")
      .value(contentType);
  if (!metadataJson.empty()) w.key("metadata").raw(metadataJson);
  w.endObject();
  host::Reply r = host::r2(w.str(), bytes);
  if (!r.ok()) return {errorOf(r), "r2 put " + std::string(key) + ": " + r.error};
  return {};
}

Status remove(const std::vector<std::string>& keys) {
  if (keys.empty()) return {};
  json::JsonWriter w;
  w.beginObject().key("op").value("delete").key("keys").beginArray();
  for (const std::string& k : keys) w.value(k);
  w.endArray().endObject();
  host::Reply r = host::r2(w.str());
  if (!r.ok()) return {errorOf(r), "r2 delete: " + r.error};
  return {};
}

Result<Listing> list(std::string_view prefix, int64_t limit, std::string_view cursor) {
  json::JsonWriter w;
  w.beginObject().key("op").value("list").key("prefix").value(prefix).key("limit").value(limit);
  if (!cursor.empty()) w.key("cursor").value(cursor);
  w.endObject();
  host::Reply r = host::r2(w.str());
  if (!r.ok()) return {errorOf(r), "r2 list: " + r.error};
  Listing out;
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(r.json).get(o) != simdjson::SUCCESS) return {Error::Internal, "r2 list: unreadable"};
  if (auto objs = json::getArray(o, "objects")) {
    for (auto el : *objs) {
      json::Object obj;
      if (el.get(obj) != simdjson::SUCCESS) continue;
      out.objects.push_back({std::string(json::getString(obj, "key").value_or("")),
                             json::getDouble(obj, "uploaded_ms").value_or(0)});
    }
  }
  out.truncated = json::getBool(o, "truncated").value_or(false);
  out.cursor = std::string(json::getString(o, "cursor").value_or(""));
  return out;
}

Result<int64_t> removePrefix(std::string_view prefix) {
  int64_t n = 0;
  std::string cursor;
  for (int page = 0; page < 100; page++) {
    Result<Listing> l = list(prefix, 1000, cursor);
    if (!l) return {l.error(), l.detail()};
    std::vector<std::string> keys;
    for (const Listed& o : l->objects) keys.push_back(o.key);
    if (!keys.empty()) {
      if (Status s = remove(keys); !s) return {s.error(), s.detail()};
      n += int64_t(keys.size());
    }
    if (!l->truncated || l->cursor.empty()) break;
    cursor = l->cursor;
  }
  return n;
}

}  // namespace r2

// ---- modules and objects ----------------------------------------------------------------------

std::string Answer::header(std::string_view name) const {
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(meta).get(o) != simdjson::SUCCESS) return {};
  auto h = json::getObject(o, "headers");
  return h ? std::string(json::getString(*h, name).value_or("")) : std::string();
}

std::string Answer::errorMessage(std::string_view fallback) const {
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(text()).get(o) != simdjson::SUCCESS) return std::string(fallback);
  return std::string(json::getString(o, "error").value_or(fallback));
}

Result<Answer> route(std::string_view function, std::string_view method, std::string_view path,
                     std::string_view jsonBody) {
  json::JsonWriter req;
  req.beginObject().key("function").value(function).key("event").beginObject();
  req.key("kind").value("fetch").key("request").beginObject();
  req.key("method").value(method).key("path").value(path);
  req.key("url").value("internal:" + std::string(path)).key("query").value("");
  req.key("headers").beginObject();
  if (!jsonBody.empty()) req.key("content-type").value("application/json");
  // The routes check RENDER_API_KEY for every caller; the caller holds the key already.
  if (std::string_view key = config::get(config::Setting::RENDER_API_KEY); !key.empty()) {
    req.key("authorization").value("Bearer " + std::string(key));
  }
  req.endObject().endObject().endObject().endObject();
  return answerOf(host::invoke(req.str(), bytesOf(jsonBody)),
                  std::string(function) + " " + std::string(path));
}

Result<Answer> event(std::string_view function, std::string_view kind, std::string_view fieldsJson,
                     std::span<const uint8_t> body) {
  // {"kind": kind, ...fields}: the fields object's members after the kind.
  std::string ev = "{\"kind\":";
  json::appendQuoted(ev, kind);
  std::string_view inner = fieldsJson;
  while (!inner.empty() && inner.front() != '{') inner.remove_prefix(1);
  if (!inner.empty()) inner.remove_prefix(1);
  while (!inner.empty() && (inner.front() == ' ' || inner.front() == '\n')) inner.remove_prefix(1);
  if (!inner.empty() && inner.front() != '}') ev += ",";
  ev += std::string(inner.empty() ? "}" : inner);
  json::JsonWriter req;
  req.beginObject().key("function").value(function).key("event").raw(ev).endObject();
  return answerOf(host::invoke(req.str(), body), std::string(function) + " " + std::string(kind));
}

Result<Answer> object(std::string_view binding, std::string_view name, std::string_view method,
                      std::string_view path, std::string_view body) {
  json::JsonWriter req;
  req.beginObject()
      .key("binding")
      .value(binding)
      .key("name")
      .value(name)
      .key("path")
      .value(path)
      .key("method")
      .value(method)
      .endObject();
  return answerOf(host::doFetch(req.str(), bytesOf(body)),
                  std::string(binding) + "/" + std::string(name) + std::string(path));
}

// ---- chat LLM
// ------------------------------------------------------------------------------------
namespace llm {

std::optional<Chat> configured(const Settings& s) {
  Chat chat;
  chat.provider = std::string(config::get(s.provider));
  if (chat.provider != "workers-ai" && chat.provider != "openai") return std::nullopt;
  chat.model = std::string(config::get(s.model));
  chat.url = std::string(config::get(s.url));
  chat.urlName = config::settingName(s.url);
  chat.apiKey = std::string(config::get(config::Setting::ENHANCE_API_KEY));
  chat.timeoutMs =
      std::clamp<int64_t>(config::getInt(s.timeoutMs, s.defaultTimeoutMs), 100, s.maxTimeoutMs);
  return chat;
}

std::string chatContent(std::string_view body) {
  simdjson::dom::parser p;
  json::Object o;
  json::Array choices;
  if (p.parse(body).get(o) != simdjson::SUCCESS || o["choices"].get(choices) != simdjson::SUCCESS) {
    return {};
  }
  for (json::Element c : choices) {
    json::Object co, msg;
    if (c.get(co) == simdjson::SUCCESS && co["message"].get(msg) == simdjson::SUCCESS) {
      return std::string(json::getString(msg, "content").value_or(""));
    }
    break;
  }
  return {};
}

Result<std::string> complete(const Chat& chat, std::string_view system, std::string_view user) {
  json::JsonWriter m;
  m.beginArray();
  m.beginObject().key("role").value("system").key("content").value(system).endObject();
  m.beginObject().key("role").value("user").key("content").value(user).endObject();
  m.endArray();
  const std::string& messagesJson = m.str();
  if (chat.provider == "workers-ai") {
    json::JsonWriter w;
    w.beginObject().key("model").value(chat.model).key("timeout_ms").value(chat.timeoutMs);
    w.key("input").beginObject().key("messages").raw(messagesJson);
    w.key("max_tokens").value(int64_t(chat.maxTokens)).endObject().endObject();
    host::Reply r = host::ai(w.str());
    if (!r.ok()) return {errorOf(r), r.error};
    simdjson::dom::parser p;
    json::Object o;
    if (p.parse(r.json).get(o) == simdjson::SUCCESS) {
      if (auto v = json::getObject(o, "value")) {
        return std::string(json::getString(*v, "response").value_or(""));
      }
    }
    return std::string();
  }
  if (chat.provider != "openai") return {Error::BadInput, "no LLM provider is configured"};
  if (chat.url.empty()) {
    return {Error::BadInput, (chat.urlName.empty() ? "the URL" : chat.urlName) + " is not set"};
  }
  json::JsonWriter b;
  b.beginObject().key("model").value(chat.model).key("messages").raw(messagesJson);
  b.key("max_tokens").value(int64_t(chat.maxTokens)).key("temperature").value(chat.temperature);
  if (chat.jsonAnswer)
    b.key("response_format").beginObject().key("type").value("json_object").endObject();
  b.endObject();
  json::JsonWriter w;
  w.beginObject().key("url").value(chat.url).key("method").value("POST");
  w.key("timeout_ms").value(chat.timeoutMs).key("headers").beginObject();
  w.key("content-type").value("application/json");
  if (!chat.apiKey.empty()) w.key("authorization").value("Bearer " + chat.apiKey);
  w.endObject().endObject();
  host::Reply r = host::fetch(w.str(), bytesOf(b.str()));
  if (!r.ok()) return {errorOf(r), r.error};
  simdjson::dom::parser mp;
  json::Object meta;
  if (mp.parse(r.json).get(meta) == simdjson::SUCCESS) {
    if (auto err = json::getString(meta, "error")) return {Error::Unavailable, std::string(*err)};
    if (int64_t status = json::getInt(meta, "status").value_or(0); status != 200) {
      return {Error::Refused, "HTTP " + std::to_string(status)};
    }
  }
  return chatContent(std::string_view(reinterpret_cast<const char*>(r.body.data()), r.body.size()));
}

}  // namespace llm
}  // namespace clients
