// The webhook's D1 tables (migrations/0002_bot.sql): users and settings, saved files and their
// versions, update claims and rate limits. Every function returns failure as a value; a caller
// that sees one apologises to the user and lets Telegram retry the update.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/result.h"
#include "update.h"

namespace webhook::store {

struct Settings {
  std::string uiLanguage;  // empty: follow Telegram's language_code
  std::string theme;       // empty: DEFAULT_THEME
  int fontSize = 0;        // 0: DEFAULT_FONT_SIZE
  bool lineNumbers = true;
  bool active = true;
  std::string preferredModel, preferredStyle;  // /settings, for /imagine; empty: none
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
// Empty clears the preference.
bool setPreferredModel(int64_t userId, const std::string& model, double nowMs);
bool setPreferredStyle(int64_t userId, const std::string& style, double nowMs);

// Mine: this delivery runs the update. AlreadyHandled: it finished before. Busy: another delivery
// holds a lease younger than leaseMs (still running, or crashed and not yet expired).
enum class Claim { Mine, AlreadyHandled, Busy, Failed };
// Claims an update for processing as a lease of leaseMs; an expired lease is taken over.
Claim claimUpdate(int64_t updateId, double nowMs, double leaseMs);
bool finishUpdate(int64_t updateId);
// Drops a claim so Telegram's retry processes the update again (after a storage failure).
void releaseUpdate(int64_t updateId);

// What a user keeps, against CODE_MAX_FILES, CODE_MAX_BYTES and CODE_VERSIONS_KEPT.
struct CodeQuota {
  int64_t maxFiles = 100, maxBytes = 5 << 20, versionsKept = 20;
};
struct CodeUsage {
  int64_t files = 0;      // files the user has
  int64_t bytes = 0;      // bytes of every version kept
  bool exists = false;    // the file being saved is one of them
  int64_t afterSave = 0;  // bytes kept once the new version is in and the oldest pruned
};
std::optional<CodeUsage> codeUsage(int64_t userId, const std::string& name, int64_t newBytes,
                                   const CodeQuota& q);

struct SavedVersion {
  int64_t version = 0;  // 0: not saved, the quota did not allow it (a concurrent save took it)
};
// Saves a new version (once per update) and prunes the file's versions beyond q.versionsKept, in
// one transaction that writes nothing when the save would pass the quota.
std::optional<SavedVersion> saveFile(int64_t userId, const std::string& name,
                                     const std::string& language, const std::string& content,
                                     int64_t lines, int64_t updateId, double nowMs,
                                     const CodeQuota& q);

struct FileVersion {
  int64_t fileId = 0;
  std::string name, language, content;
  int64_t version = 0, lines = 0;
};
// NotFound when the user has no such file; Unavailable when D1 failed.
Result<FileVersion> latestByName(int64_t userId, const std::string& name);
Result<FileVersion> latestById(int64_t userId, int64_t fileId);

struct FileRow {
  int64_t id = 0;
  std::string name, language;
  int64_t version = 0;
};
// Files by name, a page at a time; total is the user's file count.
bool listFiles(int64_t userId, int64_t offset, int64_t limit, std::vector<FileRow>& out,
               int64_t& total);
// The deleted file's name; NotFound when there was no such file, Unavailable when D1 failed.
Result<std::string> deleteFile(int64_t userId, std::optional<int64_t> fileId,
                               const std::string& nameIn);

// /forget: deletes every saved file of the user's with all its versions; the count of files.
Result<int64_t> deleteAllFiles(int64_t userId);

// Records an action of `cost` units if fewer than `limit` units were used in the last windowMs.
// Returns 0 when allowed, otherwise the seconds until the oldest counted unit leaves the window;
// -1 on failure.
int64_t rateLimit(int64_t userId, const std::string& action, int64_t limit, double windowMs,
                  double nowMs, int64_t cost = 1);

}  // namespace webhook::store
