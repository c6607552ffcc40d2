#include "thumbnail/analyze.h"

#include <algorithm>
#include <array>
#include <string>

#include "shared/utf8.h"

namespace thumb {

namespace {

// A keyword matches a word that starts with it; a trailing '$' asks for the whole word (short
// English words such as "ai" or "pc" would otherwise match "air" and "pcs").
struct Keywords {
  Category category;
  const char* const* words;
};

#define KW(name, ...) constexpr const char* name[] = {__VA_ARGS__, nullptr};
KW(kGaming, "game", "gaming", "gamer", "minecraft", "fortnite", "gta$", "playthrough", "speedrun",
   "boss$", "esport", "xbox", "playstation", "ps5", "nintendo", "roblox", "valorant", "dota", "игр",
   "геймплей", "прохожден", "майнкрафт", "стрим", "катк", "משחק", "גיימינג", "גיימר", "פורטנייט",
   "מיינקראפט", "بازی", "گیم", "ماینکرفت")
KW(kTech, "tech", "iphone", "android", "smartphone", "phone", "laptop", "computer", "pc$", "code",
   "coding", "programm", "python", "javascript", "c++", "software", "ai$", "gadget", "unbox",
   "setup$", "linux", "chip", "технолог", "смартфон", "телефон", "ноутбук", "компьютер", "программ",
   "код$", "айфон", "нейросет", "гаджет", "טכנולוגי", "סמארטפון", "טלפון", "מחשב", "תכנות", "קוד$",
   "אייפון", "גאדג", "تکنولوژی", "فناوری", "گوشی", "موبایل", "لپ‌تاپ", "لپتاپ", "کامپیوتر",
   "برنامه‌نویسی", "برنامه نویسی", "کد$", "آیفون", "اندروید")
KW(kEducation, "learn", "^lesson", "^tutorial", "^course", "explain", "how$", "guide", "tips",
   "math", "physics", "history", "science", "study", "exam", "school", "university", "^урок",
   "обучен", "учим", "^курс", "объясн", "как$", "гайд", "математ", "физик", "истори", "наук",
   "экзамен", "школ", "^שיעור", "לימוד", "ללמוד", "^מדריך", "איך$", "מתמטיקה", "היסטורי", "מדע",
   "בחינ", "אוניברסיט", "^آموزش", "^درس", "یادگیری", "چگونه", "ریاضی", "تاریخ", "علم", "کنکور",
   "دانشگاه", "مدرسه")
KW(kVlog, "^vlog", "day$", "life$", "morning", "routine", "family", "weekend", "diary", "^влог",
   "день", "жизн", "утро", "семь", "выходн", "^ולוג", "יום$", "חיים", "בוקר", "משפחה", "שגרה",
   "ולוג", "^ولاگ", "روزمره", "زندگی", "صبح", "خانواده", "آخر هفته")
KW(kMusic, "music", "song", "cover$", "album", "guitar", "piano", "beat$", "remix", "lyric",
   "concert", "singer", "rap$", "dj$", "музык", "песн", "кавер", "альбом", "гитар", "пианино",
   "ремикс", "концерт", "рэп", "מוזיק", "שיר$", "שירים", "גיטר", "פסנתר", "אלבום", "הופע", "קאבר",
   "موسیقی", "آهنگ", "ترانه", "گیتار", "پیانو", "آلبوم", "کنسرت", "رپ$")
KW(kNews, "^news", "breaking", "update", "election", "politic", "report", "war$", "crisis",
   "^новост", "срочн", "выбор", "политик", "кризис", "^חדשות", "דחוף", "בחירות", "פוליטיק", "מלחמ",
   "خبر", "^اخبار", "فوری", "انتخابات", "سیاست", "بحران")
KW(kCooking, "^recipe", "cook", "kitchen", "food", "pizza", "pasta", "cake", "bake", "baking",
   "dinner", "breakfast", "chef", "burger", "soup", "^рецепт", "готов", "кухн", "еда", "пицц",
   "торт", "выпечк", "ужин", "завтрак", "блюд", "суп", "борщ", "^מתכון", "בישול", "מטבח", "אוכל",
   "פיצה", "עוגה", "ארוחה", "שף$", "آشپزی", "^دستور پخت", "غذا", "پیتزا", "کیک", "شام", "صبحانه",
   "آشپز", "پخت")
KW(kFitness, "^workout", "fitness", "gym", "exercise", "abs$", "muscle", "yoga", "running",
   "weight", "diet", "cardio", "training", "^тренировк", "фитнес", "спортзал", "упражнен", "пресс",
   "мышц", "йог", "похуд", "диет", "קרדיו", "^אימון", "כושר", "יוגה", "שרירים", "ריצה", "דיאט",
   "تمرین", "بدنسازی", "ورزش", "باشگاه", "یوگا", "عضله", "عضلات", "رژیم", "تناسب")
KW(kBusiness, "business", "money", "invest", "stock", "crypto", "bitcoin", "startup", "marketing",
   "income", "profit", "finance", "entrepreneur", "sales", "бизнес", "деньг", "инвест", "акци",
   "крипт", "биткоин", "стартап", "маркетинг", "доход", "финанс", "заработ", "עסק", "כסף", "השקע",
   "מניות", "קריפטו", "ביטקוין", "סטארטאפ", "שיווק", "הכנס", "کسب", "پول", "سرمایه", "بورس",
   "ارز دیجیتال", "بیت‌کوین", "استارتاپ", "بازاریابی", "درآمد", "تجارت")
KW(kTravel, "travel", "trip", "tour$", "beach", "hotel", "flight", "vacation", "journey", "explore",
   "mountain", "island", "путешеств", "поездк", "тур$", "пляж", "отел", "отпуск", "гор$", "горы",
   "остров", "טיול", "נסיע", "חופש", "חוף", "מלון", "טיסה", "سفر", "گردش", "ساحل", "هتل", "تعطیلات",
   "کوه", "جزیره")
KW(kBold, "epic", "insane", "crazy", "extreme", "ultimate", "shocking", "bold", "эпич", "безум",
   "шок", "жест", "מטורף", "אפי", "קיצוני", "باورنکردنی", "شوکه", "دیوانه", "حماسی")
KW(kMinimal, "minimal", "clean", "simple", "минимал", "прост", "מינימל", "פשוט", "ساده", "مینیمال")
KW(kNeon, "neon", "cyber", "retro", "synthwave", "night", "неон", "кибер", "ретро", "ночн", "ניאון",
   "סייבר", "רטרו", "نئون", "سایبر", "رترو")
KW(kExciting, "epic", "insane", "crazy", "amazing", "win$", "vs$", "record", "challenge", "эпич",
   "невероят", "рекорд", "челлендж", "победа", "מדהים", "שיא", "אתגר", "ניצחון", "شگفت", "رکورد",
   "چالش", "برد$")
KW(kCalm, "relax", "calm", "chill", "peace", "lofi", "sleep", "спокой", "расслаб", "сон$", "רגוע",
   "רגיעה", "שינה", "آرام", "خواب")
KW(kSerious, "breaking", "warning", "truth", "why$", "crisis", "danger", "правда", "почему",
   "кризис", "опасн", "אמת", "למה$", "אזהרה", "סכנה", "حقیقت", "چرا", "بحران", "خطر")
#undef KW

constexpr Keywords kCategoryWords[] = {
    {Category::Gaming, kGaming},   {Category::Tech, kTech},       {Category::Education, kEducation},
    {Category::Vlog, kVlog},       {Category::Music, kMusic},     {Category::News, kNews},
    {Category::Cooking, kCooking}, {Category::Fitness, kFitness}, {Category::Business, kBusiness},
    {Category::Travel, kTravel},
};

struct ColorWord {
  const char* word;
  render::Rgba color;
};
constexpr render::Rgba kRed{230, 40, 50}, kBlue{40, 110, 240}, kGreen{40, 190, 90},
    kYellow{255, 214, 0}, kOrange{255, 140, 0}, kPurple{140, 60, 220}, kPink{255, 80, 170},
    kBlack{18, 18, 22}, kWhite{245, 245, 245}, kGold{230, 180, 40}, kCyan{0, 220, 230};
constexpr ColorWord kColorWords[] = {
    {"red", kRed},       {"blue", kBlue},     {"green", kGreen},    {"yellow", kYellow},
    {"orange", kOrange}, {"purple", kPurple}, {"violet", kPurple},  {"pink", kPink},
    {"black", kBlack},   {"white", kWhite},   {"gold", kGold},      {"cyan", kCyan},
    {"teal", kCyan},     {"красн", kRed},     {"синий", kBlue},     {"синих", kBlue},
    {"синяя", kBlue},    {"голуб", kCyan},    {"зелен", kGreen},    {"зелён", kGreen},
    {"желт", kYellow},   {"жёлт", kYellow},   {"оранжев", kOrange}, {"фиолет", kPurple},
    {"розов", kPink},    {"черн", kBlack},    {"чёрн", kBlack},     {"белый", kWhite},
    {"белая", kWhite},   {"белом", kWhite},   {"золот", kGold},     {"אדום", kRed},
    {"אדומ", kRed},      {"כחול", kBlue},     {"ירוק", kGreen},     {"צהוב", kYellow},
    {"כתום", kOrange},   {"סגול", kPurple},   {"ורוד", kPink},      {"שחור", kBlack},
    {"לבן", kWhite},     {"זהב", kGold},      {"قرمز", kRed},       {"آبی", kBlue},
    {"سبز", kGreen},     {"زرد", kYellow},    {"نارنجی", kOrange},  {"بنفش", kPurple},
    {"صورتی", kPink},    {"سیاه", kBlack},    {"مشکی", kBlack},     {"سفید", kWhite},
    {"طلایی", kGold},    {"فیروزه", kCyan},
};

char32_t fold(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0x0410 && cp <= 0x042F) return cp + 32;  // А..Я
  if (cp >= 0x0400 && cp <= 0x040F) return cp + 80;  // Ѐ..Џ (Ё)
  if (cp == 0x064A || cp == 0x0649) return 0x06CC;   // Arabic yeh -> Persian yeh
  if (cp == 0x0643) return 0x06A9;                   // Arabic kaf -> Persian keheh
  return cp;
}

bool isWordChar(char32_t cp) {
  if (cp == '+' || cp == '#' || cp == 0x200C) return true;  // c++, c#, Persian ZWNJ
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
  if (cp >= 0x2000 && cp <= 0x206F) return false;  // punctuation, spaces
  return cp >= 0xC0;
}

// Hebrew writes "and, the, in, to, from, that, as" as one-letter prefixes (ו ה ב ל מ ש כ):
// "במניות" is "in stocks".
bool isHebrewPrefix(char32_t cp) {
  return cp == 0x05D5 || cp == 0x05D4 || cp == 0x05D1 || cp == 0x05DC || cp == 0x05DE ||
         cp == 0x05E9 || cp == 0x05DB;
}

// Lower-cased, folded text with every run of non-word characters made one space, framed by
// spaces so " word" finds word starts. A Hebrew word with a prefix letter is also listed
// without it, so keywords match either form.
std::string normalise(std::string_view in) {
  std::string out = " ";
  std::u32string word;
  auto flush = [&] {
    if (word.empty()) return;
    for (char32_t cp : word) utf8::append(out, cp);
    out += ' ';
    if (word.size() > 3 && isHebrewPrefix(word[0]) && word[1] >= 0x05D0 && word[1] <= 0x05EA) {
      for (size_t k = 1; k < word.size(); k++) utf8::append(out, word[k]);
      out += ' ';
    }
    word.clear();
  };
  size_t i = 0;
  while (i < in.size()) {
    char32_t cp = fold(utf8::next(in, i));
    if (isWordChar(cp))
      word.push_back(cp);
    else
      flush();
  }
  flush();
  return out;
}

// Occurrences of `kw` at word starts in `text` (normalised).
// A leading '^' marks a genre word ("tutorial", "recipe", "vlog"): it names the category
// outright, so it counts twice against topic words ("python" in "Python tutorial").
int hits(const std::string& text, std::string_view kw) {
  int weight = 1;
  if (!kw.empty() && kw.front() == '^') kw.remove_prefix(1), weight = 2;
  bool whole = !kw.empty() && kw.back() == '$';
  if (whole) kw.remove_suffix(1);
  std::string needle = " " + std::string(kw) + (whole ? " " : "");
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) n++;
  return n * weight;
}

int hitsOf(const std::string& text, const char* const* words) {
  int n = 0;
  for (const char* const* w = words; *w; w++) n += hits(text, *w);
  return n;
}

constexpr const char* kCategoryNames[] = {
#define THUMB_X(id, name) name,
    THUMB_CATEGORIES(THUMB_X)
#undef THUMB_X
};
constexpr const char* kStyleNames[] = {"modern", "bold", "minimal", "neon"};
constexpr const char* kMoodNames[] = {"neutral", "exciting", "calm", "serious"};

// The style a category usually wears when the text names none.
constexpr Style kUsualStyle[] = {Style::Modern, Style::Bold,    Style::Modern, Style::Minimal,
                                 Style::Modern, Style::Neon,    Style::Bold,   Style::Modern,
                                 Style::Bold,   Style::Minimal, Style::Modern};
static_assert(std::size(kUsualStyle) == size_t(Category::Count));

}  // namespace

const char* categoryName(Category c) {
  return kCategoryNames[size_t(c)];
}
const char* styleName(Style s) {
  return kStyleNames[size_t(s)];
}
const char* moodName(Mood m) {
  return kMoodNames[size_t(m)];
}

bool parseCategory(std::string_view s, Category& out) {
  for (size_t i = 0; i < size_t(Category::Count); i++) {
    if (s == kCategoryNames[i]) return out = Category(i), true;
  }
  return false;
}

bool parseStyle(std::string_view s, Style& out) {
  for (size_t i = 0; i < size_t(Style::Count); i++) {
    if (s == kStyleNames[i]) return out = Style(i), true;
  }
  return false;
}

bool parseMood(std::string_view s, Mood& out) {
  for (size_t i = 0; i < size_t(Mood::Count); i++) {
    if (s == kMoodNames[i]) return out = Mood(i), true;
  }
  return false;
}

Analysis analyze(std::string_view input) {
  Analysis a;
  const std::string text = normalise(input);
  for (const Keywords& k : kCategoryWords) {
    int n = hitsOf(text, k.words);
    if (n > a.score) a.score = n, a.category = k.category;
  }
  int bold = hitsOf(text, kBold), minimal = hitsOf(text, kMinimal), neon = hitsOf(text, kNeon);
  a.style = kUsualStyle[size_t(a.category)];
  if (bold + minimal + neon > 0) {
    a.styleFromText = true;
    a.style = neon >= bold && neon >= minimal ? Style::Neon
              : bold >= minimal               ? Style::Bold
                                              : Style::Minimal;
  }
  int bangs = 0;
  for (char ch : input) bangs += ch == '!';
  int exciting = hitsOf(text, kExciting) + (bangs >= 1 ? 1 : 0);
  int calm = hitsOf(text, kCalm), serious = hitsOf(text, kSerious);
  if (exciting + calm + serious > 0) {
    a.mood = exciting >= calm && exciting >= serious ? Mood::Exciting
             : serious >= calm                       ? Mood::Serious
                                                     : Mood::Calm;
  }
  // Colours in order of appearance: find each word's first position.
  std::vector<std::pair<size_t, render::Rgba>> found;
  for (const ColorWord& c : kColorWords) {
    size_t at = text.find(" " + std::string(c.word));
    if (at != std::string::npos) found.emplace_back(at, c.color);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& f : found) {
    if (a.colors.size() < 3 && (a.colors.empty() || !(a.colors.back() == f.second))) {
      a.colors.push_back(f.second);
    }
  }
  return a;
}

}  // namespace thumb
