#include "layout/lines.h"

#include <algorithm>
#include <string>

#include "shared/utf8.h"

namespace render {

bool isCombiningMark(char32_t cp) {
  if (cp < 0x0300) return false;  // most text, decided in one compare
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0483 && cp <= 0x0489) ||
         (cp >= 0x0591 && cp <= 0x05BD) || cp == 0x05BF || cp == 0x05C1 || cp == 0x05C2 ||
         cp == 0x05C4 || cp == 0x05C5 || cp == 0x05C7 || (cp >= 0x0610 && cp <= 0x061A) ||
         (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || (cp >= 0x06D6 && cp <= 0x06DC) ||
         (cp >= 0x06DF && cp <= 0x06E4) || cp == 0x06E7 || cp == 0x06E8 ||
         (cp >= 0x06EA && cp <= 0x06ED) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F) ||
         // Zero-width and bidi format characters: invisible, no column.
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
         // Variation selectors (emoji presentation and the like).
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

uint32_t countSourceLines(std::string_view text) {
  if (text.empty()) return 0;
  uint32_t n = uint32_t(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? n : n + 1;
}

size_t prefixOfLines(std::string_view text, uint32_t n) {
  size_t pos = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return text.size();
    if (i + 1 == n) return nl;
    pos = nl + 1;
  }
  return 0;
}

namespace {

class Builder {
 public:
  Builder(const LineOptions& opt, std::vector<VisualLine>& out, LineStats& stats)
      : opt_(opt), out_(out), stats_(stats) {}

  void startCode() {
    begin(LineKind::Code);
    line_.number = opt_.startNumber + sourceIndex_;
    line_.highlighted =
        std::binary_search(opt_.highlight.begin(), opt_.highlight.end(), line_.number);
    sourceIndex_++;
    stats_.sourceLines++;
  }

  void startMore(uint32_t count) {
    if (open_) finish();
    begin(LineKind::More);
    std::string msg = !opt_.moreText.empty()
                          ? opt_.moreText
                          : "\xE2\x80\xA6 " + std::to_string(count) +
                                (count == 1 ? " more line" : " more lines");
    size_t i = 0;
    while (i < msg.size()) emit(utf8::next(msg, i), TokenClass::Comment, false);
    finish();
  }

  bool open() const { return open_; }

  void emit(char32_t cp, TokenClass cls, bool wrap = true) {
    uint32_t w = isCombiningMark(cp) ? 0 : 1;
    if (wrap && w && opt_.wrapColumn && col_ >= opt_.wrapColumn) {
      bool hl = line_.highlighted;
      finish();
      begin(LineKind::Continuation);
      line_.highlighted = hl;
    }
    if (line_.cells.size() < opt_.maxColumns) line_.cells.push_back(Cell{cp, cls});
    col_ += w;
    line_.columns = col_;
  }

  uint32_t column() const { return col_; }

  void finish() {
    stats_.visualLines++;
    stats_.maxColumns = std::max(stats_.maxColumns, line_.columns);
    if (out_.size() < opt_.maxLines) out_.push_back(std::move(line_));
    line_ = VisualLine{};
    open_ = false;
  }

 private:
  void begin(LineKind kind) {
    line_ = VisualLine{};
    line_.kind = kind;
    col_ = 0;
    open_ = true;
  }

  const LineOptions& opt_;
  std::vector<VisualLine>& out_;
  LineStats& stats_;
  VisualLine line_;
  uint32_t col_ = 0;
  uint32_t sourceIndex_ = 0;
  bool open_ = false;
};

}  // namespace

LineStats buildLines(std::string_view text, const std::vector<Token>& tokens,
                     const LineOptions& opt, std::vector<VisualLine>& out) {
  out.clear();
  LineStats stats;
  Builder b(opt, out, stats);
  const uint32_t tab = std::max<uint32_t>(1, opt.tabWidth);
  size_t t = 0;
  size_t i = 0;
  while (i < text.size()) {
    // The class of a code point is the class of the token holding its first byte.
    while (t < tokens.size() && size_t(tokens[t].begin) + tokens[t].length <= i) t++;
    TokenClass cls = t < tokens.size() && tokens[t].begin <= i ? tokens[t].cls : TokenClass::Text;
    char32_t cp = utf8::next(text, i);
    if (cp == '\n') {
      if (!b.open()) b.startCode();
      b.finish();
      continue;
    }
    if (!b.open()) b.startCode();
    if (cp == '\r') {
      if (i < text.size() && text[i] == '\n') continue;  // CRLF
      cp = 0x240D;
    } else if (cp == '\t') {
      uint32_t n = tab - b.column() % tab;
      for (uint32_t k = 0; k < n; k++) b.emit(' ', cls);
      continue;
    } else if (cp < 0x20) {
      cp = 0x2400 + cp;  // Control Pictures: NUL shows as ␀, ESC as ␛
    } else if (cp == 0x7F) {
      cp = 0x2421;
    } else if (cp >= 0x80 && cp < 0xA0) {
      cp = 0xFFFD;
    }
    b.emit(cp, cls);
  }
  if (b.open()) {
    b.finish();
  } else if (stats.sourceLines == 0) {
    b.startCode();
    b.finish();
  }
  if (opt.moreLines > 0) b.startMore(opt.moreLines);
  return stats;
}

}  // namespace render
