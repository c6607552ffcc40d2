// Saved code files and code images: /save, documents, /files, /delete, /image, /preview,
// /image_all, and code blocks sent as messages. (/theme and /settings: appearance.cpp.)
#include "bot_feature.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "command.h"
#include "context.h"
#include "lexer/token.h"
#include "render_client.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/stats.h"
#include "shared/telegram.h"
#include "shared/utf8.h"
#include "store.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

constexpr size_t kMaxFileBytes = 1024 * 1024;
constexpr int64_t kFilesPerPage = 8;
constexpr int64_t kCodeImagesPerMinute = 10;
constexpr int kBatchMax = 20;
constexpr int kBatchConfirmAbove = 10;
constexpr int kBatchProgressEvery = 5;

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

void reportRenderFailure(Ctx& c, const RenderOutput& img) {
  std::string id = errorId();
  logger::warn("render failed [" + id + "] status " + std::to_string(img.status) + ": " +
               img.error);
  // 4xx messages from the render function describe the input (safe and useful); anything else
  // is ours, and the user sees only the id.
  std::string reason = img.status >= 400 && img.status < 500 ? tg::escapeHtml(img.error)
                                                             : i18n::format(Msg::Sorry, c.lang);
  tg::Sent s =
      c.bot.sendMessage(c.chatId, i18n::format(Msg::RenderFailed, c.lang, {{"reason", reason}}) +
                                      " " + i18n::format(Msg::ErrorId, c.lang, {{"id", id}}));
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) prev[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      size_t sub =
          prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
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
      bool similar =
          d <= std::max<size_t>(2, name.size() / 3) || f.name.find(name) != std::string::npos;
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

bool renderAndSend(Ctx& c, const std::string& code, const std::string& filename,
                   const std::string& language, int maxLines) {
  RenderJob job = jobFor(c, code, filename, language);
  job.maxLines = maxLines;
  double started = host::nowMs();
  RenderOutput img = renderImage(job);
  stats::record("code_image", img.ok ? "ok" : "failed", host::nowMs() - started, c.now);
  if (!img.ok) {
    reportRenderFailure(c, img);
    return false;
  }
  render::Language lang = languageOf(filename, code, language);
  std::string caption =
      i18n::format(Msg::Caption, c.lang,
                   {{"name", tg::escapeHtml(filename.empty() ? "code" : filename)},
                    {"language", render::languageName(lang)},
                    {"lines", countLines(code)}});
  return sendImage(c, img.png, img.width, img.height,
                   (filename.empty() ? "code" : filename) + ".png", "image/png", caption);
}

store::CodeQuota codeQuota() {
  store::CodeQuota q;
  q.maxFiles = std::max<int64_t>(1, config::getInt(Setting::CODE_MAX_FILES, q.maxFiles));
  q.maxBytes = std::max<int64_t>(1, config::getInt(Setting::CODE_MAX_BYTES, q.maxBytes));
  q.versionsKept =
      std::max<int64_t>(1, config::getInt(Setting::CODE_VERSIONS_KEPT, q.versionsKept));
  return q;
}

int64_t kib(int64_t bytes) {
  return (bytes + 1023) / 1024;
}

// Over a cap: says which, what it is, and how to free space; nothing was written.
Outcome refuseOverQuota(Ctx& c, const store::CodeQuota& q, const store::CodeUsage& u, bool files) {
  if (files) {
    say(c, Msg::CodeQuotaFiles, {{"files", u.files}, {"max", q.maxFiles}});
  } else {
    say(c, Msg::CodeQuotaBytes,
        {{"used", kib(u.bytes)}, {"max", kib(q.maxBytes)}, {"versions", q.versionsKept}});
  }
  return Outcome::Done;
}

Outcome saveCode(Ctx& c, const std::string& name, const std::string& code,
                 const std::string& hint) {
  if (code.find_first_not_of(" \t\r\n") == std::string::npos) {
    say(c, Msg::EmptyFile, {{"name", tg::escapeHtml(name)}});
    return Outcome::Done;
  }
  if (Status s = rateLimit(c, "save", config::getInt(Setting::CODE_SAVES_PER_MINUTE, 10), 60000);
      !s) {
    return stopWith(c, s);
  }
  const store::CodeQuota quota = codeQuota();
  auto usage = store::codeUsage(c.userId, name, int64_t(code.size()), quota);
  if (!usage) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (!usage->exists && usage->files >= quota.maxFiles)
    return refuseOverQuota(c, quota, *usage, true);
  if (usage->afterSave > quota.maxBytes) return refuseOverQuota(c, quota, *usage, false);
  render::Language lang = languageOf(name, code, hint);
  auto saved = store::saveFile(c.userId, name, render::languageName(lang), code, countLines(code),
                               c.updateId, c.now, quota);
  if (!saved) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (saved->version == 0) return refuseOverQuota(c, quota, *usage, usage->files >= quota.maxFiles);
  say(c, Msg::Saved,
      {{"name", tg::escapeHtml(name)},
       {"version", saved->version},
       {"lines", countLines(code)},
       {"language", render::languageName(lang)}});
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
  if (cmd.args.empty()) {
    std::string code, hint;
    if (m.hasReply && extractCode(m.replyText, m.replyCodeBlocks, code, hint)) {
      if (Status s = rateLimit(c, "code_image", kCodeImagesPerMinute, 60000); !s)
        return stopWith(c, s);
      renderAndSend(c, code, "", hint,
                    preview ? int(config::getInt(Setting::PREVIEW_LINES, 50)) : 0);
      return Outcome::Done;
    }
    say(c, Msg::UsageImage);
    return Outcome::Done;
  }
  if (Status s = rateLimit(c, "code_image", kCodeImagesPerMinute, 60000); !s) return stopWith(c, s);
  Result<store::FileVersion> found = store::latestByName(c.userId, cmd.args);
  if (!found) {
    if (found.error() == Error::NotFound) return sayNotFound(c, cmd.args), Outcome::Done;
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const store::FileVersion& f = *found;
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
                  {i18n::format(Msg::BtnPreview, c.lang), "pv:" + id, ""},
                  {i18n::format(Msg::BtnDelete, c.lang), "del:" + id, ""}});
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
    if (messageId)
      c.bot.editMessageText(c.chatId, messageId, i18n::format(Msg::NoFiles, c.lang));
    else
      say(c, Msg::NoFiles);
    return Outcome::Done;
  }
  int64_t pages = (total + kFilesPerPage - 1) / kFilesPerPage;
  if (page > pages) return showFiles(c, pages, messageId);
  std::string text =
      i18n::format(Msg::FilesHeader, c.lang, {{"count", total}, {"page", page}, {"pages", pages}});
  for (const auto& f : rows) {
    text += "\n" + i18n::format(Msg::FilesItem, c.lang,
                                {{"name", tg::escapeHtml(f.name)},
                                 {"language", tg::escapeHtml(f.language)},
                                 {"version", f.version}});
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
  Result<std::string> name = store::deleteFile(c.userId, std::nullopt, cmd.args);
  if (name) {
    say(c, Msg::Deleted, {{"name", tg::escapeHtml(*name)}});
  } else if (name.error() == Error::NotFound) {
    sayNotFound(c, cmd.args);
  } else {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  return Outcome::Done;
}

void scheduleBatch(const Ctx& c) {
  deferTask(c, "image_all");
}

// How many files /image_all would draw: the batch's renders are charged to the code-image rate
// limit as the same renders one by one would be. -1 when D1 failed.
int64_t batchSize(Ctx& c, int64_t& total) {
  std::vector<store::FileRow> rows;
  if (!store::listFiles(c.userId, 0, 1, rows, total)) return -1;
  return std::min<int64_t>(total, kBatchMax);
}

Outcome cmdImageAll(Ctx& c) {
  int64_t total = 0;
  int64_t n = batchSize(c, total);
  if (n < 0) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (total == 0) {
    say(c, Msg::NoFiles);
    return Outcome::Done;
  }
  // Above the confirmation threshold only the question is charged now; "Yes" pays for the renders.
  const bool ask = total > kBatchConfirmAbove;
  if (Status s = rateLimit(c, "code_image", kCodeImagesPerMinute, 60000, ask ? 1 : n); !s) {
    return stopWith(c, s);
  }
  if (ask) {
    tg::Keyboard kb{{{i18n::format(Msg::Yes, c.lang), "all:yes", ""},
                     {i18n::format(Msg::Cancel, c.lang), "all:no", ""}}};
    c.bot.sendMessage(c.chatId, i18n::format(Msg::ConfirmAll, c.lang, {{"n", total}, {"max", n}}),
                      &kb);
    return Outcome::Done;
  }
  scheduleBatch(c);
  return Outcome::Done;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  int64_t id = 0;
  Outcome out = Outcome::Done;
  if ((kind == "img" || kind == "pv") && parseId(arg, id)) {
    c.bot.answerCallbackQuery(q.id);
    if (Status s = rateLimit(c, "code_image", kCodeImagesPerMinute, 60000); !s)
      return stopWith(c, s);
    Result<store::FileVersion> found = store::latestById(c.userId, id);
    if (!found) {
      if (found.error() == Error::NotFound)
        return say(c, Msg::NotFound, {{"name", "?"}}), Outcome::Done;
      say(c, Msg::Sorry);
      return Outcome::StorageFailed;
    }
    const store::FileVersion& f = *found;
    renderAndSend(c, f.content, f.name, f.language,
                  kind == "pv" ? int(config::getInt(Setting::PREVIEW_LINES, 50)) : 0);
    return Outcome::Done;
  }
  if (kind == "del" && parseId(arg, id)) {
    Result<std::string> name = store::deleteFile(c.userId, id, "");
    if (name) {
      c.bot.answerCallbackQuery(
          q.id,
          i18n::plainText(i18n::format(Msg::Deleted, c.lang, {{"name", tg::escapeHtml(*name)}})));
    } else if (name.error() == Error::NotFound) {
      c.bot.answerCallbackQuery(q.id);
    } else {
      c.bot.answerCallbackQuery(q.id, i18n::format(Msg::Sorry, c.lang), true);
      return Outcome::StorageFailed;
    }
    return showFiles(c, 1, q.messageId);
  }
  if (kind == "pg" && parseId(arg, id)) {
    c.bot.answerCallbackQuery(q.id);
    return showFiles(c, id, q.messageId);
  }
  if (kind == "all") {
    c.bot.answerCallbackQuery(q.id);
    if (arg == "yes") {
      int64_t total = 0;
      int64_t n = batchSize(c, total);
      if (n < 0) {
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
      }
      if (n > 0) {
        if (Status s = rateLimit(c, "code_image", kCodeImagesPerMinute, 60000, n); !s) {
          return stopWith(c, s);
        }
      }
      c.bot.deleteMessage(c.chatId, q.messageId);
      if (n > 0) scheduleBatch(c);
    } else {
      c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::Cancelled, c.lang));
    }
    return out;
  }
  return std::nullopt;
}

std::optional<Outcome> onMessage(Ctx& c, const Message& m, const Command& cmd) {
  if (cmd.name.empty()) {
    if (m.document) return onDocument(c, *m.document, "");
    std::string code, hint;
    if (extractCode(m.text, m.codeBlocks, code, hint)) {
      if (Status s = rateLimit(c, "code_image", kCodeImagesPerMinute, 60000); !s)
        return stopWith(c, s);
      renderAndSend(c, code, "", hint, 0);
      return Outcome::Done;
    }
    say(c, Msg::Welcome);
    return Outcome::Done;
  }
  const std::string& n = cmd.name;
  if (n == "save") return cmdSave(c, m, cmd);
  if (n == "files") return showFiles(c, 1, 0);
  if (n == "delete") return cmdDelete(c, cmd);
  if (n == "image") return cmdImage(c, m, cmd, false);
  if (n == "preview") return cmdImage(c, m, cmd, true);
  if (n == "image_all") return cmdImageAll(c);
  return std::nullopt;
}

bool onDeferred(const fn::Event& ev, std::string_view task) {
  if (task != "image_all") return false;
  Ctx c;
  if (!fromDeferred(ev, c)) return true;
  std::vector<store::FileRow> rows;
  int64_t total = 0;
  if (!store::listFiles(c.userId, 0, kBatchMax, rows, total)) {
    say(c, Msg::Sorry);
    return true;
  }
  // The user's theme and other settings, without touching their profile fields.
  if (auto s = store::settingsOf(c.userId)) c.settings = *s;
  int n = int(rows.size());
  tg::Sent status =
      c.bot.sendMessage(c.chatId, i18n::format(Msg::Progress, c.lang, {{"n", n}, {"k", 0}}));
  int ok = 0;
  for (int k = 0; k < n; k++) {
    Result<store::FileVersion> found = store::latestById(c.userId, rows[k].id);
    if (found) {
      const store::FileVersion& f = *found;
      RenderJob job = jobFor(c, f.content, f.name, f.language);
      RenderOutput img = renderImage(job);
      if (img.ok) {
        std::string caption = i18n::format(Msg::Caption, c.lang,
                                           {{"name", tg::escapeHtml(f.name)},
                                            {"language", tg::escapeHtml(f.language)},
                                            {"lines", f.lines}});
        if (sendImage(c, img.png, img.width, img.height, f.name + ".png", "image/png", caption))
          ok++;
      } else {
        logger::warn("image_all: " + img.error);
      }
    }
    bool last = k + 1 == n;
    if (status.ok && ((k + 1) % kBatchProgressEvery == 0) && !last) {
      c.bot.editMessageText(c.chatId, status.messageId,
                            i18n::format(Msg::Progress, c.lang, {{"n", n}, {"k", k + 1}}));
    }
  }
  std::string done = i18n::format(Msg::BatchDone, c.lang, {{"x", ok}, {"n", n}});
  if (status.ok)
    c.bot.editMessageText(c.chatId, status.messageId, done);
  else
    c.bot.sendMessage(c.chatId, done);
  return true;
}

}  // namespace

const Feature kCodeFiles = {"code_files", onMessage, onCallback, onDeferred};

}  // namespace webhook
