// GET /healthz and the diagnostics routes (enabled by ENABLE_DIAGNOSTICS) that prove each binding
// works end to end: D1 round trip, R2 put/get, a Durable Object alarm.
#pragma once

#include "shared/entry.h"

namespace webhook {

fn::Response health(const fn::Event& ev);
// Null Response status (0) when `req` is not a diagnostics route.
fn::Response diagnostics(const fn::Request& req);

}  // namespace webhook
