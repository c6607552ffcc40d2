// What the bot does with each Telegram update. Called by the adapter (main.cpp) after the update
// has been authenticated, parsed and claimed.
#pragma once

#include "context.h"
#include "shared/entry.h"
#include "update.h"

namespace webhook {

Outcome handleUpdate(const Update& u);

// Work scheduled with host::defer (e.g. /image_all), run after the webhook has answered.
void runDeferred(const fn::Event& ev);

}  // namespace webhook
