#include "render_client.h"

#include <cstring>

#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"

namespace webhook {

RenderOutput renderImage(const RenderJob& job) {
  json::JsonWriter body;
  body.beginObject().key("code").value(job.code);
  if (!job.filename.empty()) body.key("filename").value(job.filename);
  if (!job.language.empty()) body.key("language").value(job.language);
  if (!job.theme.empty()) body.key("theme").value(job.theme);
  if (!job.title.empty()) body.key("title").value(job.title);
  if (job.fontSize) body.key("font_size").value(job.fontSize);
  body.key("line_numbers").value(job.lineNumbers);
  if (job.maxLines) body.key("max_lines").value(job.maxLines);
  if (!job.watermark.empty()) body.key("watermark").value(job.watermark);
  if (!job.locale.empty()) body.key("locale").value(job.locale);
  body.endObject();

  json::JsonWriter req;
  req.beginObject().key("function").value("render").key("event").beginObject()
      .key("kind").value("fetch")
      .key("request").beginObject().key("method").value("POST").key("path").value("/render")
      .key("url").value("internal:/render").key("query").value("")
      .key("headers").beginObject().key("content-type").value("application/json");
  // The route checks RENDER_API_KEY for every caller, the bot included; the bot holds the key.
  if (std::string_view key = config::get(config::Setting::RENDER_API_KEY); !key.empty()) {
    req.key("authorization").value("Bearer " + std::string(key));
  }
  req.endObject().endObject().endObject().endObject();
  const std::string& b = body.str();
  host::Reply r = host::invoke(
      req.str(), std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  RenderOutput out;
  if (!r.ok()) {
    out.error = "the renderer is unavailable";
    logger::error("render invoke: " + r.error);
    return out;
  }
  simdjson::dom::parser p;
  json::Object meta;
  if (p.parse(r.json).get(meta) == simdjson::SUCCESS) {
    out.status = int(json::getInt(meta, "status").value_or(0));
  }
  if (out.status != 200) {
    simdjson::dom::parser ep;
    json::Object eo;
    std::string_view text(reinterpret_cast<const char*>(r.body.data()), r.body.size());
    if (ep.parse(text).get(eo) == simdjson::SUCCESS) {
      out.error = std::string(json::getString(eo, "error").value_or("render failed"));
    } else {
      out.error = "render failed";
    }
    return out;
  }
  out.png = std::move(r.body);
  // PNG IHDR: width and height are big-endian at bytes 16..23.
  if (out.png.size() >= 24 && memcmp(out.png.data(), "\x89PNG", 4) == 0) {
    auto be = [&](size_t i) {
      return uint32_t(out.png[i]) << 24 | uint32_t(out.png[i + 1]) << 16 |
             uint32_t(out.png[i + 2]) << 8 | uint32_t(out.png[i + 3]);
    };
    out.width = be(16);
    out.height = be(20);
  }
  out.ok = true;
  return out;
}

}  // namespace webhook
