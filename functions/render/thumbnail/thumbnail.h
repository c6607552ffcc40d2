// YouTube thumbnails (1280x720) drawn entirely here: the `basic` algorithm, no model, no network.
//
//   thumb::ThumbnailRequest req;
//   render::RequestError err = thumb::parseThumbnailRequest(body, req);   // POST /thumbnail
//   thumb::ThumbnailResult r = thumb::renderThumbnail(req);
//   // r.bytes: JPEG q85 (or PNG), r.templateName, r.analysis.category
//
// Pipeline: analyze (analyze.h: category, style, mood, colours) -> matchTemplate (layout.h) ->
// background gradient and the template's shapes -> title fitted into the template's box
// (layout.h's fitTitle; bidi and Arabic shaping with fribidi) drawn as shadow, outline and fill
// layers so it reads on any background -> optional subtitle and watermark -> encode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "request.h"
#include "thumbnail/analyze.h"
#include "thumbnail/layout.h"

namespace thumb {

constexpr size_t kMaxTitleChars = 100;
constexpr size_t kMaxSubtitleChars = 120;
constexpr size_t kMaxBodyBytes = 16 * 1024;
constexpr size_t kMaxBytes = 2 * 1024 * 1024;

enum class Format : uint8_t { Jpeg, Png };

struct ThumbnailRequest {
  std::string title;
  std::string subtitle;
  std::string watermark;     // drawn small in the bottom-left corner when non-empty
  std::string templateName;  // empty: matched from the analysis
  bool hasCategory = false;  // category given by the caller instead of detected
  Category category = Category::General;
  bool hasStyle = false;
  Style style = Style::Modern;
  Format format = Format::Jpeg;
  int quality = 85;
};

// JSON body: title (required, 1-100 characters), subtitle, template, category, style,
// algorithm ("basic"; "premium"/"pro" are refused here), format ("jpeg" | "png"), quality
// (40-100), watermark (string). 400 with a message naming the field; 413 past kMaxBodyBytes.
[[nodiscard]] render::RequestError parseThumbnailRequest(std::string_view body,
                                                         ThumbnailRequest& out);

// "Title | Subtitle" as the bot command takes it; both trimmed.
void splitTitle(std::string_view text, std::string& title, std::string& subtitle);

struct ThumbnailResult {
  int status = 200;
  std::string error;
  std::vector<uint8_t> bytes;
  std::string contentType;
  int width = kWidth, height = kHeight;
  const char* templateName = "";
  Analysis analysis;
  int titlePx = 0;
  std::vector<Box> titleLines;  // where the title's lines were placed (tests check the safe area)
};

ThumbnailResult renderThumbnail(const ThumbnailRequest& req);

}  // namespace thumb
