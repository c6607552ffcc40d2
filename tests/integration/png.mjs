// A minimal PNG reader for tests: checks the signature and chunk CRCs, inflates the image data
// and verifies it has exactly one filter byte plus `width * bytesPerPixel` per row.
import { inflateSync, crc32 } from 'node:zlib';

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function crc(buf) {
  if (crc32) return crc32(buf) >>> 0;
  let c;
  let r = 0xffffffff;
  for (const b of buf) {
    c = (r ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    r = (r >>> 8) ^ c;
  }
  return (r ^ 0xffffffff) >>> 0;
}

export function decodePng(bytes) {
  const b = Buffer.from(bytes);
  if (b.length < 8 || b.readUInt32BE(0) !== 0x89504e47 || b.readUInt32BE(4) !== 0x0d0a1a0a) {
    throw new Error('not a PNG');
  }
  let pos = 8;
  let ihdr = null;
  const idat = [];
  let palette = null;
  let ended = false;
  while (pos + 12 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (crc(b.subarray(pos + 4, pos + 8 + len)) !== b.readUInt32BE(pos + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      ihdr = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8], colorType: data[9], interlace: data[12] };
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') { ended = true; break; }
    pos += 12 + len;
  }
  if (!ihdr || !ended) throw new Error('PNG without IHDR or IEND');
  if (ihdr.interlace) throw new Error('interlaced PNGs are not expected');
  const raw = inflateSync(Buffer.concat(idat));
  const bitsPerPixel = CHANNELS[ihdr.colorType] * ihdr.depth;
  const stride = Math.ceil((ihdr.width * bitsPerPixel) / 8);
  if (raw.length !== ihdr.height * (stride + 1)) throw new Error(`image data is ${raw.length} bytes, expected ${ihdr.height * (stride + 1)}`);
  for (let y = 0; y < ihdr.height; y++) if (raw[y * (stride + 1)] > 4) throw new Error(`bad filter on row ${y}`);
  return { ...ihdr, palette, raw, stride };
}

// The pixels of a decodePng() result as RGBA bytes (8-bit RGB, RGBA and palette images).
export function toRgba(png) {
  const { width, height, raw, stride, colorType, depth, palette } = png;
  if (depth !== 8) throw new Error(`toRgba reads 8-bit images, not ${depth}-bit`);
  const bpp = CHANNELS[colorType];
  const rows = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = rows.subarray(y * stride, (y + 1) * stride);
    const prev = y ? rows.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let p = 0;
      if (f === 1) p = a;
      else if (f === 2) p = b;
      else if (f === 3) p = (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (src[i] + p) & 255;
    }
  }
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    if (colorType === 3) {
      const k = rows[i];
      out.set([palette[k * 3], palette[k * 3 + 1], palette[k * 3 + 2], 255], i * 4);
    } else {
      out[i * 4] = rows[i * bpp];
      out[i * 4 + 1] = rows[i * bpp + 1];
      out[i * 4 + 2] = rows[i * bpp + 2];
      out[i * 4 + 3] = bpp === 4 ? rows[i * bpp + 3] : 255;
    }
  }
  return out;
}

// The image's pixels as "rrggbb" strings, row by row (alpha ignored).
export function pngPixels(png) {
  const rgba = toRgba(png);
  const out = [];
  for (let i = 0; i < png.width * png.height; i++) {
    out.push(((rgba[i * 4] << 16) | (rgba[i * 4 + 1] << 8) | rgba[i * 4 + 2]).toString(16).padStart(6, '0'));
  }
  return out;
}
