// The webhook's D1 tables (migrations/0002_bot.sql): users and settings, saved files and their
// versions, update claims and rate limits. Every function returns failure as a value; a caller
// that sees one apologises to the user and lets Telegram retry the update.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "update.h"

namespace webhook::store {

struct Settings {
  std::string uiLanguage;  // empty: follow Telegram's language_code
  std::string theme;       // empty: DEFAULT_THEME
  int fontSize = 0;        // 0: DEFAULT_FONT_SIZE
  bool lineNumbers = true;
  bool active = true;
};

// Creates or refreshes the user row and returns their settings.
std::optional<Settings> touchUser(const User& u, double nowMs);
std::optional<Settings> settingsOf(int64_t userId);
bool setActive(int64_t userId, bool active, double nowMs);
bool setTheme(int64_t userId, const std::string& theme, double nowMs);
bool setUiLanguage(int64_t userId, const std::string& lang, double nowMs);
// Code-image settings from /settings: font size in px (8-48, the column's CHECK) and line numbers
// on or off.
bool setFontSize(int64_t userId, int px, double nowMs);
bool setLineNumbers(int64_t userId, bool on, double nowMs);

enum class Claim { Mine, AlreadyHandled, Failed };
// Claims an update for processing. A claim older than staleMs (a crashed attempt) is taken over.
Claim claimUpdate(int64_t updateId, double nowMs, double staleMs);
bool finishUpdate(int64_t updateId);
// Drops a claim so Telegram's retry processes the update again (after a storage failure).
void releaseUpdate(int64_t updateId);

struct SavedVersion {
  int64_t version = 0;
};
std::optional<SavedVersion> saveFile(int64_t userId, const std::string& name,
                                     const std::string& language, const std::string& content,
                                     int64_t lines, int64_t updateId, double nowMs);

struct FileVersion {
  int64_t fileId = 0;
  std::string name, language, content;
  int64_t version = 0, lines = 0;
};
enum class Lookup { Found, Missing, Failed };
Lookup latestByName(int64_t userId, const std::string& name, FileVersion& out);
Lookup latestById(int64_t userId, int64_t fileId, FileVersion& out);

struct FileRow {
  int64_t id = 0;
  std::string name, language;
  int64_t version = 0;
};
// Files by name, a page at a time; total is the user's file count.
bool listFiles(int64_t userId, int64_t offset, int64_t limit, std::vector<FileRow>& out,
               int64_t& total);
// True when a file was deleted; `name` receives its name.
Lookup deleteFile(int64_t userId, std::optional<int64_t> fileId, const std::string& nameIn,
                  std::string& name);

// Records one action if fewer than `limit` happened in the last windowMs. Returns 0 when allowed,
// otherwise the seconds until the oldest counted action leaves the window; -1 on failure.
int64_t rateLimit(int64_t userId, const std::string& action, int64_t limit, double windowMs,
                  double nowMs);

}  // namespace webhook::store
