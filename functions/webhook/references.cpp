#include "references.h"

#include <algorithm>

#include "shared/clients.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/image_info.h"
#include "shared/json.h"

namespace webhook::refs {
namespace {

using config::Setting;
using i18n::Msg;

constexpr int kAlbumMax = 10;            // Telegram's own limit for a media group
constexpr int kAlbumPhotosPerHour = 60;  // per user: notes are cheap, but not free

int64_t maxBytes() {
  return std::clamp<int64_t>(config::getInt(Setting::REFERENCE_MAX_BYTES, 10485760), 1024,
                             20 * 1024 * 1024);  // the Bot API serves files up to 20 MB
}
int64_t maxPixels() {
  // The render module's decoder refuses more (thumbnail/background.h kMaxBackgroundPixels).
  return std::clamp<int64_t>(config::getInt(Setting::REFERENCE_MAX_PIXELS, 16777216), 4096,
                             16777216);
}

std::optional<Source> bestSize(const std::vector<PhotoSize>& sizes) {
  // Telegram lists sizes smallest first; take the largest within the limits.
  std::optional<Source> best;
  for (const PhotoSize& p : sizes) {
    if (p.width * p.height > maxPixels() || p.fileSize > maxBytes()) continue;
    best = Source{p.fileId, p.fileSize};
  }
  if (!best && !sizes.empty()) best = Source{sizes.front().fileId, sizes.front().fileSize};
  return best;
}

bool isImageDocument(const Document& d) {
  return d.mimeType == "image/jpeg" || d.mimeType == "image/png";
}

}  // namespace

std::vector<Source> of(const Message& m, bool& notImage) {
  notImage = false;
  std::vector<Source> out;
  auto take = [&](const std::vector<PhotoSize>& photo, const std::optional<Document>& doc) {
    if (auto s = bestSize(photo)) {
      out.push_back(*s);
    } else if (doc) {
      if (isImageDocument(*doc))
        out.push_back({doc->fileId, doc->fileSize});
      else
        notImage = true;
    }
  };
  take(m.photo, m.document);
  if (out.empty() && !notImage) take(m.replyPhoto, m.replyDocument);
  return out;
}

bool noteAlbumPhoto(const Ctx& c, const Message& m) {
  std::optional<Source> s = bestSize(m.photo);
  if (!s && m.document && isImageDocument(*m.document))
    s = Source{m.document->fileId, m.document->fileSize};
  if (!s || m.mediaGroupId.empty()) return true;
  // One statement: the caps are checked inside the INSERT, so two updates racing cannot pass them.
  db::Result r = db::first(
      db::Stmt("INSERT INTO album_photos (update_id, user_id, media_group_id, message_id, "
               "file_id, file_size, created_ms) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE "
               "(SELECT COUNT(*) FROM album_photos WHERE user_id = ?2 AND media_group_id = ?3) "
               "< ?8 AND (SELECT COUNT(*) FROM album_photos WHERE user_id = ?2 AND created_ms > "
               "?7 - 3600000) < ?9 ON CONFLICT (update_id) DO NOTHING")
          .bind(c.updateId)
          .bind(c.userId)
          .bind(m.mediaGroupId)
          .bind(m.messageId)
          .bind(s->fileId)
          .bind(s->fileSize)
          .bind(c.now)
          .bind(int64_t(kAlbumMax))
          .bind(int64_t(kAlbumPhotosPerHour)));
  return r.ok();
}

Result<std::vector<Source>> album(int64_t userId, std::string_view mediaGroupId, int max) {
  db::Result r = db::all(db::Stmt("SELECT file_id, file_size FROM album_photos WHERE user_id = "
                                  "?1 AND media_group_id = ?2 ORDER BY message_id LIMIT ?3")
                             .bind(userId)
                             .bind(mediaGroupId)
                             .bind(int64_t(max)));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<Source> out;
  for (size_t i = 0; i < r.size(); i++) {
    out.push_back({std::string(json::getString(r.row(i), "file_id").value_or("")),
                   json::getInt(r.row(i), "file_size").value_or(0)});
  }
  return out;
}

Result<int64_t> albumCount(int64_t userId, std::string_view mediaGroupId) {
  db::Result r = db::first(db::Stmt("SELECT COUNT(*) AS n FROM album_photos WHERE user_id = ?1 "
                                    "AND media_group_id = ?2")
                               .bind(userId)
                               .bind(mediaGroupId));
  auto row = r.first();
  if (!row) return {Error::Unavailable, r.error()};
  return json::getInt(*row, "n").value_or(0);
}

std::string keysFor(int64_t userId, int64_t genId, size_t n) {
  json::JsonWriter w;
  w.beginArray();
  for (size_t i = 0; i < n; i++) {
    w.value("ref/" + std::to_string(userId) + "/" + std::to_string(genId) + "/" +
            std::to_string(i));
  }
  w.endArray();
  return w.take();
}

std::optional<Fetched> fetchChecked(Ctx& c, const Source& s) {
  const int64_t maxB = maxBytes(), maxP = maxPixels();
  auto refuse = [&](Msg m, i18n::Values v = {}) {
    say(c, m, std::move(v));
    return std::nullopt;
  };
  if (s.fileSize > maxB) return refuse(Msg::RefTooLarge, {{"max", maxB / (1024 * 1024)}});
  std::string err;
  auto path = c.bot.getFile(s.fileId, &err);
  std::optional<std::vector<uint8_t>> bytes;
  if (path) bytes = c.bot.downloadFile(*path, size_t(maxB), &err);
  if (!bytes) {
    if (err == "file too large") return refuse(Msg::RefTooLarge, {{"max", maxB / (1024 * 1024)}});
    logger::warn("photo download failed: " + err);
    return refuse(Msg::Sorry);
  }
  img::ImageInfo info = img::sniffImage(*bytes);
  if (info.contentType != "image/jpeg" && info.contentType != "image/png")
    return refuse(Msg::RefNotImage);
  if (info.width == 0 || info.height == 0 || int64_t(info.width) * info.height > maxP)
    return refuse(Msg::RefTooManyPixels, {{"max", maxP / 1000000}});
  return Fetched{std::move(*bytes), info.contentType};
}

bool store(Ctx& c, int64_t genId, const std::vector<Source>& sources) {
  std::vector<std::string> keys;
  auto giveUp = [&] {
    if (!keys.empty()) {
      if (Status s = clients::r2::remove(keys); !s) logger::warn(s.detail());
    }
    return false;
  };
  for (size_t i = 0; i < sources.size(); i++) {
    std::optional<Fetched> f = fetchChecked(c, sources[i]);
    if (!f) return giveUp();
    const std::string key =
        "ref/" + std::to_string(c.userId) + "/" + std::to_string(genId) + "/" + std::to_string(i);
    json::JsonWriter meta;
    meta.beginObject()
        .key("user")
        .value(std::to_string(c.userId))
        .key("generation")
        .value(std::to_string(genId))
        .endObject();
    if (Status put = clients::r2::put(key, f->bytes, f->contentType, meta.str()); !put) {
      logger::error("reference store: " + put.detail());
      say(c, Msg::Sorry);
      return giveUp();
    }
    keys.push_back(key);
  }
  return true;
}

}  // namespace webhook::refs
