// setjmp/longjmp inside the wasm build: a real longjmp out of a deep recursion returns to its
// setjmp (shared/sjlj/sjlj_test.c, built by the wasm preset), run under Node's WASI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import path from 'node:path';
import { ROOT } from './harness.mjs';

test('longjmp from depth 1000 returns to setjmp in wasm', async () => {
  const wasi = new WASI({ version: 'preview1', args: ['sjlj_test'], env: {}, returnOnExit: true });
  const mod = await WebAssembly.compile(readFileSync(path.join(ROOT, 'build/wasm/sjlj_test.wasm')));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
  assert.equal(wasi.start(inst), 0);
});
