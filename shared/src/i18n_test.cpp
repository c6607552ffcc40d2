// Unit tests of the i18n layer: plural forms, numbers, money, dates and durations per language,
// bidi isolation in right-to-left messages, and the catalog itself (complete, well-formed HTML,
// every plural has the forms its language needs, no key unused).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "shared/i18n.h"

using i18n::Lang;
using i18n::Msg;

namespace {

const std::string kFsi = "\xE2\x81\xA8";
const std::string kPdi = "\xE2\x81\xA9";

// The message as a reader sees it: isolates are invisible.
std::string visible(std::string s) {
  for (const std::string& mark : {kFsi, kPdi}) {
    for (size_t p = s.find(mark); p != std::string::npos; p = s.find(mark)) s.erase(p, mark.size());
  }
  return s;
}

// Telegram's HTML parse mode: only these tags, properly nested; '<', '>' and '&' only as markup
// or entities. Returns an empty string when the text parses, else what is wrong.
std::string telegramHtmlError(std::string_view t) {
  static const std::set<std::string> kTags = {
      "b",   "strong", "i",   "em", "u",          "ins",  "s",          "strike",
      "del", "code",   "pre", "a",  "tg-spoiler", "span", "blockquote", "tg-emoji"};
  std::vector<std::string> open;
  for (size_t i = 0; i < t.size(); i++) {
    if (t[i] == '>') return "stray '>' at " + std::to_string(i);
    if (t[i] == '&') {
      size_t semi = t.find(';', i);
      std::string_view ent = semi == std::string_view::npos ? "" : t.substr(i, semi - i + 1);
      if (ent != "&lt;" && ent != "&gt;" && ent != "&amp;" && ent != "&quot;") {
        return "bad entity at " + std::to_string(i);
      }
      continue;
    }
    if (t[i] != '<') continue;
    size_t close = t.find('>', i);
    if (close == std::string_view::npos) return "unclosed tag at " + std::to_string(i);
    std::string_view tag = t.substr(i + 1, close - i - 1);
    if (tag.find("\xE2\x81") != std::string_view::npos) return "bidi control inside a tag";
    bool closing = !tag.empty() && tag[0] == '/';
    std::string name(closing ? tag.substr(1) : tag.substr(0, tag.find(' ')));
    if (!kTags.count(name)) return "tag <" + name + "> is not allowed";
    if (closing) {
      if (open.empty() || open.back() != name) return "misnested </" + name + ">";
      open.pop_back();
    } else {
      open.push_back(name);
    }
    i = close;
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

size_t closingBrace(std::string_view t, size_t open) {
  int depth = 0;
  for (size_t e = open; e < t.size(); e++) {
    if (t[e] == '{') depth++;
    if (t[e] == '}' && --depth == 0) return e;
  }
  return t.size();
}

// The branches of a plural body ("one {# line} other {# lines}"): selector -> content.
std::vector<std::pair<std::string, std::string_view>> branches(std::string_view body) {
  std::vector<std::pair<std::string, std::string_view>> out;
  size_t i = 0;
  while (i < body.size()) {
    size_t open = body.find('{', i);
    if (open == std::string_view::npos) break;
    std::string sel(body.substr(i, open - i));
    sel.erase(0, sel.find_first_not_of(" \n"));
    sel.erase(sel.find_last_not_of(" \n") + 1);
    size_t close = closingBrace(body, open);
    out.emplace_back(sel, body.substr(open + 1, close - open - 1));
    i = close + 1;
  }
  return out;
}

// Placeholders of a template (plural keys included, branch contents looked into) and the
// categories each plural construct names.
void scan(std::string_view t, std::set<std::string>& keys,
          std::vector<std::set<std::string>>& plurals) {
  for (size_t i = 0; i < t.size(); i++) {
    if (t[i] != '{') continue;
    size_t e = closingBrace(t, i);
    std::string_view inner = t.substr(i + 1, e - i - 1);
    size_t comma = inner.find(',');
    if (comma == std::string_view::npos) {
      keys.insert(std::string(inner));
    } else {
      keys.insert(std::string(inner.substr(0, comma)));
      std::string_view rest = inner.substr(comma + 1);
      size_t comma2 = rest.find(',');
      std::set<std::string> cats;
      for (auto& [sel, content] : branches(rest.substr(comma2 + 1))) {
        cats.insert(sel);
        scan(content, keys, plurals);
      }
      plurals.push_back(cats);
    }
    i = e;
  }
}

void placeholders(std::string_view t, std::set<std::string>& out) {
  std::vector<std::set<std::string>> ignored;
  scan(t, out, ignored);
}

void pluralForms(std::string_view t, std::vector<std::set<std::string>>& out) {
  std::set<std::string> ignored;
  scan(t, ignored, out);
}

const Lang kLangs[] = {Lang::En, Lang::Ru, Lang::He, Lang::Fa};

}  // namespace

TEST_CASE("plural categories follow CLDR for each language", "[i18n]") {
  const int64_t ns[] = {0, 1, 2, 3, 5, 11, 12, 14, 21, 22, 25, 100, 101, 111};
  // Expected category per number, in the order of ns.
  const std::map<Lang, std::vector<const char*>> want = {
      {Lang::En,
       {"other", "one", "other", "other", "other", "other", "other", "other", "other", "other",
        "other", "other", "other", "other"}},
      {Lang::Fa,
       {"one", "one", "other", "other", "other", "other", "other", "other", "other", "other",
        "other", "other", "other", "other"}},
      {Lang::Ru,
       {"many", "one", "few", "few", "many", "many", "many", "many", "one", "few", "many", "many",
        "one", "many"}},
      {Lang::He,
       {"other", "one", "two", "other", "other", "other", "other", "other", "other", "other",
        "other", "many", "other", "other"}},
  };
  for (const auto& [lang, cats] : want) {
    for (size_t k = 0; k < std::size(ns); k++) {
      INFO(i18n::code(lang) << " " << ns[k]);
      CHECK(std::string(i18n::pluralName(i18n::pluralOf(lang, ns[k]))) == cats[k]);
    }
  }
}

TEST_CASE("a count agrees with its noun in every language", "[i18n]") {
  const int64_t ns[] = {0, 1, 2, 3, 5, 11, 12, 14, 21, 22, 25, 100, 101, 111};
  // /balance's title, as the reader sees it (digits per language, no isolates).
  const std::map<Lang, std::vector<std::string>> want = {
      {Lang::En,
       {"0 credits", "1 credit", "2 credits", "3 credits", "5 credits", "11 credits", "12 credits",
        "14 credits", "21 credits", "22 credits", "25 credits", "100 credits", "101 credits",
        "111 credits"}},
      {Lang::Ru,
       {"0 кредитов", "1 кредит", "2 кредита", "3 кредита", "5 кредитов", "11 кредитов",
        "12 кредитов", "14 кредитов", "21 кредит", "22 кредита", "25 кредитов", "100 кредитов",
        "101 кредит", "111 кредитов"}},
      {Lang::He,
       {"0 קרדיטים", "קרדיט אחד", "2 קרדיטים", "3 קרדיטים", "5 קרדיטים", "11 קרדיטים", "12 קרדיטים",
        "14 קרדיטים", "21 קרדיטים", "22 קרדיטים", "25 קרדיטים", "100 קרדיטים", "101 קרדיטים",
        "111 קרדיטים"}},
      {Lang::Fa,
       {"۰ اعتبار", "۱ اعتبار", "۲ اعتبار", "۳ اعتبار", "۵ اعتبار", "۱۱ اعتبار", "۱۲ اعتبار",
        "۱۴ اعتبار", "۲۱ اعتبار", "۲۲ اعتبار", "۲۵ اعتبار", "۱۰۰ اعتبار", "۱۰۱ اعتبار",
        "۱۱۱ اعتبار"}},
  };
  for (const auto& [lang, forms] : want) {
    for (size_t k = 0; k < std::size(ns); k++) {
      std::string t = visible(i18n::format(Msg::BalanceTitle, lang, {{"credits", ns[k]}}));
      INFO(t);
      CHECK(t.size() >= forms[k].size());
      CHECK(t.substr(t.size() - forms[k].size()) == forms[k]);
    }
  }
  // Russian adjectives agree too: "3 бесплатные генерации", not "3 бесплатных генераций".
  auto free = [](int64_t n) {
    return visible(i18n::format(Msg::FreeTier, Lang::Ru, {{"count", n}}));
  };
  CHECK(free(1).find("1 бесплатная генерация в день") != std::string::npos);
  CHECK(free(3).find("3 бесплатные генерации в день") != std::string::npos);
  CHECK(free(5).find("5 бесплатных генераций в день") != std::string::npos);
  CHECK(free(21).find("21 бесплатная генерация в день") != std::string::npos);
  // Hebrew has a dual for days; files, lines and images agree in every language.
  CHECK(visible(i18n::format(Msg::GalleryExpired, Lang::He, {{"days", 2}})).find("יומיים") !=
        std::string::npos);
  CHECK(visible(i18n::format(Msg::Caption, Lang::En,
                             {{"name", "a"}, {"language", "Go"}, {"lines", 1}})) ==
        "<b>a</b> · Go · 1 line");
  CHECK(visible(i18n::format(Msg::Caption, Lang::Ru,
                             {{"name", "a"}, {"language", "Go"}, {"lines", 22}})) ==
        "<b>a</b> · Go · 22 строки");
  CHECK(visible(i18n::format(Msg::PreviewMoreLines, Lang::Ru, {{"count", 5}})) ==
        "… и ещё 5 строк");
  CHECK(visible(i18n::format(Msg::PreviewMoreLines, Lang::En, {{"count", 1}})) == "… 1 more line");
}

TEST_CASE("numbers, money, dates and durations are written the reader's way", "[i18n]") {
  struct Row {
    Lang lang;
    std::string number, rubles, rublesCents, minus, date, dateTime;
  };
  // 2026-12-07 07:00 UTC
  const double ms = 1796626800000.0;
  const Row rows[] = {
      {Lang::En, "1,234,567", "₽1,490", "₽99.50", "−3", "7 Dec 2026", "7 Dec 2026, 07:00 UTC"},
      // Russian groups digits with a no-break space; "₽" follows the amount after one.
      {Lang::Ru, "1\u00A0234\u00A0567", "1\u00A0490\u00A0₽", "99,50\u00A0₽", "−3", "7 декабря 2026",
       "7 декабря 2026, 07:00 UTC"},
      {Lang::He, "1,234,567", "1,490\u00A0₽", "99.50\u00A0₽", "−3", "7 בדצמבר 2026",
       "7 בדצמבר 2026, 07:00 UTC"},
      {Lang::Fa, "۱٬۲۳۴٬۵۶۷", "۱٬۴۹۰\u00A0₽", "۹۹٫۵۰\u00A0₽", "−۳", "۱۶ آذر ۱۴۰۵",
       "۱۶ آذر ۱۴۰۵، ۰۷:۰۰ UTC"},
  };
  for (const Row& r : rows) {
    INFO(i18n::code(r.lang));
    CHECK(i18n::number(r.lang, 1234567) == r.number);
    CHECK(i18n::number(r.lang, 999) == (r.lang == Lang::Fa ? "۹۹۹" : "999"));
    CHECK(i18n::rubles(r.lang, 149000) == r.rubles);
    CHECK(i18n::rubles(r.lang, 9950) == r.rublesCents);
    CHECK(i18n::signedNumber(r.lang, -3) == r.minus);
    CHECK(i18n::date(r.lang, ms, false) == r.date);
    CHECK(i18n::date(r.lang, ms, true) == r.dateTime);
  }
  // Persian with Latin digits: the same words, 0-9 and a comma.
  i18n::Locale latin(Lang::Fa, false);
  CHECK(i18n::number(latin, 1234567) == "1,234,567");
  CHECK(i18n::date(latin, ms, false) == "16 آذر 1405");
  CHECK(visible(i18n::format(Msg::BalanceTitle, latin, {{"credits", 12}})) ==
        "💰 <b>موجودی:</b> 12 اعتبار");
  // Nowruz: the first of Farvardin.
  CHECK(i18n::date(Lang::Fa, 1710892800000.0, false) == "۱ فروردین ۱۴۰۳");  // 2024-03-20
  CHECK(i18n::date(Lang::Fa, 1742515200000.0, false) == "۱ فروردین ۱۴۰۴");  // 2025-03-21
  // Durations: under a minute in seconds, then whole minutes rounded up, then hours.
  CHECK(i18n::duration(Lang::En, 45) == "45 s");
  CHECK(i18n::duration(Lang::En, 61) == "2 min");
  CHECK(i18n::duration(Lang::En, 3900) == "1 h 5 min");
  CHECK(i18n::duration(Lang::Ru, 120) == "2 мин");
  CHECK(i18n::duration(Lang::He, 60) == "דקה");
  CHECK(i18n::duration(Lang::He, 120) == "2 דקות");
  CHECK(i18n::duration(Lang::He, 7200) == "שעתיים");
  CHECK(i18n::duration(Lang::Fa, 120) == "۲ دقیقه");
  CHECK(visible(i18n::format(Msg::GenQueued, Lang::En,
                             {{"position", 3},
                              {"model", "flux"},
                              {"wait", i18n::Arg::duration(120)},
                              {"note", ""}})) == "🕐 #3 in the flux queue, about 2 min");
  CHECK(visible(i18n::format(Msg::GenQueued, Lang::Fa,
                             {{"position", 3},
                              {"model", "flux"},
                              {"wait", i18n::Arg::duration(120)},
                              {"note", ""}})) == "🕐 نفر ۳ در صف flux؛ حدود ۲ دقیقه انتظار");
}

TEST_CASE("values in right-to-left messages are isolated; tags stay intact", "[i18n]") {
  // A value is wrapped in first-strong isolates in Hebrew and Persian only.
  std::string he = i18n::format(Msg::NotFound, Lang::He, {{"name", "nothing_here.py"}});
  CHECK(he.find("<b>" + kFsi + "nothing_here.py" + kPdi + "</b>") != std::string::npos);
  // The command written in the text is isolated as well: "/files" cannot become "files/".
  CHECK(he.find(kFsi + "/files" + kPdi) != std::string::npos);
  std::string fa = i18n::format(Msg::NotFound, Lang::Fa, {{"name", "nothing_here.py"}});
  CHECK(fa.find(kFsi + "nothing_here.py" + kPdi) != std::string::npos);
  CHECK(fa.find(kFsi + "/files" + kPdi) != std::string::npos);
  for (Lang l : {Lang::En, Lang::Ru}) {
    std::string t = i18n::format(Msg::NotFound, l, {{"name", "nothing_here.py"}});
    CHECK(t.find(kFsi) == std::string::npos);
    CHECK(t.find(kPdi) == std::string::npos);
  }
  // A <code> span is isolated outside the tag, so tapping it copies the bare command or id.
  std::string id = i18n::format(Msg::ErrorId, Lang::He, {{"id", "E12ab"}});
  CHECK(id.find(kFsi + "<code>E12ab</code>" + kPdi) != std::string::npos);
  // Numbers, amounts and signed changes are values too.
  std::string pay =
      i18n::format(Msg::TopupPayButton, Lang::He, {{"amount", i18n::Arg::rubles(9900)}});
  CHECK(pay == "לתשלום " + kFsi + "99\u00A0₽" + kPdi);
  std::string mv = i18n::format(Msg::BalanceMovement, Lang::He,
                                {{"delta", i18n::Arg::signedNumber(-5)},
                                 {"what", i18n::markup(i18n::text(Msg::MoveReserve, Lang::He))},
                                 {"date", i18n::Arg::date(1796626800000.0)}});
  CHECK(mv.rfind(kFsi + "−5" + kPdi + " · יצירה · " + kFsi, 0) == 0);
  // Markup (a piece of another message) is substituted as it is.
  std::string note = i18n::format(Msg::GenRefunded, Lang::Fa, {{"cost", 2}});
  std::string cancelled =
      i18n::format(Msg::GenCancelled, Lang::Fa, {{"refund", i18n::markup(note)}});
  CHECK(cancelled == "✅ تولید تصویر لغو شد. " + note);
  // A user's text with markup characters stays escaped and the isolates stay outside its tags.
  std::string prompt = i18n::format(Msg::GenChooseModel, Lang::He, {{"prompt", "a &lt;b&gt; c"}});
  CHECK(prompt.find("<i>" + kFsi + "a &lt;b&gt; c" + kPdi + "</i>") != std::string::npos);
}

TEST_CASE("plain text for callback answers", "[i18n]") {
  CHECK(i18n::plainText(i18n::format(Msg::Deleted, Lang::En, {{"name", "a&lt;b.py"}})) ==
        "🗑 Deleted a<b.py.");
}

// Every message in every language: present, the same placeholders as English, the plural forms
// its language needs, HTML that Telegram accepts once filled in, isolates never inside a tag.
TEST_CASE("the catalog is complete and every message is well formed", "[i18n]") {
  const std::map<Lang, std::set<std::string>> required = {
      {Lang::En, {"one", "other"}},
      {Lang::Ru, {"one", "few", "many", "other"}},
      {Lang::He, {"one", "two", "other"}},
      {Lang::Fa, {"one", "other"}},
  };
  const std::map<Lang, std::set<std::string>> allowed = {
      {Lang::En, {"one", "other"}},
      {Lang::Ru, {"one", "few", "many", "other"}},
      {Lang::He, {"one", "two", "many", "other"}},
      {Lang::Fa, {"one", "other"}},
  };
  for (size_t m = 0; m < size_t(Msg::Count); m++) {
    std::set<std::string> en;
    placeholders(i18n::text(Msg(m), Lang::En), en);
    for (Lang lang : kLangs) {
      std::string_view t = i18n::text(Msg(m), lang);
      INFO(i18n::msgName(Msg(m)) << " [" << i18n::code(lang) << "]");
      CHECK_FALSE(t.empty());
      std::set<std::string> ph;
      placeholders(t, ph);
      CHECK(ph == en);
      std::vector<std::set<std::string>> plurals;
      pluralForms(t, plurals);
      for (const auto& cats : plurals) {
        for (const std::string& need : required.at(lang)) CHECK(cats.count(need));
        for (const std::string& c : cats) CHECK(allowed.at(lang).count(c));
      }
      // Filled with ordinary values (numbers where a plural needs one), the message parses as
      // Telegram HTML and shows no raw {placeholder}.
      std::vector<std::pair<std::string_view, i18n::Arg>> values;
      for (const std::string& k : ph) {
        values.emplace_back(k, i18n::Arg(int64_t(2)));
      }
      std::string filled = i18n::format(Msg(m), lang, i18n::ValueSpan(values));
      CHECK(telegramHtmlError(filled) == "");
      CHECK(filled.find('{') == std::string::npos);
    }
  }
}

TEST_CASE("ru, he and fa leave no English behind; labels fit", "[i18n]") {
  // Words that stay as they are in every language: product and brand names, units.
  const std::set<std::string> kept = {"Telegram", "Stars",   "YooKassa",
                                      "Kassa",    "AI",      "UTC",
                                      "MB",       "px",      "TELEGRAM_PAYMENT_CHARGE_ID",
                                      "ID",       "YouTube", "JPEG",
                                      "PNG"};
  for (size_t m = 0; m < size_t(Msg::Count); m++) {
    for (Lang lang : {Lang::Ru, Lang::He, Lang::Fa}) {
      std::string t = i18n::format(Msg(m), lang, {});
      INFO(i18n::msgName(Msg(m)) << " [" << i18n::code(lang) << "]: " << t);
      // Latin words outside tags, commands, code spans and placeholders.
      bool inTag = false, inCode = false;
      std::string word;
      auto flush = [&] {
        if (word.size() > 1 && !kept.count(word)) CHECK(word == "");
        word.clear();
      };
      for (size_t i = 0; i < t.size(); i++) {
        char c = t[i];
        if (c == '<') {
          flush();
          inTag = true;
          if (t.compare(i, 6, "<code>") == 0) inCode = true;
          if (t.compare(i, 7, "</code>") == 0) inCode = false;
          continue;
        }
        if (c == '>') {
          inTag = false;
          continue;
        }
        if (inTag || inCode) continue;
        if (c == '/' || c == '{' || c == '@') {  // a command, a placeholder, a handle
          flush();
          while (i + 1 < t.size() && (isalnum((unsigned char)t[i + 1]) || t[i + 1] == '_' ||
                                      t[i + 1] == '}' || t[i + 1] == '='))
            i++;
          continue;
        }
        if (isalpha((unsigned char)c))
          word.push_back(c);
        else
          flush();
      }
      flush();
    }
  }
  // Buttons: short enough for one row on a phone.
  const Msg buttons[] = {Msg::Yes,
                         Msg::Cancel,
                         Msg::BtnPreview,
                         Msg::BtnDelete,
                         Msg::LineNumbersButton,
                         Msg::GenRegenerate,
                         Msg::GenCancelYes,
                         Msg::GenCancelNo,
                         Msg::BtnTopUp,
                         Msg::BtnCheckPayment,
                         Msg::BtnGallery,
                         Msg::GalBtnNewer,
                         Msg::GalBtnOlder,
                         Msg::GalBtnFav,
                         Msg::GalBtnUnfav,
                         Msg::GalBtnOpen,
                         Msg::GalFilterAll,
                         Msg::GalFilterImages,
                         Msg::GalFilterThumbs,
                         Msg::GalFilter7,
                         Msg::GalFilter30,
                         Msg::GalFilterAnyTime,
                         Msg::GalFilterFav};
  auto chars = [](std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  for (Msg b : buttons) {
    for (Lang lang : kLangs) {
      INFO(i18n::msgName(b) << " [" << i18n::code(lang) << "]");
      CHECK(chars(i18n::text(b, lang)) <= 24);
    }
  }
  // Command menu descriptions: Telegram takes 1-256 characters; under 50 fit a phone's line.
  for (size_t m = size_t(Msg::MenuStart); m <= size_t(Msg::MenuSupport); m++) {
    for (Lang lang : kLangs) {
      std::string d = visible(i18n::format(Msg(m), lang, {{"lines", 50}}));
      INFO(i18n::msgName(Msg(m)) << " [" << i18n::code(lang) << "]: " << d);
      CHECK(chars(d) >= 1);
      CHECK(chars(d) <= 50);
    }
  }
}

#ifdef CODEIMAGE_SOURCE_DIR
// A key no code uses is a text nobody reads (and a translation nobody keeps up to date).
TEST_CASE("every catalog key is used by the code", "[i18n]") {
  namespace fs = std::filesystem;
  std::string all;
  for (const char* dir : {"functions", "shared/src", "shared/include"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(CODEIMAGE_SOURCE_DIR) / dir)) {
      std::string p = e.path().string();
      bool code = p.ends_with(".cpp") || p.ends_with(".h");
      if (!e.is_regular_file() || !code || p.ends_with("_test.cpp")) continue;
      std::ifstream in(p);
      std::stringstream ss;
      ss << in.rdbuf();
      all += ss.str();
    }
  }
  REQUIRE(all.size() > 10000);
  for (size_t m = 0; m < size_t(Msg::Count); m++) {
    std::string name = std::string("Msg::") + i18n::msgName(Msg(m));
    INFO(name);
    bool used = false;
    for (size_t p = all.find(name); p != std::string::npos; p = all.find(name, p + 1)) {
      char after = p + name.size() < all.size() ? all[p + name.size()] : ' ';
      if (!isalnum((unsigned char)after) && after != '_') used = true;
    }
    CHECK(used);
  }
}
#endif
