// What the bot does with each Telegram update. Called by the adapter (main.cpp) after the update
// has been authenticated, parsed and claimed.
#pragma once

#include "context.h"
#include "shared/entry.h"
#include "update.h"

namespace webhook {

// Runs the update's command, callback or event. When it could not finish because storage failed
// (Outcome::StorageFailed: the adapter answers 500 so that Telegram resends it), the user is told
// once that it will be retried; any other failure a feature reported gets one plain apology.
Outcome handleUpdate(const Update& u);

// The retry apology when the update could not even be claimed (D1 unavailable).
void apologizeForRetry(const Update& u);

// Work scheduled with host::defer (e.g. /image_all), run after the webhook has answered.
void runDeferred(const fn::Event& ev);

}  // namespace webhook
