// CJK and emoji through the real Worker: the fonts come from the static assets binding on first
// use (host_abi.h host_asset), and the image shows glyphs, not the boxes of characters no font has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from './harness.mjs';
import { decodePng, toRgba } from './png.mjs';

let w;
before(async () => {
  w = await startWorker({ assets: true });
});
after(async () => {
  await w?.stop();
});

async function render(code) {
  const res = await fetch(`${w.url}/render`, {
    method: 'POST',
    body: JSON.stringify({ code, language: 'python', window: false, shadow: false, line_numbers: false }),
  });
  assert.equal(res.status, 200, await res.clone().text().catch(() => ''));
  assert.equal(res.headers.get('content-type'), 'image/png');
  const png = decodePng(new Uint8Array(await res.arrayBuffer()));
  return { ...png, rgba: toRgba(png), timing: res.headers.get('server-timing') };
}

// Pixels far from grey: emoji colours (the monokai comment colour is nearly grey).
function colourful(img) {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    const c = [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]];
    if (Math.max(...c) - Math.min(...c) > 100) n++;
  }
  return n;
}

test('POST /render draws CJK and colour emoji comments, not boxes', async () => {
  // U+3FFFD is an unassigned wide code point: no font has it, so it is drawn as a two-cell box,
  // as every character here was before the asset fonts.
  const tofu = '\u{3FFFD}';
  const real = await render('# 你好世界 こんにちは 안녕 🚀🔥\n# x\n');
  // Han, kana, Hangul and emoji are in files of their own: the host fetched them all in one round
  // and ran the request once more (host/runtime.mjs; its Server-Timing header counts the files),
  // not one file per round.
  const files = Number(/files;desc="(\d+)"/.exec(real.timing ?? '')?.[1]);
  assert.ok(files >= 4, `the first render loaded ${files} files in its one round: ${real.timing}`);
  const boxes = await render(`# ${tofu.repeat(4)} ${tofu.repeat(5)} ${tofu.repeat(2)} ${tofu.repeat(2)}\n# x\n`);
  // Wide characters take two cells each either way: the same image size.
  assert.equal(real.width, boxes.width);
  assert.equal(real.height, boxes.height);
  let differ = 0;
  for (let i = 0; i < real.rgba.length; i += 4) {
    if (Math.abs(real.rgba[i] - boxes.rgba[i]) + Math.abs(real.rgba[i + 1] - boxes.rgba[i + 1]) > 60) differ++;
  }
  assert.ok(differ > 500, `only ${differ} pixels differ from the tofu rendering`);
  assert.ok(colourful(real) > 50, 'the emoji are drawn in colour');
  assert.equal(colourful(boxes), 0);

  // Asked again (fonts now held by the isolate): the same image.
  const again = await render('# 你好世界 こんにちは 안녕 🚀🔥\n# x\n');
  assert.deepEqual(again.rgba, real.rgba);
  assert.equal(again.timing, null, 'nothing loaded the second time');
});

test('rare Han and rare emoji, each in a file of its own, and a sequence across files still draw', async () => {
  // The asset fonts are split by what a text needs (raster/font_assets.py): U+9F98 and U+3400
  // are in rare-Han files, the troll and the coral (U+1F9CC, U+1FAB8) in late emoji files; the
  // astronaut's man and rocket are owned by different files, the sequence by the man's.
  const tofu = '\u{3FFFD}';
  const real = await render('# \u9F98\u3400 \u{1F9CC}\u{1FAB8} \u{1F468}\u200D\u{1F680}\n');
  const boxes = await render(`# ${tofu.repeat(2)} ${tofu.repeat(2)} ${tofu}\n`);
  assert.equal(real.width, boxes.width, 'the astronaut is one glyph, two cells');
  let differ = 0;
  for (let i = 0; i < real.rgba.length; i += 4) {
    if (Math.abs(real.rgba[i] - boxes.rgba[i]) + Math.abs(real.rgba[i + 1] - boxes.rgba[i + 1]) > 60) differ++;
  }
  assert.ok(differ > 300, `only ${differ} pixels differ from the tofu rendering`);
  assert.ok(colourful(real) > 50, 'the emoji are drawn in colour');
});

test('the font files are the Worker\'s, not public paths', async () => {
  const res = await fetch(`${w.url}/fonts/emoji.ttf`);
  assert.equal(res.status, 404);
  await res.arrayBuffer();
});
