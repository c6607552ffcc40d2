// YouTube thumbnails (1280x720) drawn entirely here: the `basic` algorithm, no model, no network.
//
//   thumb::ThumbnailRequest req;
//   render::RequestError err = thumb::parseThumbnailRequest(body, req);   // POST /thumbnail
//   thumb::ThumbnailResult r = thumb::renderThumbnail(req);
//   // r.bytes: JPEG q85 (or PNG), r.templateName, r.analysis.category
//
// Pipeline: analyze (analyze.h: category, style, mood, colours; or the caller's analysis, e.g.
// an LLM's, llm.h) -> matchTemplate (layout.h) -> title fitted into the template's box (layout.h's
// fitTitle; direction, bidi and Arabic shaping in text.h) -> background: the template's gradient
// and shapes (`basic`, decor.h), or a given image scaled to cover 1280x720, dimmed, with a dark
// scrim feathered around the title (`premium`/`pro`, background.h) -> title drawn as shadow,
// outline and fill layers so it reads on any background -> optional subtitle and watermark ->
// encode. The drawing is the raster layer's: its canvas (raster/canvas.h), shaper
// (raster/text_shaper.h) and font set's bold title face (raster/font.h). Files: request.cpp
// (parseThumbnailRequest, through fields.h), decor.cpp, text.cpp, thumbnail.cpp (composing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "request.h"
#include "thumbnail/analyze.h"
#include "thumbnail/background.h"
#include "thumbnail/layout.h"

namespace thumb {

constexpr size_t kMaxTitleChars = 100;
constexpr size_t kMaxSubtitleChars = 120;
// The body without its "background" field; with one, at most kMaxBodyWithBackground in all.
constexpr size_t kMaxBodyBytes = 16 * 1024;
constexpr size_t kMaxBodyWithBackground = 8 * 1024 * 1024;
constexpr size_t kMaxBytes = 2 * 1024 * 1024;

enum class Format : uint8_t { Jpeg, Png };

struct ThumbnailRequest {
  std::string title;
  std::string subtitle;
  std::string watermark;  // drawn small in the bottom-left corner when non-empty
  // The reader's language is Hebrew or Persian (field locale "he" | "fa"): a title with any
  // right-to-left word reads right to left, even when it opens with a Latin name.
  bool rtlReader = false;
  std::string templateName;  // empty: matched from the analysis
  bool hasCategory = false;  // category given by the caller instead of detected
  Category category = Category::General;
  bool hasStyle = false;
  Style style = Style::Modern;
  bool hasMood = false;
  Mood mood = Mood::Neutral;
  bool hasColors = false;  // colours given by the caller (possibly none) instead of detected
  std::vector<render::Rgba> colors;
  Format format = Format::Jpeg;
  int quality = 85;
  Algorithm algorithm = Algorithm::Basic;
  // premium/pro: the image (PNG or JPEG bytes) the title is composed over.
  std::vector<uint8_t> background;
  // Used instead of the rules' analysis when set (the adapter's LLM answer); the explicit
  // category/style/mood/colors above still win over it.
  std::optional<Analysis> analysis;
};

// The analysis the request will be drawn with: `req.analysis` or the rules', then the caller's
// explicit fields.
Analysis effectiveAnalysis(const ThumbnailRequest& req);
// The template it will be drawn with.
const Template& effectiveTemplate(const ThumbnailRequest& req, const Analysis& a);

// JSON body: title (required, 1-100 characters), subtitle, template, category, style, mood,
// colors (up to 3 "#rrggbb"), algorithm ("basic" | "premium" | "pro"), background (base64 PNG or
// JPEG; required by premium/pro, which compose the title over it: the model-drawn background is
// the bot's paid feature, an HTTP caller brings its own image), format ("jpeg" | "png"), quality
// (40-100), watermark (string), locale (en | ru | he | fa). 400 with a message naming the field;
// 413 past kMaxBodyBytes. With `plan` (POST /thumbnail/plan), premium/pro need no background:
// nothing is drawn.
[[nodiscard]] render::RequestError parseThumbnailRequest(std::string_view body,
                                                         ThumbnailRequest& out, bool plan = false);

// The prompt for a premium/pro background (background.h), with the empty space asked for on
// the side the template puts this title (left or right for a start-aligned one, by direction).
std::string planBackgroundPrompt(const ThumbnailRequest& req, const Analysis& a, const Template& t);

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
  Box scrim{};                  // composed: the box the dark scrim is centred on (feathered)
};

// How far the scrim fades out around ThumbnailResult::scrim, and how the background is dimmed
// where it does not reach (tests check the background's colour there).
constexpr int kScrimFeather = 140;
constexpr double kBackgroundDim = 0.82;

ThumbnailResult renderThumbnail(const ThumbnailRequest& req);

}  // namespace thumb
