// GET /healthz and the diagnostics routes (enabled by ENABLE_DIAGNOSTICS) that prove each binding
// works end to end: D1 round trip, R2 put/get, a Durable Object alarm.
#pragma once

#include "shared/entry.h"

namespace webhook {

fn::Response health(const fn::Event& ev);
// Null Response status (0) when `req` is not a diagnostics route.
fn::Response diagnostics(const fn::Request& req);
// With ENABLE_DIAGNOSTICS: traps (as a crash, an out-of-memory or a CPU-limit kill would end the
// instance) when /__diag/crash-update armed this update for this phase ("before" the handler or
// "after" it, before the claim is marked done). Each arming fires once.
void diagnosticCrash(int64_t updateId, std::string_view phase);

}  // namespace webhook
