// Every function the JavaScript host (host/worker.mjs) gives a wasm module: the one list of
// imports.
//
// Synchronous imports return at once. Asynchronous ones (D1, R2, fetch, Durable Objects, Workers
// AI) are wrapped by the host in `WebAssembly.Suspending`, so C++ calls them as ordinary blocking
// functions while the Worker awaits the promise (JSPI).
//
// Every asynchronous import takes a JSON request (and, where bytes travel, a body) and returns the
// byte length of its reply, which the caller then copies out with host_take_result():
//   reply = u32 little-endian JSON length | JSON | body bytes
// A reply whose JSON holds "error" is a failure the caller handles; a negative length means the
// host could not build any reply. Each function's wrapper lives in shared/include/shared/host.h.
//
// Exports, the same in every module (shared/src/entry.cpp):
//   guest_alloc(n) -> ptr, guest_free(ptr), guest_init(ptr, n) with the settings as JSON,
//   guest_handle(ptr, n) -> reply length for one event blob, guest_result() -> reply pointer.
//
// ---- Events (guest_handle's blob: {"kind", ...} then the body bytes;
// shared/include/shared/entry.h)
//   fetch               {"request": {"method","url","path","query","headers"}} + body: an HTTP
//                       request routed by host/worker.mjs's ROUTES table (path prefix -> module,
//                       with its body cap, its secret header check and its rate limiter, all
//                       applied by the host before the module sees the request)
//   scheduled           {"cron","scheduled_ms"}: a Cron Trigger (cron module)
//   health              {"host": {...runtime features}}: GET /healthz (webhook module)
//   do_fetch            {"object", "incarnation", "request"} + body: a request to a Durable Object
//   alarm               {"object", "incarnation", "retry_count"}: the object's alarm fired
//   deferred            {"object"?, "task", ...}: an event a module asked for with host_defer
//                       (no body) or host_spawn (+ body)
//   ws_message/ws_close {"object", "tags", "message"}: a hibernatable WebSocket the object holds
//   reconcile_payments  {"now_ms"}: another module's named event through host_invoke (the cron
//                       asking the webhook module; shared/clients.h `clients::event`)
// "incarnation" is the id of the object's current life (a new one after every restart).
//
// ---- Reply (guest_result): {"status", "headers": {...}} + body bytes, an HTTP response, where
// these response headers are instructions to the host and never reach a client:
//   x-host-websocket: TAG              accept a WebSocket upgrade and hold it (hibernatable),
//                                      tagged TAG for storage op "ws_send"
//   x-host-websocket-hello: TEXT       the first message sent on it
//   x-host-websocket-close: 1          close it after the hello
//   x-host-forward-binding: NS         forward this request (a WebSocket upgrade) to the
//   x-host-forward-object: NAME          Durable Object NAME of namespace NS,
//   x-host-forward-path: PATH            at PATH
//   x-host-abort: 1                    reset the Durable Object after answering (diagnostics)
//   x-host-need-assets: PATH[,PATH]    load these static asset files (fonts), keep them for the
//                                      isolate's life, and run the same event again (host_asset)
// A module reply with a status below 200 (other than 101 with x-host-websocket) is a 500.
//
// The business layer does not build these envelopes by hand: shared/clients.h (R2, module
// routes and events, Durable Objects, a chat LLM), shared/db.h (D1), shared/telegram.h (Bot API).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__wasm__)
#define HOST_IMPORT(name) __attribute__((import_module("host"), import_name(name)))
#else
// Native builds link shared/src/host_native.cpp, which answers like a host with no bindings.
#define HOST_IMPORT(name)
#endif

extern "C" {

// --- synchronous -------------------------------------------------------------------------------

// level: 0 debug, 1 info, 2 warn, 3 error. The host writes one console line per call.
HOST_IMPORT("log") void host_log(int32_t level, const char* msg, size_t len);
// Milliseconds since the Unix epoch. In Workers, time only advances across I/O.
HOST_IMPORT("now_ms") double host_now_ms();
// Cryptographically secure random bytes (crypto.getRandomValues).
HOST_IMPORT("random") void host_random(void* dst, size_t len);
// Copies the reply of the last asynchronous import into guest memory.
HOST_IMPORT("take_result") void host_take_result(void* dst, size_t len);
// A static asset file (the render module's large fonts, functions/render/raster/font_assets.h),
// by its path in the assets folder ("fonts/cjk-han.otf"). Returns its byte length when the host
// holds it (copy it out with host_take_result), -1 when the host has not loaded it yet, -2 when
// it cannot be had. After a -1 the module answers with the header
//   x-host-need-assets: <path>[,<path>...]
// and the host loads those files all at once (the Worker's ASSETS binding, or the files in the
// CLI), keeps them for the isolate's life, and runs the same event again once; the module draws
// what it still lacks as boxes. Every instance of every module shares the host's copy. The reply
// of that second run carries a Server-Timing header (host/runtime.mjs): both runs, the loads, the
// copy into the module's memory, the number of files.
HOST_IMPORT("asset") int32_t host_asset(const char* name, size_t len);
// Lets the event's reply go out now and runs `event` (a JSON event blob) afterwards on the same
// module, through ctx.waitUntil. Used to answer Telegram fast and finish slow work later.
HOST_IMPORT("defer") void host_defer(const char* event, size_t len);
// Starts `event` (a JSON event blob) now, with `body` as its body bytes, on another instance of
// the same module, in parallel with the caller (through ctx.waitUntil); unlike host_defer it does
// not wait for the caller's reply, and unlike a request to the object's own route it carries the
// bytes without a round trip. Returns 1 when started, 0 when this host cannot (the caller does
// the work itself). Used by the queue object to hand a stored job's delivery, with the image,
// off the model slot (functions/generate/queue/ports.cpp).
HOST_IMPORT("spawn")
int32_t host_spawn(const char* event, size_t len, const uint8_t* body, size_t bodyLen);

// --- asynchronous (JSPI) ----------------------------------------------------------------------

// D1: {"op":"all"|"run"|"first","sql":"...","params":[...]} or
//     {"op":"batch","statements":[{"sql":"...","params":[...]}, ...]} (one transaction).
HOST_IMPORT("d1") int32_t host_d1(const char* req, size_t len);
// R2: {"op":"put","key","content_type","metadata":{...}} + body;
//     {"op":"get","key"} -> {"found","content_type","metadata","uploaded_ms"} + body;
//     {"op":"delete","keys":[...]}; {"op":"list","prefix","cursor","limit"} ->
//     {"objects":[{"key","size","uploaded_ms","metadata"}],"truncated","cursor"}.
HOST_IMPORT("r2") int32_t host_r2(const char* req, size_t len, const uint8_t* body, size_t bodyLen);
// Outbound HTTP: {"url","method","headers":{...},"timeout_ms"} + body
//   -> {"status","headers":{...}} + body, or {"error":"..."} on a network failure or timeout.
HOST_IMPORT("fetch")
int32_t host_fetch(const char* req, size_t len, const uint8_t* body, size_t bodyLen);
// A request to a Durable Object: {"binding","name","path","method","headers"} + body, reply as
// fetch.
HOST_IMPORT("do_fetch")
int32_t host_do_fetch(const char* req, size_t len, const uint8_t* body, size_t bodyLen);
// The current Durable Object's storage: {"op":"sql","sql","params"} -> {"rows":[...]},
//   {"op":"set_alarm","at_ms"}, {"op":"get_alarm"} -> {"at_ms"}, {"op":"delete_alarm"},
//   {"op":"ws_send","tag","message","close"?} -> {"sent": n} (the sockets held with that tag).
HOST_IMPORT("storage") int32_t host_storage(const char* req, size_t len);
// Workers AI: {"model","input":{...}} -> {"type":"json","value":...} or {"type":"bytes"} + body.
HOST_IMPORT("ai") int32_t host_ai(const char* req, size_t len, const uint8_t* body, size_t bodyLen);
// Waits `ms` milliseconds without using CPU time (a timer promise): honouring Telegram's 429
// retry_after, backoff between retries. {"ms": n} -> {}.
HOST_IMPORT("sleep") int32_t host_sleep(const char* req, size_t len);
// Another function module: {"function":"render","event":{...}} + body -> {"status","headers"} +
// body. How the webhook function dispatches to render without linking it (fonts ship once).
HOST_IMPORT("invoke")
int32_t host_invoke(const char* req, size_t len, const uint8_t* body, size_t bodyLen);

}  // extern "C"
