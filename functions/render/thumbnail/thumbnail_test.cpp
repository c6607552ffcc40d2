// Thumbnails: category detection in the four UI languages, the template library's geometry,
// title fitting as arithmetic, and every template rendered at 1280x720 with its title in the
// safe area (JPEG and PNG decoded for their size).
#include <png.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <string>

#include "thumbnail/analyze.h"
#include "thumbnail/layout.h"
#include "thumbnail/thumbnail.h"

using namespace thumb;

namespace {

// Width and height from a baseline or progressive JPEG's SOF segment.
bool jpegSize(const std::vector<uint8_t>& b, int& w, int& h) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
  size_t i = 2;
  while (i + 9 < b.size()) {
    if (b[i] != 0xFF) return false;
    uint8_t m = b[i + 1];
    size_t len = size_t(b[i + 2]) << 8 | b[i + 3];
    if (m == 0xC0 || m == 0xC1 || m == 0xC2) {
      h = b[i + 5] << 8 | b[i + 6];
      w = b[i + 7] << 8 | b[i + 8];
      return true;
    }
    i += 2 + len;
  }
  return false;
}

bool pngDecode(const std::vector<uint8_t>& png, int& w, int& h) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, png.data(), png.size())) return false;
  img.format = PNG_FORMAT_RGBA;
  w = int(img.width);
  h = int(img.height);
  std::vector<uint8_t> px(size_t(w) * h * 4);
  return png_image_finish_read(&img, nullptr, px.data(), 0, nullptr) != 0;
}

struct Titled {
  const char* text;
  Category category;
};

}  // namespace

TEST_CASE("category detection: a table of titles in English, Russian, Hebrew and Persian",
          "[thumbnail]") {
  const Titled table[] = {
      {"Minecraft speedrun world record!", Category::Gaming},
      {"Best iPhone 16 review after a month", Category::Tech},
      {"Python tutorial for beginners", Category::Education},
      {"A day in my life: morning routine", Category::Vlog},
      {"Acoustic guitar cover of my favourite song", Category::Music},
      {"Breaking news: election results", Category::News},
      {"Easy pizza recipe at home", Category::Cooking},
      {"30 minute home workout for abs", Category::Fitness},
      {"How I invest money in stocks", Category::Business},
      {"Travel guide: 7 days in Japan, beaches and hotels", Category::Travel},
      {"Прохождение новой игры на стриме", Category::Gaming},
      {"Обзор смартфона: стоит ли покупать?", Category::Tech},
      {"Урок математики: объясняю дроби", Category::Education},
      {"Влог: мой выходной день", Category::Vlog},
      {"Новая песня и концерт в Москве", Category::Music},
      {"Срочные новости: выборы", Category::News},
      {"Рецепт борща: готовим вместе", Category::Cooking},
      {"Тренировка дома: пресс за 10 минут", Category::Fitness},
      {"Как заработать деньги на бизнесе", Category::Business},
      {"Путешествие на море: пляж и отель", Category::Travel},
      {"משחק חדש: גיימינג עם חברים", Category::Gaming},
      {"סקירת סמארטפון חדש", Category::Tech},
      {"שיעור מתמטיקה למתחילים", Category::Education},
      {"ולוג: בוקר עם המשפחה", Category::Vlog},
      {"שיר חדש על גיטרה", Category::Music},
      {"חדשות דחוף: תוצאות הבחירות", Category::News},
      {"מתכון לעוגה במטבח", Category::Cooking},
      {"אימון כושר ביתי", Category::Fitness},
      {"איך להשקיע כסף במניות", Category::Business},
      {"טיול בחוף ומלון", Category::Travel},
      {"بهترین بازی سال", Category::Gaming},
      {"بررسی گوشی جدید سامسونگ", Category::Tech},
      {"آموزش ریاضی برای کنکور", Category::Education},
      {"ولاگ روزمره من", Category::Vlog},
      {"آهنگ جدید با گیتار", Category::Music},
      {"اخبار فوری انتخابات", Category::News},
      {"آموزش آشپزی: پیتزا خانگی", Category::Cooking},
      {"تمرین بدنسازی در خانه", Category::Fitness},
      {"کسب درآمد با سرمایه گذاری", Category::Business},
      {"سفر به شمال و ساحل", Category::Travel},
      {"Hello everyone", Category::General},
  };
  for (const Titled& t : table) {
    INFO(t.text);
    CHECK(categoryName(analyze(t.text).category) == std::string(categoryName(t.category)));
  }
}

TEST_CASE("analysis: colours, style and mood from words", "[thumbnail]") {
  Analysis a = analyze("Create a gaming thumbnail with red and black colors");
  CHECK(a.category == Category::Gaming);
  REQUIRE(a.colors.size() == 2);
  CHECK(a.colors[0] == render::Rgba{230, 40, 50});
  CHECK(analyze("Красный и синий неон").colors.size() == 2);
  CHECK(analyze("Красный и синий неон").style == Style::Neon);
  CHECK(analyze("تم قرمز").colors.size() == 1);
  CHECK(analyze("רקע כחול").colors.size() == 1);
  CHECK(analyze("Calm lofi beats to relax").mood == Mood::Calm);
  CHECK(analyze("EPIC win!!").mood == Mood::Exciting);
  CHECK(analyze("Minimal clean setup").style == Style::Minimal);
  // A short English keyword is a whole word: "air" is not "ai".
  CHECK(analyze("fresh air").category == Category::General);
}

TEST_CASE("templates: at least 8, unique, title boxes inside the safe area", "[thumbnail]") {
  REQUIRE(templateCount() >= 8);
  std::set<std::string> names;
  std::set<int> decors;
  for (size_t i = 0; i < templateCount(); i++) {
    const Template& t = templateAt(i);
    INFO(t.name);
    CHECK(names.insert(t.name).second);
    decors.insert(int(t.decor));
    CHECK(kSafeArea.contains(t.titleBox));
    CHECK_FALSE(kDurationBadge.intersects(t.titleBox));
    CHECK(findTemplate(t.name) == &t);
  }
  CHECK(decors.size() >= 8);
  CHECK(findTemplate("nope") == nullptr);
}

TEST_CASE("template matching by score", "[thumbnail]") {
  Analysis a;
  a.category = Category::Gaming;
  a.style = Style::Bold;
  a.mood = Mood::Exciting;
  CHECK(std::string(matchTemplate(a).name) == "impact");
  a.style = Style::Neon;
  a.styleFromText = true;
  CHECK(std::string(matchTemplate(a).name) == "neon");
  CHECK(std::string(matchTemplate(analyze("Breaking news today")).name) == "breaking");
  CHECK(std::string(matchTemplate(analyze("Pasta recipe")).name) == "kitchen");
  CHECK(std::string(matchTemplate(analyze("Hello")).name) == "clean");
  for (size_t i = 0; i < templateCount(); i++) CHECK(matchScore(templateAt(i), a) >= 0);
}

TEST_CASE("fitTitle: largest size whose balanced lines fit the box", "[thumbnail]") {
  FitInput in;
  in.refPx = 100;
  in.space = 30;
  in.lineHeight = 1.2;
  in.boxW = 800;
  in.boxH = 400;
  in.maxPx = 150;
  SECTION("one short word: the size cap") {
    in.words = {200};
    FitResult f = fitTitle(in);
    CHECK(f.px == 150);
    CHECK(f.lineCount() == 1);
  }
  SECTION("many words: broken into balanced lines that fit") {
    in.words = {300, 250, 400, 150, 350, 300, 200, 280};
    FitResult f = fitTitle(in);
    REQUIRE(f.lineCount() >= 2);
    CHECK(f.lineStarts[0] == 0);
    // Every line fits the width and all lines the height at the chosen size.
    for (int l = 0; l < f.lineCount(); l++) {
      size_t a = f.lineStarts[size_t(l)];
      size_t b = l + 1 < f.lineCount() ? f.lineStarts[size_t(l) + 1] : in.words.size();
      double w = 0;
      for (size_t i = a; i < b; i++) w += in.words[i] + (i > a ? in.space : 0);
      CHECK(w * f.px / in.refPx <= in.boxW);
    }
    CHECK(f.lineCount() * f.px * in.lineHeight <= in.boxH);
    // One size larger would not fit with these breaks.
    CHECK(f.px < 150);
  }
  SECTION("a word too wide for the box at the minimum size still fits, smaller") {
    in.words = {50000};
    FitResult f = fitTitle(in);
    CHECK(50000.0 * f.px / in.refPx <= in.boxW);
  }
  SECTION("placeLines: inside the box, aligned, mirrored for RTL") {
    in.words = {300, 250, 400};
    FitResult f = fitTitle(in);
    std::vector<double> widths(size_t(f.lineCount()), 500.0 * f.px / 100 / 2);
    Box box{100, 100, 800, 400};
    auto start = placeLines(f, widths, 1.2, box, Align::Start, false);
    auto rtl = placeLines(f, widths, 1.2, box, Align::Start, true);
    for (size_t i = 0; i < start.size(); i++) {
      CHECK(box.contains(start[i]));
      CHECK(box.contains(rtl[i]));
      CHECK(start[i].x == box.x);
      CHECK(rtl[i].right() == box.right());
    }
  }
}

TEST_CASE("every template renders 1280x720 with the title inside the safe area", "[thumbnail]") {
  const char* titles[] = {
      "Epic win",
      "How I built a YouTube thumbnail renderer in C++ and WebAssembly in one weekend",
      "Как я прошёл игру за один день без урона",
      "המדריך המלא לבישול פסטה",
      "آموزش کامل برنامه‌نویسی پایتون",
      "Supercalifragilisticexpialidociousandevenlongerthanthat word",
  };
  for (size_t i = 0; i < templateCount(); i++) {
    for (const char* title : titles) {
      ThumbnailRequest req;
      req.title = title;
      req.subtitle = i % 2 ? "Part 2 | the sequel" : "";
      req.templateName = templateAt(i).name;
      req.watermark = "@CodeImageBot";
      ThumbnailResult r = renderThumbnail(req);
      INFO(templateAt(i).name << " / " << title);
      REQUIRE(r.status == 200);
      CHECK(r.contentType == "image/jpeg");
      int w = 0, h = 0;
      REQUIRE(jpegSize(r.bytes, w, h));
      CHECK(w == 1280);
      CHECK(h == 720);
      CHECK(r.bytes.size() <= kMaxBytes);
      REQUIRE_FALSE(r.titleLines.empty());
      CHECK(r.titlePx >= 20);
      for (const Box& b : r.titleLines) {
        CHECK(kSafeArea.contains(b));
        CHECK(templateAt(i).titleBox.contains(b));
        CHECK_FALSE(kDurationBadge.intersects(b));
        // No letter on the slanted band, whichever side the title starts from.
        if (templateAt(i).decor == Decor::DiagonalBand) CHECK(b.right() < kBandEdge.at(b.bottom()));
      }
    }
  }
}

// "iPhone 16 ביקורת מלאה" opens with a Latin name: an English reader's layout takes the first
// letter's direction (left to right, lines aligned as the template says), a Hebrew reader's
// takes the sentence's (right to left, the template's alignment mirrored).
TEST_CASE("a Hebrew reader's title with a Latin name reads right to left", "[thumbnail]") {
  ThumbnailRequest req;
  CHECK(parseThumbnailRequest(R"({"title":"x","locale":"he"})", req).ok());
  CHECK(req.rtlReader);
  for (size_t i = 0; i < templateCount(); i++) {
    if (templateAt(i).align == Align::Center) continue;
    ThumbnailRequest en, he;
    en.title = he.title = "iPhone 16 ביקורת מלאה אחרי חודש של שימוש";
    en.templateName = he.templateName = templateAt(i).name;
    he.rtlReader = true;
    ThumbnailResult a = renderThumbnail(en), b = renderThumbnail(he);
    REQUIRE(a.status == 200);
    REQUIRE(b.status == 200);
    REQUIRE(a.titleLines.size() == b.titleLines.size());
    INFO(templateAt(i).name);
    // Mirrored alignment: the lines hug the other side of the title box.
    const Box& box = templateAt(i).titleBox;
    bool startAligned = templateAt(i).align == Align::Start;
    int leftGapEn = 0, leftGapHe = 0;
    for (size_t l = 0; l < a.titleLines.size(); l++) {
      leftGapEn += a.titleLines[l].x - box.x;
      leftGapHe += b.titleLines[l].x - box.x;
    }
    if (startAligned)
      CHECK(leftGapHe > leftGapEn);
    else
      CHECK(leftGapHe < leftGapEn);
    CHECK(a.bytes != b.bytes);
    return;  // one start- or end-aligned template is enough
  }
  FAIL("no template aligns its title to a side");
}

TEST_CASE("PNG on request, decodable, under 2 MB", "[thumbnail]") {
  ThumbnailRequest req;
  req.title = "Neon nights: synthwave mix";
  req.format = Format::Png;
  ThumbnailResult r = renderThumbnail(req);
  REQUIRE(r.status == 200);
  CHECK(r.contentType == "image/png");
  int w = 0, h = 0;
  REQUIRE(pngDecode(r.bytes, w, h));
  CHECK(w == 1280);
  CHECK(h == 720);
  CHECK(r.bytes.size() <= kMaxBytes);
}

TEST_CASE("parseThumbnailRequest: fields and errors", "[thumbnail]") {
  ThumbnailRequest req;
  CHECK(
      parseThumbnailRequest(R"({"title":"Hi","format":"png","template":"neon","quality":90})", req)
          .ok());
  CHECK(req.format == Format::Png);
  CHECK(req.templateName == "neon");
  CHECK(req.quality == 90);
  struct Bad {
    const char* body;
    int status;
    const char* needle;
  };
  const Bad bad[] = {
      {"{", 400, "not valid JSON"},
      {"[1]", 400, "JSON object"},
      {"{}", 400, "title is required"},
      {R"({"title":"  "})", 400, "title is empty"},
      {R"({"title":5})", 400, "title must be a string"},
      {R"({"title":"x","format":"gif"})", 400, "format"},
      {R"({"title":"x","template":"zzz"})", 400, "template"},
      {R"({"title":"x","category":"zzz"})", 400, "category"},
      {R"({"title":"x","algorithm":"premium"})", 400, "premium"},
      {R"({"title":"x","algorithm":"magic"})", 400, "unknown"},
      {R"({"title":"x","quality":"high"})", 400, "quality"},
      {R"({"title":"x","quality":5})", 400, "quality"},
      {R"({"title":"x","locale":"de"})", 400, "locale must be en, ru, he or fa"},
  };
  for (const Bad& b : bad) {
    ThumbnailRequest r;
    render::RequestError e = parseThumbnailRequest(b.body, r);
    INFO(b.body << " -> " << e.message);
    CHECK(e.status == b.status);
    CHECK(e.message.find(b.needle) != std::string::npos);
  }
  std::string longTitle(101, 'a');
  ThumbnailRequest r;
  CHECK(parseThumbnailRequest("{\"title\":\"" + longTitle + "\"}", r).status == 400);
  CHECK(parseThumbnailRequest(std::string(kMaxBodyBytes + 1, ' '), r).status == 413);
}

TEST_CASE("splitTitle: TITLE | SUBTITLE", "[thumbnail]") {
  std::string t, s;
  splitTitle("  Big news | details inside ", t, s);
  CHECK(t == "Big news");
  CHECK(s == "details inside");
  splitTitle("Only a title", t, s);
  CHECK(t == "Only a title");
  CHECK(s.empty());
}
