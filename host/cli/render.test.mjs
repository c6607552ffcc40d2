// The render CLI end to end: the shipped render.wasm under Node, run as a user runs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./render.mjs', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dir;
let source;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'render-cli-'));
  source = path.join(dir, 'sample.py');
  writeFileSync(
    source,
    [
      'import math',
      '',
      '',
      'def area(radius: float) -> float:',
      '    """Area of a circle."""',
      '    return math.pi * radius ** 2  # pi r squared',
      '',
      '',
      'class Circle:',
      '    def __init__(self, r):',
      '        self.r = r',
      '',
      "print(area(2.0), 'done')",
      '',
    ].join('\n'),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args, cwd = dir) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

function pngSize(buf) {
  assert.ok(buf.length > 24, 'PNG too short');
  assert.deepEqual(buf.subarray(0, 8), PNG_SIGNATURE, 'not a PNG signature');
  assert.equal(buf.toString('latin1', 12, 16), 'IHDR', 'first chunk is not IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

test('renders a Python file to a PNG of plausible size', () => {
  const out = path.join(dir, 'out.png');
  const r = run([source, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const { width, height } = pngSize(readFileSync(out));
  assert.ok(width > 100 && width < 10000, `width ${width}`);
  assert.ok(height > 100 && height < 10000, `height ${height}`);
});

test('default output is ./<basename>.png in the current directory', () => {
  const cwd = mkdtempSync(path.join(dir, 'cwd-'));
  const r = run([source], cwd);
  assert.equal(r.status, 0, r.stderr);
  pngSize(readFileSync(path.join(cwd, 'sample.py.png')));
});

test('--tokens prints [class, text] pairs with a keyword def', () => {
  const r = run(['--tokens', source]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.length, 1);
  assert.equal(out[0].file, source);
  assert.ok(Array.isArray(out[0].tokens));
  assert.ok(
    out[0].tokens.some((t) => Array.isArray(t) && t[0] === 'keyword' && t[1] === 'def'),
    `no ["keyword","def"] in ${r.stdout.slice(0, 400)}`,
  );
});

test('a missing file exits 1 with a message naming it', () => {
  const missing = path.join(dir, 'no-such-file.py');
  const r = run([missing, '-o', path.join(dir, 'x.png')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no-such-file\.py/);
  assert.match(r.stderr, /no such file/);
  assert.ok(!existsSync(path.join(dir, 'x.png')));
});

test("an unknown theme exits 1 and prints the module's error text", () => {
  const r = run([source, '--theme', 'no-such-theme-xyz', '-o', path.join(dir, 'bad.png')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /theme/i);
  assert.doesNotMatch(r.stderr, /no such route/);
  assert.ok(!existsSync(path.join(dir, 'bad.png')));
});

test('--help prints usage and exits 0', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: npm run render/);
});
