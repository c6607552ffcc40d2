// The ModelQueue Durable Object: one per model (idFromName(model)), strictly FIFO, driven by
// alarms. D1 holds each generation's row (queued -> completed | failed | cancelled, one write at
// the job's end: the row stays queued while the job runs) and the credits; the object's SQLite
// storage holds the queue order and each job's progress, written before every step, so an evicted
// or restarted object resumes where it was:
//
//   queued -> enhancing -> generating -> stored (image in R2) -> delivering -> (deleted)
//
// A job whose runner vanished is picked up again from its last persisted stage: the host gives
// each life of the object its own id ("incarnation"), so a job claimed in an earlier life is
// resumed by the next event, and one without a heartbeat for longer than any single step can take
// is resumed too; a result that arrives after the job was cancelled or
// timed out finds its D1 row no longer queued and is discarded.
#pragma once

#include "shared/entry.h"

namespace gen::queue {

// POST /enqueue, /cancel; GET /job?id=; /ws/<id> (WebSocket upgrade). `name` is the model.
fn::Response onFetch(const fn::Event& ev);
fn::Response onAlarm(const fn::Event& ev);
fn::Response onDeferred(const fn::Event& ev);
// The host's WebSocket hibernation events ("ws_message", "ws_close") for this object.
fn::Response onWebSocket(const fn::Event& ev);

}  // namespace gen::queue
