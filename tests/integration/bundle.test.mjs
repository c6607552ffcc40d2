// The deployable bundle builds offline (wrangler deploy --dry-run) and holds every module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { buildBundle, startupTimes } from '../../bench/startup/measure.mjs';

test('wrangler deploy --dry-run builds a bundle within the free plan size limit', async (t) => {
  const b = buildBundle();
  try {
    for (const m of ['render', 'webhook', 'generate', 'cron']) {
      assert.ok(b.files.some((f) => f.endsWith(`${m}.wasm`)), `${m}.wasm missing from ${b.files}`);
    }
    assert.ok(b.files.some((f) => f.endsWith('.js')), 'no JavaScript entry in the bundle');
    // Cloudflare refuses a Worker over 3 MB gzipped on the free plan.
    assert.ok(b.gz < 3 * 1024 * 1024, `bundle is ${b.gz} bytes gzipped`);
    t.diagnostic(`bundle ${b.raw} bytes raw, ${b.gz} bytes gzipped`);
    for (const r of await startupTimes()) {
      t.diagnostic(`${r.module}: ${r.bytes} B (${r.gzip} B gz), compile ${r.compile_ms} ms, ` +
        `instantiate ${r.instantiate_ms} ms`);
    }
  } finally {
    rmSync(b.dir, { recursive: true, force: true });
  }
});
