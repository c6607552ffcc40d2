// What the bot does with each Telegram update: commands, saved files, code images. Called by the
// adapter (main.cpp) after the update has been authenticated, parsed and claimed.
#pragma once

#include "shared/entry.h"
#include "update.h"

namespace webhook {

enum class Outcome {
  Done,           // handled (including user mistakes, answered with a friendly message)
  StorageFailed,  // D1 failed: the user got an apology; the update should be retried
};

Outcome handleUpdate(const Update& u);

// Work scheduled with host::defer (e.g. /image_all), run after the webhook has answered.
void runDeferred(const fn::Event& ev);

}  // namespace webhook
