// How a user's code images look: /theme (pages of theme names with a sample of the chosen one)
// and /settings (font size, line numbers), with their buttons ("th:", "tp:", "st:").
#include <algorithm>
#include <string>
#include <vector>

#include "bot_feature.h"
#include "context.h"
#include "render_client.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/models.h"
#include "shared/telegram.h"
#include "store.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

std::vector<std::string> themeNames() {
  Result<clients::Answer> r = clients::route("render", "GET", "/render/themes");
  std::vector<std::string> out;
  simdjson::dom::parser p;
  json::Object o;
  if (!r || p.parse(r->text()).get(o) != simdjson::SUCCESS) return out;
  if (auto arr = json::getArray(o, "themes")) {
    for (auto el : *arr) {
      std::string_view s;
      json::Object t;
      if (el.get(s) == simdjson::SUCCESS)
        out.emplace_back(s);
      else if (el.get(t) == simdjson::SUCCESS)
        out.emplace_back(json::getString(t, "name").value_or(""));
    }
  }
  return out;
}

// What a chosen theme looks like: a short sample drawn with the user's settings in it (decorator,
// class, type hints, string, number, comment), sent under the confirmation. The theme is set
// whether or not the preview could be made.
void sendThemePreview(Ctx& c, const std::string& theme, const std::string& caption) {
  static constexpr const char* kSample =
      "@dataclass\n"
      "class Point:\n"
      "    x: float = 0.0  # metres\n"
      "\n"
      "    def scaled(self, k: int) -> \"Point\":\n"
      "        return Point(self.x * k)\n";
  RenderJob job = jobFor(c, kSample, "point.py", "python");
  job.title = theme;
  RenderOutput img = renderImage(job);
  if (!img.ok) {
    logger::warn("theme preview failed: " + img.error);
    return;
  }
  sendImage(c, img.png, img.width, img.height, "theme-" + theme + ".png", "image/png", caption);
}

// /theme: the themes a page at a time (kThemesPerPage names, two a row, the current one marked),
// with ◀ page/pages ▶ under them; the message is edited in place as the user pages. Buttons:
// "th:NAME" picks a theme, "tp:N" shows page N (1-based), "tp:-" is the page counter.
constexpr size_t kThemesPerPage = 12;

std::string currentTheme(const Ctx& c) {
  return c.settings.theme.empty() ? std::string(config::get(Setting::DEFAULT_THEME))
                                  : c.settings.theme;
}

size_t themePages(size_t count) {
  return std::max<size_t>(1, (count + kThemesPerPage - 1) / kThemesPerPage);
}

tg::Keyboard themeKeyboard(const Ctx& c, const std::vector<std::string>& names, size_t page) {
  const std::string current = currentTheme(c);
  const size_t pages = themePages(names.size());
  tg::Keyboard kb;
  const size_t first = (page - 1) * kThemesPerPage;
  const size_t end = std::min(first + kThemesPerPage, names.size());
  for (size_t i = first; i < end; i += 2) {
    std::vector<tg::Button> row;
    for (size_t k = i; k < std::min(i + 2, end); k++) {
      std::string label = names[k] == current ? "• " + names[k] + " •" : names[k];
      row.push_back({label, "th:" + names[k], ""});
    }
    kb.push_back(row);
  }
  if (pages > 1) {
    const size_t prev = page == 1 ? pages : page - 1, next = page == pages ? 1 : page + 1;
    kb.push_back({{"◀️", "tp:" + num(int64_t(prev)), ""},
                  {i18n::format(Msg::ThemePage, c.lang,
                                {{"page", int64_t(page)}, {"pages", int64_t(pages)}}),
                   "tp:-", ""},
                  {"▶️", "tp:" + num(int64_t(next)), ""}});
  }
  return kb;
}

Outcome cmdTheme(Ctx& c) {
  std::vector<std::string> names = themeNames();
  // Open on the page that holds the current theme.
  const std::string current = currentTheme(c);
  auto it = std::find(names.begin(), names.end(), current);
  const size_t page = it == names.end() ? 1 : size_t(it - names.begin()) / kThemesPerPage + 1;
  tg::Keyboard kb = themeKeyboard(c, names, page);
  c.bot.sendMessage(
      c.chatId, i18n::format(Msg::ChooseTheme, c.lang, {{"theme", tg::escapeHtml(current)}}), &kb);
  return Outcome::Done;
}

// "tp:N": another page of /theme, in place. A page that does not exist (forged, or a list that
// has shrunk since the message was sent) gets a short note instead.
Outcome onThemePage(Ctx& c, const CallbackQuery& q, std::string_view arg) {
  if (arg == "-") {
    c.bot.answerCallbackQuery(q.id);
    return Outcome::Done;
  }
  std::vector<std::string> names = themeNames();
  int64_t page = 0;
  if (names.empty() || !parseId(arg, page) || page < 1 || size_t(page) > themePages(names.size())) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::ThemeListStale, c.lang), true);
    return Outcome::Done;
  }
  c.bot.answerCallbackQuery(q.id);
  tg::Keyboard kb = themeKeyboard(c, names, size_t(page));
  c.bot.editMessageText(
      c.chatId, q.messageId,
      i18n::format(Msg::ChooseTheme, c.lang, {{"theme", tg::escapeHtml(currentTheme(c))}}), &kb);
  return Outcome::Done;
}

// /settings: the font size and line numbers of the user's code images, one message edited in
// place as buttons are pressed. The sizes offered stay inside POST /render's 8-48.
constexpr int kFontSizes[] = {12, 14, 16, 18, 20, 24};

int effectiveFontSize(const store::Settings& s) {
  return s.fontSize ? s.fontSize : int(config::getInt(Setting::DEFAULT_FONT_SIZE, 14));
}

std::string settingsText(const Ctx& c) {
  const gen::Model* model = gen::findModel(c.settings.preferredModel);
  const gen::Style* style = gen::findStyle(c.settings.preferredStyle);
  return i18n::format(
             Msg::Settings, c.lang,
             {{"size", effectiveFontSize(c.settings)},
              {"numbers", i18n::format(c.settings.lineNumbers ? Msg::On : Msg::Off, c.lang)}}) +
         i18n::format(
             Msg::SettingsImagine, c.lang,
             {{"model",
               model ? i18n::format(Msg::GenModelItem, c.lang,
                                    {{"model", tg::escapeHtml(model->name)}, {"cost", model->cost}})
                     : i18n::format(Msg::Off, c.lang)},
              {"style", style ? tg::escapeHtml(style->name) : i18n::format(Msg::Off, c.lang)}});
}

// Rows of at most `perRow` buttons.
void addRows(tg::Keyboard& kb, const std::vector<tg::Button>& buttons, size_t perRow) {
  for (size_t i = 0; i < buttons.size(); i += perRow) {
    kb.emplace_back(buttons.begin() + ptrdiff_t(i),
                    buttons.begin() + ptrdiff_t(std::min(buttons.size(), i + perRow)));
  }
}

tg::Keyboard settingsKeyboard(const Ctx& c) {
  const int current = effectiveFontSize(c.settings);
  std::vector<tg::Button> sizes;
  for (int px : kFontSizes) {
    std::string label = num(px);
    if (px == current) label = "• " + label + " •";
    sizes.push_back({label, "st:fs:" + num(px), ""});
  }
  std::string numbers = std::string(c.settings.lineNumbers ? "✅ " : "⬜ ") +
                        std::string(i18n::format(Msg::LineNumbersButton, c.lang));
  tg::Keyboard kb{sizes, {{numbers, c.settings.lineNumbers ? "st:ln:0" : "st:ln:1", ""}}};
  // The preferred model and style for /imagine (⭐ marks the choice; tapping it again clears it).
  std::vector<tg::Button> models, styles;
  for (const gen::Model& m : gen::models()) {
    const bool on = m.name == c.settings.preferredModel;
    models.push_back({(on ? "⭐ " : "") + m.name, "st:pm:" + (on ? "-" : m.name), ""});
  }
  for (const gen::Style& st : gen::styles()) {
    const bool on = st.name == c.settings.preferredStyle;
    styles.push_back({(on ? "⭐ " : "🎨 ") + st.name, "st:ps:" + (on ? "-" : st.name), ""});
  }
  addRows(kb, models, 4);
  addRows(kb, styles, 3);
  return kb;
}

Outcome cmdSettings(Ctx& c) {
  tg::Keyboard kb = settingsKeyboard(c);
  c.bot.sendMessage(c.chatId, settingsText(c), &kb);
  return Outcome::Done;
}

// "fs:N" with N one of kFontSizes, or "ln:0"/"ln:1"; anything else is a stale or forged button and
// changes nothing.
Outcome onSettingsButton(Ctx& c, const CallbackQuery& q, std::string_view arg) {
  bool ok = false, changed = false;
  if (arg.starts_with("fs:")) {
    int64_t px = 0;
    if (!parseId(arg.substr(3), px) ||
        std::find(std::begin(kFontSizes), std::end(kFontSizes), px) == std::end(kFontSizes)) {
      c.bot.answerCallbackQuery(q.id);
      return Outcome::Done;
    }
    changed = int(px) != effectiveFontSize(c.settings);
    ok = !changed || store::setFontSize(c.userId, int(px), c.now);
    if (ok) c.settings.fontSize = int(px);
  } else if (arg.starts_with("pm:") || arg.starts_with("ps:")) {
    const bool isModel = arg.starts_with("pm:");
    std::string name(arg.substr(3));
    if (name == "-") name.clear();
    if (!name.empty() && (isModel ? !gen::findModel(name) : !gen::findStyle(name))) {
      c.bot.answerCallbackQuery(q.id);  // a model or style no longer configured
      return Outcome::Done;
    }
    std::string& current = isModel ? c.settings.preferredModel : c.settings.preferredStyle;
    changed = name != current;
    ok = !changed || (isModel ? store::setPreferredModel(c.userId, name, c.now)
                              : store::setPreferredStyle(c.userId, name, c.now));
    if (ok) current = name;
  } else if (arg == "ln:0" || arg == "ln:1") {
    const bool on = arg == "ln:1";
    changed = on != c.settings.lineNumbers;
    ok = !changed || store::setLineNumbers(c.userId, on, c.now);
    if (ok) c.settings.lineNumbers = on;
  } else {
    c.bot.answerCallbackQuery(q.id);
    return Outcome::Done;
  }
  if (!ok) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::Sorry, c.lang), true);
    return Outcome::StorageFailed;
  }
  c.bot.answerCallbackQuery(q.id, changed ? i18n::format(Msg::SettingSaved, c.lang) : "");
  // Pressing the size already chosen leaves the message as it is: Telegram refuses an edit that
  // changes nothing.
  if (changed) {
    tg::Keyboard kb = settingsKeyboard(c);
    c.bot.editMessageText(c.chatId, q.messageId, settingsText(c), &kb);
  }
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message&, const Command& cmd) {
  if (cmd.name == "theme") return cmdTheme(c);
  if (cmd.name == "settings") return cmdSettings(c);
  return std::nullopt;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind == "th") {
    std::vector<std::string> names = themeNames();
    std::string theme(arg);
    if (std::find(names.begin(), names.end(), theme) == names.end()) {
      // A theme that no longer exists, or forged data: say so, change nothing.
      c.bot.answerCallbackQuery(q.id, i18n::format(Msg::ThemeListStale, c.lang), true);
      return Outcome::Done;
    }
    if (!store::setTheme(c.userId, theme, c.now)) {
      c.bot.answerCallbackQuery(q.id, i18n::format(Msg::Sorry, c.lang), true);
      return Outcome::StorageFailed;
    }
    std::string text = i18n::format(Msg::ThemeSet, c.lang, {{"theme", tg::escapeHtml(theme)}});
    c.bot.answerCallbackQuery(q.id, text);
    c.bot.editMessageText(c.chatId, q.messageId, text);
    c.settings.theme = theme;
    sendThemePreview(c, theme, text);
    return Outcome::Done;
  }
  if (kind == "tp") return onThemePage(c, q, arg);
  if (kind == "st") return onSettingsButton(c, q, arg);
  return std::nullopt;
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kAppearance = {"appearance", onMessage, onCallback, onDeferred};

}  // namespace webhook
