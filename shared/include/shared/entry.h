// The contract between the generic exports (shared/src/entry.cpp) and one function module.
//
// Each module (functions/*/main.cpp) defines fn::handleEvent; entry.cpp turns the host's event blob
// into an Event, calls it, and hands the Response back. Nothing else crosses the boundary.
//
//   fn::Response fn::handleEvent(const fn::Event& ev) {
//     if (ev.kind == "fetch" && ev.request.path == "/render") return renderRoute(ev.request);
//     return fn::Response::error(404, "not found");
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/json.h"

namespace fn {

struct Request {
  std::string method;
  std::string url;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string_view body;

  // Empty when absent.
  std::string_view header(std::string_view lowerName) const;
  // Value of ?name=... (not percent-decoded beyond '+' and %XX), empty when absent.
  std::string queryParam(std::string_view name) const;
};

struct Event {
  // "fetch" (HTTP), "scheduled" (cron), "alarm" (Durable Object), "do_fetch" (request to a Durable
  // Object), "deferred" (work scheduled with host::defer), "health".
  std::string kind;
  Request request;         // fetch and do_fetch
  std::string cron;        // scheduled
  double scheduledMs = 0;  // scheduled
  std::string objectName;  // do_fetch and alarm: the Durable Object's name
  json::Object data;       // the whole event object, for kinds that carry more
  std::string_view body;   // the event's bytes
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<uint8_t> body;

  static Response json(int status, std::string_view jsonText);
  // {"error": message}: the one shape every error takes.
  static Response error(int status, std::string_view message);
  static Response bytes(int status, std::string_view contentType, std::vector<uint8_t> data);
};

// Defined by each function module.
Response handleEvent(const Event& ev);

}  // namespace fn
