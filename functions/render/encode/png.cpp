#include "encode/png.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace render {

namespace {

void put32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v >> 24));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}

void chunk(std::vector<uint8_t>& out, const char type[4], const uint8_t* data, size_t len) {
  put32(out, uint32_t(len));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  if (len) out.insert(out.end(), data, data + len);
  uLong crc = crc32(0, out.data() + start, uInt(len + 4));
  put32(out, uint32_t(crc));
}

bool deflateAll(const std::vector<uint8_t>& raw, int level, std::vector<uint8_t>& z) {
  z_stream s{};
  // memLevel 8: a 32K-entry hash. Sliding the window rehashes the whole table every 32 KB of
  // input, which at memLevel 9 (64K entries) cost more than its better matches saved.
  if (deflateInit2(&s, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  z.resize(deflateBound(&s, uLong(raw.size())));
  s.next_in = const_cast<Bytef*>(raw.data());
  s.avail_in = uInt(raw.size());
  s.next_out = z.data();
  s.avail_out = uInt(z.size());
  int rc = deflate(&s, Z_FINISH);
  z.resize(s.total_out);
  deflateEnd(&s);
  return rc == Z_STREAM_END;
}

// Open-addressed colour -> index table; fails past 256 colours.
class Palette {
 public:
  Palette() { std::fill(std::begin(keys_), std::end(keys_), kEmpty); }
  int indexOf(uint32_t c) {
    uint32_t h = (c * 2654435761u) >> (32 - kBits);
    while (true) {
      if (keys_[h] == c) return vals_[h];
      if (keys_[h] == kEmpty) {
        if (colors.size() == 256) return -1;
        keys_[h] = c;
        vals_[h] = uint8_t(colors.size());
        colors.push_back(c);
        return vals_[h];
      }
      h = (h + 1) & (kSize - 1);
    }
  }
  std::vector<uint32_t> colors;

 private:
  static constexpr int kBits = 11;
  static constexpr uint32_t kSize = 1u << kBits;
  // No real pixel collides with it: an opaque colour never has alpha 0 and vice versa.
  static constexpr uint32_t kEmpty = 0x00FFFFFFu ^ 0x00123456u;
  uint32_t keys_[kSize];
  uint8_t vals_[kSize];
};

// wasi-libc's memcmp compares byte by byte; rows are compared as words instead.
bool sameRow(const uint32_t* a, const uint32_t* b, size_t n) {
  uint32_t diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t k = 0; k < 8; k++) diff |= a[i + k] ^ b[i + k];
    if (diff) return false;
  }
  for (; i < n; i++) diff |= a[i] ^ b[i];
  return diff == 0;
}

bool encodeIndexed(const std::vector<uint32_t>& rgba, int w, int h, std::vector<uint8_t>& raw,
                   std::vector<uint32_t>& colors) {
  Palette pal;
  raw.resize(size_t(w + 1) * h);
  uint32_t last = 0;
  int lastIndex = -1;
  for (int y = 0; y < h; y++) {
    uint8_t* row = raw.data() + size_t(y) * (w + 1);
    const uint32_t* src = rgba.data() + size_t(y) * w;
    // A row repeating the one above (backdrop, blank lines, gaps between text lines: most rows)
    // is written with the Up filter as zeros: no palette lookups, and the cheapest deflate input.
    if (y > 0 && sameRow(src, src - w, size_t(w))) {
      row[0] = 2;
      memset(row + 1, 0, size_t(w));
      continue;
    }
    // Other rows use filter None: indices are not numerically related, so filters add noise.
    row[0] = 0;
    for (int x = 0; x < w; x++) {
      uint32_t c = src[x];
      if (c != last || lastIndex < 0) {
        lastIndex = pal.indexOf(c);
        if (lastIndex < 0) return false;
        last = c;
      }
      row[x + 1] = uint8_t(lastIndex);
    }
  }
  colors = std::move(pal.colors);
  return true;
}

uint8_t paeth(int a, int b, int c) {
  int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return uint8_t(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// Per-row adaptive filter (the minimum sum of absolute differences heuristic from the PNG spec).
void encodeTruecolor(const std::vector<uint32_t>& rgba, int w, int h, bool alpha,
                     std::vector<uint8_t>& raw) {
  const int bpp = alpha ? 4 : 3;
  const size_t stride = size_t(w) * bpp;
  std::vector<uint8_t> prev(stride, 0), cur(stride), cand(stride);
  raw.resize((stride + 1) * h);
  for (int y = 0; y < h; y++) {
    const uint32_t* src = rgba.data() + size_t(y) * w;
    for (int x = 0; x < w; x++) {
      uint32_t c = src[x];
      uint8_t* p = cur.data() + size_t(x) * bpp;
      p[0] = uint8_t(c), p[1] = uint8_t(c >> 8), p[2] = uint8_t(c >> 16);
      if (alpha) p[3] = uint8_t(c >> 24);
    }
    uint8_t* dst = raw.data() + size_t(y) * (stride + 1);
    uint64_t best = UINT64_MAX;
    for (int f = 0; f < 5; f++) {
      uint64_t cost = 0;
      for (size_t i = 0; i < stride; i++) {
        int a = i >= size_t(bpp) ? cur[i - bpp] : 0, b = prev[i];
        int c = i >= size_t(bpp) ? prev[i - bpp] : 0;
        uint8_t v = cur[i];
        switch (f) {
          case 1: v = uint8_t(v - a); break;
          case 2: v = uint8_t(v - b); break;
          case 3: v = uint8_t(v - ((a + b) >> 1)); break;
          case 4: v = uint8_t(v - paeth(a, b, c)); break;
          default: break;
        }
        cand[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < best) {
        best = cost;
        dst[0] = uint8_t(f);
        memcpy(dst + 1, cand.data(), stride);
      }
    }
    std::swap(prev, cur);
  }
}

}  // namespace

PngInfo encodePng(const std::vector<uint32_t>& rgba, int w, int h, std::vector<uint8_t>& out,
                  int zlibLevel) {
  PngInfo info;
  out.clear();
  if (w <= 0 || h <= 0 || rgba.size() != size_t(w) * size_t(h)) return info;
  std::vector<uint8_t> raw;
  std::vector<uint32_t> colors;
  info.indexed = encodeIndexed(rgba, w, h, raw, colors);
  if (info.indexed) {
    info.colors = uint32_t(colors.size());
    for (uint32_t c : colors) info.alpha |= c >> 24 != 255;
  } else {
    for (uint32_t c : rgba) {
      if (c >> 24 != 255) {
        info.alpha = true;
        break;
      }
    }
    encodeTruecolor(rgba, w, h, info.alpha, raw);
  }
  std::vector<uint8_t> z;
  if (!deflateAll(raw, zlibLevel, z)) return info;

  static const uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  out.assign(kSignature, kSignature + 8);
  uint8_t ihdr[13];
  for (int i = 0; i < 4; i++) ihdr[i] = uint8_t(uint32_t(w) >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) ihdr[4 + i] = uint8_t(uint32_t(h) >> (24 - 8 * i));
  ihdr[8] = 8;
  ihdr[9] = info.indexed ? 3 : info.alpha ? 6 : 2;
  ihdr[10] = ihdr[11] = ihdr[12] = 0;
  chunk(out, "IHDR", ihdr, 13);
  if (info.indexed) {
    // tRNS runs up to the last translucent entry (opaque ones before it say 255).
    std::vector<uint8_t> plte, trns;
    size_t trnsLen = 0;
    for (size_t i = 0; i < colors.size(); i++) {
      uint32_t c = colors[i];
      plte.push_back(uint8_t(c)), plte.push_back(uint8_t(c >> 8)), plte.push_back(uint8_t(c >> 16));
      trns.push_back(uint8_t(c >> 24));
      if (c >> 24 != 255) trnsLen = i + 1;
    }
    trns.resize(trnsLen);
    chunk(out, "PLTE", plte.data(), plte.size());
    if (!trns.empty()) chunk(out, "tRNS", trns.data(), trns.size());
  }
  chunk(out, "IDAT", z.data(), z.size());
  chunk(out, "IEND", nullptr, 0);
  info.ok = true;
  return info;
}

}  // namespace render
