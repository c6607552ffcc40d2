// Queue benchmark: 1,000 jobs from 200 users over 2 models, in local workerd (through Miniflare, as
// tests/integration/harness.mjs starts it: no wrangler dev proxy or inspector in front) with
// real local D1/R2/Durable Objects, a fake Bot API and a fake model worker with a fixed latency.
// Each user sends a job, waits for its photo, sends the next (one active job per user).
//
//   node bench/queue/run.mjs [--jobs 1000] [--users 200] [--latency 100]
//
// Reports: jobs lost, run twice, started out of FIFO order, users with 2 active jobs (all must be
// 0), the queue's own time per job (claim -> done, minus the model call: D1, R2, Telegram, SQLite),
// the model slot's overhead and gap (start -> the slot is free, minus the model call; free -> the
// next start), where each job's time went (per_job_ms, recorded by the object), the CPU the
// processes got (cpu_s_per_wall_s) with the load average at the start and the end, the Bot API
// calls per job by method, and the wall time against the ideal
// (jobs x latency / models), also from the first start to the last end (queues_busy_s).
// BENCH_LOG=path keeps the run's runtime (Miniflare/workerd) log.
import { startWorker, TEST_SECRETS } from '../../tests/integration/harness.mjs';
import { startFakeTelegram } from '../../tests/fakes/telegram.mjs';
import { startFakeModels } from '../../tests/fakes/models.mjs';
import { execFileSync } from 'node:child_process';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const JOBS = arg('jobs', 1000);
const USERS = arg('users', 200);
const LATENCY = arg('latency', 100);
const MODELS = ['bench1', 'bench2'];
const perUser = Math.ceil(JOBS / USERS);

const tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
const fm = await startFakeModels({ latencyMs: LATENCY });
const w = await startWorker({
  vars: {
    TELEGRAM_API_BASE: tg.url,
    MODELS: JSON.stringify(MODELS.map((name) => ({ name, provider: 'http-get', url: `${fm.url}/flux`, cost: 0 }))),
    QUEUE_MAX_TOTAL: String(JOBS),
    GENERATIONS_PER_HOUR: String(perUser + 1),
    ENHANCE_PROVIDER: 'none',
    ENABLE_DIAGNOSTICS: 'true',
  },
  timeoutMs: 120000,
});

// Photos per chat, counted incrementally from the fake's call log.
const photos = new Map();
const captions = new Map();
let scanned = 0;
function scan() {
  for (; scanned < tg.calls.length; scanned++) {
    const c = tg.calls[scanned];
    if ((c.method === 'sendPhoto' || c.method === 'sendDocument') && !c.failed) {
      const chat = Number(c.params.chat_id);
      photos.set(chat, (photos.get(chat) ?? 0) + 1);
      captions.set(c.params.caption, (captions.get(c.params.caption) ?? 0) + 1);
    }
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let nextUpdate = 1;
const answerMs = [];
async function post(from, text) {
  const id = nextUpdate++;
  // Like Telegram: anything but 200 (or no answer) is sent again, the same update.
  for (let attempt = 1; ; attempt++) {
    const t = Date.now();
    let status = 0;
    let reason = 'no answer';
    try {
      const r = await fetch(`${w.url}/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TEST_SECRETS.WEBHOOK_SECRET },
        body: JSON.stringify({ update_id: id, message: { message_id: id, date: 1, chat: { id: from.id, type: 'private' }, from, text } }),
      });
      status = r.status;
      const body = await r.text();
      reason = `${status} ${body.slice(0, 100)}`;
    } catch (err) {
      reason = `no answer: ${err.cause?.code ?? err.message}`;
    }
    if (status === 200) {
      answerMs.push(Date.now() - t);
      return;
    }
    retries++;
    retryReasons.set(reason, (retryReasons.get(reason) ?? 0) + 1);
    if (attempt === 20) throw new Error(`webhook answered ${status} 20 times`);
    await sleep(500 * attempt);
  }
}
let retries = 0;
const retryReasons = new Map(); // "status body" -> count: why updates had to be sent again

let sent = 0;
const stalled = [];
async function runUser(i) {
  const from = { id: 100000 + i, is_bot: false, first_name: `B${i}`, language_code: 'en' };
  for (let k = 0; k < perUser && sent < JOBS; k++) {
    sent++;
    const model = MODELS[(i + k) % MODELS.length];
    await post(from, `/image=${model}=bench u${i} j${k}`);
    if (!(await photoCount(from.id, k + 1, 600000))) {
      stalled.push(`u${i} j${k}`);
      return;
    }
  }
}

// Users waiting for their n-th photo. One timer scans the fake's log for all of them: a timer per
// user (200 users every 20 ms) was CPU this process took from the fakes it also runs, which
// showed as a slower model and Bot API on a loaded machine.
const waiting = new Set();
function photoCount(chat, n, timeoutMs) {
  return new Promise((resolve) => waiting.add({ chat, n, resolve, deadline: Date.now() + timeoutMs }));
}
const watcher = setInterval(() => {
  if (!waiting.size) return;
  scan();
  const now = Date.now();
  for (const wt of waiting) {
    const ok = (photos.get(wt.chat) ?? 0) >= wt.n;
    if (ok || now > wt.deadline) {
      waiting.delete(wt);
      wt.resolve(ok);
    }
  }
}, 10);

// CPU seconds used by this process (the driver and the fakes) and by every process under it
// (the runtime's node, which owns Miniflare, and workerd), by command name: whether the run was limited by CPU rather than by
// waiting (a workerd near 1 CPU second per second has no idle time left to overlap).
function cpuByCommand() {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,times=,comm='], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.trim().split(/\s+/)).map(([pid, ppid, t, comm]) => ({ pid: +pid, ppid: +ppid, t: +t, comm }));
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (!mine.has(r.pid) && mine.has(r.ppid)) mine.add(r.pid), (grew = true);
  }
  const out = {};
  for (const r of rows) if (mine.has(r.pid)) out[r.pid === process.pid ? 'driver+fakes' : r.comm] = (out[r.pid === process.pid ? 'driver+fakes' : r.comm] ?? 0) + r.t;
  return out;
}
const cpu0 = cpuByCommand();
const loadAtStart = (await import('node:os')).loadavg().map((x) => +x.toFixed(2));
const t0 = Date.now();
await Promise.all(Array.from({ length: USERS }, (_, i) => runUser(i)));
const wallMs = Date.now() - t0;
const cpu1 = cpuByCommand();
const cpuPerWallSecond = Object.fromEntries(Object.keys(cpu1).map((k) => [k, +((cpu1[k] - (cpu0[k] ?? 0)) / (wallMs / 1000)).toFixed(2)]));
clearInterval(watcher);
await sleep(500);
scan();

const rows = (await (await fetch(`${w.url}/generations/__diag/rows`)).json()).rows.filter((r) => r.user_id >= 100000);
const logs = {};
for (const m of MODELS) logs[m] = (await (await fetch(`${w.url}/generations/__diag/done-log?model=${m}`)).json()).jobs;

// Lost: a job that was sent but never completed and delivered.
const completed = rows.filter((r) => r.status === 'completed').length;
const delivered = [...photos.values()].reduce((a, b) => a + b, 0);
const lost = sent - Math.min(completed, delivered);
// Run twice: a prompt the model saw more than once, or a photo delivered twice.
const modelCalls = new Map();
for (const c of fm.calls) modelCalls.set(c.prompt, (modelCalls.get(c.prompt) ?? 0) + 1);
const runTwice = [...modelCalls.values()].filter((n) => n > 1).length + [...captions.values()].filter((n) => n > 1).length;
// FIFO: within a model, jobs start in the order they were enqueued (the object's sequence).
let outOfOrder = 0;
for (const m of MODELS) {
  const started = [...logs[m]].sort((a, b) => a.started_ms - b.started_ms || a.seq - b.seq);
  for (let i = 1; i < started.length; i++) if (started[i].seq < started[i - 1].seq) outOfOrder++;
}
// Two active at once: any user whose generations overlap in time.
const byUser = new Map();
for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
let twoActive = 0;
for (const list of byUser.values()) {
  list.sort((a, b) => a.created_ms - b.created_ms);
  if (list.some((r, i) => i > 0 && r.created_ms < (list[i - 1].finished_ms ?? Infinity))) twoActive++;
}
// Time between one job's end and the next one's start in the same queue (alarm turnaround).
const gaps = [];
for (const m of MODELS) {
  const started = [...logs[m]].sort((a, b) => a.started_ms - b.started_ms);
  for (let i = 1; i < started.length; i++) gaps.push(started[i].started_ms - started[i - 1].finished_ms);
}
gaps.sort((a, b) => a - b);
const overhead = Object.values(logs).flat().map((j) => j.finished_ms - j.started_ms - j.model_ms).sort((a, b) => a - b);
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: +mean(s).toFixed(1), p50: +pct(s, 0.5).toFixed(1), p95: +pct(s, 0.95).toFixed(1) };
};
// Where each job's time went, as the object recorded it (queue/ports.h): wall ms per kind of
// binding call (d1, model, r2, send = sendPhoto, status = progress edits, finish, store = the
// object's own SQLite through the runner, handoff), and every SQLite statement (sql_n, sql_ms).
// Time.now() in workerd advances only across I/O, so these are I/O waits, not CPU.
const timed = Object.values(logs).flat().filter((j) => j.outcome === 'completed' && j.timings).map((j) => ({ ...j, t: JSON.parse(j.timings) }));
const keys = [...new Set(timed.flatMap((j) => Object.keys(j.t)))].filter((k) => !k.endsWith('_at')).sort();
const perStage = Object.fromEntries(keys.map((k) => [k, stats(timed.map((j) => j.t[k] ?? 0))]));
// The model slot: from a job's start to the moment it freed its slot (released_at: when it handed
// its delivery to a parallel runner; its end otherwise). Slot overhead is that minus the model
// call; the slot gap is the time from one job freeing the slot to the next one's start.
const releasedAt = (j) => j.t?.released_at ?? j.finished_ms;
const slotOverhead = [];
const slotGaps = []; // with work waiting
const starved = []; // with the queue empty
for (const m of MODELS) {
  const started = [...logs[m]].map((j) => ({ ...j, t: j.timings ? JSON.parse(j.timings) : null })).sort((a, b) => a.started_ms - b.started_ms);
  for (const j of started) slotOverhead.push(releasedAt(j) - j.started_ms - j.model_ms);
  for (let i = 1; i < started.length; i++) {
    const gap = started[i].started_ms - releasedAt(started[i - 1]);
    // A job enqueued after the slot was freed: the queue was empty (its users were still waiting
    // for their previous photo or for the webhook), which is the driver's pace, not the queue's.
    if (started[i].enqueued_ms > releasedAt(started[i - 1])) starved.push(gap);
    else slotGaps.push(gap);
  }
}
// From each queue's first start to its last job's end: the wall time without the driver's ramp
// (200 users' first webhook requests at once) before the first job.
const firstStart = Math.min(...Object.values(logs).flat().map((j) => j.started_ms));
const lastEnd = Math.max(...Object.values(logs).flat().map((j) => j.finished_ms));
const sortedAnswers = [...answerMs].sort((a, b) => a - b);
const ideal = (sent * LATENCY) / MODELS.length;

const report = {
  jobs: sent, users: USERS, models: MODELS.length, latency_ms: LATENCY,
  lost, run_twice: runTwice, out_of_fifo_order: outOfOrder, users_with_2_active: twoActive,
  stalled: stalled.length,
  queue_overhead_ms: { mean: +mean(overhead).toFixed(1), p50: +pct(overhead, 0.5).toFixed(1), p95: +pct(overhead, 0.95).toFixed(1) },
  gap_between_jobs_ms: { mean: +mean(gaps).toFixed(1), p50: pct(gaps, 0.5), p95: pct(gaps, 0.95) },
  slot_overhead_ms: stats(slotOverhead),
  slot_gap_ms: stats(slotGaps),
  slot_idle_empty_queue: { count: starved.length, total_s: +(starved.reduce((a, b) => a + b, 0) / 1000).toFixed(1) },
  per_job_ms: perStage,
  // Bot API calls per job by method (the fake's log): each is an outbound fetch the Worker makes.
  bot_api_calls_per_job: Object.fromEntries(Object.entries(tg.calls.reduce((m, c) => ((m[c.method] = (m[c.method] ?? 0) + 1), m), {}))
    .map(([k, v]) => [k, +(v / sent).toFixed(2)])),
  webhook_retries: retries,
  webhook_retry_reasons: Object.fromEntries(retryReasons),
  webhook_answer_ms: { p50: pct(sortedAnswers, 0.5), p95: pct(sortedAnswers, 0.95) },
  queues_busy_s: +((lastEnd - firstStart) / 1000).toFixed(1),
  queues_busy_over_ideal: +((lastEnd - firstStart) / ideal).toFixed(2),
  wall_s: +(wallMs / 1000).toFixed(1), ideal_s: +(ideal / 1000).toFixed(1), wall_over_ideal: +(wallMs / ideal).toFixed(2),
  // What the runtime said about restarts and failures. (Under wrangler dev, before 2026-12-08,
  // this traced the 503 "Your worker restarted mid-request" to wrangler's dev proxy, which answers
  // it when the runtime it forwards to was replaced while a POST was in flight.)
  cpu_s_per_wall_s: cpuPerWallSecond,
  // 1, 5 and 15 minute load averages of the machine (2 cores, shared) when the users started
  // and when the last one was done.
  load_average_start: loadAtStart,
  load_average: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)),
  runtime_log: w.log().split('\n').filter((l) => /restart|reload|crash|exited|uncaught|exceeded|memory|segfault|signal|fatal/i.test(l)).slice(0, 30),
};
console.log(JSON.stringify(report, null, 2));
// BENCH_LOG=path keeps the runtime's whole log of the run.
if (process.env.BENCH_LOG) (await import('node:fs')).writeFileSync(process.env.BENCH_LOG, w.log());
await w.stop();
await tg.stop();
await fm.stop();
process.exit(lost || runTwice || outOfOrder || twoActive ? 1 : 0);
