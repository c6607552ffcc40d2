#include "encode/png.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
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
  // memLevel 6: an 8K-entry hash. Sliding the window rehashes the whole table every 32 KB of
  // input; on code cards the smaller table costs nothing in size (47.3 KB against 47.6 KB at the
  // default 8) and slides four times cheaper.
  if (deflateInit2(&s, level, Z_DEFLATED, 15, 6, Z_DEFAULT_STRATEGY) != Z_OK) return false;
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

// Open-addressed colour table: colour -> slot, with a pixel count and a palette index per slot.
// Holds up to kMaxColors distinct colours; past that the image is not worth indexing.
class ColorTable {
 public:
  static constexpr uint32_t kMaxColors = 4096;

  void clear() {
    std::fill(std::begin(keys_), std::end(keys_), kEmpty);
    colors.clear();
    slots.clear();
  }

  // Slot of `c`, inserting it; -1 when the table is full.
  int slotOf(uint32_t c) {
    uint32_t h = (c * 2654435761u) >> (32 - kBits);
    while (true) {
      if (keys_[h] == c) return int(h);
      if (keys_[h] == kEmpty) {
        if (colors.size() == kMaxColors) return -1;
        keys_[h] = c;
        count_[h] = 0;
        colors.push_back(c);
        slots.push_back(h);
        return int(h);
      }
      h = (h + 1) & (kSize - 1);
    }
  }
  uint32_t& count(uint32_t slot) { return count_[slot]; }
  uint8_t& index(uint32_t slot) { return index_[slot]; }

  std::vector<uint32_t> colors;  // in first-seen order
  std::vector<uint32_t> slots;   // the slot of each entry of `colors`

 private:
  static constexpr int kBits = 13;
  static constexpr uint32_t kSize = 1u << kBits;
  // No real pixel collides with it: an opaque colour never has alpha 0 and vice versa.
  static constexpr uint32_t kEmpty = 0x00FFFFFFu ^ 0x00123456u;
  uint32_t keys_[kSize];
  uint32_t count_[kSize];
  uint8_t index_[kSize];
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

// Marks rows equal to the row above: they are written with the Up filter as zeros (no lookups,
// and the cheapest deflate input). Backdrop, blank lines and gaps between text lines are most rows.
std::vector<uint8_t> repeatedRows(const std::vector<uint32_t>& rgba, int w, int h) {
  std::vector<uint8_t> rep(size_t(h), 0);
  for (int y = 1; y < h; y++) {
    const uint32_t* src = rgba.data() + size_t(y) * w;
    rep[size_t(y)] = sameRow(src, src - w, size_t(w));
  }
  return rep;
}

int distance(uint32_t a, uint32_t b) {
  // Green counts most to the eye; alpha as much as green.
  static constexpr int kWeight[4] = {3, 4, 2, 4};
  int d = 0;
  for (int k = 0; k < 4; k++) {
    int x = int((a >> (8 * k)) & 255) - int((b >> (8 * k)) & 255);
    d += kWeight[k] * x * x;
  }
  return d;
}

// Every colour when there are <= 256; otherwise the 256 most frequent, each other colour mapped to
// its nearest. Code cards only overflow through rare antialiasing shades (many token colours x 16
// coverage levels x highlighted lines, plus a watermark): an edge pixel one shade off is invisible,
// while an RGB file would be twice the size and take three times as long.
void choosePalette(ColorTable& table, std::vector<uint32_t>& palette) {
  const size_t n = table.colors.size();
  palette.clear();
  if (n <= 256) {
    palette = table.colors;
    for (size_t i = 0; i < n; i++) table.index(table.slots[i]) = uint8_t(i);
    return;
  }
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; i++) order[i] = uint32_t(i);
  std::partial_sort(order.begin(), order.begin() + 256, order.end(), [&](uint32_t a, uint32_t b) {
    return table.count(table.slots[a]) > table.count(table.slots[b]);
  });
  std::vector<uint8_t> chosen(n, 0);
  for (size_t i = 0; i < 256; i++) {
    chosen[order[i]] = 1;
    table.index(table.slots[order[i]]) = uint8_t(i);
    palette.push_back(table.colors[order[i]]);
  }
  for (size_t i = 0; i < n; i++) {
    if (chosen[i]) continue;
    int best = 0, bestD = INT32_MAX;
    for (int k = 0; k < 256; k++) {
      int d = distance(table.colors[i], palette[size_t(k)]);
      if (d < bestD) bestD = d, best = k;
    }
    table.index(table.slots[i]) = uint8_t(best);
  }
}

// One pass writes indices in first-seen order while counting colours by runs; only an image
// with more than 256 colours needs the second pass, after choosePalette() has mapped them.
// False when the image has more colours than ColorTable holds.
bool encodeIndexed(const std::vector<uint32_t>& rgba, int w, int h,
                   const std::vector<uint8_t>& repeated, std::vector<uint8_t>& raw,
                   std::vector<uint32_t>& palette) {
  static ColorTable* table = new ColorTable;  // 56 KB: kept, not on the stack
  table->clear();
  raw.resize(size_t(w + 1) * h);
  bool overflow = false;
  for (int y = 0; y < h; y++) {
    uint8_t* row = raw.data() + size_t(y) * (w + 1);
    if (repeated[size_t(y)]) {
      row[0] = 2;
      memset(row + 1, 0, size_t(w));
      continue;
    }
    // Filter None: indices are not numerically related, so other filters only add noise.
    row[0] = 0;
    const uint32_t* src = rgba.data() + size_t(y) * w;
    int x = 0;
    while (x < w) {
      uint32_t c = src[x];
      int run = 1;
      while (x + run < w && src[x + run] == c) run++;
      int slot = table->slotOf(c);
      if (slot < 0) return false;
      table->count(uint32_t(slot)) += uint32_t(run);
      size_t n = table->colors.size();
      if (n <= 256 && table->slots[n - 1] == uint32_t(slot))
        table->index(uint32_t(slot)) = uint8_t(n - 1);
      overflow |= n > 256;
      memset(row + 1 + x, table->index(uint32_t(slot)), size_t(run));
      x += run;
    }
  }
  if (!overflow) {
    palette = table->colors;
    return true;
  }
  choosePalette(*table, palette);
  for (int y = 0; y < h; y++) {
    if (repeated[size_t(y)]) continue;
    uint8_t* row = raw.data() + size_t(y) * (w + 1) + 1;
    const uint32_t* src = rgba.data() + size_t(y) * w;
    uint32_t last = src[0];
    uint8_t lastIndex = table->index(uint32_t(table->slotOf(last)));
    for (int x = 0; x < w; x++) {
      uint32_t c = src[x];
      if (c != last) {
        lastIndex = table->index(uint32_t(table->slotOf(c)));
        last = c;
      }
      row[x] = lastIndex;
    }
  }
  return true;
}

// Only for images with thousands of colours, which code cards are not: repeated rows as Up
// zeros, the rest with the Sub filter, which suits the flat horizontal runs of rendered text.
void encodeTruecolor(const std::vector<uint32_t>& rgba, int w, int h, bool alpha,
                     const std::vector<uint8_t>& repeated, std::vector<uint8_t>& raw) {
  const int bpp = alpha ? 4 : 3;
  const size_t stride = size_t(w) * bpp;
  raw.assign((stride + 1) * h, 0);
  for (int y = 0; y < h; y++) {
    uint8_t* dst = raw.data() + size_t(y) * (stride + 1);
    if (repeated[size_t(y)]) {
      dst[0] = 2;
      continue;
    }
    dst[0] = 1;
    const uint32_t* src = rgba.data() + size_t(y) * w;
    uint8_t prev[4] = {0, 0, 0, 0};
    for (int x = 0; x < w; x++) {
      uint32_t c = src[x];
      uint8_t* p = dst + 1 + size_t(x) * bpp;
      for (int k = 0; k < bpp; k++) {
        uint8_t v = uint8_t(c >> (8 * k));
        p[k] = uint8_t(v - prev[k]);
        prev[k] = v;
      }
    }
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
  const std::vector<uint8_t> repeated = repeatedRows(rgba, w, h);
  info.indexed = encodeIndexed(rgba, w, h, repeated, raw, colors);
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
    encodeTruecolor(rgba, w, h, info.alpha, repeated, raw);
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
