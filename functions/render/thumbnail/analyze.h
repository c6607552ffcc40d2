// Prompt analysis by rules: which category, style, mood and colours a thumbnail title asks for.
//
//   thumb::Analysis a = thumb::analyze("Minecraft speedrun world record!");
//   // a.category == Category::Gaming, a.mood == Mood::Exciting
//
// Keywords are listed in English, Russian, Hebrew and Persian and matched as word prefixes on
// lower-cased text (Cyrillic lower-cased too; Hebrew and Persian have no case):
//   "играх" finds "игр", "بازی‌ها" finds "بازی".
// Colour words become the palette's accent:
//   "red", "красный", "אדום", "قرمز".
// The rules are the offline baseline; llm.h may replace their answer.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "theme/themes.h"

namespace thumb {

// clang-format off
#define THUMB_CATEGORIES(X) \
  X(General, "general")     \
  X(Gaming, "gaming")       \
  X(Tech, "tech")           \
  X(Education, "education") \
  X(Vlog, "vlog")           \
  X(Music, "music")         \
  X(News, "news")           \
  X(Cooking, "cooking")     \
  X(Fitness, "fitness")     \
  X(Business, "business")   \
  X(Travel, "travel")
// clang-format on

enum class Category : uint8_t {
#define THUMB_X(id, name) id,
  THUMB_CATEGORIES(THUMB_X)
#undef THUMB_X
      Count
};

enum class Style : uint8_t { Modern, Bold, Minimal, Neon, Count };
enum class Mood : uint8_t { Neutral, Exciting, Calm, Serious, Count };

const char* categoryName(Category c);
const char* styleName(Style s);
const char* moodName(Mood m);
// False for an unknown name; names are the lower-case ones above.
bool parseCategory(std::string_view s, Category& out);
bool parseStyle(std::string_view s, Style& out);
bool parseMood(std::string_view s, Mood& out);

struct Analysis {
  Category category = Category::General;
  Style style = Style::Modern;
  Mood mood = Mood::Neutral;
  bool styleFromText = false;        // a style word was found (else the category's usual style)
  std::vector<render::Rgba> colors;  // named colours in order of appearance, at most 3
  int score = 0;                     // keyword hits behind the category (0: General by default)
};

Analysis analyze(std::string_view text);

}  // namespace thumb
