// The CJK/emoji input of bench/render (run.sh's cjk50) and bench/render/scripts.mjs: the py50 text
// (textwrap.py 238-287) with a comment in Chinese, Japanese or Korean plus an emoji on every other
// line. Its ASCII twin replaces each wide character (and emoji sequence) by two letters, so both
// make images of the same size.
//
//   node bench/render/cjk_sample.mjs PY50_FILE OUT_FILE     (writes the CJK/emoji file)
import { readFileSync, writeFileSync } from 'node:fs';

const COMMENTS = ['# 检查输入的长度 🚀', '# こんにちは、世界 ✅', '# 안녕하세요 세계 🔥', '# 处理每一行文本 👨‍💻',
  '# 改行を保持する 🎉'];

export function withCjkComments(py50) {
  return py50.split('\n').map((l, i) => (i % 2 === 0 && l.trim() ? `${l}  ${COMMENTS[(i / 2) % COMMENTS.length]}` : l)).join('\n');
}

export function asciiTwin(text) {
  return text.replace(/\p{Extended_Pictographic}(\u200D\p{Extended_Pictographic})*|[\u1100-\u11FF\u2E80-\uD7FF\uF900-\uFAFF\uFF00-\uFF60]/gu, 'ab');
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const [from, to] = process.argv.slice(2);
  writeFileSync(to, withCjkComments(readFileSync(from, 'utf8')));
}
