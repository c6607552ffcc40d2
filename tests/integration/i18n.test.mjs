// The bot in each of its four languages, as a reader notices it: counts agree with their nouns
// (/balance, /files), a queue status reads naturally with the language's digits, a refusal keeps
// "/files" and a file name whole in a right-to-left sentence (first-strong isolates), and every
// message still parses in the fake Bot API's strict HTML mode (isolates balanced, never in a tag).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, TEST_SECRETS } from './harness.mjs';
import { startFakeTelegram } from '../fakes/telegram.mjs';
import { botClient } from './bot.mjs';

const FSI = '\u2068';
const PDI = '\u2069';
const visible = (s) => s.replace(/[\u2066-\u2069]/g, '');

let w;
let tg;
let bot;

before(async () => {
  tg = await startFakeTelegram({ token: TEST_SECRETS.TELEGRAM_BOT_TOKEN });
  w = await startWorker({
    vars: {
      TELEGRAM_API_BASE: tg.url,
      MODELS: JSON.stringify([
        { name: 'flux', provider: 'builtin', cost: 1, params: { steps: 4, width: 64, height: 64 } },
        { name: 'sdxl', provider: 'builtin', cost: 2, params: { width: 64, height: 64 } },
      ]),
      FREE_GENERATIONS_PER_DAY: '3',
    },
  });
  bot = botClient(w, tg);
});
after(async () => {
  await w?.stop();
  await tg?.stop();
});
beforeEach(() => tg.reset());

// What each language must say. `balance` is for 21 credits, `files` for two saved files.
const EXPECT = {
  en: {
    balance: '21 credits', priceOne: 'flux — 1 credit per image', priceTwo: 'sdxl — 2 credits per image',
    free: '3 free generations a day', files: '(2 files), page 1/1', line: '1 line',
    queued: /^🕐 #1 in the flux queue, about 1 min$/, delta: '+21 · bonus · ',
    notFound: '❌ File <b>nothing_here.py</b> not found. /files lists your files.',
  },
  ru: {
    balance: '21 кредит', priceOne: 'flux — 1 кредит за картинку', priceTwo: 'sdxl — 2 кредита за картинку',
    free: '3 бесплатные генерации в день', files: '(2 файла), стр. 1 из 1', line: '1 строка',
    queued: /^🕐 №1 в очереди flux, ждать примерно 1 мин$/, delta: '+21 · бонус · ',
    notFound: '❌ Файл <b>nothing_here.py</b> не найден. Список ваших файлов: /files',
  },
  he: {
    balance: '21 קרדיטים', priceOne: 'flux — קרדיט אחד לתמונה', priceTwo: 'sdxl — 2 קרדיטים לתמונה',
    free: '3 יצירות חינמיות ביום', files: '(2 קבצים), עמוד 1 מתוך 1', line: 'שורה אחת',
    queued: /^🕐 מקום 1 בתור של flux, זמן המתנה משוער: דקה$/, delta: '+21 · בונוס · ',
    notFound: '❌ הקובץ <b>nothing_here.py</b> לא נמצא. /files מציג את הקבצים שלכם.',
  },
  fa: {
    balance: '۲۱ اعتبار', priceOne: 'flux — ۱ اعتبار برای هر تصویر', priceTwo: 'sdxl — ۲ اعتبار برای هر تصویر',
    free: 'روزانه ۳ تولید رایگان', files: '(۲ فایل)، صفحهٔ ۱ از ۱', line: '۱ خط',
    queued: /^🕐 نفر ۱ در صف flux؛ حدود ۱ دقیقه انتظار$/, delta: '+۲۱ · هدیه · ',
    notFound: '❌ فایل <b>nothing_here.py</b> پیدا نشد. فهرست فایل‌هایتان: /files',
  },
};
const RTL = new Set(['he', 'fa']);
const PERSIAN_DATE = /[۰-۹]{1,2} (فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) [۰-۹]{4}، [۰-۹]{2}:[۰-۹]{2} UTC/;

let nextUser = 9100;
for (const [lang, want] of Object.entries(EXPECT)) {
  test(`${lang}: /balance, /files, a queue status and a refusal read as a native speaker writes them`, async () => {
    const u = bot.user(nextUser++, lang);
    await bot.give(u.id, 21);

    await bot.send(u, '/balance');
    const balance = bot.textsTo(u.id).at(-1);
    const shown = visible(balance);
    for (const key of ['balance', 'priceOne', 'priceTwo', 'free', 'delta']) {
      assert.ok(shown.includes(want[key]), `${key}: ${JSON.stringify(want[key])} in ${JSON.stringify(shown)}`);
    }
    if (lang === 'fa') assert.match(shown, PERSIAN_DATE);
    else assert.match(shown, /\d{1,2} \S+ 20\d\d, \d\d:\d\d UTC/);
    // No Latin digit is left in the Persian text outside model names.
    if (lang === 'fa') assert.doesNotMatch(shown.replace(/flux|sdxl/g, ''), /[0-9]/);

    await bot.send(u, '/save one.py\nprint(1)');
    assert.ok(visible(bot.textsTo(u.id).at(-1)).includes(want.line), bot.textsTo(u.id).at(-1));
    await bot.send(u, '/save two.py\nprint(2)\nprint(3)');
    await bot.send(u, '/files');
    const files = visible(bot.textsTo(u.id).at(-1));
    assert.ok(files.includes(want.files), files);
    assert.ok(files.includes('<code>one.py</code>'), files);

    await bot.send(u, '/image=flux=a quiet harbour at dawn');
    const queued = await tg.waitFor(() => bot.textsTo(u.id).some((t) => t.startsWith('🕐')), 15000)
      .then(() => bot.textsTo(u.id).find((t) => t.startsWith('🕐')));
    assert.match(visible(queued), want.queued);

    await bot.send(u, '/image nothing_here.py');
    const refusal = bot.textsTo(u.id).at(-1);
    assert.equal(visible(refusal), want.notFound);
    if (RTL.has(lang)) {
      // The command and the file name are isolated, so neither turns into "files/" or ".py...".
      assert.ok(refusal.includes(`<b>${FSI}nothing_here.py${PDI}</b>`), JSON.stringify(refusal));
      assert.ok(refusal.includes(`${FSI}/files${PDI}`), JSON.stringify(refusal));
      assert.ok(balance.includes(`${FSI}flux${PDI}`), JSON.stringify(balance));
    } else {
      assert.doesNotMatch(refusal + balance + files, /[\u2066-\u2069]/);
    }

    // Every message of this conversation parsed in the fake Bot API's strict HTML mode.
    const refused = tg.calls.filter((c) => c.failed === 400);
    assert.deepEqual(refused.map((c) => c.problem), []);
  });
}
