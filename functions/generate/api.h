// GET /generations/<id>: a generation's status as JSON, for clients other than Telegram;
// GET /generations/<id>/ws: the same as a WebSocket stream of stage changes, served by the
// model's queue object (the host forwards the upgrade there when we name the object).
#pragma once

#include "shared/entry.h"

namespace gen {

fn::Response api(const fn::Request& req);

}  // namespace gen
