#!/usr/bin/env node
// `npm run render -- FILE...`: turn code files into images on the command line.
//
// This runs the very module the Worker ships (build/wasm/modules/render.wasm) under Node through
// host/runtime.mjs, with the same settings the Worker gets from wrangler.toml's [vars]. It sends
// each file as one `POST /render` (or `/render/tokens`) event; every decision about the image is
// made in C++. All files of one call share one module instance.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FunctionModule } from '../runtime.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const DEFAULT_WASM = path.join(ROOT, 'build/wasm/modules/render.wasm');
// The large fonts the Worker serves as static assets (wrangler.toml [assets]), made by the build.
export const ASSET_DIR = path.join(ROOT, 'build/assets');

// The host's asset loader (host_abi.h host_asset), reading the files the Worker would serve.
export async function readAsset(name) {
  try {
    return await readFile(path.join(ASSET_DIR, name));
  } catch {
    return null;
  }
}

const USAGE = `Usage: npm run render -- FILE... [options]
       node host/cli/render.mjs FILE... [options]

Renders each code FILE to an image with the render module the Worker ships
(build/wasm/modules/render.wasm; build it with \`make wasm\`).

Output:
  -o, --output OUT.png     output file (only with a single FILE)
  --out-dir DIR            write DIR/<basename>.png for each FILE (DIR is created)
                           default: ./<basename>.png in the current directory
                           (.jpg instead of .png with --format jpeg)
  --tokens                 print the tokens instead of rendering: a JSON array with
                           one {"file", "tokens": [[class, text], ...]} per FILE

Image:
  --theme T                colour theme (server default: monokai)
  --language L             language instead of guessing it from the file name
  --font-size N            font size in px
  --no-line-numbers        hide line numbers
  --scale N                pixel scale (1 or 2, ...)
  --format F               png (default) or jpeg
  --max-lines N            render at most N lines
  --wrap N                 wrap lines longer than N columns
  --title T                window title (default: the file name)
  --no-window              no window frame
  --no-shadow              no drop shadow

  -h, --help               this text

Exit status: 0 on success, 1 when a file cannot be read or the module answers an
error (its message is printed), 2 on a usage error.
Environment: RENDER_WASM=path uses another render.wasm.`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  'out-dir': { type: 'string' },
  theme: { type: 'string' },
  language: { type: 'string' },
  'font-size': { type: 'string' },
  'no-line-numbers': { type: 'boolean' },
  scale: { type: 'string' },
  format: { type: 'string' },
  'max-lines': { type: 'string' },
  wrap: { type: 'string' },
  title: { type: 'string' },
  'no-window': { type: 'boolean' },
  'no-shadow': { type: 'boolean' },
  tokens: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

class UsageError extends Error {}
class CliError extends Error {}

// The string-valued [vars] of wrangler.toml: the settings the Worker's module gets in local runs.
// Only `KEY = "value"` lines are read; a missing file gives {}.
export function wranglerVars(file = path.join(ROOT, 'wrangler.toml')) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const vars = {};
  let inVars = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inVars = line === '[vars]';
      continue;
    }
    if (!inVars) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(line);
    if (m) vars[m[1]] = JSON.parse(`"${m[2]}"`);
  }
  return vars;
}

// The render module, compiled, with the Worker's settings (wrangler.toml [vars]) unless others are given.
// Used by the CLI and by bench/render/ours.mjs; instances are made on the first call.
export async function loadRenderModule({ wasmPath = process.env.RENDER_WASM || DEFAULT_WASM, settings } = {}) {
  let bytes;
  try {
    bytes = await readFile(wasmPath);
  } catch (err) {
    throw new CliError(`cannot read the render module ${wasmPath} (${err.code ?? err.message}); build it with \`make wasm\``);
  }
  const compiled = await WebAssembly.compile(bytes);
  return new FunctionModule('render', compiled, { asset: readAsset }, JSON.stringify(settings ?? wranglerVars()));
}

// The event the Worker would build for `POST <path>` with a JSON body.
export function renderEvent(tokens = false) {
  const p = tokens ? '/render/tokens' : '/render';
  return {
    kind: 'fetch',
    request: { method: 'POST', url: `http://cli${p}`, path: p, query: '', headers: { 'content-type': 'application/json' } },
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Runs one request object through the module; returns { status, headers, body }.
// Module log lines go to stderr so that stdout stays clean for --tokens.
export async function callRender(mod, request, { tokens = false } = {}) {
  const body = encoder.encode(JSON.stringify(request));
  const log = console.log;
  console.log = console.error;
  try {
    return await mod.call(renderEvent(tokens), body, {});
  } finally {
    console.log = log;
  }
}

export function errorMessage(result) {
  const text = decoder.decode(result.body);
  try {
    const j = JSON.parse(text);
    if (j && typeof j.error === 'string') return j.error;
  } catch {
    // not JSON: print it as it is
  }
  return text || `status ${result.status}`;
}

function intOption(values, name, { min = 0 } = {}) {
  const v = values[name];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim()) || Number(v) < min) throw new UsageError(`--${name} wants a whole number >= ${min}, not "${v}"`);
  return Number(v);
}

// Everything in the request except code and filename. Options not given are left out, so the
// module's defaults (the Worker's settings) apply.
export function requestOptions(values) {
  const opts = {
    theme: values.theme,
    language: values.language,
    font_size: intOption(values, 'font-size', { min: 1 }),
    scale: intOption(values, 'scale', { min: 1 }),
    format: values.format,
    max_lines: intOption(values, 'max-lines', { min: 1 }),
    wrap: intOption(values, 'wrap', { min: 0 }),
    title: values.title,
    line_numbers: !values['no-line-numbers'],
    window: !values['no-window'],
    shadow: !values['no-shadow'],
  };
  if (opts.format !== undefined) {
    opts.format = opts.format.toLowerCase();
    if (opts.format === 'jpg') opts.format = 'jpeg';
  }
  for (const k of Object.keys(opts)) if (opts[k] === undefined) delete opts[k];
  return opts;
}

// `npm run` starts scripts in the package root; INIT_CWD is where the user typed the command.
function userDir() {
  return process.env.npm_lifecycle_event && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
}

function outputPath(file, values, format) {
  if (values.output) return path.resolve(userDir(), values.output);
  const ext = format === 'jpeg' ? '.jpg' : '.png';
  const name = path.basename(file) + ext;
  return path.resolve(userDir(), values['out-dir'] ?? '.', name);
}

// Returns the exit code; writes to the given streams.
export async function main(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
  let values;
  let files;
  try {
    ({ values, positionals: files } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (err) {
    stderr.write(`render: ${err.message}\n\nRun with --help for usage.\n`);
    return 2;
  }
  if (values.help) {
    stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (!files.length) throw new UsageError('no input file');
    if (values.output && files.length > 1) throw new UsageError('-o names one output file; use --out-dir DIR for several files');
    if (values.output && values['out-dir']) throw new UsageError('use either -o or --out-dir, not both');
    if (values.tokens && (values.output || values['out-dir'])) throw new UsageError('--tokens prints to stdout; -o and --out-dir do not apply');
    const opts = requestOptions(values);

    // Read every file first: a typo in the last name should not leave half the images written.
    const inputs = [];
    for (const file of files) {
      let data;
      try {
        data = await readFile(path.resolve(userDir(), file));
      } catch (err) {
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code ?? err.message;
        throw new CliError(`cannot read ${file}: ${why}`);
      }
      inputs.push({ file, code: decoder.decode(data) });
    }

    const mod = await loadRenderModule();
    if (values['out-dir']) await mkdir(path.resolve(userDir(), values['out-dir']), { recursive: true });
    const tokenOut = [];
    for (const { file, code } of inputs) {
      const request = { code, filename: path.basename(file), ...opts };
      const result = await callRender(mod, request, { tokens: !!values.tokens });
      if (result.status >= 400) throw new CliError(`${file}: ${errorMessage(result)}`);
      if (values.tokens) {
        const parsed = JSON.parse(decoder.decode(result.body));
        tokenOut.push({ file, tokens: Array.isArray(parsed) ? parsed : parsed.tokens });
        continue;
      }
      const out = outputPath(file, values, opts.format);
      try {
        await writeFile(out, result.body);
      } catch (err) {
        throw new CliError(`cannot write ${out}: ${err.code ?? err.message}`);
      }
      stderr.write(`${file} -> ${out} (${result.body.length} bytes)\n`);
    }
    if (values.tokens) stdout.write(`${JSON.stringify(tokenOut)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`render: ${err.message}\n\nRun with --help for usage.\n`);
      return 2;
    }
    if (err instanceof CliError) {
      stderr.write(`render: ${err.message}\n`);
      return 1;
    }
    stderr.write(`render: ${err?.stack ?? err}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
