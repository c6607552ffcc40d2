// One comment line per asset font file (functions/render/raster/font_assets.py), each needing only
// that file: bench/render/scripts.mjs and font_load_profile.mjs time the first render of each.
// The split files (cjk-*, emoji*) take a few of their own characters from the build's
// build/assets-table.json (written beside the generated table); the others are words.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../host/cli/render.mjs';

const WORDS = {
  'devanagari.ttf': '# नमस्ते दुनिया', 'bengali.ttf': '# বাংলা', 'gurmukhi.ttf': '# ਪੰਜਾਬੀ', 'gujarati.ttf': '# ગુજરાતી',
  'oriya.ttf': '# ଓଡ଼ିଆ', 'tamil.ttf': '# தமிழ்', 'telugu.ttf': '# తెలుగు', 'kannada.ttf': '# ಕನ್ನಡ',
  'malayalam.ttf': '# മലയാളം', 'sinhala.ttf': '# සිංහල', 'thai.ttf': '# สวัสดีชาวโลก', 'lao.ttf': '# ສະບາຍດີ',
  'myanmar.ttf': '# မြန်မာ', 'khmer.ttf': '# ខ្មែរ', 'ethiopic.ttf': '# ሰላም ዓለም',
};

const table = path.join(ROOT, 'build/assets-table.json');
// file name -> { sample, bytes }, in the build's order.
export const ASSET_FILES = existsSync(table) ? JSON.parse(readFileSync(table, 'utf8')) : [];

export const FONT_SAMPLES = Object.fromEntries(ASSET_FILES.map((f) => {
  const name = path.basename(f.file);
  return [name, WORDS[name] ?? `# ${[...f.sample].join(' ')}`];
}));
