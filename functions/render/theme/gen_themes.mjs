// Build-time generator: the VS Code themes of the npm package @shikijs/themes -> our token-class
// palettes (a C++ include for theme/themes.cpp, and the same palettes as JSON for tests and docs).
//
//   node gen_themes.mjs --token-h lexer/token.h --out-inc build/.../generated_themes.inc \
//        --out-json build/.../generated_themes.json
//
// Each of our token classes stands for one TextMate scope path, the scopes a typical grammar gives
// such a token (`return` in Python: source.python keyword.control.flow.python). Its colour is what
// VS Code (vscode-textmate) and shiki resolve for that path: the innermost scope that some rule
// colours wins; among the rules matching it, the selector with the most dot-separated segments
// wins, then the one with more parent scopes, then the later one. No rule: the editor foreground.
// Colours with alpha are blended over the background, as the editor draws them.
//
// Nothing generated is committed; CMake runs this into the build tree (functions/render).
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

// The seven hand-made themes in themes.cpp keep their names (and their palettes); shiki's themes
// of the same name are left out rather than shadowing them.
export const HAND_MADE = ['monokai', 'dracula', 'github-dark', 'github-light', 'one-dark', 'nord',
  'solarized-light'];

// Our class (Pygments-style name, see lexer/token.h) -> the TextMate scope path (outermost first)
// a grammar gives such a token. Classes not listed here fall back to their parent class in
// themes.cpp; "text", "whitespace" and "name" are plain identifiers/space: the foreground.
export const CLASS_SCOPES = {
  'keyword': ['source', 'keyword.control.flow'],
  'keyword.type': ['source', 'storage.type.primitive'],
  'keyword.constant': ['source', 'constant.language'],
  'keyword.declaration': ['source', 'meta.function', 'storage.type.function'],
  'keyword.namespace': ['source', 'keyword.control.import'],
  'name.function': ['source', 'meta.function', 'entity.name.function'],
  'name.class': ['source', 'meta.class', 'entity.name.type.class'],
  'name.builtin': ['source', 'meta.function-call', 'support.function.builtin'],
  'name.decorator': ['source', 'meta.function.decorator', 'entity.name.function.decorator'],
  'name.tag': ['text.html', 'meta.tag', 'entity.name.tag'],
  'name.attribute': ['text.html', 'meta.tag', 'entity.other.attribute-name'],
  'name.variable': ['source', 'variable.other'],
  'name.constant': ['source', 'variable.other.constant'],
  'name.label': ['source', 'entity.name.label'],
  'name.property': ['source.css', 'meta.property-list', 'support.type.property-name'],
  'string': ['source', 'string.quoted.double'],
  'string.escape': ['source', 'string.quoted.double', 'constant.character.escape'],
  'string.interpol': ['source', 'string.template', 'meta.template.expression',
    'punctuation.definition.template-expression.begin'],
  'string.doc': ['source', 'string.quoted.docstring'],
  'string.regex': ['source', 'string.regexp'],
  'string.char': ['source', 'string.quoted.single'],
  'number': ['source', 'constant.numeric'],
  'comment': ['source', 'comment.line.number-sign'],
  'comment.doc': ['source', 'comment.block.documentation'],
  'comment.preproc': ['source', 'meta.preprocessor', 'keyword.control.directive'],
  'operator': ['source', 'keyword.operator'],
  'operator.word': ['source', 'keyword.operator.logical'],
  'punctuation': ['source', 'punctuation.separator'],
  'generic.heading': ['text.html.markdown', 'markup.heading', 'entity.name.section'],
  'generic.subheading': ['text.html.markdown', 'markup.heading', 'entity.name.section'],
  'generic.emph': ['text.html.markdown', 'markup.italic'],
  'generic.strong': ['text.html.markdown', 'markup.bold'],
  'generic.inserted': ['source.diff', 'markup.inserted'],
  'generic.deleted': ['source.diff', 'markup.deleted'],
  'error': ['source', 'invalid.illegal'],
};

// ---- colours ------------------------------------------------------------------------------

// "#rgb", "#rgba", "#rrggbb", "#rrggbbaa" -> {r, g, b, a} (0-255), or null.
export function parseColor(s) {
  if (typeof s !== 'string') return null;
  let m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(s.trim());
  if (!m) return null;
  let h = m[1];
  if (h.length <= 4) h = [...h].map((c) => c + c).join('');
  const v = (i) => parseInt(h.slice(i, i + 2), 16);
  return { r: v(0), g: v(2), b: v(4), a: h.length === 8 ? v(6) : 255 };
}

// `c` drawn over the opaque `under`.
export function over(c, under) {
  const k = c.a / 255;
  const mix = (x, y) => Math.round(x * k + y * (1 - k));
  return { r: mix(c.r, under.r), g: mix(c.g, under.g), b: mix(c.b, under.b), a: 255 };
}

export function mixColor(a, b, t) {  // t of a, 1 - t of b
  return over({ ...a, a: Math.round(255 * t) }, b);
}

export const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, '0')).join('');

export function luminance(c) {
  const lin = (v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

export function contrast(a, b) {
  const la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// ---- scope resolution (vscode-textmate's Theme.match, for one scope path) ------------------

// A theme's tokenColors -> [{target, parents (nearest first), depth, index, foreground}].
export function parseRules(tokenColors) {
  const rules = [];
  (tokenColors || []).forEach((entry, index) => {
    const fg = entry?.settings?.foreground;
    if (!entry || entry.scope === undefined || entry.scope === '' || !parseColor(fg)) return;
    let selectors = entry.scope;
    if (typeof selectors === 'string') {
      selectors = selectors.replace(/^[,]+/, '').replace(/[,]+$/, '').split(',');
    }
    if (!Array.isArray(selectors)) return;
    for (const sel of selectors) {
      const segments = String(sel).trim().split(/\s+/).filter(Boolean);
      if (!segments.length) continue;
      const target = segments[segments.length - 1];
      rules.push({ target, parents: segments.slice(0, -1).reverse(),
        depth: target.split('.').length, index, foreground: fg });
    }
  });
  return rules;
}

const selectorMatches = (selector, scope) => scope === selector || scope.startsWith(selector + '.');

// vscode-textmate's _scopePathMatchesParentScopes: each parent selector (nearest first) matches
// some ancestor further out than the previous one; ">" asks for the immediate parent.
function parentsMatch(ancestors /* nearest first */, parents) {
  let i = 0;
  for (let p = 0; p < parents.length; p++) {
    let sel = parents[p];
    let immediate = false;
    if (sel === '>') {
      if (p === parents.length - 1) return false;
      sel = parents[++p];
      immediate = true;
    }
    while (i < ancestors.length && !selectorMatches(sel, ancestors[i])) {
      if (immediate) return false;
      i++;
    }
    if (i >= ancestors.length) return false;
    i++;
  }
  return true;
}

// The foreground a theme's rules give the innermost scope of `path` (outermost first), or null.
export function resolveScopePath(rules, path) {
  for (let level = path.length - 1; level >= 0; level--) {
    const scope = path[level];
    const ancestors = path.slice(0, level).reverse();
    let best = null;
    for (const r of rules) {
      if (!selectorMatches(r.target, scope) || !parentsMatch(ancestors, r.parents)) continue;
      if (!best || r.depth > best.depth ||
          (r.depth === best.depth && r.parents.length > best.parents.length) ||
          (r.depth === best.depth && r.parents.length === best.parents.length && r.index >= best.index)) {
        best = r;
      }
    }
    if (best) return best.foreground;
  }
  return null;
}

// Readability of a code image: plain text at least 4.1:1 against the background (Solarized's
// published base00 on base3, the lowest of the hand-made themes), comments and doc comments at least
// 1.6:1 (meant to be quiet), every other class at least 2.5:1. A theme whose plain text fails is left out; a
// token colour that fails is moved towards black (light themes) or white (dark ones), hue kept,
// just far enough, and listed in the theme's `adjusted`.
export const MIN_CONTRAST = { text: 4.1, comment: 1.6, other: 2.5 };
export const minContrastFor = (cls) =>
  cls === 'comment' || cls === 'comment.doc' ? MIN_CONTRAST.comment : MIN_CONTRAST.other;

export function readable(c, bg, min, dark) {
  const target = dark ? { r: 255, g: 255, b: 255, a: 255 } : { r: 0, g: 0, b: 0, a: 255 };
  let out = c;
  for (let t = 0.04; contrast(out, bg) < min && t <= 1.0001; t += 0.04) out = mixColor(target, c, t);
  return out;
}

// ---- one theme -> our palette --------------------------------------------------------------

const FALLBACK_FG = { light: '#333333', dark: '#bbbbbb' };  // shiki's VSCODE_FALLBACK_EDITOR_*
const FALLBACK_BG = { light: '#fffffe', dark: '#1e1e1e' };

// A VS Code theme object -> {name, dark, background, foreground, lineNumber, highlightLine, title,
// windowBorder, backdrop, tokens: {class: "#rrggbb"}} (all opaque "#rrggbb").
export function convertTheme(name, theme) {
  const dark = theme.type !== 'light';
  const kind = dark ? 'dark' : 'light';
  const colors = theme.colors || {};
  const global = (theme.tokenColors || theme.settings || []).find((s) => !s.name && !s.scope);
  // The editor's default colours, found the way shiki's normalizeTheme finds them.
  const bgRaw = theme.bg || global?.settings?.background || colors['editor.background'] || FALLBACK_BG[kind];
  const fgRaw = theme.fg || global?.settings?.foreground || colors['editor.foreground'] || FALLBACK_FG[kind];
  const bg = over(parseColor(bgRaw) || parseColor(FALLBACK_BG[kind]), parseColor(FALLBACK_BG[kind]));
  const fg = over(parseColor(fgRaw) || parseColor(FALLBACK_FG[kind]), bg);
  const rules = parseRules(theme.tokenColors || theme.settings);
  const tokens = {};
  const published = {};
  const adjusted = [];
  for (const [cls, path] of Object.entries(CLASS_SCOPES)) {
    const c = parseColor(resolveScopePath(rules, path));
    const col = c ? over(c, bg) : fg;
    published[cls] = hex(col);
    const fixed = readable(col, bg, minContrastFor(cls), dark);
    if (hex(fixed) !== hex(col)) adjusted.push(cls);
    tokens[cls] = hex(fixed);
  }
  const opaque = (key) => {
    const c = parseColor(colors[key]);
    return c && c.a > 0 ? over(c, bg) : null;
  };
  // Line numbers: the editor's gutter colour, unless it is too faint to read in an image.
  let lineNumber = opaque('editorLineNumber.foreground') || mixColor(fg, bg, 0.45);
  if (contrast(lineNumber, bg) < 2.0) lineNumber = mixColor(fg, bg, 0.45);
  // The highlighted-line band: the editor's current-line colour, else its selection, else a tint.
  let highlightLine = opaque('editor.lineHighlightBackground');
  if (!highlightLine || contrast(highlightLine, bg) < 1.06) {
    const sel = parseColor(colors['editor.selectionBackground']);
    highlightLine = sel ? over({ ...sel, a: Math.min(sel.a, 128) }, bg) : null;
  }
  if (!highlightLine || contrast(highlightLine, bg) < 1.06) highlightLine = mixColor(fg, bg, 0.1);
  const title = mixColor(fg, bg, 0.6);
  const windowBorder = mixColor(fg, bg, dark ? 0.14 : 0.18);
  // Around the window: the theme's keyword colour, softened towards its background.
  const accent = parseColor(tokens['keyword']);
  const backdrop = mixColor(accent, bg, dark ? 0.55 : 0.35);
  return { name, dark, background: hex(bg), foreground: hex(fg), lineNumber: hex(lineNumber),
    highlightLine: hex(highlightLine), title: hex(title), windowBorder: hex(windowBorder),
    backdrop: hex(backdrop), tokens, published, adjusted,
    readable: contrast(fg, bg) >= MIN_CONTRAST.text };
}

// ---- the package ---------------------------------------------------------------------------

// node_modules/@shikijs/themes in `fromDir` or the nearest directory above it that has one.
export function themesDir(fromDir) {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', '@shikijs', 'themes');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(d) === d) throw new Error('node_modules/@shikijs/themes not found: run npm ci');
  }
}

export async function loadTheme(dir, id) {
  return (await import(pathToFileURL(join(dir, 'dist', `${id}.mjs`)).href)).default;
}

export async function generate(dir) {
  const { themeNames } = await import(pathToFileURL(join(dir, 'dist', 'index.mjs')).href);
  const out = [];
  for (const id of [...themeNames].sort()) {
    if (HAND_MADE.includes(id)) continue;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error(`theme name ${id} is not lowercase-kebab`);
    const t = convertTheme(id, await loadTheme(dir, id));
    if (t.readable) out.push(t);
    else console.error(`gen_themes: ${id} left out: its text is below ${MIN_CONTRAST.text}:1 on its background`);
  }
  return out;
}

function classEnumerators(tokenH) {
  const map = {};
  for (const m of readFileSync(tokenH, 'utf8').matchAll(/X\((\w+),\s*"([a-z.]+)"\)/g)) map[m[2]] = m[1];
  return map;
}

const cHex = (s) => '0x' + s.slice(1);

function toInc(themes, enums, version) {
  const lines = [`// Generated by functions/render/theme/gen_themes.mjs from @shikijs/themes ${version}.`,
    '// Do not edit; not committed.'];
  for (const t of themes) {
    const toks = Object.entries(t.tokens).filter(([cls]) => enums[cls])
      .map(([cls, c]) => `{TC::${enums[cls]}, ${cHex(c)}}`);
    lines.push(`{"${t.name}", ${t.dark}, ${cHex(t.background)}, ${cHex(t.foreground)}, ` +
      `${cHex(t.lineNumber)}, ${cHex(t.highlightLine)}, ${cHex(t.title)}, ${cHex(t.windowBorder)}, ` +
      `${cHex(t.backdrop)},\n {${toks.join(', ')}}},`);
  }
  return lines.join('\n') + '\n';
}

async function main(argv) {
  const arg = (k) => {
    const i = argv.indexOf(k);
    if (i < 0 || i + 1 >= argv.length) throw new Error(`missing ${k}`);
    return argv[i + 1];
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = themesDir(here);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const themes = await generate(dir);
  const enums = classEnumerators(arg('--token-h'));
  for (const path of [arg('--out-inc'), arg('--out-json')]) mkdirSync(dirname(path), { recursive: true });
  writeFileSync(arg('--out-inc'), toInc(themes, enums, version));
  writeFileSync(arg('--out-json'), JSON.stringify({ source: `@shikijs/themes ${version}`, themes }, null, 1));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`gen_themes: ${e.stack || e}`);
    process.exit(1);
  });
}
