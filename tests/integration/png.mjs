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

// The image's pixels as "rrggbb" strings (row by row), for PNGs of 8-bit palette, RGB or RGBA
// colour (alpha ignored): the filters undone as the PNG spec says.
export function pngPixels(png) {
  const bpp = { 3: 1, 2: 3, 6: 4 }[png.colorType];
  if (!bpp || png.depth !== 8) throw new Error(`colour type ${png.colorType}/${png.depth} not handled`);
  const { raw, stride, width, height } = png;
  const rows = [];
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let add = 0;
      if (f === 1) add = a;
      else if (f === 2) add = b;
      else if (f === 3) add = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i] + add) & 255;
    }
    rows.push(line);
    prev = line;
  }
  const out = [];
  const hex = (r, g, b) => ((r << 16) | (g << 8) | b).toString(16).padStart(6, '0');
  for (const line of rows) {
    for (let x = 0; x < width; x++) {
      if (bpp === 1) {
        const k = line[x] * 3;
        out.push(hex(png.palette[k], png.palette[k + 1], png.palette[k + 2]));
      } else {
        out.push(hex(line[x * bpp], line[x * bpp + 1], line[x * bpp + 2]));
      }
    }
  }
  return out;
}
