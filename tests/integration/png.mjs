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
