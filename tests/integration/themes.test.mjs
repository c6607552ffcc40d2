// Themes through the real Worker: the generated ones and custom theme objects in POST /render,
// the listing with colours, and /theme paging and picking in the bot (fake Bot API).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { botClient } from './bot.mjs';
import { decodePng, pngPixels } from './png.mjs';

let w;
let tg;
let bot;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({ vars: { TELEGRAM_API_BASE: tg.url, BOT_NAME: 'TestCodeBot' } });
  bot = botClient(w, tg, { firstUpdate: 500000 });
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(() => tg.reset());

const listing = async () => (await (await fetch(`${w.url}/render/themes`)).json()).themes;

async function render(body) {
  return fetch(`${w.url}/render`, { method: 'POST', body: JSON.stringify(body) });
}

// Colour -> pixel count of a PNG answer.
async function histogram(r) {
  assert.equal(r.status, 200, await r.clone().text());
  const counts = new Map();
  for (const p of pngPixels(decodePng(Buffer.from(await r.arrayBuffer())))) counts.set(p, (counts.get(p) ?? 0) + 1);
  return counts;
}
const mostCommon = (counts) => [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];

const CODE = 'def area(r):\n    # the area\n    return 3.5 * r * r\n';

test('GET /render/themes lists at least 40 themes with their colours, published palettes included', async () => {
  const themes = await listing();
  assert.ok(themes.length >= 40, `${themes.length}`);
  const names = themes.map((t) => t.name);
  for (const n of ['monokai', 'dracula', 'github-dark', 'github-light', 'one-dark', 'nord', 'solarized-light',
    'catppuccin-mocha', 'catppuccin-latte', 'tokyo-night', 'gruvbox-dark-medium', 'rose-pine', 'night-owl']) {
    assert.ok(names.includes(n), n);
  }
  for (const t of themes) {
    assert.equal(typeof t.dark, 'boolean');
    for (const k of ['background', 'foreground', 'line_number', 'keyword', 'string', 'comment']) {
      assert.match(t.colors[k], /^#[0-9a-f]{6}$/, `${t.name} ${k}`);
    }
  }
  // The VS Code theme file itself, read now: catppuccin mocha's editor background and comment.
  const file = (await import('@shikijs/themes/catppuccin-mocha')).default;
  const mocha = themes.find((t) => t.name === 'catppuccin-mocha');
  assert.equal(mocha.colors.background, file.colors['editor.background'].toLowerCase());
  const commentRule = file.tokenColors.find((r) => [].concat(r.scope).includes('comment'));
  assert.equal(mocha.colors.comment, commentRule.settings.foreground.toLowerCase());
  assert.equal(mocha.dark, true);
  assert.equal(themes.find((t) => t.name === 'catppuccin-latte').dark, false);
});

test('POST /render with a generated theme draws in its colours', async () => {
  const themes = await listing();
  for (const name of ['catppuccin-mocha', 'catppuccin-latte', 'tokyo-night']) {
    const t = themes.find((x) => x.name === name);
    const counts = await histogram(await render({ code: CODE, filename: 'a.py', theme: name, window: false,
      shadow: false, font_size: 32 }));
    // The background fills most of the image; keyword, comment and number strokes are drawn in
    // the theme's own colours.
    assert.equal(mostCommon(counts), t.colors.background.slice(1), name);
    for (const k of ['keyword', 'comment', 'number']) {
      assert.ok(counts.has(t.colors[k].slice(1)), `${name}: no ${k} pixels (${t.colors[k]})`);
    }
  }
});

test('POST /render with a custom theme object draws in the given colours', async () => {
  const theme = { background: '#123456', foreground: '#fedcba', line_number: '#8899aa',
    tokens: { keyword: '#ff4040', comment: '#40ff40', number: '#ffff00' } };
  const counts = await histogram(await render({ code: CODE, filename: 'a.py', theme, window: false,
    shadow: false, font_size: 32 }));
  assert.equal(mostCommon(counts), '123456');
  for (const c of ['ff4040', '40ff40', 'ffff00', 'fedcba', '8899aa']) assert.ok(counts.has(c), c);
});

test('bad theme objects get a 400 naming the problem', async () => {
  const ok = { background: '#000', foreground: '#fff' };
  const cases = [
    [{ ...ok, colour: '#fff' }, /unknown key 'colour'/],
    [{ ...ok, background: 'black' }, /theme\.background must be "#rrggbb" or "#rgb", not 'black'/],
    [{ ...ok, foreground: 12 }, /theme\.foreground must be a colour string/],
    [{ ...ok, dark: 'yes' }, /theme\.dark must be true or false/],
    [{ ...ok, tokens: { keywrd: '#fff' } }, /unknown token class 'keywrd'/],
    [{ ...ok, tokens: 'red' }, /theme\.tokens must be an object/],
    [{ foreground: '#fff' }, /needs background and foreground/],
    [['#000'], /theme must be a theme name or an object of colours/],
  ];
  for (const [theme, message] of cases) {
    const r = await render({ code: 'x = 1', theme });
    assert.equal(r.status, 400, JSON.stringify(theme));
    assert.match((await r.json()).error, message);
  }
  // Too many keys: the same key repeated still counts (JSON text, not an object, is what is sent).
  const repeated = `{"background":"#000","foreground":"#fff","tokens":{${Array(65).fill('"keyword":"#fff"').join(',')}}}`;
  const r = await fetch(`${w.url}/render`, { method: 'POST', body: `{"code":"x","theme":${repeated}}` });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /theme\.tokens has more than 64 keys/);
});

// ---- the bot ------------------------------------------------------------------------------------

const keyboardOf = (call) => call.params.reply_markup.inline_keyboard;
const themeButtons = (kb) => kb.flat().filter((b) => b.callback_data.startsWith('th:'));

function press(u, data, messageId = 900) {
  return bot.post({ update_id: 600000 + Math.floor(Math.random() * 1e6), callback_query: { id: `cb${data}`,
    from: u, data, message: { message_id: messageId, chat: { id: u.id } } } });
}

test('/theme pages through all themes with ◀ ▶ and marks the current one', async () => {
  const names = (await listing()).map((t) => t.name);
  const u = bot.user(7301);
  await bot.send(u, '/theme');
  const first = tg.calls.find((c) => c.method === 'sendMessage');
  assert.match(first.params.text, /now: <b>monokai<\/b>/);
  const kb = keyboardOf(first);
  const perPage = themeButtons(kb).length;
  assert.ok(perPage >= 6 && perPage < names.length, `${perPage} per page`);
  const pages = Math.ceil(names.length / perPage);
  assert.deepEqual(themeButtons(kb).map((b) => b.callback_data), names.slice(0, perPage).map((n) => `th:${n}`));
  assert.ok(themeButtons(kb).some((b) => b.text === '• monokai •'));
  const nav = kb[kb.length - 1];
  assert.deepEqual(nav.map((b) => b.text), ['◀️', `1 / ${pages}`, '▶️']);

  // Forward through every page: each edit shows the next names, and all names are seen once.
  const seen = [];
  let data = nav[2].callback_data;
  seen.push(...themeButtons(kb).map((b) => b.callback_data.slice(3)));
  for (let p = 2; p <= pages; p++) {
    tg.reset();
    await press(u, data);
    const edit = tg.calls.find((c) => c.method === 'editMessageText');
    assert.ok(edit, `page ${p} was not shown`);
    assert.equal(Number(edit.params.message_id), 900);
    const k = keyboardOf(edit);
    assert.equal(k[k.length - 1][1].text, `${p} / ${pages}`);
    seen.push(...themeButtons(k).map((b) => b.callback_data.slice(3)));
    data = k[k.length - 1][2].callback_data;
  }
  assert.deepEqual(seen, names);
  // ◀ on the first page goes round to the last.
  tg.reset();
  await press(u, nav[0].callback_data);
  const last = keyboardOf(tg.calls.find((c) => c.method === 'editMessageText'));
  assert.equal(last[last.length - 1][1].text, `${pages} / ${pages}`);
});

test('picking a theme on a later page stores it and sends a sample drawn in it', async () => {
  const themes = await listing();
  const u = bot.user(7302);
  await bot.send(u, '/theme');
  const perPage = themeButtons(keyboardOf(tg.calls.find((c) => c.method === 'sendMessage'))).length;
  const pick = themes[perPage * 2];  // on page 3
  tg.reset();
  await press(u, 'tp:3');
  const button = themeButtons(keyboardOf(tg.calls.find((c) => c.method === 'editMessageText')))
    .find((b) => b.callback_data === `th:${pick.name}`);
  assert.ok(button, `${pick.name} is on page 3`);
  tg.reset();
  await press(u, button.callback_data);
  const state = await (await fetch(`${w.url}/__diag/user?id=${u.id}`)).json();
  assert.equal(state.row.theme, pick.name);
  const photo = tg.calls.find((c) => c.method === 'sendPhoto');
  assert.ok(photo, 'a sample image');
  assert.match(photo.params.caption, new RegExp(pick.name));
  const colours = new Set(pngPixels(decodePng(photo.files.photo.bytes)));
  assert.ok(colours.has(pick.colors.background.slice(1)), `sample not in ${pick.name}'s background`);
  assert.ok(colours.has(pick.colors.keyword.slice(1)), `sample has no ${pick.name} keyword colour`);
  // /theme again opens on page 3, the choice marked.
  tg.reset();
  await bot.send(u, '/theme');
  const again = tg.calls.find((c) => c.method === 'sendMessage');
  assert.match(again.params.text, new RegExp(`<b>${pick.name}</b>`));
  const kb = keyboardOf(again);
  assert.ok(themeButtons(kb).some((b) => b.text === `• ${pick.name} •`));
  assert.match(kb[kb.length - 1][1].text, /^3 \//);
});

test('forged or stale /theme buttons get a friendly answer and change nothing', async () => {
  const u = bot.user(7303);
  const ru = bot.user(7304, 'ru');
  await bot.send(u, '/start');
  await bot.send(ru, '/start');
  for (const [who, data] of [[u, 'tp:999'], [u, 'tp:0'], [u, 'tp:abc'], [u, 'tp:'], [u, 'th:no-such-theme'],
    [u, 'th:'], [ru, 'tp:-5']]) {
    tg.reset();
    await press(who, data);
    const answer = tg.calls.find((c) => c.method === 'answerCallbackQuery');
    assert.ok(answer, data);
    const text = answer.params.text ?? '';
    if (who === ru) assert.match(text, /Этот список устарел/, data);
    else assert.match(text, /out of date.*\/theme/, data);
    assert.ok(!tg.calls.some((c) => ['editMessageText', 'sendPhoto', 'sendMessage'].includes(c.method)), data);
  }
  const state = await (await fetch(`${w.url}/__diag/user?id=${u.id}`)).json();
  assert.ok(!state.row.theme, 'no theme stored');
  // The page counter in the middle is a button too: it only stops the spinner.
  tg.reset();
  await press(u, 'tp:-');
  assert.deepEqual(tg.calls.map((c) => c.method), ['answerCallbackQuery']);
});
