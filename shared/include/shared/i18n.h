// The bot's texts in English, Russian, Hebrew and Persian. Telegram's language_code picks the
// language unless the user chose one with /language. Texts are HTML (parse_mode HTML); every
// {placeholder} is filled with an already-escaped value by the caller.
//
//   std::string t = i18n::format(i18n::Msg::Saved, lang, {{"name", tg::escapeHtml(name)}});
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace i18n {

enum class Lang { En, Ru, He, Fa, Count };

// The catalog lives in shared/i18n/*.inc, one file per feature, all in this one enum:
//   I18N_X(id, English, Russian, Hebrew, Persian)
enum class Msg {
#define I18N_X(id, en, ru, he, fa) id,
#include "shared/i18n/core.inc"
#include "shared/i18n/generate.inc"
#include "shared/i18n/payments.inc"
#include "shared/i18n/gallery.inc"
#include "shared/i18n/admin.inc"
#include "shared/i18n/trust.inc"
#undef I18N_X
  Count
};

// "ru", "ru-RU", "he", "iw", "fa" ...; anything else is English.
Lang fromCode(std::string_view code);
const char* code(Lang lang);

const char* text(Msg m, Lang lang);
std::string format(Msg m, Lang lang,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace i18n
