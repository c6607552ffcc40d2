// Composing a thumbnail (thumbnail.h): the design or the given photo, the title fitted into the
// template's box and drawn in layers, the subtitle and watermark, then the encoder. Drawing is
// the raster canvas's (raster/canvas.h), text the shared shaper's and font set's
// (thumbnail/text.h).
#include "thumbnail/thumbnail.h"

#include <algorithm>
#include <cmath>

#include "encode/jpeg.h"
#include "encode/png.h"
#include "raster/canvas.h"
#include "thumbnail/decor.h"
#include "thumbnail/text.h"

namespace thumb {

using render::Rgba;

std::string planBackgroundPrompt(const ThumbnailRequest& req, const Analysis& a,
                                 const Template& t) {
  bool rtl = paragraphDir(decode(req.title), req.rtlReader) == Dir::Rtl;
  Align side = t.align;
  if (rtl && side != Align::Center) side = side == Align::Start ? Align::End : Align::Start;
  return backgroundPrompt(a, req.title, req.algorithm, side);
}

Analysis effectiveAnalysis(const ThumbnailRequest& req) {
  Analysis a = req.analysis ? *req.analysis : analyze(req.title + " " + req.subtitle);
  if (req.hasCategory) a.category = req.category;
  if (req.hasStyle) a.style = req.style, a.styleFromText = true;
  if (req.hasMood) a.mood = req.mood;
  if (req.hasColors) a.colors = req.colors;
  return a;
}

const Template& effectiveTemplate(const ThumbnailRequest& req, const Analysis& a) {
  const Template* tp = req.templateName.empty() ? nullptr : findTemplate(req.templateName);
  return tp ? *tp : matchTemplate(a);
}

namespace {

Box unite(const Box& a, const Box& b) {
  if (a.w <= 0 || a.h <= 0) return b;
  const int x = std::min(a.x, b.x), y = std::min(a.y, b.y);
  return Box{x, y, std::max(a.right(), b.right()) - x, std::max(a.bottom(), b.bottom()) - y};
}

}  // namespace

ThumbnailResult renderThumbnail(const ThumbnailRequest& req) {
  ThumbnailResult r;
  render::TitleFace& font = render::FontSet::instance().title();
  if (!font.ok()) {
    r.status = 500;
    r.error = "title font failed to load";
    return r;
  }
  r.analysis = effectiveAnalysis(req);
  const Template& t = effectiveTemplate(req, r.analysis);
  r.templateName = t.name;
  const bool composed = !req.background.empty();
  Image background;
  if (composed) {
    std::string why;
    if (!decodeImage(req.background, background, why)) {
      r.status = 400;
      r.error = "background: " + why;
      return r;
    }
  }
  const bool light = render::luminance(t.palette.top) > 0.6;
  const Palette c = composed ? overImage(t.palette, r.analysis.colors)
                             : recolour(t.palette, r.analysis.colors, light);

  render::Canvas p(kWidth, kHeight, Rgba{});
  if (!composed) {
    p.fillGradient(c.top, c.bottom,
                   t.diagonal ? render::Gradient::Diagonal : render::Gradient::Vertical);
    decorate(p, t, c);
  }

  // Title: measured once at a reference size (advances scale linearly), fitted, then drawn.
  std::u32string title = decode(req.title);
  const Dir titleDir = paragraphDir(title, req.rtlReader);
  const bool rtl = titleDir == Dir::Rtl;
  if (t.uppercase) upper(title);
  const std::vector<std::u32string> ws = words(title);
  constexpr double kRef = 100, kLine = 1.22;
  // Room for the outline and shadow around the advance box.
  constexpr int kPad = 16;
  Box box = t.titleBox;
  Box subBox{};
  const bool hasSub = !req.subtitle.empty();
  if (hasSub) {
    int sh = std::max(56, box.h / 4);
    subBox = Box{box.x, box.bottom() - sh, box.w, sh};
    box.h -= sh;
  }
  FitInput in;
  in.refPx = kRef;
  in.lineHeight = kLine;
  in.space = font.advance(font.glyph(' '), kRef);
  for (const std::u32string& w : ws)
    in.words.push_back(measure(font, render::shapeParagraph(w), kRef));
  in.boxW = box.w - 2 * kPad;
  in.boxH = box.h - 2 * kPad;
  in.maxPx = hasSub ? 130 : 150;
  in.maxLines = 4;
  FitResult fit = fitTitle(in);
  const int px = fit.px;
  r.titlePx = px;
  std::vector<std::u32string> lines;
  std::vector<double> widths;
  for (int l = 0; l < fit.lineCount(); l++) {
    size_t a = fit.lineStarts[size_t(l)];
    size_t b = l + 1 < fit.lineCount() ? fit.lineStarts[size_t(l) + 1] : ws.size();
    std::u32string line;
    for (size_t i = a; i < b; i++) line += (i > a ? U" " : U"") + ws[i];
    lines.push_back(render::shapeParagraph(line, titleDir));
    widths.push_back(measure(font, lines.back(), px));
  }
  Box inner{box.x + kPad, box.y + kPad, box.w - 2 * kPad, box.h - 2 * kPad};
  r.titleLines = placeLines(fit, widths, kLine, inner, t.align, rtl);

  // Subtitle: one line, shrunk and then cut with an ellipsis when too long.
  std::u32string sub;
  int spx = 0;
  Box sl{};
  if (hasSub) {
    std::u32string logical = decode(req.subtitle);
    const Dir subDir = paragraphDir(logical, req.rtlReader);
    sub = render::shapeParagraph(logical, subDir);
    spx = std::min(48, std::max(20, px / 2));
    double sw = measure(font, sub, spx);
    const int avail = subBox.w - 2 * kPad;
    if (sw > avail) {
      spx = std::max(16, int(spx * avail / sw));
      sw = measure(font, sub, spx);
      // Still too long at the smallest size: cut the logical end and add an ellipsis.
      while (sw > avail && logical.size() > 1) {
        logical.pop_back();
        sub = render::shapeParagraph(logical + U"\u2026", subDir);
        sw = measure(font, sub, spx);
      }
    }
    FitResult one;
    one.px = spx;
    one.lineStarts = {0};
    Box si{subBox.x + kPad, subBox.y, avail, subBox.h - kPad};
    sl = placeLines(one, {sw}, kLine, si, t.align, rtl)[0];
  }

  if (composed) {
    coverInto(background, p);
    background = Image{};  // its memory is not needed for the rest
    for (const Box& b : r.titleLines) r.scrim = unite(r.scrim, b);
    if (hasSub) r.scrim = unite(r.scrim, sl);
    // Dims the whole image, then darkens towards black around the text: half again inside its
    // box, fading to nothing kScrimFeather px away, so the title reads while the picture shows.
    p.scrim(render::Rect{r.scrim.x, r.scrim.y, r.scrim.w, r.scrim.h}, kBackgroundDim, 0.5,
            kScrimFeather);
  }

  TextStyle ts;
  ts.fill = c.title;
  ts.outline = c.outline;
  ts.grow = std::clamp(px / 12, 2, 10);
  ts.shadow = std::clamp(px / 18, 2, 7);
  ts.boldFill = px >= 60;
  const double asc = font.ascent(px), desc = font.descent(px);
  for (size_t l = 0; l < lines.size(); l++) {
    const Box& lb = r.titleLines[l];
    int baseline = lb.y + int(std::lround((lb.h - (asc + desc)) / 2 + asc));
    drawLine(p, font, lines[l], lb.x, baseline, px, ts);
  }

  if (hasSub) {
    TextStyle ss;
    ss.fill = c.subtitle;
    ss.outline = c.outline;
    ss.grow = std::max(2, spx / 10);
    ss.shadow = 2;
    int baseline =
        sl.y +
        int(std::lround((sl.h - (font.ascent(spx) + font.descent(spx))) / 2 + font.ascent(spx)));
    drawLine(p, font, sub, sl.x, baseline, spx, ss);
  }

  if (!req.watermark.empty()) {
    // Bottom-left: the duration badge covers bottom-right on YouTube.
    // White on a translucent dark pill reads on any design.
    std::u32string wm = render::shapeParagraph(decode(req.watermark));
    constexpr int kWpx = 22;
    const double ww = measure(font, wm, kWpx);
    p.fillRoundedBox(16, kHeight - 52, 16 + ww + 28, kHeight - 16, 18, Rgba{0, 0, 0, 140});
    TextStyle ws2;
    ws2.fill = Rgba{255, 255, 255, 235};
    drawLine(p, font, wm, 30, kHeight - 27, kWpx, ws2);
  }

  if (req.format == Format::Png) {
    r.contentType = "image/png";
    if (!render::encodePng(p.pixels(), kWidth, kHeight, r.bytes, 6).ok) {
      r.status = 500;
      r.error = "PNG encoding failed";
      return r;
    }
  } else {
    r.contentType = "image/jpeg";
    if (!render::encodeJpeg(p.pixels(), kWidth, kHeight, req.quality, c.top, r.bytes)) {
      r.status = 500;
      r.error = "JPEG encoding failed";
      return r;
    }
  }
  if (r.bytes.size() > kMaxBytes) {
    r.status = 413;
    r.error = "thumbnail is " + std::to_string(r.bytes.size() / 1024) +
              " KB, over the 2 MB limit (use format jpeg)";
  }
  return r;
}

}  // namespace thumb
