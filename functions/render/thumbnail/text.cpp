#include "thumbnail/text.h"

#include <cmath>

#include "shared/utf8.h"

namespace thumb {

using render::Rgba;

namespace {

// The scripts that make a title read right to left (Hebrew, Arabic and their presentation forms).
bool isRtl(char32_t cp) {
  return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFE);
}

}  // namespace

std::u32string decode(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = utf8::next(s, i);
    if (cp < 0x20 || cp == 0x7F) cp = ' ';
    out.push_back(cp);
  }
  return out;
}

Dir paragraphDir(const std::u32string& s, bool rtlReader) {
  bool anyRtl = false;
  for (char32_t cp : s) anyRtl = anyRtl || isRtl(cp);
  if (!anyRtl) return Dir::Ltr;
  if (rtlReader) return Dir::Rtl;
  for (char32_t cp : s) {
    if (isRtl(cp)) return Dir::Rtl;
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0x0400 && cp <= 0x04FF)) {
      return Dir::Ltr;
    }
  }
  return Dir::Rtl;
}

bool isMark(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) ||
         (cp >= 0x0591 && cp <= 0x05C7 && cp != 0x05BE && cp != 0x05C0 && cp != 0x05C3 &&
          cp != 0x05C6) ||
         (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x200C || cp == 0x200D;
}

double measure(render::TitleFace& f, const std::u32string& visual, double px) {
  double w = 0;
  for (char32_t cp : visual) {
    if (!isMark(cp)) w += f.advance(f.glyph(cp), px);
  }
  return w;
}

void upper(std::u32string& s) {
  for (char32_t& cp : s) {
    if (cp >= 'a' && cp <= 'z')
      cp -= 32;
    else if (cp >= 0x0430 && cp <= 0x044F)
      cp -= 32;
    else if (cp >= 0x0450 && cp <= 0x045F)
      cp -= 80;
  }
}

std::vector<std::u32string> words(const std::u32string& text) {
  constexpr size_t kMaxWord = 22;
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t cp : text) {
    if (cp == ' ' || cp == 0x3000 || cp == 0xA0) {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
      continue;
    }
    cur.push_back(cp);
    if (cur.size() >= kMaxWord) out.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

void drawLine(render::Canvas& p, render::TitleFace& f, const std::u32string& visual, double x,
              int baseline, int px, const TextStyle& s) {
  struct Placed {
    uint32_t g;
    int x;
  };
  std::vector<Placed> placed;
  double pen = x;
  for (char32_t cp : visual) {
    uint32_t g = f.glyph(cp);
    if (isMark(cp)) {
      // Marks sit over the previous letter; drawn at its pen position less their own advance.
      placed.push_back({g, int(std::floor(pen - f.advance(g, px)))});
      continue;
    }
    if (cp != ' ') placed.push_back({g, int(std::floor(pen))});
    pen += f.advance(g, px);
  }
  // A dark drop shadow under a dark outline deepens it; under a light outline (dark text on a
  // light design) it would print a grey ghost of every letter, so it is left out there.
  if (s.shadow > 0 && render::luminance(s.outline) < 0.5) {
    for (const Placed& q : placed) {
      if (auto* b = f.bitmap(q.g, px, s.grow + 1)) {
        p.drawMask(*b, q.x + s.shadow, baseline + s.shadow, Rgba{0, 0, 0, 120});
      }
    }
  }
  if (s.grow > 0) {
    for (const Placed& q : placed) {
      if (auto* b = f.bitmap(q.g, px, s.grow)) p.drawMask(*b, q.x, baseline, s.outline);
    }
  }
  for (const Placed& q : placed) {
    if (auto* b = f.bitmap(q.g, px, s.boldFill ? 1 : 0)) p.drawMask(*b, q.x, baseline, s.fill);
  }
}

}  // namespace thumb
