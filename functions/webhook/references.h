// Reference photos (issue 22), the webhook's side: which photos an /image message brings (its own
// photo or image document, the replied-to message's, or its album's), and their way into R2 under
// ref/<user>/<generation>/<n> (keys from ids, never from user text; swept after
// REFERENCE_TTL_DAYS by the hourly cleanup). Only the header is checked here (type, bytes, pixel
// count): the queue's job has the render module decode each photo before a model sees it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot_feature.h"
#include "shared/result.h"

namespace webhook::refs {

struct Source {
  std::string fileId;
  int64_t fileSize = 0;  // as Telegram declared it (0: unknown)
};

// The photo of this message or of the one it replies to: the largest size within the limits, or
// an image document. Empty when there is none. `notImage`: a document was attached but is not a
// JPEG or PNG.
std::vector<Source> of(const Message& m, bool& notImage);

// Notes an album's photo (its file id only) for the captioned message to gather. False when D1
// failed. At most 10 photos per album and 60 per user and hour are noted; more are ignored.
bool noteAlbumPhoto(const Ctx& c, const Message& m);
// The photos noted for the user's album, in message order, at most `max`.
Result<std::vector<Source>> album(int64_t userId, std::string_view mediaGroupId, int max);
// How many photos are noted for the album (to wait until the album has arrived).
Result<int64_t> albumCount(int64_t userId, std::string_view mediaGroupId);

struct Fetched {
  std::vector<uint8_t> bytes;
  std::string contentType;  // image/jpeg | image/png
};
// Downloads one photo and checks it: the declared size before the download, then the type and
// the pixel count from its header. nullopt after telling the user why (a failed download gets
// the apology). Avatars (avatars.cpp) store what it returns under their own keys.
std::optional<Fetched> fetchChecked(Ctx& c, const Source& s);

// The R2 keys of generation `genId`'s `n` references, as a JSON array's text.
std::string keysFor(int64_t userId, int64_t genId, size_t n);
// Downloads each photo, checks it, and stores it in R2 under keysFor(...). False after telling
// the user why (too large, not an image; a download or R2 put that failed gets the apology).
// Nothing is left stored when it fails.
bool store(Ctx& c, int64_t genId, const std::vector<Source>& sources);

}  // namespace webhook::refs
