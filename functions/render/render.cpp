#include "render.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>

#include "encode/jpeg.h"
#include "layout/layout.h"
#include "layout/lines.h"
#include "raster/canvas.h"
#include "raster/font.h"
#include "raster/text_shaper.h"
#include "shared/utf8.h"

namespace render {

namespace {

constexpr Rgba kControlColors[3] = {{255, 95, 86, 255}, {255, 189, 46, 255}, {39, 201, 63, 255}};
constexpr char32_t kContinuationMark = 0x21AA;  // ↪
constexpr char32_t kEllipsis = 0x2026;
// The Worker has 128 MB. A JPEG needs the whole RGBA canvas (4 bytes a pixel) plus stb's RGB copy
// (3 more); a PNG is painted and encoded in bands (kBandBytes of canvas at a time), so its memory
// is one band plus the compressed output, and its cap bounds the time to make it (about 30 ns a
// pixel in the Worker) rather than memory.
constexpr uint64_t kMaxJpegPixels = 12000000;
constexpr uint64_t kMaxPngPixels = 48000000;
constexpr size_t kBandBytes = 1u << 20;
// Deflate for code cards: encode/deflate.h's. Measured on the 50-line benchmark file in
// render.wasm under Node, alternating builds in one run (160 images each, median / min): zlib
// level 1 7.9 / 5.6 ms for 62.3 KB, kFastDeflate 5.0 / 3.3 ms for 55.0 KB (Pygments: 85 KB).
// Earlier, with zlib: level 2 and 3 were slower for 59.5 and 57.7 KB; Z_RLE no faster and nearly
// twice the size.
constexpr int kPngLevel = kFastDeflate;

uint32_t digits(uint32_t n) {
  uint32_t d = 1;
  while (n >= 10) n /= 10, d++;
  return d;
}

std::vector<Cell> cellsOf(std::string_view s, TokenClass cls) {
  std::vector<Cell> out;
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = utf8::next(s, i);
    if (cp < 0x20 || cp == 0x7F) cp = 0xFFFD;
    out.push_back(Cell{cp, cls});
  }
  return out;
}

// Draws shaped cells left to right at one size; positions are kept in fractional pixels and
// snapped to quarter pixels through the glyph cache's phases. CanvasT: Canvas or IndexedCanvas.
//
// Most cells are one glyph each (a monospace cell, two for CJK). Runs of cells in a face that
// needs shaping (Indic, Thai, Ethiopic, colour emoji sequences; face 0 with ligatures on) go
// through HarfBuzz (FontSet::shape) and are drawn glyph by glyph at its positions. measure()
// walks the same way without drawing, so widths always match what is drawn.
template <class CanvasT>
class Painter {
 public:
  Painter(CanvasT& canvas, FontSet& fonts, int px, bool ligatures = false)
      : canvas_(canvas), fonts_(fonts), px_(px), ligatures_(ligatures) {
    metrics_ = fonts.metrics(px);
  }

  const FontMetrics& metrics() const { return metrics_; }
  // Whether a colour glyph was measured or drawn.
  bool sawColor() const { return sawColor_; }

  double advance(char32_t cp) {
    if (isCombiningMark(cp)) return 0;
    if (cp == ' ') return metrics_.cellWidth;
    GlyphRef g = fonts_.lookup(cp);
    if (g.missing()) return isWide(cp) ? 2 * metrics_.cellWidth : metrics_.cellWidth;
    return fonts_.advance(g, px_);
  }

  double measure(const std::vector<Cell>& cells) {
    return walk<false>(cells, 0, 0, nullptr, Rgba{}, Rect{});
  }

  // Returns the pen position after the last cell.
  double draw(const std::vector<Cell>& cells, double x, int baseline, const Theme* theme,
              Rgba fixed, const Rect& clip) {
    return walk<true>(cells, x, baseline, theme, fixed, clip);
  }

 private:
  // Characters that stay in the shaped run around them whatever font has them.
  static bool joinsRun(char32_t cp) {
    return cp == 0x200C || cp == 0x200D || (cp != ' ' && isCombiningMark(cp));
  }

  bool startsRun(GlyphRef g) const {
    return !g.missing() && (fonts_.shaped(g.face) || (ligatures_ && g.face == 0));
  }

  void glyphAt(GlyphRef g, double x, int baseline, Rgba color, const Rect& clip) {
    if (fonts_.color(g.face)) {
      if (const GlyphBitmap* bmp = fonts_.bitmap(g, px_, 0)) {
        canvas_.drawColorGlyph(*bmp, int(std::lround(x)), baseline, clip);
      }
      return;
    }
    double fx = std::floor(x);
    int phase = int((x - fx) * 4 + 0.5);
    int ix = int(fx);
    if (phase == 4) ix++, phase = 0;
    if (const GlyphBitmap* bmp = fonts_.bitmap(g, px_, phase)) {
      canvas_.drawGlyph(*bmp, ix, baseline, color, clip);
    }
  }

  void tofu(double x, double width, int baseline, Rgba color) {
    // A visible box, so the reader sees something is there.
    int w = std::max(3, int(width) - 2);
    int h = std::max(5, metrics_.ascent * 3 / 4);
    canvas_.strokeRect(Rect{int(std::lround(x)) + 1, baseline - h, w, h}, color);
  }

  template <bool kDraw>
  double walk(const std::vector<Cell>& cells, double x, int baseline, const Theme* theme,
              Rgba fixed, const Rect& clip) {
    const size_t n = cells.size();
    for (size_t i = 0; i < n;) {
      if (kDraw && x > clip.right()) break;
      const Cell& c = cells[i];
      Rgba color = theme ? theme->color(c.cls) : fixed;
      GlyphRef g = c.cp == ' ' ? GlyphRef{} : fonts_.lookup(c.cp);
      if (startsRun(g)) {
        size_t j = i + 1;
        // An emoji ZWJ sequence is in the file of its first character (raster/font_assets.py),
        // whichever file owns its other characters (asked first: no other file is loaded).
        while (j < n && cells[j].cls == c.cls &&
               (joinsRun(cells[j].cp) ||
                (cells[j - 1].cp == 0x200D && fonts_.color(g.face) &&
                 fonts_.has(g.face, cells[j].cp)) ||
                (cells[j].cp != ' ' && fonts_.lookup(cells[j].cp).face == g.face))) {
          j++;
        }
        sawColor_ = sawColor_ || fonts_.color(g.face);
        x = run<kDraw>(cells, i, j, g.face, x, baseline, color, clip);
        i = j;
        continue;
      }
      double adv = advance(c.cp);
      i++;
      if (c.cp == ' ' || (adv == 0 && c.cp >= 0x200B && isCombiningMark(c.cp))) {
        x += adv;
        continue;
      }
      if (kDraw) {
        if (g.missing()) {
          tofu(x, adv, baseline, color);
        } else if (fonts_.wide(g.face)) {
          // A CJK glyph is one em wide: centred in its two cells.
          glyphAt(g, x + (adv - px_) / 2, baseline, color, clip);
        } else {
          glyphAt(g, x, baseline, color, clip);
        }
      }
      x += adv;
    }
    return x;
  }

  template <bool kDraw>
  double run(const std::vector<Cell>& cells, size_t begin, size_t end, uint8_t face, double x,
             int baseline, Rgba color, const Rect& clip) {
    cps_.clear();
    for (size_t k = begin; k < end; k++) cps_.push_back(cells[k].cp);
    fonts_.shape(face, cps_.data(), cps_.size(), ligatures_, glyphs_);
    const double s = double(px_) / fonts_.unitsPerEm(face);
    // Colour emoji keep the grid: two cells a glyph, as the layout counts them.
    const bool grid = fonts_.color(face);
    for (const ShapedGlyph& sg : glyphs_) {
      const double adv = grid ? (sg.advance > 0 ? 2 * metrics_.cellWidth : 0) : sg.advance * s;
      if (kDraw) {
        if (sg.index == 0) {
          tofu(x, adv > 0 ? adv : metrics_.cellWidth, baseline, color);
        } else {
          glyphAt(GlyphRef{face, sg.index}, x + sg.xOffset * s,
                  baseline - int(std::lround(sg.yOffset * s)), color, clip);
        }
      }
      x += adv;
    }
    return x;
  }

  CanvasT& canvas_;
  FontSet& fonts_;
  int px_;
  bool ligatures_;
  bool sawColor_ = false;
  FontMetrics metrics_;
  std::vector<char32_t> cps_;
  std::vector<ShapedGlyph> glyphs_;
};

RenderResult fail(int status, std::string message) {
  RenderResult r;
  r.status = status;
  r.error = std::move(message);
  return r;
}

}  // namespace

RenderResult renderCode(const RenderOptions& opt) {
  FontSet& fonts = FontSet::instance();
  if (!fonts.ok()) return fail(500, std::string(fonts.error()));
  fonts.clearPendingAssets();
  const Theme& theme = opt.theme ? *opt.theme : *findTheme("monokai");
  const int scale = std::clamp(opt.scale, 1, 2);
  const int px = std::clamp(opt.fontSize, 4, 128) * scale;

  // 1. Which lines: a preview cuts the text before it is tokenised.
  const uint32_t total = countSourceLines(opt.code);
  uint32_t shown = total;
  if (opt.maxLines && total > opt.maxLines) shown = opt.maxLines;
  if (shown > opt.maxSourceLines) {
    if (opt.maxLines) {
      return fail(413, "max_lines " + std::to_string(opt.maxLines) + " is over the limit of " +
                           std::to_string(opt.maxSourceLines) + " lines");
    }
    return fail(413, "code has " + std::to_string(total) + " lines; the limit is " +
                         std::to_string(opt.maxSourceLines) +
                         " (set max_lines to render a preview)");
  }
  std::string_view text = opt.code;
  if (shown < total) text = text.substr(0, prefixOfLines(text, shown));

  // 2. Tokens and visual lines, storage capped by what could fit in the largest image.
  std::vector<Token> tokens;
  tokenize(opt.language, text, tokens);
  const FontMetrics m = fonts.metrics(px);
  LineOptions lo;
  lo.tabWidth = opt.tabWidth;
  lo.wrapColumn = opt.wrap;
  lo.startNumber = opt.startLine;
  lo.highlight = opt.highlight;
  std::sort(lo.highlight.begin(), lo.highlight.end());
  lo.moreLines = total - shown;
  if (lo.moreLines > 0) {
    lo.moreText =
        i18n::format(i18n::Msg::PreviewMoreLines, opt.locale, {{"count", int64_t(lo.moreLines)}});
    // A right-to-left row inside the left-to-right code card: one right-to-left isolate, so the
    // ellipsis leads and the number stays inside the sentence.
    if (i18n::isRtl(opt.locale)) lo.moreText = "\xE2\x81\xA7" + lo.moreText + "\xE2\x81\xA9";
  }
  lo.maxColumns = uint32_t(opt.maxWidth / std::max(1.0, m.cellWidth)) + 2;
  lo.maxLines = opt.maxHeight / uint32_t(std::max(1, m.lineHeight)) + 2;
  std::vector<VisualLine> lines;
  LineStats stats = buildLines(text, tokens, lo, lines);

  // 3. Shape (bidi, Arabic joining) and measure, then the frame.
  // A title longer than this is cut with an ellipsis rather than widening a small snippet's card.
  constexpr size_t kMaxTitleCells = 64;
  std::vector<Cell> titleCells = cellsOf(opt.title, TokenClass::Text);
  if (titleCells.size() > kMaxTitleCells) {
    titleCells.resize(kMaxTitleCells - 1);
    titleCells.push_back(Cell{kEllipsis, TokenClass::Text});
  }
  std::vector<Cell> titleVisual;
  shapeLine(titleCells, titleVisual);
  double titleWidth = 0;
  std::vector<std::vector<Cell>> shaped(lines.size());
  double textWidth = 0;
  {
    // Measuring needs metrics only; the painter's canvas is never touched.
    Canvas none(0, 0, Rgba{});
    Painter measure(none, fonts, px, opt.ligatures);
    for (size_t i = 0; i < lines.size(); i++) {
      shapeLine(lines[i].cells, shaped[i]);
      textWidth = std::max(textWidth, measure.measure(shaped[i]));
    }
    // Cells past the storage cap were counted but not kept.
    textWidth = std::max(textWidth, stats.maxColumns * m.cellWidth);
    if (opt.window) titleWidth = measure.measure(titleVisual);
  }
  // Fonts the text needs and the host has not loaded yet: nothing is painted; the host loads
  // them and runs the request again (host_abi.h, host_asset).
  if (!fonts.pendingAssets().empty()) {
    RenderResult r = fail(503, "fonts are loading; try again");
    r.needAssets = fonts.pendingAssets();
    return r;
  }

  FrameInput fi;
  fi.lines = stats.visualLines;
  fi.textWidth = uint32_t(std::min(1e9, std::ceil(textWidth)));
  fi.cellWidth = m.cellWidth;
  fi.lineHeight = uint32_t(m.lineHeight);
  fi.gutterDigits =
      opt.lineNumbers ? digits(opt.startLine + std::max(stats.sourceLines, 1u) - 1) : 0;
  // Room for the controls on both sides of a centred title.
  fi.minWindowWidth = titleWidth > 0 ? uint32_t(titleWidth) + 2 * 84 * scale : 0;
  fi.scale = scale;
  fi.window = opt.window;
  fi.shadow = opt.shadow;
  const Frame f = computeFrame(fi);
  if (uint32_t(f.width) > opt.maxWidth || uint32_t(f.height) > opt.maxHeight) {
    return fail(413, "image would be " + std::to_string(f.width) + "x" + std::to_string(f.height) +
                         " px; the limit is " + std::to_string(opt.maxWidth) + "x" +
                         std::to_string(opt.maxHeight) +
                         " (use wrap, max_lines or a smaller font_size)");
  }

  const bool jpeg = opt.format == ImageFormat::Jpeg;
  const uint64_t maxPixels = jpeg ? kMaxJpegPixels : kMaxPngPixels;
  if (uint64_t(f.width) * uint64_t(f.height) > maxPixels) {
    return fail(413, "image would be " + std::to_string(f.width) + "x" + std::to_string(f.height) +
                         " px, over " + std::to_string(maxPixels / 1000000) + " megapixels" +
                         (jpeg ? " for JPEG" : "") +
                         " (use max_lines, wrap, scale 1 or a smaller font_size" +
                         (jpeg ? ", or format png)" : ")"));
  }

  // 4. Pixels.
  Rgba backdrop = opt.transparent      ? Rgba{0, 0, 0, 0}
                  : opt.customBackdrop ? opt.backdrop
                                       : theme.backdrop;
  if (!opt.window) backdrop = theme.background;
  const int baselineInLine = (m.lineHeight - (m.ascent + m.descent)) / 2 + m.ascent;
  const Rect clip{f.window.x + 1, f.window.y + 1, f.window.w - 2, f.window.h - 2};
  std::vector<Cell> numberCells;
  const std::vector<Cell> mark{{kContinuationMark, TokenClass::Text}};
  // Paints the rows the canvas holds (the whole image, or one band of it), in the same order
  // for every band: shapes, then text, then the watermark.
  auto paint = [&](auto& canvas) {
    const int bandTop = canvas.originY(), bandBottom = bandTop + canvas.height();
    if (f.shadow) canvas.dropShadow(f.shadowRect, f.shadowBlur, 0.55, f.window, f.radius, true);
    if (opt.window) {
      canvas.fillBorderedRoundedRect(f.window, f.radius, theme.windowBorder, theme.background);
    }
    Painter painter(canvas, fonts, px, opt.ligatures);

    if (opt.window) {
      for (int i = 0; i < 3; i++) {
        canvas.fillCircle(f.controlX[i], f.controlY, f.controlRadius, kControlColors[i]);
      }
      if (!titleVisual.empty()) {
        double x = f.window.x + (f.window.w - titleWidth) / 2;
        int baseline = f.controlY + (m.ascent - m.descent) / 2;
        painter.draw(titleVisual, x, baseline, nullptr, theme.title, clip);
      }
    }

    // Only the lines that reach into this band; glyphs may overhang their line box a little.
    const int lh = std::max(1, m.lineHeight);
    const size_t first = size_t(std::max(0, (bandTop - f.textTop) / lh - 1));
    const size_t last =
        std::min(lines.size(), size_t(std::max(0, (bandBottom - f.textTop) / lh + 2)));
    for (size_t i = first; i < last; i++) {
      const VisualLine& line = lines[i];
      const int top = f.textTop + int(i) * m.lineHeight;
      if (top > f.height) break;
      if (line.highlighted) {
        canvas.fillRect(Rect{clip.x, top, clip.w, m.lineHeight}, theme.highlightLine);
      }
      const int baseline = top + baselineInLine;
      if (line.kind == LineKind::Code && opt.lineNumbers) {
        numberCells = cellsOf(std::to_string(line.number), TokenClass::Text);
        double x = f.gutterRight - numberCells.size() * m.cellWidth;
        Rgba c = line.highlighted ? theme.foreground : theme.lineNumber;
        painter.draw(numberCells, x, baseline, nullptr, c, clip);
      } else if (line.kind == LineKind::Continuation) {
        double x = opt.lineNumbers ? f.gutterRight - m.cellWidth : f.textX - 1.5 * m.cellWidth;
        painter.draw(mark, x, baseline, nullptr, theme.lineNumber, clip);
      }
      painter.draw(shaped[i], f.textX, baseline, &theme, Rgba{}, clip);
    }

    if (!opt.watermark.empty()) {
      const int wpx = std::max(9, px * 3 / 4);
      Painter wm(canvas, fonts, wpx);
      std::vector<Cell> cells = cellsOf(opt.watermark, TokenClass::Text);
      if (cells.size() > 64) cells.resize(64);
      std::vector<Cell> visual;
      shapeLine(cells, visual);
      const double w = wm.measure(visual);
      Rgba c;
      int baseline;
      double x;
      if (opt.window && !opt.transparent) {
        // In the backdrop below the window's right edge, contrasting with the backdrop.
        c = luminance(backdrop) > 0.5 ? Rgba{0, 0, 0, 150} : Rgba{255, 255, 255, 170};
        c = Rgba{uint8_t((c.r * c.a + backdrop.r * (255 - c.a)) / 255),
                 uint8_t((c.g * c.a + backdrop.g * (255 - c.a)) / 255),
                 uint8_t((c.b * c.a + backdrop.b * (255 - c.a)) / 255), 255};
        x = f.window.right() - w;
        baseline = f.height - std::max(4, (f.height - f.window.bottom()) / 3);
      } else {
        c = theme.lineNumber;
        x = f.window.right() - w - 12 * scale;
        baseline = f.window.bottom() - 6 * scale;
      }
      wm.draw(visual, x, baseline, nullptr, c, Rect{0, 0, f.width, f.height});
    }
  };

  // 5. Bytes.
  RenderResult r;
  r.width = f.width;
  r.height = f.height;
  if (jpeg) {
    Canvas canvas(f.width, f.height, backdrop);
    paint(canvas);
    r.contentType = "image/jpeg";
    Rgba matte = opt.transparent ? theme.background : backdrop;
    if (!encodeJpeg(canvas.pixels(), f.width, f.height, opt.jpegQuality, matte, r.bytes)) {
      return fail(500, "JPEG encoding failed");
    }
  } else {
    // The window's rows between its corners are painted opaque from edge to edge, so the
    // backdrop is only filled around them.
    Rect hole{};
    if (opt.window && theme.windowBorder.a == 255 && theme.background.a == 255) {
      hole = Rect{f.window.x, f.window.y + f.radius, f.window.w, f.window.h - 2 * f.radius};
    }
    // Band by band: `rows` for the encoder, painting the band that starts at row y.
    auto bands = [&](auto& band, bool& ranOut) {
      return [&band, &ranOut, &paint, &backdrop, hole, fresh = true](int y, int) mutable {
        if (!fresh) band.moveBand(y, backdrop, hole);
        fresh = false;  // the constructor filled the first band
        paint(band);
        if constexpr (std::is_same_v<std::decay_t<decltype(band)>, IndexedCanvas>) {
          ranOut = band.store().overflow();
        }
        return ranOut ? nullptr : band.pixels().data();
      };
    };
    // Painted as palette indices (a code card nearly always fits 256 colours); only when the
    // palette runs out, painted again as RGBA for the encoder to index or write as RGB.
    bool ranOut = false;
    {
      const int bandRows =
          std::clamp(int(kBandBytes / size_t(f.width)), std::min(16, f.height), f.height);
      auto band = std::make_unique<IndexedCanvas>(f.width, bandRows, backdrop, 0, f.height,
                                                  IndexedPixels(opt.paletteColors));
      auto palette = [&] {
        const uint32_t* p = band->store().palette();
        return std::vector<uint32_t>(p, p + band->store().colors());
      };
      r.png = encodeIndexedPngBands(f.width, f.height, bandRows, bands(*band, ranOut), palette,
                                    r.bytes, kPngLevel, opt.maxBytes);
    }
    if (ranOut) {
      const int bandRows =
          std::clamp(int(kBandBytes / (4 * size_t(f.width))), std::min(16, f.height), f.height);
      Canvas band(f.width, bandRows, backdrop, 0, f.height);
      bool unused = false;
      r.png = encodePngBands(f.width, f.height, bandRows, bands(band, unused), r.bytes, kPngLevel,
                             opt.maxBytes);
      r.png.passes++;  // the indexed attempt
    }
    if (r.png.tooLarge) {
      return fail(413, "image is over the limit of " + std::to_string(opt.maxBytes / 1024) +
                           " KB (use max_lines, scale 1 or format jpeg)");
    }
    if (!r.png.ok) return fail(500, "PNG encoding failed");
  }
  if (r.bytes.size() > opt.maxBytes) {
    return fail(413, "image is " + std::to_string(r.bytes.size() / 1024) + " KB; the limit is " +
                         std::to_string(opt.maxBytes / 1024) +
                         " KB (use max_lines, scale 1 or format jpeg)");
  }
  return r;
}

}  // namespace render
