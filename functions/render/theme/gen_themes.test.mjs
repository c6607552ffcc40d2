// The theme converter (gen_themes.mjs) against shiki: for every generated theme, the colours
// shiki gives real Python tokens with the same VS Code theme file (read from node_modules now)
// are the colours our palette gives those token classes.
//
//   THEMES_JSON=build/native/functions/render/themes/generated_themes.json \
//     node --test functions/render/theme/gen_themes.test.mjs
// (ctest runs it so; without THEMES_JSON the palettes are generated here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHighlighter } from 'shiki';
import {
  HAND_MADE, MIN_CONTRAST, contrast, convertTheme, generate, hex, minContrastFor, over,
  parseColor, parseRules, resolveScopePath, themesDir, loadTheme,
} from './gen_themes.mjs';

const dir = themesDir(dirname(fileURLToPath(import.meta.url)));
const generated = process.env.THEMES_JSON
  ? JSON.parse(readFileSync(process.env.THEMES_JSON, 'utf8')).themes
  : await generate(dir);

test('at least 40 themes beside the seven hand-made ones, named lowercase-kebab', () => {
  const names = generated.map((t) => t.name);
  assert.ok(names.length + HAND_MADE.length >= 40, `${names.length} generated`);
  for (const n of ['catppuccin-mocha', 'catppuccin-latte', 'tokyo-night', 'gruvbox-dark-medium',
    'material-theme', 'ayu-dark', 'night-owl', 'rose-pine', 'one-light', 'vitesse-dark',
    'everforest-dark', 'kanagawa-wave', 'solarized-dark', 'github-dark-dimmed']) {
    assert.ok(names.includes(n), n);
  }
  for (const n of names) assert.match(n, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  for (const n of HAND_MADE) assert.ok(!names.includes(n), `${n} stays hand-made`);
  assert.equal(new Set(names).size, names.length);
});

// Probes: our class, text in SAMPLE, and the scope path shiki's Python grammar gives that text.
const SAMPLE = '# a note\ndef area(r):\n    return 3.5 * r\n';
const PROBES = [
  ['comment', 'a note', ['source.python', 'comment.line.number-sign.python']],
  ['keyword', 'return', ['source.python', 'keyword.control.flow.python']],
  ['name.function', 'area', ['source.python', 'meta.function.python', 'entity.name.function.python']],
  ['number', '3.5', ['source.python', 'constant.numeric.float.python']],
];

test('keyword, comment, function and number colours are what shiki draws with the same file', async () => {
  const names = generated.map((t) => t.name);
  const hl = await createHighlighter({ themes: names, langs: ['python'] });
  try {
    const failures = [];
    let languageSpecific = 0;
    for (const t of generated) {
      const file = await loadTheme(dir, t.name);
      const rules = parseRules(file.tokenColors);
      const lines = hl.codeToTokens(SAMPLE, { lang: 'python', theme: t.name }).tokens.flat();
      const bg = parseColor(hl.getTheme(t.name).bg);
      assert.equal(t.background, hex(over(bg, parseColor('#000000'))), `${t.name} background`);
      for (const [cls, text, pythonPath] of PROBES) {
        const tok = lines.find((x) => x.content.includes(text));
        assert.ok(tok, `${t.name}: shiki has no token with ${text}`);
        const shikiColor = hex(over(parseColor(tok.color), bg));
        // The resolver, given Python's real scopes, picks what shiki picks.
        const resolved = resolveScopePath(rules, pythonPath);
        const ours = hex(resolved ? over(parseColor(resolved), bg) : parseColor(t.foreground));
        if (ours !== shikiColor) failures.push(`${t.name} ${cls} resolver: ${ours} vs shiki ${shikiColor}`);
        // The palette is one colour per class for every language: it equals shiki's unless the
        // file has a rule written for Python alone (gruvbox colours Python's function names apart).
        if (t.published[cls] !== shikiColor) {
          if (rules.some((r) => r.target.endsWith('.python') && pythonPath.some((s) => s.startsWith(r.target)))) {
            languageSpecific++;
          } else {
            failures.push(`${t.name} ${cls}: ${t.published[cls]} vs shiki ${shikiColor}`);
          }
        }
        // What is drawn is the published colour unless it was too faint to read.
        if (t.adjusted.includes(cls)) {
          assert.ok(contrast(parseColor(t.published[cls]), bg) < minContrastFor(cls));
          assert.ok(contrast(parseColor(t.tokens[cls]), bg) >= minContrastFor(cls));
        } else {
          assert.equal(t.tokens[cls], t.published[cls]);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(languageSpecific <= generated.length / 4, `${languageSpecific} Python-only differences`);
  } finally {
    hl.dispose();
  }
});

test('the same colours read straight from the theme file: comment rule of catppuccin-mocha', async () => {
  // Independent of shiki: the file's own rule for "comment" (catppuccin publishes overlay2).
  const file = await loadTheme(dir, 'catppuccin-mocha');
  const rule = file.tokenColors.find((r) => [].concat(r.scope).includes('comment'));
  const mocha = generated.find((t) => t.name === 'catppuccin-mocha');
  assert.equal(mocha.tokens.comment, rule.settings.foreground.toLowerCase().slice(0, 7));
  assert.equal(mocha.background, file.colors['editor.background'].toLowerCase());
  assert.equal(mocha.dark, true);
  const latte = generated.find((t) => t.name === 'catppuccin-latte');
  assert.equal(latte.dark, false);
});

test('every generated theme is readable: text, comments and every class against the background', () => {
  for (const t of generated) {
    const bg = parseColor(t.background);
    assert.ok(contrast(parseColor(t.foreground), bg) >= MIN_CONTRAST.text, t.name);
    for (const [cls, c] of Object.entries(t.tokens)) {
      assert.ok(contrast(parseColor(c), bg) >= minContrastFor(cls), `${t.name} ${cls} ${c}`);
    }
    assert.notEqual(t.highlightLine, t.background, t.name);
  }
});

test('scope resolution: the most specific selector wins, then parent scopes, then the later rule', () => {
  const rules = parseRules([
    { settings: { foreground: '#111111' } },  // global: no scope, not a rule
    { scope: 'keyword', settings: { foreground: '#222222' } },
    { scope: ['keyword.control', 'storage'], settings: { foreground: '#333333' } },
    { scope: 'keyword.control', settings: { fontStyle: 'italic' } },  // no colour: ignored
    { scope: 'meta.function keyword.control', settings: { foreground: '#444444' } },
    { scope: 'string, string.quoted', settings: { foreground: '#555555' } },
    { scope: 'string.quoted', settings: { foreground: '#666666' } },
    { scope: 'keywords', settings: { foreground: '#777777' } },
  ]);
  assert.equal(resolveScopePath(rules, ['source', 'keyword.operator']), '#222222');
  assert.equal(resolveScopePath(rules, ['source', 'keyword.control.flow']), '#333333');
  assert.equal(resolveScopePath(rules, ['source', 'meta.function', 'keyword.control.flow']), '#444444');
  assert.equal(resolveScopePath(rules, ['source', 'string.quoted.double']), '#666666');
  // An inner scope no rule colours takes its colour from the nearest outer scope one does.
  assert.equal(resolveScopePath(rules, ['source', 'storage.type', 'entity.name']), '#333333');
  assert.equal(resolveScopePath(rules, ['source', 'entity.name']), null);
  // "keyword" does not match "keywords.x" and the other way round.
  assert.equal(resolveScopePath(rules, ['source', 'keywordsx']), null);
});

test('colours with alpha are blended over the background; missing classes take the foreground', () => {
  const t = convertTheme('x', {
    type: 'dark',
    colors: { 'editor.background': '#000000', 'editor.foreground': '#ffffff' },
    tokenColors: [{ scope: 'comment', settings: { foreground: '#ffffff80' } }],
  });
  assert.equal(t.tokens.comment, '#808080');
  assert.equal(t.tokens.keyword, '#ffffff');
  assert.equal(t.background, '#000000');
});
