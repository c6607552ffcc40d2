#include "shared/i18n.h"

namespace i18n {
namespace {

struct Row {
  const char* texts[4];
};

constexpr Row kRows[] = {
#define I18N_X(id, en, ru, he, fa) {{en, ru, he, fa}},
#include "shared/i18n/core.inc"
#include "shared/i18n/generate.inc"
#include "shared/i18n/payments.inc"
#include "shared/i18n/gallery.inc"
#include "shared/i18n/admin.inc"
#include "shared/i18n/trust.inc"
#undef I18N_X
};

}  // namespace

Lang fromCode(std::string_view c) {
  std::string_view base = c.substr(0, c.find_first_of("-_"));
  if (base == "ru" || base == "uk" || base == "be") return Lang::Ru;
  if (base == "he" || base == "iw") return Lang::He;
  if (base == "fa") return Lang::Fa;
  return Lang::En;
}

const char* code(Lang lang) {
  static const char* kCodes[] = {"en", "ru", "he", "fa"};
  return kCodes[size_t(lang)];
}

const char* text(Msg m, Lang lang) { return kRows[size_t(m)].texts[size_t(lang)]; }

std::string format(Msg m, Lang lang,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string_view t = text(m, lang);
  std::string out;
  out.reserve(t.size() + 32);
  for (size_t i = 0; i < t.size(); i++) {
    if (t[i] == '{') {
      size_t end = t.find('}', i);
      if (end != std::string_view::npos) {
        std::string_view key = t.substr(i + 1, end - i - 1);
        bool found = false;
        for (auto& [k, v] : values) {
          if (k == key) {
            out.append(v);
            found = true;
            break;
          }
        }
        if (found) {
          i = end;
          continue;
        }
      }
    }
    out.push_back(t[i]);
  }
  return out;
}

}  // namespace i18n
