#include "bot.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "command.h"
#include "lexer/token.h"
#include "render_client.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/telegram.h"
#include "shared/utf8.h"
#include "store.h"

namespace webhook {
namespace {

using i18n::Msg;
using config::Setting;

constexpr size_t kMaxFileBytes = 1024 * 1024;
constexpr int64_t kFilesPerPage = 8;
constexpr int64_t kCodeImagesPerMinute = 10;
constexpr int kBatchMax = 20;
constexpr int kBatchConfirmAbove = 10;
constexpr int kBatchProgressEvery = 5;
// Telegram refuses photos whose width + height exceeds 10000 or whose sides differ over 20 times.
constexpr uint32_t kPhotoMaxSidesSum = 10000;
constexpr uint32_t kPhotoMaxRatio = 20;
constexpr size_t kPhotoMaxBytes = 10 * 1024 * 1024;

struct Ctx {
  tg::Bot bot;
  int64_t chatId = 0;
  int64_t userId = 0;
  i18n::Lang lang = i18n::Lang::En;
  store::Settings settings;
  double now = 0;
  int64_t updateId = 0;
};

std::string num(int64_t n) { return std::to_string(n); }

int64_t countLines(std::string_view s) {
  if (s.empty()) return 0;
  int64_t n = std::count(s.begin(), s.end(), '\n');
  return s.back() == '\n' ? n : n + 1;
}

void say(Ctx& c, Msg m, std::initializer_list<std::pair<std::string_view, std::string_view>> v = {}) {
  tg::Sent s = c.bot.sendMessage(c.chatId, i18n::format(m, c.lang, v));
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
}

render::Language languageOf(const std::string& name, const std::string& code,
                            std::string_view hint) {
  render::Language lang;
  if (!hint.empty() && render::parseLanguage(hint, lang)) return lang;
  return render::detectLanguage(name, code);
}

// Binary files (NUL bytes or invalid UTF-8) are not code we can show.
bool looksLikeText(std::string_view s) {
  return s.find('\0') == std::string_view::npos && utf8::isValid(s);
}

bool rateLimited(Ctx& c, bool& storageFailed) {
  int64_t wait = store::rateLimit(c.userId, "code_image", kCodeImagesPerMinute, 60000, c.now);
  if (wait < 0) {
    storageFailed = true;
    return true;
  }
  if (wait > 0) {
    say(c, Msg::RateLimited, {{"seconds", num(wait)}});
    return true;
  }
  return false;
}

// A short id the user can quote and the operator can grep in the logs.
std::string errorId() {
  uint8_t b[4];
  host::randomBytes(b, sizeof b);
  static const char* kHex = "0123456789abcdef";
  std::string id = "E";
  for (uint8_t x : b) {
    id.push_back(kHex[x >> 4]);
    id.push_back(kHex[x & 15]);
  }
  return id;
}

void reportRenderFailure(Ctx& c, const RenderOutput& img) {
  std::string id = errorId();
  logger::warn("render failed [" + id + "] status " + std::to_string(img.status) + ": " + img.error);
  // 4xx messages from the render function describe the input (safe and useful); anything else
  // is ours, and the user sees only the id.
  std::string reason = img.status >= 400 && img.status < 500 ? tg::escapeHtml(img.error)
                                                              : i18n::text(Msg::Sorry, c.lang);
  tg::Sent s = c.bot.sendMessage(
      c.chatId, i18n::format(Msg::RenderFailed, c.lang, {{"reason", reason}}) + " " +
                    i18n::format(Msg::ErrorId, c.lang, {{"id", id}}));
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) prev[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "File not found", with up to three of the user's names that are close to what they typed.
void sayNotFound(Ctx& c, const std::string& name) {
  std::string text = i18n::format(Msg::NotFound, c.lang, {{"name", tg::escapeHtml(name)}});
  std::vector<store::FileRow> rows;
  int64_t total = 0;
  if (!name.empty() && name.size() <= 64 && store::listFiles(c.userId, 0, 200, rows, total)) {
    std::vector<std::pair<size_t, std::string>> close;
    for (const auto& f : rows) {
      size_t d = editDistance(name, f.name);
      bool similar = d <= std::max<size_t>(2, name.size() / 3) ||
                     f.name.find(name) != std::string::npos;
      if (similar) close.emplace_back(d, f.name);
    }
    std::sort(close.begin(), close.end());
    if (!close.empty()) {
      std::string names;
      for (size_t i = 0; i < close.size() && i < 3; i++) {
        if (i) names += ", ";
        names += "<code>" + tg::escapeHtml(close[i].second) + "</code>";
      }
      text += "\n" + i18n::format(Msg::DidYouMean, c.lang, {{"names", names}});
    }
  }
  tg::Sent s = c.bot.sendMessage(c.chatId, text);
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
}

RenderJob jobFor(const Ctx& c, const std::string& code, const std::string& filename,
                 const std::string& language) {
  RenderJob j;
  j.code = code;
  j.filename = filename;
  j.language = language;
  j.title = filename;
  j.theme = c.settings.theme;
  j.fontSize = c.settings.fontSize;
  j.lineNumbers = c.settings.lineNumbers;
  j.watermark = std::string(config::get(Setting::BOT_NAME));
  if (!j.watermark.empty() && j.watermark[0] != '@') j.watermark = "@" + j.watermark;
  return j;
}

// Sends a rendered image as a photo, or as a document when Telegram would refuse the photo.
bool sendImage(Ctx& c, const RenderOutput& img, const std::string& filename,
               const std::string& caption) {
  std::string base = filename.empty() ? "code" : filename;
  tg::Photo p{base + ".png", img.png, caption};
  uint32_t lo = std::min(img.width, img.height), hi = std::max(img.width, img.height);
  bool photoOk = img.png.size() <= kPhotoMaxBytes && img.width + img.height <= kPhotoMaxSidesSum &&
                 lo > 0 && hi / lo <= kPhotoMaxRatio;
  if (photoOk) {
    tg::Sent s = c.bot.sendPhoto(c.chatId, p);
    if (s.ok) return true;
    // A 400 here means Telegram judged the photo itself (dimensions, size): send the file.
    if (s.errorCode != 400) {
      logger::warn("sendPhoto failed: " + s.description);
      return false;
    }
  }
  tg::Sent d = c.bot.sendDocument(c.chatId, p, "image/png");
  if (!d.ok) logger::warn("sendDocument failed: " + d.description);
  return d.ok;
}

bool renderAndSend(Ctx& c, const std::string& code, const std::string& filename,
                   const std::string& language, int maxLines) {
  RenderJob job = jobFor(c, code, filename, language);
  job.maxLines = maxLines;
  RenderOutput img = renderImage(job);
  if (!img.ok) {
    reportRenderFailure(c, img);
    return false;
  }
  render::Language lang = languageOf(filename, code, language);
  std::string caption = i18n::format(
      Msg::Caption, c.lang,
      {{"name", tg::escapeHtml(filename.empty() ? "code" : filename)},
       {"language", render::languageName(lang)}, {"lines", num(countLines(code))}});
  return sendImage(c, img, filename, caption);
}

Outcome saveCode(Ctx& c, const std::string& name, const std::string& code,
                 const std::string& hint) {
  if (code.find_first_not_of(" \t\r\n") == std::string::npos) {
    say(c, Msg::EmptyFile, {{"name", tg::escapeHtml(name)}});
    return Outcome::Done;
  }
  render::Language lang = languageOf(name, code, hint);
  auto saved = store::saveFile(c.userId, name, render::languageName(lang), code, countLines(code),
                               c.updateId, c.now);
  if (!saved) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  say(c, Msg::Saved,
      {{"name", tg::escapeHtml(name)}, {"version", num(saved->version)},
       {"lines", num(countLines(code))}, {"language", render::languageName(lang)}});
  return Outcome::Done;
}

Outcome onDocument(Ctx& c, const Document& doc, const std::string& nameOverride) {
  std::string name = nameOverride.empty() ? doc.fileName : nameOverride;
  if (!isValidFileName(name)) {
    say(c, Msg::BadName);
    return Outcome::Done;
  }
  if (doc.fileSize > int64_t(kMaxFileBytes)) {
    say(c, Msg::TooLarge);
    return Outcome::Done;
  }
  std::string err;
  auto path = c.bot.getFile(doc.fileId, &err);
  std::optional<std::vector<uint8_t>> bytes;
  if (path) bytes = c.bot.downloadFile(*path, kMaxFileBytes, &err);
  if (!bytes) {
    if (err == "file too large") {
      say(c, Msg::TooLarge);
    } else {
      logger::warn("document download failed: " + err);
      say(c, Msg::Sorry);
    }
    return Outcome::Done;
  }
  std::string code(bytes->begin(), bytes->end());
  if (!looksLikeText(code)) {
    say(c, Msg::NotText);
    return Outcome::Done;
  }
  return saveCode(c, name, code, "");
}

Outcome cmdSave(Ctx& c, const Message& m, const Command& cmd) {
  std::string name = cmd.args.substr(0, cmd.args.find(' '));
  if (name.empty()) {
    say(c, Msg::UsageSave);
    return Outcome::Done;
  }
  if (!isValidFileName(name)) {
    say(c, Msg::BadName);
    return Outcome::Done;
  }
  std::string code, hint;
  // Code in the same message (a code block, or plain lines after the command) ...
  if (!extractCode(m.text, m.codeBlocks, code, hint)) code = cmd.body;
  // ... or in the message it replies to.
  if (code.empty() && m.hasReply) {
    if (m.replyDocument) return onDocument(c, *m.replyDocument, name);
    if (!extractCode(m.replyText, m.replyCodeBlocks, code, hint)) code = m.replyText;
  }
  if (code.empty()) {
    say(c, Msg::UsageSave);
    return Outcome::Done;
  }
  if (code.size() > kMaxFileBytes) {
    say(c, Msg::TooLarge);
    return Outcome::Done;
  }
  return saveCode(c, name, code, hint);
}

Outcome cmdImage(Ctx& c, const Message& m, const Command& cmd, bool preview) {
  bool failed = false;
  if (cmd.args.empty()) {
    std::string code, hint;
    if (m.hasReply && extractCode(m.replyText, m.replyCodeBlocks, code, hint)) {
      if (rateLimited(c, failed)) return failed ? Outcome::StorageFailed : Outcome::Done;
      renderAndSend(c, code, "", hint, preview ? int(config::getInt(Setting::PREVIEW_LINES, 50)) : 0);
      return Outcome::Done;
    }
    say(c, Msg::UsageImage);
    return Outcome::Done;
  }
  if (rateLimited(c, failed)) return failed ? Outcome::StorageFailed : Outcome::Done;
  store::FileVersion f;
  switch (store::latestByName(c.userId, cmd.args, f)) {
    case store::Lookup::Failed: say(c, Msg::Sorry); return Outcome::StorageFailed;
    case store::Lookup::Missing: sayNotFound(c, cmd.args); return Outcome::Done;
    case store::Lookup::Found: break;
  }
  renderAndSend(c, f.content, f.name, f.language,
                preview ? int(config::getInt(Setting::PREVIEW_LINES, 50)) : 0);
  return Outcome::Done;
}

tg::Keyboard filesKeyboard(const Ctx& c, const std::vector<store::FileRow>& rows, int64_t page,
                           int64_t pages) {
  tg::Keyboard kb;
  for (const auto& f : rows) {
    std::string id = num(f.id);
    kb.push_back({{"🖼 " + f.name, "img:" + id, ""},
                  {i18n::text(Msg::BtnPreview, c.lang), "pv:" + id, ""},
                  {i18n::text(Msg::BtnDelete, c.lang), "del:" + id, ""}});
  }
  std::vector<tg::Button> nav;
  if (page > 1) nav.push_back({"◀️", "pg:" + num(page - 1), ""});
  if (page < pages) nav.push_back({"▶️", "pg:" + num(page + 1), ""});
  if (!nav.empty()) kb.push_back(nav);
  return kb;
}

// Shows page `page` of the user's files, as a new message or by editing `messageId`.
Outcome showFiles(Ctx& c, int64_t page, int64_t messageId) {
  std::vector<store::FileRow> rows;
  int64_t total = 0;
  if (page < 1) page = 1;
  if (!store::listFiles(c.userId, (page - 1) * kFilesPerPage, kFilesPerPage, rows, total)) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (total == 0) {
    if (messageId) c.bot.editMessageText(c.chatId, messageId, i18n::text(Msg::NoFiles, c.lang));
    else say(c, Msg::NoFiles);
    return Outcome::Done;
  }
  int64_t pages = (total + kFilesPerPage - 1) / kFilesPerPage;
  if (page > pages) return showFiles(c, pages, messageId);
  std::string text = i18n::format(Msg::FilesHeader, c.lang,
                                  {{"count", num(total)}, {"page", num(page)}, {"pages", num(pages)}});
  for (const auto& f : rows) {
    text += "\n• <code>" + tg::escapeHtml(f.name) + "</code> — " + tg::escapeHtml(f.language) +
            ", v" + num(f.version);
  }
  tg::Keyboard kb = filesKeyboard(c, rows, page, pages);
  tg::Sent s = messageId ? c.bot.editMessageText(c.chatId, messageId, text, &kb)
                         : c.bot.sendMessage(c.chatId, text, &kb);
  if (!s.ok) logger::warn("files: " + s.description);
  return Outcome::Done;
}

Outcome cmdDelete(Ctx& c, const Command& cmd) {
  if (cmd.args.empty()) {
    say(c, Msg::NotFound, {{"name", ""}});
    return Outcome::Done;
  }
  std::string name;
  switch (store::deleteFile(c.userId, std::nullopt, cmd.args, name)) {
    case store::Lookup::Failed: say(c, Msg::Sorry); return Outcome::StorageFailed;
    case store::Lookup::Missing: sayNotFound(c, cmd.args); return Outcome::Done;
    case store::Lookup::Found: say(c, Msg::Deleted, {{"name", tg::escapeHtml(name)}});
  }
  return Outcome::Done;
}

std::vector<std::string> themeNames() {
  json::JsonWriter req;
  req.beginObject().key("function").value("render").key("event").beginObject()
      .key("kind").value("fetch").key("internal").value(true)
      .key("request").beginObject().key("method").value("GET").key("path").value("/render/themes")
      .key("query").value("").key("headers").beginObject().endObject().endObject()
      .endObject().endObject();
  host::Reply r = host::invoke(req.str());
  std::vector<std::string> out;
  simdjson::dom::parser p;
  json::Object o;
  std::string_view text(reinterpret_cast<const char*>(r.body.data()), r.body.size());
  if (!r.ok() || p.parse(text).get(o) != simdjson::SUCCESS) return out;
  if (auto arr = json::getArray(o, "themes")) {
    for (auto el : *arr) {
      std::string_view s;
      json::Object t;
      if (el.get(s) == simdjson::SUCCESS) out.emplace_back(s);
      else if (el.get(t) == simdjson::SUCCESS) out.emplace_back(json::getString(t, "name").value_or(""));
    }
  }
  return out;
}

Outcome cmdTheme(Ctx& c) {
  std::vector<std::string> names = themeNames();
  tg::Keyboard kb;
  for (size_t i = 0; i < names.size(); i += 2) {
    std::vector<tg::Button> row;
    for (size_t k = i; k < std::min(i + 2, names.size()); k++) {
      row.push_back({names[k], "th:" + names[k], ""});
    }
    kb.push_back(row);
  }
  std::string current = c.settings.theme.empty() ? std::string(config::get(Setting::DEFAULT_THEME))
                                                 : c.settings.theme;
  c.bot.sendMessage(c.chatId, i18n::format(Msg::ChooseTheme, c.lang, {{"theme", current}}), &kb);
  return Outcome::Done;
}

Outcome cmdLanguage(Ctx& c) {
  tg::Keyboard kb{{{"English", "lang:en", ""}, {"Русский", "lang:ru", ""}},
                  {{"עברית", "lang:he", ""}, {"فارسی", "lang:fa", ""}}};
  c.bot.sendMessage(c.chatId, i18n::text(Msg::ChooseLanguage, c.lang), &kb);
  return Outcome::Done;
}

void scheduleBatch(const Ctx& c) {
  json::JsonWriter w;
  w.beginObject().key("kind").value("deferred").key("task").value("image_all")
      .key("chat_id").value(c.chatId).key("user_id").value(c.userId)
      .key("lang").value(i18n::code(c.lang)).endObject();
  host::defer(w.str());
}

Outcome cmdImageAll(Ctx& c) {
  bool failed = false;
  if (rateLimited(c, failed)) return failed ? Outcome::StorageFailed : Outcome::Done;
  std::vector<store::FileRow> rows;
  int64_t total = 0;
  if (!store::listFiles(c.userId, 0, 1, rows, total)) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (total == 0) {
    say(c, Msg::NoFiles);
    return Outcome::Done;
  }
  if (total > kBatchConfirmAbove) {
    tg::Keyboard kb{{{i18n::text(Msg::Yes, c.lang), "all:yes", ""},
                     {i18n::text(Msg::Cancel, c.lang), "all:no", ""}}};
    c.bot.sendMessage(c.chatId,
                      i18n::format(Msg::ConfirmAll, c.lang,
                                   {{"n", num(total)}, {"max", num(std::min<int64_t>(total, kBatchMax))}}),
                      &kb);
    return Outcome::Done;
  }
  scheduleBatch(c);
  return Outcome::Done;
}

bool parseId(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  out = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + (ch - '0');
  }
  return true;
}

Outcome onCallback(Ctx& c, const CallbackQuery& q) {
  std::string_view data = q.data;
  size_t colon = data.find(':');
  std::string_view kind = data.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? "" : data.substr(colon + 1);
  int64_t id = 0;
  Outcome out = Outcome::Done;
  if ((kind == "img" || kind == "pv") && parseId(arg, id)) {
    c.bot.answerCallbackQuery(q.id);
    bool failed = false;
    if (rateLimited(c, failed)) return failed ? Outcome::StorageFailed : Outcome::Done;
    store::FileVersion f;
    switch (store::latestById(c.userId, id, f)) {
      case store::Lookup::Failed: say(c, Msg::Sorry); return Outcome::StorageFailed;
      case store::Lookup::Missing: say(c, Msg::NotFound, {{"name", "?"}}); return Outcome::Done;
      case store::Lookup::Found: break;
    }
    renderAndSend(c, f.content, f.name, f.language,
                  kind == "pv" ? int(config::getInt(Setting::PREVIEW_LINES, 50)) : 0);
    return Outcome::Done;
  }
  if (kind == "del" && parseId(arg, id)) {
    std::string name;
    switch (store::deleteFile(c.userId, id, "", name)) {
      case store::Lookup::Failed:
        c.bot.answerCallbackQuery(q.id, i18n::text(Msg::Sorry, c.lang), true);
        return Outcome::StorageFailed;
      case store::Lookup::Missing: c.bot.answerCallbackQuery(q.id); break;
      case store::Lookup::Found:
        c.bot.answerCallbackQuery(q.id, i18n::format(Msg::Deleted, c.lang, {{"name", name}}));
    }
    return showFiles(c, 1, q.messageId);
  }
  if (kind == "pg" && parseId(arg, id)) {
    c.bot.answerCallbackQuery(q.id);
    return showFiles(c, id, q.messageId);
  }
  if (kind == "th") {
    std::vector<std::string> names = themeNames();
    std::string theme(arg);
    if (std::find(names.begin(), names.end(), theme) == names.end()) {
      c.bot.answerCallbackQuery(q.id);
      return Outcome::Done;
    }
    if (!store::setTheme(c.userId, theme, c.now)) {
      c.bot.answerCallbackQuery(q.id, i18n::text(Msg::Sorry, c.lang), true);
      return Outcome::StorageFailed;
    }
    std::string text = i18n::format(Msg::ThemeSet, c.lang, {{"theme", theme}});
    c.bot.answerCallbackQuery(q.id, text);
    c.bot.editMessageText(c.chatId, q.messageId, text);
    return Outcome::Done;
  }
  if (kind == "lang" && (arg == "en" || arg == "ru" || arg == "he" || arg == "fa")) {
    if (!store::setUiLanguage(c.userId, std::string(arg), c.now)) {
      c.bot.answerCallbackQuery(q.id, i18n::text(Msg::Sorry, c.lang), true);
      return Outcome::StorageFailed;
    }
    c.lang = i18n::fromCode(arg);
    c.bot.answerCallbackQuery(q.id);
    c.bot.editMessageText(c.chatId, q.messageId, i18n::text(Msg::LanguageSet, c.lang));
    return Outcome::Done;
  }
  if (kind == "all") {
    c.bot.answerCallbackQuery(q.id);
    if (arg == "yes") {
      c.bot.deleteMessage(c.chatId, q.messageId);
      scheduleBatch(c);
    } else {
      c.bot.editMessageText(c.chatId, q.messageId, i18n::text(Msg::Cancelled, c.lang));
    }
    return out;
  }
  c.bot.answerCallbackQuery(q.id);
  return out;
}

Outcome onMessage(Ctx& c, const Message& m) {
  Command cmd = parseCommand(m.text);
  if (cmd.name.empty()) {
    if (m.document) return onDocument(c, *m.document, "");
    std::string code, hint;
    if (extractCode(m.text, m.codeBlocks, code, hint)) {
      bool failed = false;
      if (rateLimited(c, failed)) return failed ? Outcome::StorageFailed : Outcome::Done;
      renderAndSend(c, code, "", hint, 0);
      return Outcome::Done;
    }
    say(c, Msg::Welcome);
    return Outcome::Done;
  }
  const std::string& n = cmd.name;
  if (n == "start" || n == "help") {
    say(c, Msg::Welcome);
    return Outcome::Done;
  }
  if (n == "save") return cmdSave(c, m, cmd);
  if (n == "files") return showFiles(c, 1, 0);
  if (n == "delete") return cmdDelete(c, cmd);
  if (n == "image") return cmdImage(c, m, cmd, false);
  if (n == "preview") return cmdImage(c, m, cmd, true);
  if (n == "image_all") return cmdImageAll(c);
  if (n == "theme") return cmdTheme(c);
  if (n == "language" || n == "lang") return cmdLanguage(c);
  if (n == "support") {
    const User& f = m.from;
    std::string contact(config::get(Setting::SUPPORT_CONTACT));
    say(c, Msg::Support,
        {{"id", num(f.id)},
         {"username", f.username.empty() ? "—" : "@" + tg::escapeHtml(f.username)},
         {"contact", contact.empty() ? "—" : tg::escapeHtml(contact)}});
    return Outcome::Done;
  }
  if (n == "imagine" || n == "generate" || n == "gallery" || n == "balance" || n == "buy" ||
      n == "topup" || n == "paysupport" || n == "cancel") {
    say(c, Msg::ComingSoon);
    return Outcome::Done;
  }
  say(c, Msg::UnknownCommand);
  return Outcome::Done;
}

bool prepare(Ctx& c, const User& from, int64_t chatId, int64_t updateId) {
  c.chatId = chatId;
  c.userId = from.id;
  c.now = host::nowMs();
  c.updateId = updateId;
  auto s = store::touchUser(from, c.now);
  if (!s) return false;
  c.settings = *s;
  c.lang = i18n::fromCode(s->uiLanguage.empty() ? from.languageCode : s->uiLanguage);
  return true;
}

}  // namespace

Outcome handleUpdate(const Update& u) {
  Ctx c;
  switch (u.kind) {
    case UpdateKind::Message:
    case UpdateKind::EditedMessage: {
      const Message& m = u.message;
      if (m.from.id == 0 || m.from.isBot || m.chatId == 0) return Outcome::Done;
      if (!prepare(c, m.from, m.chatId, u.updateId)) {
        c.lang = i18n::fromCode(m.from.languageCode);
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
      }
      // Payments are credited by issue 6's ledger; until then nothing is charged anywhere.
      if (m.hasSuccessfulPayment) return Outcome::Done;
      return onMessage(c, m);
    }
    case UpdateKind::CallbackQuery: {
      const CallbackQuery& q = u.callback;
      if (q.from.id == 0) return Outcome::Done;
      if (!prepare(c, q.from, q.chatId ? q.chatId : q.from.id, u.updateId)) {
        c.bot.answerCallbackQuery(q.id, i18n::text(Msg::Sorry, i18n::fromCode(q.from.languageCode)),
                                  true);
        return Outcome::StorageFailed;
      }
      return onCallback(c, q);
    }
    case UpdateKind::PreCheckoutQuery: {
      // No pack is on sale until payments exist: decline within Telegram's 10 s, politely.
      i18n::Lang lang = i18n::fromCode(u.preCheckout.from.languageCode);
      c.bot.answerPreCheckoutQuery(u.preCheckout.id, false, i18n::text(Msg::ComingSoon, lang));
      return Outcome::Done;
    }
    case UpdateKind::MyChatMember: {
      const ChatMemberUpdate& cm = u.chatMember;
      if (cm.from.id == 0) return Outcome::Done;
      bool blocked = cm.newStatus == "kicked" || cm.newStatus == "left";
      if (!store::touchUser(cm.from, host::nowMs())) return Outcome::StorageFailed;
      if (!store::setActive(cm.from.id, !blocked, host::nowMs())) return Outcome::StorageFailed;
      return Outcome::Done;
    }
    case UpdateKind::Unknown: return Outcome::Done;
  }
  return Outcome::Done;
}

void runDeferred(const fn::Event& ev) {
  std::string_view task = json::getString(ev.data, "task").value_or("");
  if (task != "image_all") return;
  Ctx c;
  c.chatId = json::getInt(ev.data, "chat_id").value_or(0);
  c.userId = json::getInt(ev.data, "user_id").value_or(0);
  c.lang = i18n::fromCode(json::getString(ev.data, "lang").value_or("en"));
  c.now = host::nowMs();
  if (!c.chatId || !c.userId) return;
  std::vector<store::FileRow> rows;
  int64_t total = 0;
  if (!store::listFiles(c.userId, 0, kBatchMax, rows, total)) {
    say(c, Msg::Sorry);
    return;
  }
  // The user's theme and other settings, without touching their profile fields.
  if (auto s = store::settingsOf(c.userId)) c.settings = *s;
  int n = int(rows.size());
  tg::Sent status = c.bot.sendMessage(
      c.chatId, i18n::format(Msg::Progress, c.lang, {{"n", num(n)}, {"k", "0"}}));
  int ok = 0;
  for (int k = 0; k < n; k++) {
    store::FileVersion f;
    if (store::latestById(c.userId, rows[k].id, f) == store::Lookup::Found) {
      RenderJob job = jobFor(c, f.content, f.name, f.language);
      RenderOutput img = renderImage(job);
      if (img.ok) {
        std::string caption = i18n::format(
            Msg::Caption, c.lang,
            {{"name", tg::escapeHtml(f.name)}, {"language", tg::escapeHtml(f.language)},
             {"lines", num(f.lines)}});
        if (sendImage(c, img, f.name, caption)) ok++;
      } else {
        logger::warn("image_all: " + img.error);
      }
    }
    bool last = k + 1 == n;
    if (status.ok && ((k + 1) % kBatchProgressEvery == 0) && !last) {
      c.bot.editMessageText(c.chatId, status.messageId,
                            i18n::format(Msg::Progress, c.lang, {{"n", num(n)}, {"k", num(k + 1)}}));
    }
  }
  std::string done = i18n::format(Msg::BatchDone, c.lang, {{"x", num(ok)}, {"n", num(n)}});
  if (status.ok) c.bot.editMessageText(c.chatId, status.messageId, done);
  else c.bot.sendMessage(c.chatId, done);
}

}  // namespace webhook
