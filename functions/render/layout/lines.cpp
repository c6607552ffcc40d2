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
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
         // Emoji skin tones and tag characters (subdivision flags) modify the emoji before.
         (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F);
}

bool isWide(char32_t cp) {
  if (cp < 0x1100) return false;
  // East Asian Wide and Fullwidth (UAX #11) and emoji presented as emoji by default, as
  // terminals count them; the blocks, not every assigned code point.
  static constexpr char32_t kRanges[][2] = {
      {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
      {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
      {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
      {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
      {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
      {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
      {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
      {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
      {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
      {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
      {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
      {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
      {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
      {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
      {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F320},
      {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
      {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
      {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
      {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4},
      {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
      {0x1F6D5, 0x1F6D7}, {0x1F6DC, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC},
      {0x1F7E0, 0x1F7EB}, {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945},
      {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
  };
  size_t lo = 0, hi = sizeof(kRanges) / sizeof(kRanges[0]);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cp < kRanges[mid][0]) {
      hi = mid;
    } else if (cp > kRanges[mid][1]) {
      lo = mid + 1;
    } else {
      return true;
    }
  }
  return false;
}

uint32_t cellColumns(char32_t cp) {
  if (cp < 0x0300) return 1;
  if (isCombiningMark(cp)) return 0;
  return isWide(cp) ? 2 : 1;
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
    std::string msg = !opt_.moreText.empty() ? opt_.moreText
                                             : "\xE2\x80\xA6 " + std::to_string(count) +
                                                   (count == 1 ? " more line" : " more lines");
    size_t i = 0;
    while (i < msg.size()) emit(utf8::next(msg, i), TokenClass::Comment, false);
    finish();
  }

  bool open() const { return open_; }

  void emit(char32_t cp, TokenClass cls, bool wrap = true) {
    // What follows a zero-width joiner joins the emoji before it (one glyph, one width).
    uint32_t w = afterJoiner_ ? 0 : cellColumns(cp);
    afterJoiner_ = cp == 0x200D;
    // A wide character that would straddle the wrap column starts the next line.
    if (wrap && w && opt_.wrapColumn && col_ + w > opt_.wrapColumn && col_ > 0) {
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
    afterJoiner_ = false;
    open_ = true;
  }

  const LineOptions& opt_;
  std::vector<VisualLine>& out_;
  LineStats& stats_;
  VisualLine line_;
  uint32_t col_ = 0;
  bool afterJoiner_ = false;
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
