// The exports every module has: the host writes one event blob into guest memory, calls
// guest_handle, and reads one reply blob back. Blob = u32 LE JSON length | JSON | body bytes.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "shared/config.h"
#include "shared/entry.h"
#include "shared/json.h"

#define GUEST_EXPORT(name) extern "C" __attribute__((export_name(name)))

namespace fn {

std::string_view Request::header(std::string_view name) const {
  for (auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Request::queryParam(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    size_t eq = part.find('=');
    if (part.substr(0, eq) == name) {
      std::string out;
      std::string_view v = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      for (size_t i = 0; i < v.size(); i++) {
        if (v[i] == '+') {
          out.push_back(' ');
        } else if (v[i] == '%' && i + 2 < v.size() + 0 && hexValue(v[i + 1]) >= 0 &&
                   hexValue(v[i + 2]) >= 0) {
          out.push_back(char(hexValue(v[i + 1]) * 16 + hexValue(v[i + 2])));
          i += 2;
        } else {
          out.push_back(v[i]);
        }
      }
      return out;
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

Response Response::json(int status, std::string_view text) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/json; charset=utf-8");
  r.body.assign(text.begin(), text.end());
  return r;
}

Response Response::error(int status, std::string_view message) {
  json::JsonWriter w;
  w.beginObject().key("error").value(message).endObject();
  return json(status, w.str());
}

Response Response::bytes(int status, std::string_view contentType, std::vector<uint8_t> data) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", std::string(contentType));
  r.body = std::move(data);
  return r;
}

}  // namespace fn

namespace {

std::vector<uint8_t> gReply;

void setReply(const fn::Response& res) {
  json::JsonWriter w;
  w.beginObject().key("status").value(res.status).key("headers").beginObject();
  for (auto& [k, v] : res.headers) w.key(k).value(v);
  w.endObject().endObject();
  const std::string& j = w.str();
  uint32_t n = uint32_t(j.size());
  gReply.resize(4 + j.size() + res.body.size());
  memcpy(gReply.data(), &n, 4);
  memcpy(gReply.data() + 4, j.data(), j.size());
  if (!res.body.empty()) memcpy(gReply.data() + 4 + j.size(), res.body.data(), res.body.size());
}

fn::Response dispatch(const uint8_t* blob, size_t len) {
  if (len < 4) return fn::Response::error(500, "malformed event");
  uint32_t jsonLen;
  memcpy(&jsonLen, blob, 4);
  if (size_t(jsonLen) + 4 > len) return fn::Response::error(500, "malformed event");
  std::string_view text(reinterpret_cast<const char*>(blob) + 4, jsonLen);
  // One parser per call: events are small and simdjson's parser keeps its buffer between calls.
  static simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text).get(obj) != simdjson::SUCCESS) {
    return fn::Response::error(500, "malformed event");
  }
  fn::Event ev;
  ev.data = obj;
  ev.body = std::string_view(reinterpret_cast<const char*>(blob) + 4 + jsonLen, len - 4 - jsonLen);
  ev.kind = std::string(json::getString(obj, "kind").value_or(""));
  ev.cron = std::string(json::getString(obj, "cron").value_or(""));
  ev.scheduledMs = json::getDouble(obj, "scheduled_ms").value_or(0);
  ev.objectName = std::string(json::getString(obj, "object").value_or(""));
  if (auto req = json::getObject(obj, "request")) {
    ev.request.method = std::string(json::getString(*req, "method").value_or("GET"));
    ev.request.url = std::string(json::getString(*req, "url").value_or(""));
    ev.request.path = std::string(json::getString(*req, "path").value_or("/"));
    ev.request.query = std::string(json::getString(*req, "query").value_or(""));
    if (auto headers = json::getObject(*req, "headers")) {
      for (auto field : *headers) {
        std::string_view v;
        if (field.value.get(v) == simdjson::SUCCESS) {
          ev.request.headers.emplace_back(std::string(field.key), std::string(v));
        }
      }
    }
    ev.request.body = ev.body;
  }
  return fn::handleEvent(ev);
}

}  // namespace

GUEST_EXPORT("guest_alloc") void* guestAlloc(size_t n) {
  return malloc(n ? n : 1);
}
GUEST_EXPORT("guest_free") void guestFree(void* p) {
  free(p);
}
GUEST_EXPORT("guest_init") void guestInit(const char* env, size_t len) {
  config::load(std::string_view(env, len));
}
GUEST_EXPORT("guest_handle") size_t guestHandle(const uint8_t* blob, size_t len) {
  setReply(dispatch(blob, len));
  return gReply.size();
}
GUEST_EXPORT("guest_result") const uint8_t* guestResult() {
  return gReply.data();
}
