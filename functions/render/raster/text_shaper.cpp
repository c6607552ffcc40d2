#include "raster/text_shaper.h"

#include <fribidi.h>

namespace render {

namespace {

// Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic supplements and presentation
// forms, and the explicit RTL marks/overrides.
bool isRtlRange(char32_t cp) {
  return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFE) || cp == 0x200F || cp == 0x202B || cp == 0x202E ||
         cp == 0x2067 || (cp >= 0x10800 && cp <= 0x10FFF) || (cp >= 0x1E800 && cp <= 0x1EFFF);
}

}  // namespace

bool needsBidi(const std::vector<Cell>& cells) {
  for (const Cell& c : cells) {
    if (c.cp >= 0x0590 && isRtlRange(c.cp)) return true;
  }
  return false;
}

void shapeLine(const std::vector<Cell>& logical, std::vector<Cell>& visual) {
  visual.clear();
  if (!needsBidi(logical)) {
    visual = logical;
    return;
  }
  const FriBidiStrIndex len = FriBidiStrIndex(logical.size());
  std::vector<FriBidiChar> in(logical.size()), out(logical.size());
  std::vector<FriBidiStrIndex> vToL(logical.size());
  for (size_t i = 0; i < logical.size(); i++) in[i] = logical[i].cp;
  FriBidiParType base = FRIBIDI_PAR_LTR;
  if (!fribidi_log2vis(in.data(), len, &base, out.data(), nullptr, vToL.data(), nullptr)) {
    visual = logical;  // fribidi only fails on allocation; logical order is still readable
    return;
  }
  visual.reserve(logical.size());
  for (size_t v = 0; v < logical.size(); v++) {
    // Letters folded into a ligature leave a fill character behind.
    if (out[v] == FRIBIDI_CHAR_FILL) continue;
    visual.push_back(Cell{char32_t(out[v]), logical[size_t(vToL[v])].cls});
  }
}

std::u32string shapeParagraph(const std::u32string& logical, ParagraphDir dir) {
  bool rtl = false;
  for (char32_t cp : logical) rtl = rtl || (cp >= 0x0590 && isRtlRange(cp));
  if (!rtl) return logical;
  const FriBidiStrIndex len = FriBidiStrIndex(logical.size());
  std::vector<FriBidiChar> in(logical.begin(), logical.end()), out(logical.size());
  FriBidiParType base = dir == ParagraphDir::Rtl   ? FRIBIDI_PAR_RTL
                        : dir == ParagraphDir::Ltr ? FRIBIDI_PAR_LTR
                                                   : FRIBIDI_PAR_ON;
  if (!fribidi_log2vis(in.data(), len, &base, out.data(), nullptr, nullptr, nullptr)) {
    return logical;  // fribidi only fails on allocation; logical order is still readable
  }
  std::u32string visual;
  visual.reserve(logical.size());
  for (FriBidiChar c : out) {
    // Letters folded into a ligature leave a fill character behind.
    if (c != FRIBIDI_CHAR_FILL) visual.push_back(char32_t(c));
  }
  return visual;
}

}  // namespace render
