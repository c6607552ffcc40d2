// The render module's adapter: HTTP routes -> the render core.
#include "lexer/token.h"
#include "shared/entry.h"
#include "shared/json.h"

namespace {

fn::Response languages() {
  json::JsonWriter w;
  w.beginObject().key("languages").beginArray();
  for (size_t i = 0; i < size_t(render::Language::Count); i++) {
    w.value(render::languageName(render::Language(i)));
  }
  w.endArray().endObject();
  return fn::Response::json(200, w.str());
}

}  // namespace

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind != "fetch") return Response::error(400, "render handles HTTP requests only");
  const Request& req = ev.request;
  if (req.path == "/render/languages" && req.method == "GET") return languages();
  return Response::error(404, "no such route");
}
