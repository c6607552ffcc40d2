// Webhooks from asynchronous model providers: POST /hooks/fal/<generation id>?s=<per-job secret>.
//
// They live in the generate module because the queue object that owns the job also owns its
// secret and its state (queue/async_jobs.h): the route only finds the job's queue (its model, from
// the D1 row) and passes the request on; the object checks the secret in constant time and takes
// the first valid webhook. A wrong secret is a 403 and changes nothing; a webhook for a job that
// has ended (a provider's retry, a replay) is answered 200 so that the provider stops, and changes
// nothing. The body is capped by the host's route (64 KB).
#pragma once

#include "shared/entry.h"

namespace gen {

fn::Response providerHook(const fn::Request& req);

}  // namespace gen
