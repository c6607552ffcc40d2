// The bot's texts in English, Russian, Hebrew and Persian. Telegram's language_code picks the
// language unless the user chose one with /language. Texts are HTML (parse_mode HTML); text values
// are already HTML-escaped by the caller, numbers are passed as numbers.
//
//   std::string t = i18n::format(i18n::Msg::Saved, lang,
//                                {{"name", tg::escapeHtml(name)}, {"lines", int64_t(12)}});
//
// A message names its count and each language gives the forms its grammar needs (CLDR cardinal
// categories: en, fa one/other; ru one/few/many/other; he one/two/many/other), ICU style:
//   "{credits, plural, one {# кредит} few {# кредита} many {# кредитов} other {# кредита}}"
// `#` is the count written the language's way; `other` is required, a missing category falls back
// to it. In Hebrew and Persian every substituted value (and `#`) is wrapped in first-strong
// isolates (U+2068 ... U+2069), so "/files", "a.py" or "+5" keep their shape in a right-to-left
// paragraph. A value that is itself a piece of a message (a note, a refund line) is passed with
// i18n::markup(...) and is not isolated.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace i18n {

enum class Lang { En, Ru, He, Fa, Count };

// The catalog lives in shared/i18n/*.inc, one file per feature, all in this one enum:
//   I18N_X(id, English, Russian, Hebrew, Persian)
enum class Msg {
#define I18N_X(id, en, ru, he, fa) id,
#include "shared/i18n/admin.inc"
#include "shared/i18n/avatars.inc"
#include "shared/i18n/core.inc"
#include "shared/i18n/gallery.inc"
#include "shared/i18n/generate.inc"
#include "shared/i18n/menu.inc"
#include "shared/i18n/payments.inc"
#include "shared/i18n/references.inc"
#include "shared/i18n/trust.inc"
#undef I18N_X
  Count
};

// A language and how its numbers are written. Persian takes Persian digits (۱۲۳) by default;
// nativeDigits = false writes Latin digits with the same words.
struct Locale {
  Lang lang = Lang::En;
  bool nativeDigits = false;
  Locale(Lang l) : lang(l), nativeDigits(l == Lang::Fa) {}  // NOLINT: a Lang is a Locale
  Locale(Lang l, bool native) : lang(l), nativeDigits(native) {}
};

// "ru", "ru-RU", "he", "iw", "fa" ...; anything else is English.
Lang fromCode(std::string_view code);
const char* code(Lang lang);
bool isRtl(Lang lang);
const char* msgName(Msg m);
// A thumbnail category from the render function ("gaming") in the reader's language; the name
// itself when the catalog has no such category.
std::string categoryName(std::string_view category, Lang lang);

enum class Plural { Zero, One, Two, Few, Many, Other };
const char* pluralName(Plural p);
// The CLDR cardinal category of a whole number n in the language.
Plural pluralOf(Lang lang, int64_t n);

// One value substituted into a message: text (already HTML-escaped), a number (localised, picks
// plural forms), markup (a formatted piece of another message, substituted as it is), or money,
// a signed change, a date or a duration, written the way the message's language writes them.
class Arg {
 public:
  enum class Kind { Text, Number, Markup, Rubles, Signed, Date, Duration };
  Arg(std::string_view s) : kind_(Kind::Text), text_(s) {}    // NOLINT
  Arg(const std::string& s) : kind_(Kind::Text), text_(s) {}  // NOLINT
  Arg(const char* s) : kind_(Kind::Text), text_(s) {}         // NOLINT
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
  Arg(T n) : kind_(Kind::Number), number_(int64_t(n)) {}  // NOLINT
  static Arg markup(std::string_view s) {
    Arg a(s);
    a.kind_ = Kind::Markup;
    return a;
  }
  static Arg rubles(int64_t kopecks) { return of(Kind::Rubles, kopecks); }
  static Arg signedNumber(int64_t n) { return of(Kind::Signed, n); }
  static Arg date(double epochMs) { return of(Kind::Date, int64_t(epochMs)); }
  static Arg duration(int64_t seconds) { return of(Kind::Duration, seconds); }
  Kind kind() const { return kind_; }
  std::string_view text() const { return text_; }
  int64_t number() const { return number_; }

 private:
  static Arg of(Kind k, int64_t n) {
    Arg a(n);
    a.kind_ = k;
    return a;
  }
  Kind kind_;
  std::string_view text_;
  int64_t number_ = 0;
};
inline Arg markup(std::string_view s) {
  return Arg::markup(s);
}
using Values = std::initializer_list<std::pair<std::string_view, Arg>>;
using ValueSpan = std::span<const std::pair<std::string_view, Arg>>;

// The raw catalog text, {placeholders} and plural constructs as written (tests, tools).
const char* text(Msg m, Lang lang);
// A message without values, as the reader sees it (right-to-left commands isolated).
std::string format(Msg m, Locale loc);
std::string format(Msg m, Locale loc,
                   std::initializer_list<std::pair<std::string_view, Arg>> values);
// The same for a template that is not in the catalog (tests, the catalog check).
std::string formatText(std::string_view tmpl, Locale loc,
                       std::initializer_list<std::pair<std::string_view, Arg>> values);
// The same with values gathered at run time.
std::string format(Msg m, Locale loc, ValueSpan values);
std::string formatText(std::string_view tmpl, Locale loc, ValueSpan values);

// Telegram shows callback answers and some titles as plain text: the message without its tags,
// with &lt; &gt; &quot; &amp; decoded.
std::string plainText(std::string_view html);

// Locale formatting. Each returns plain text (no HTML, no isolates: format() adds them).
// 1234567 -> "1,234,567" (en, he), "1 234 567" (ru, no-break spaces), "۱٬۲۳۴٬۵۶۷" (fa).
std::string number(Locale loc, int64_t n);
// A movement of credits: "+5", "−3" (U+2212), in Persian "+۵", "−۳".
std::string signedNumber(Locale loc, int64_t n);
// Rubles from kopecks: "₽1,490" / "₽1,490.50" (en), "1 490 ₽", "1,490 ₽" (he), "۱٬۴۹۰ ₽" (fa).
std::string rubles(Locale loc, int64_t kopecks);
// A calendar date (UTC) from epoch milliseconds: "7 Dec 2026", "7 декабря 2026", "7 בדצמבר 2026";
// Persian readers get the Solar Hijri calendar: "۱۶ آذر ۱۴۰۵". withTime adds ", 07:00 UTC".
std::string date(Locale loc, double epochMs, bool withTime);
// A wait or a run time, rounded up to what a reader needs: "45 s", "about 2 min" is the caller's
// word; here "45 s" / "2 min" / "1 h 5 min" (ru "2 мин", he "2 דקות", fa "۲ دقیقه").
std::string duration(Locale loc, int64_t seconds);

}  // namespace i18n
