// premium/pro thumbnails in the model queue (queue.cpp): a job whose row carries a thumbnail
// request (`thumb`, the JSON the bot planned with the render function's POST /thumbnail/plan)
// asks its model for a 16:9 background, has the render function compose the title over it, and
// stores and delivers the composed JPEG instead of the model's raw image.
//
//   if (isThumbnail(j.thumb)) {
//     Result<std::vector<uint8_t>> jpeg = composeThumbnail(j.thumb, res.bytes, j.ui());
//     if (!jpeg) ...;  // fail and refund, with jpeg.detail() in the log
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/i18n.h"
#include "shared/result.h"

namespace gen {

// The background size asked of a model that takes one: YouTube's 1280x720. A model without a
// size parameter answers with its own (often square) image, which is centre-cropped to 16:9.
constexpr int kThumbWidth = 1280, kThumbHeight = 720;

bool isThumbnail(std::string_view thumbJson);
// "pro" asks for prompt enhancement (when configured); "premium" does not.
bool wantsEnhancement(std::string_view thumbJson);
// Said again after an enhanced prompt, which may have dropped it: the title is drawn by us.
std::string noTextClause();

// R2 key of a thumbnail: from its id only, like the basic ones.
std::string thumbnailKey(int64_t genId);

// The render function's POST /thumbnail (in-process, host::invoke) with the planned request and
// `background`: a 1280x720 JPEG, or the reason it could not be made (an undecodable image, the
// render function unreachable). `lang` is the reader's: a Hebrew or Persian reader's title with any
// right-to-left word is laid out right to left.
Result<std::vector<uint8_t>> composeThumbnail(std::string_view thumbJson,
                                              const std::vector<uint8_t>& background,
                                              i18n::Lang lang);

// Sends the composed thumbnail as a photo (a document when Telegram refuses the photo), with the
// title, design and price in the caption and a gallery button. False when neither went out.
bool deliverThumbnail(int64_t chatId, i18n::Lang lang, std::string_view model,
                      std::string_view thumbJson, int64_t cost, int64_t userId,
                      std::vector<uint8_t> jpeg);

}  // namespace gen
