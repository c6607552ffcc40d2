// What every bot feature (code files, generation, payments, gallery) works with: the update's
// user and chat, their settings and language, the Bot API client, and a few shared helpers.
//
// A feature is a Feature table (bot_feature.h): the commands, callback prefixes and deferred tasks
// it owns. bot.cpp routes each update to the first feature that takes it.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command.h"
#include "shared/entry.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/result.h"
#include "shared/telegram.h"
#include "store.h"
#include "update.h"

namespace webhook {

enum class Outcome {
  Done,           // handled (including user mistakes, answered with a friendly message)
  StorageFailed,  // D1 failed: the user got an apology; the update should be retried
};

struct Ctx {
  tg::Bot bot;
  int64_t chatId = 0;
  int64_t userId = 0;
  User from;
  i18n::Lang lang = i18n::Lang::En;
  store::Settings settings;
  double now = 0;
  int64_t updateId = 0;
  // say(c, Msg::Sorry) only sets this: the dispatcher (handleUpdate) chooses the apology's words
  // once the outcome is known (a storage failure is retried by Telegram, so it says so).
  bool apologyPending = false;
};

using Values = i18n::Values;

std::string num(int64_t n);
int64_t countLines(std::string_view s);
// Sends a catalog message in the user's language. Msg::Sorry is not sent here: it marks the
// update for the one apology handleUpdate sends at the end.
void say(Ctx& c, i18n::Msg m, Values v = {});
// A short id ("E1a2b3c4d") the user can quote and the operator can grep in the logs.
std::string errorId();

// Applies a per-user limit, taking `cost` units at once. LimitReached when refused (the user has
// been told how long to wait), Unavailable when D1 could not be asked.
Status rateLimit(Ctx& c, std::string_view action, int64_t limit, double windowMs, int64_t cost = 1);
// The outcome of an update stopped by `s`: StorageFailed (Telegram retries) for Unavailable,
// else Done (the user was told).
Outcome stopWith(Ctx& c, const Status& s);

// Sends an image as a photo, or as a document when Telegram would refuse it as a photo
// (too tall, too large). False when neither went out.
bool sendImage(Ctx& c, const std::vector<uint8_t>& bytes, uint32_t width, uint32_t height,
               const std::string& filename, std::string_view contentType,
               const std::string& caption, const tg::Keyboard* kb = nullptr);

// Work that outlives the update (host::defer): the event carries the task's name, who it is for
// (chat, user, update, language) and the task's own fields, which `fields` adds to the open
// object. fromDeferred() rebuilds that Ctx (now set) from the event; false when it names no chat
// or user.
void deferTask(const Ctx& c, std::string_view task,
               const std::function<void(json::JsonWriter&)>& fields = {});
bool fromDeferred(const fn::Event& ev, Ctx& c);

// Loads the user (creating the row on first contact) into `c`. False when D1 failed.
bool prepareContext(Ctx& c, const User& from, int64_t chatId, int64_t updateId);

}  // namespace webhook
