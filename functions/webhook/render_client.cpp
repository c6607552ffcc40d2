#include "render_client.h"

#include "context.h"
#include "shared/config.h"
#include "shared/i18n.h"

#include <cstring>

#include "shared/clients.h"
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

  Result<clients::Answer> r = clients::route("render", "POST", "/render", body.str());
  RenderOutput out;
  if (!r) {
    out.error = "the renderer is unavailable";
    logger::error("render invoke: " + r.detail());
    return out;
  }
  out.status = r->status;
  if (out.status != 200) {
    out.error = r->errorMessage("render failed");
    return out;
  }
  out.png = std::move(r->body);
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

RenderJob jobFor(const Ctx& c, const std::string& code, const std::string& filename,
                 const std::string& language) {
  RenderJob j;
  j.code = code;
  j.filename = filename;
  j.language = language;
  j.title = filename;
  j.theme = c.settings.theme;
  j.fontSize = c.settings.fontSize;
  j.lineNumbers = c.settings.lineNumbers;
  j.watermark = std::string(config::get(config::Setting::BOT_NAME));
  if (!j.watermark.empty() && j.watermark[0] != '@') j.watermark = "@" + j.watermark;
  j.locale = i18n::code(c.lang);
  return j;
}

}  // namespace webhook
