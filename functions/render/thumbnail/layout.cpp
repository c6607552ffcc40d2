#include "thumbnail/layout.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace thumb {

namespace {

constexpr uint32_t bit(Category c) {
  return 1u << uint32_t(c);
}
using C = Category;
using render::Rgba;

// The library. Ideas from the user's design report (category, style, mood, primary/secondary
// colour per template): each row is one design; boxes keep clear of the duration badge.
const Template kTemplates[] = {
    {"impact",
     bit(C::Gaming) | bit(C::General),
     Style::Bold,
     Mood::Exciting,
     Decor::DiagonalBand,
     true,
     true,
     Align::Start,
     {80, 110, 720, 440},
     {{40, 0, 12},
      {150, 12, 32},
      {255, 200, 0},
      {255, 70, 60},
      {255, 226, 0},
      {0, 0, 0},
      {255, 255, 255}}},
    {"neon",
     bit(C::Gaming) | bit(C::Music) | bit(C::Tech) | bit(C::General),
     Style::Neon,
     Mood::Exciting,
     Decor::NeonGrid,
     false,
     true,
     Align::Center,
     {100, 64, 1080, 330},
     {{8, 4, 30},
      {58, 8, 88},
      {255, 40, 200},
      {0, 230, 255},
      {255, 255, 255},
      {150, 0, 130},
      {0, 230, 255}}},
    {"tech-rings",
     bit(C::Tech) | bit(C::Business),
     Style::Modern,
     Mood::Neutral,
     Decor::Rings,
     true,
     false,
     Align::Start,
     {80, 140, 700, 420},
     {{8, 20, 60},
      {20, 84, 176},
      {0, 200, 255},
      {120, 90, 255},
      {255, 255, 255},
      {4, 10, 34},
      {160, 225, 255}}},
    {"classroom",
     bit(C::Education),
     Style::Minimal,
     Mood::Calm,
     Decor::Panel,
     false,
     false,
     Align::Center,
     {150, 160, 980, 360},
     {{24, 76, 64},
      {10, 40, 34},
      {255, 210, 80},
      {240, 240, 228},
      {250, 250, 240},
      {8, 30, 24},
      {255, 210, 80}}},
    {"sunset",
     bit(C::Vlog) | bit(C::Travel),
     Style::Modern,
     Mood::Calm,
     Decor::Sun,
     false,
     false,
     Align::Start,
     {80, 320, 900, 300},
     {{255, 150, 70},
      {196, 50, 120},
      {255, 232, 150},
      {110, 28, 86},
      {255, 255, 255},
      {86, 18, 58},
      {255, 240, 205}}},
    {"equalizer",
     bit(C::Music),
     Style::Bold,
     Mood::Exciting,
     Decor::Equalizer,
     true,
     true,
     Align::Center,
     {100, 60, 1080, 360},
     {{56, 0, 90},
      {200, 0, 120},
      {255, 220, 0},
      {0, 240, 200},
      {255, 255, 255},
      {30, 0, 40},
      {255, 220, 0}}},
    {"breaking",
     bit(C::News),
     Style::Bold,
     Mood::Serious,
     Decor::NewsBanner,
     false,
     false,
     Align::Start,
     {100, 392, 960, 232},
     {{10, 24, 60},
      {26, 52, 112},
      {214, 18, 30},
      {255, 255, 255},
      {255, 255, 255},
      {70, 0, 6},
      {255, 225, 225}}},
    {"kitchen",
     bit(C::Cooking),
     Style::Modern,
     Mood::Calm,
     Decor::Plates,
     true,
     false,
     Align::Start,
     {80, 120, 680, 460},
     {{255, 238, 205},
      {250, 172, 92},
      {204, 64, 30},
      {255, 255, 255},
      {92, 26, 10},
      {255, 255, 255},
      {130, 52, 20}}},
    {"power",
     bit(C::Fitness) | bit(C::Gaming) | bit(C::Business),
     Style::Bold,
     Mood::Exciting,
     Decor::Slashes,
     true,
     true,
     Align::Start,
     {80, 120, 760, 440},
     {{14, 14, 18},
      {48, 48, 54},
      {180, 255, 0},
      {255, 90, 0},
      {255, 255, 255},
      {0, 0, 0},
      {180, 255, 0}}},
    {"boardroom",
     bit(C::Business) | bit(C::Education) | bit(C::News),
     Style::Minimal,
     Mood::Serious,
     Decor::SideBar,
     false,
     false,
     Align::Start,
     {130, 130, 900, 420},
     {{248, 248, 245},
      {222, 226, 232},
      {20, 140, 90},
      {212, 175, 55},
      {20, 28, 40},
      {255, 255, 255},
      {20, 120, 80}}},
    {"clean",
     bit(C::General),
     Style::Minimal,
     Mood::Neutral,
     Decor::Frame,
     false,
     false,
     Align::Center,
     {130, 120, 1020, 440},
     {{34, 34, 42},
      {18, 18, 22},
      {255, 255, 255},
      {255, 84, 84},
      {255, 255, 255},
      {0, 0, 0},
      {205, 205, 215}}},
    {"horizon",
     bit(C::Travel) | bit(C::Vlog),
     Style::Modern,
     Mood::Exciting,
     Decor::Mountains,
     false,
     false,
     Align::Center,
     {100, 50, 1080, 320},
     {{36, 120, 224},
      {176, 224, 255},
      {28, 64, 84},
      {58, 108, 118},
      {255, 255, 255},
      {10, 40, 80},
      {255, 255, 255}}},
};

}  // namespace

size_t templateCount() {
  return std::size(kTemplates);
}
const Template& templateAt(size_t i) {
  return kTemplates[i];
}

const Template* findTemplate(std::string_view name) {
  for (const Template& t : kTemplates) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

int matchScore(const Template& t, const Analysis& a) {
  int s = 0;
  if (t.categories & bit(a.category)) s += 10;
  if (t.style == a.style) s += a.styleFromText ? 6 : 4;
  if (t.mood == a.mood) s += 3;
  return s;
}

const Template& matchTemplate(const Analysis& a) {
  const Template* best = &kTemplates[0];
  int bestScore = -1;
  for (const Template& t : kTemplates) {
    int s = matchScore(t, a);
    if (s > bestScore) bestScore = s, best = &t;
  }
  return *best;
}

FitResult fitTitle(const FitInput& in) {
  FitResult best;
  const size_t n = in.words.size();
  if (n == 0 || in.boxW <= 0 || in.boxH <= 0 || in.refPx <= 0) {
    best.px = std::max(1, in.minPx);
    best.lineStarts = {0};
    return best;
  }
  std::vector<double> prefix(n + 1, 0);
  for (size_t i = 0; i < n; i++) prefix[i + 1] = prefix[i] + in.words[i];
  auto width = [&](size_t i, size_t j) {
    return prefix[j] - prefix[i] + double(j - i - 1) * in.space;
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const size_t maxLines = std::min(n, size_t(std::max(1, in.maxLines)));
  // dp[k][j]: the smallest widest line when words [0, j) make k lines; from[k][j]: start of
  // the last of those lines. Titles are a few dozen words, so O(lines * n^2) is nothing.
  std::vector<std::vector<double>> dp(maxLines + 1, std::vector<double>(n + 1, kInf));
  std::vector<std::vector<size_t>> from(maxLines + 1, std::vector<size_t>(n + 1, 0));
  dp[0][0] = 0;
  double bestPx = -1;
  for (size_t k = 1; k <= maxLines; k++) {
    for (size_t j = k; j <= n; j++) {
      for (size_t i = k - 1; i < j; i++) {
        double w = std::max(dp[k - 1][i], width(i, j));
        if (w < dp[k][j]) dp[k][j] = w, from[k][j] = i;
      }
    }
    const double widest = std::max(dp[k][n], 1e-9);
    double px = std::min(
        {double(in.maxPx), in.boxW * in.refPx / widest, in.boxH / (double(k) * in.lineHeight)});
    px = std::floor(px);
    if (px > bestPx) {  // strictly larger: ties keep fewer lines
      bestPx = px;
      best.lineStarts.assign(k, 0);
      size_t j = n;
      for (size_t l = k; l >= 1; l--) {
        best.lineStarts[l - 1] = from[l][j];
        j = from[l][j];
      }
    }
  }
  best.px = std::max(1, int(bestPx));
  // When the height bound the size, the widest line has room to spare and many breaks fit; of
  // those, take the most even (least squared slack), so "HOW I / BUILT A VERY LONG TITLE" becomes
  // two similar lines instead of a stub and a long one.
  const size_t k = best.lineStarts.size();
  const double limit = in.boxW * in.refPx / best.px;
  if (k > 1) {
    std::vector<std::vector<double>> cost(k + 1, std::vector<double>(n + 1, kInf));
    std::vector<std::vector<size_t>> at(k + 1, std::vector<size_t>(n + 1, 0));
    cost[0][0] = 0;
    for (size_t l = 1; l <= k; l++) {
      for (size_t j = l; j <= n; j++) {
        for (size_t i = l - 1; i < j; i++) {
          const double w = width(i, j);
          if (w > limit || cost[l - 1][i] == kInf) continue;
          const double c = cost[l - 1][i] + (limit - w) * (limit - w);
          if (c < cost[l][j]) cost[l][j] = c, at[l][j] = i;
        }
      }
    }
    if (cost[k][n] < kInf) {
      size_t j = n;
      for (size_t l = k; l >= 1; l--) {
        best.lineStarts[l - 1] = at[l][j];
        j = at[l][j];
      }
    }
  }
  return best;
}

std::vector<Box> placeLines(const FitResult& fit, const std::vector<double>& lineWidths,
                            double lineHeight, const Box& box, Align align, bool rtl) {
  std::vector<Box> out;
  const int pitch = int(std::floor(fit.px * lineHeight));
  const int total = pitch * int(lineWidths.size());
  int y = box.y + std::max(0, (box.h - total) / 2);
  if (align == Align::Center)
    align = Align::Center;
  else if (rtl)
    align = align == Align::Start ? Align::End : Align::Start;
  for (double lw : lineWidths) {
    int w = std::min(box.w, int(std::ceil(lw)));
    int x = align == Align::Start ? box.x
            : align == Align::End ? box.right() - w
                                  : box.x + (box.w - w) / 2;
    out.push_back(Box{x, y, w, pitch});
    y += pitch;
  }
  return out;
}

}  // namespace thumb
