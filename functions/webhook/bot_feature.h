// The bot's features. Each owns some commands, callback-data prefixes ("kind:arg") and deferred
// tasks; bot.cpp asks them in order and the first that answers (not nullopt) handled the update.
#pragma once

#include <optional>
#include <string_view>

#include "command.h"
#include "context.h"
#include "shared/entry.h"

namespace webhook {

struct Feature {
  const char* name;
  // A /command (cmd.name non-empty) or, with cmd.name empty, any other message.
  std::optional<Outcome> (*onMessage)(Ctx& c, const Message& m, const Command& cmd);
  std::optional<Outcome> (*onCallback)(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                       std::string_view arg);
  // Work scheduled with host::defer; `task` is the event's "task". True when it was this one's.
  bool (*onDeferred)(const fn::Event& ev, std::string_view task);
};

// functions/webhook/code_files.cpp: saved files and code images.
extern const Feature kAppearance;
extern const Feature kCodeFiles;
// functions/webhook/generation.cpp: /image=MODEL=PROMPT, /imagine, regenerate, /cancel.
extern const Feature kGeneration;
// functions/webhook/payments.cpp: /balance, /buy, /topup, /paysupport, /refund.
extern const Feature kPayments;
// functions/webhook/thumbnails.cpp: /generate TITLE [| SUBTITLE] (YouTube thumbnails).
extern const Feature kThumbnails;
// functions/webhook/gallery.cpp: /gallery and its buttons.
extern const Feature kGallery;
// functions/webhook/avatars.cpp: /avatar (new, done, delete) and the photos sent while one
// collects.
extern const Feature kAvatars;
// functions/webhook/privacy.cpp: /forget (delete everything of the user's, after a confirmation).
extern const Feature kPrivacy;

}  // namespace webhook
