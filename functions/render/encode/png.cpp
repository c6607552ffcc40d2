#include "encode/png.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "encode/deflate.h"
#include "raster/color.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

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
  // The slot of `c` when it sits where it hashes (most colours, the table being sparse); else -1.
  int quickSlotOf(uint32_t c) const {
    uint32_t h = (c * 2654435761u) >> (32 - kBits);
    return keys_[h] == c ? int(h) : -1;
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

// wasi-libc's memcmp compares byte by byte; rows are compared sixteen or eight bytes at a time.
bool sameBytes(const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
#ifdef __wasm_simd128__
  // The autovectoriser leaves the early exit scalar.
  for (; i + 16 <= n; i += 16) {
    if (wasm_v128_any_true(wasm_v128_xor(wasm_v128_load(a + i), wasm_v128_load(b + i)))) {
      return false;
    }
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  for (; i < n; i++) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool sameRow(const uint32_t* a, const uint32_t* b, size_t n) {
  return sameBytes(reinterpret_cast<const uint8_t*>(a), reinterpret_cast<const uint8_t*>(b), n * 4);
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
      int d = colorDistance(table.colors[i], palette[size_t(k)]);
      if (d < bestD) bestD = d, best = k;
    }
    table.index(table.slots[i]) = uint8_t(best);
  }
}

// Adler-32 (RFC 1950) of a row. zlib's is scalar in wasm; sixteen bytes a step here: for bytes
// b0..b15 after sums (s1, s2), s1 gains their sum and s2 gains 16 * s1 + 16 * b0 + 15 * b1 + ...
// + b15, which are lane-wise sums and two dot products. 5552 bytes at a time (zlib's NMAX) keep
// the 32-bit lanes from overflowing between reductions.
uint32_t adler32Row(uint32_t adler, const uint8_t* p, size_t n) {
  constexpr uint32_t kBase = 65521;
  uint32_t s1 = adler & 0xFFFF, s2 = adler >> 16;
#ifdef __wasm_simd128__
  const v128_t weightsLo = wasm_i16x8_make(16, 15, 14, 13, 12, 11, 10, 9);
  const v128_t weightsHi = wasm_i16x8_make(8, 7, 6, 5, 4, 3, 2, 1);
  auto sum = [](v128_t v) {
    return uint32_t(wasm_i32x4_extract_lane(v, 0)) + uint32_t(wasm_i32x4_extract_lane(v, 1)) +
           uint32_t(wasm_i32x4_extract_lane(v, 2)) + uint32_t(wasm_i32x4_extract_lane(v, 3));
  };
  while (n >= 16) {
    const size_t chunks = std::min<size_t>(n / 16, 5552 / 16);
    v128_t bytes = wasm_i32x4_splat(0), before = bytes, weighted = bytes;
    for (size_t k = 0; k < chunks; k++, p += 16) {
      const v128_t b = wasm_v128_load(p);
      before = wasm_i32x4_add(before, bytes);
      const v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
      bytes = wasm_i32x4_add(bytes, wasm_u32x4_extadd_pairwise_u16x8(wasm_i16x8_add(lo, hi)));
      weighted = wasm_i32x4_add(weighted, wasm_i32x4_add(wasm_i32x4_dot_i16x8(lo, weightsLo),
                                                         wasm_i32x4_dot_i16x8(hi, weightsHi)));
    }
    s2 = uint32_t((s2 + uint64_t(chunks) * 16 * s1 + 16 * uint64_t(sum(before)) + sum(weighted)) %
                  kBase);
    s1 = (s1 + sum(bytes)) % kBase;
    n -= chunks * 16;
  }
#endif
  while (n > 0) {
    const size_t k = std::min<size_t>(n, 5552);
    for (size_t i = 0; i < k; i++) s1 += p[i], s2 += s1;
    s1 %= kBase;
    s2 %= kBase;
    p += k;
    n -= k;
  }
  return s2 << 16 | s1;
}

// A zlib stream into a growing buffer, band by band: deflate data from DeflateStream (level
// kFastDeflate) or from zlib (levels 1-9). The deflate data is raw and the zlib header and
// Adler-32 trailer are written here, so that the checksum of a repeated row (filter byte 2, then
// zeros) costs O(1) instead of a pass over the row: callers feed the checksum row by row.
class Deflater {
 public:
  Deflater(int level, size_t maxBytes) : maxBytes_(maxBytes) {
    // CMF: deflate with a 32 KB window; FLG: the level class (RFC 1950) and the check bits.
    const unsigned cmf = 0x78, flevel = level <= 1 ? 0 : level <= 5 ? 1 : level == 6 ? 2 : 3;
    unsigned flg = flevel << 6;
    flg += 31 - (cmf * 256 + flg) % 31;
    if (level == kFastDeflate) {
      z = {uint8_t(cmf), uint8_t(flg)};
      fast_.emplace(z, maxBytes);
      ok_ = true;
      return;
    }
    // memLevel 6: an 8K-entry hash. Sliding the window rehashes the whole table every 32 KB of
    // input; on code cards the smaller table costs nothing in size (47.3 KB against 47.6 KB at
    // the default 8) and slides four times cheaper.
    ok_ = deflateInit2(&s_, level, Z_DEFLATED, -15, 6, Z_DEFAULT_STRATEGY) == Z_OK;
    zlib_ = ok_;
    z.assign(64 * 1024, 0);
    z[0] = uint8_t(cmf);
    z[1] = uint8_t(flg);
  }
  // Adds a row to the checksum: its bytes, or (repeated) filter byte 2 and `n` zeros.
  void checksum(const uint8_t* row, size_t n) { adler_ = adler32Row(adler_, row, n); }
  void checksumUpZeros(size_t zeros) {
    constexpr uint32_t kBase = 65521;
    uint32_t s1 = adler_ & 0xFFFF, s2 = adler_ >> 16;
    s1 = (s1 + 2) % kBase;
    s2 = uint32_t((s2 + s1 + uint64_t(s1) * (zeros % kBase)) % kBase);
    adler_ = s2 << 16 | s1;
  }
  ~Deflater() {
    if (zlib_) deflateEnd(&s_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  bool ok() const { return ok_; }
  bool tooLarge() const { return tooLarge_ || (fast_ && fast_->tooLarge()); }
  // The rows' length in bytes (filter byte included), as a hint for finding matches.
  void setRowBytes(size_t n) {
    if (fast_) fast_->setRowDistance(n);
  }
  // Room for `n` bytes of input, valid until commit().
  uint8_t* reserve(size_t n) {
    if (fast_) return fast_->reserve(n);
    if (raw_.size() < n) raw_.resize(n);
    return raw_.data();
  }
  // Compresses the `n` bytes written at reserve(); false on an error or past maxBytes.
  bool commit(size_t n) {
    if (fast_) return fast_->commit(n);
    return add(raw_.data(), n, false);
  }
  bool finish() {
    if (fast_) {
      if (!fast_->finish()) return false;
      for (int i = 3; i >= 0; i--) z.push_back(uint8_t(adler_ >> (8 * i)));
      return true;
    }
    return add(nullptr, 0, true);
  }

  std::vector<uint8_t> z;  // the zlib stream: header, deflate data, then (finished) the Adler-32

 private:
  bool add(const uint8_t* data, size_t len, bool finish) {
    if (!ok_) return false;
    s_.next_in = const_cast<Bytef*>(data);
    s_.avail_in = uInt(len);
    while (true) {
      if (z.size() - kHeader - size_t(s_.total_out) < 4096) {
        if (z.size() > maxBytes_) {
          tooLarge_ = true;
          return false;
        }
        z.resize(std::max<size_t>(z.size() * 2, 64 * 1024));
      }
      s_.next_out = z.data() + kHeader + s_.total_out;
      s_.avail_out = uInt(z.size() - kHeader - size_t(s_.total_out));
      int rc = deflate(&s_, finish ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        z.resize(kHeader + s_.total_out);
        for (int i = 3; i >= 0; i--) z.push_back(uint8_t(adler_ >> (8 * i)));
        return true;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
      if (!finish && s_.avail_in == 0 && s_.avail_out > 0) return true;
    }
  }

  static constexpr size_t kHeader = 2;
  uint32_t adler_ = 1;
  z_stream s_{};
  bool zlib_ = false;
  std::optional<DeflateStream> fast_;
  std::vector<uint8_t> raw_;  // zlib's input, a band at a time
  size_t maxBytes_;
  bool ok_ = false;
  bool tooLarge_ = false;
};

// Remembers the last row of a band so that the next band's first row can be compared with it.
struct PreviousRow {
  std::vector<uint32_t> row;
  const uint32_t* ptr = nullptr;
  void keep(const uint32_t* last, int w) {
    row.assign(last, last + w);
    ptr = row.data();
  }
};

// Checksums the band of `rows` rows written at reserve() (a repeated row as filter byte 2 and
// zeros) and compresses it; false on an error or past the size cap.
bool commitBand(Deflater& z, const uint8_t* raw, const std::vector<uint8_t>& repeatedRows, int rows,
                size_t stride) {
  for (int r = 0; r < rows; r++) {
    if (repeatedRows[size_t(r)]) {
      z.checksumUpZeros(stride - 1);
    } else {
      z.checksum(raw + size_t(r) * stride, stride);
    }
  }
  return z.commit(stride * size_t(rows));
}

enum class Pass { Indexed, Count, Mapped, Truecolor };

inline bool same4(const uint32_t* a, const uint32_t* b) {
#ifdef __wasm_simd128__
  return !wasm_v128_any_true(wasm_v128_xor(wasm_v128_load(a), wasm_v128_load(b)));
#else
  return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
#endif
}

inline bool same16(const uint32_t* a, const uint32_t* b) {
#ifdef __wasm_simd128__
  const v128_t d =
      wasm_v128_or(wasm_v128_or(wasm_v128_xor(wasm_v128_load(a), wasm_v128_load(b)),
                                wasm_v128_xor(wasm_v128_load(a + 4), wasm_v128_load(b + 4))),
                   wasm_v128_or(wasm_v128_xor(wasm_v128_load(a + 8), wasm_v128_load(b + 8)),
                                wasm_v128_xor(wasm_v128_load(a + 12), wasm_v128_load(b + 12))));
  return !wasm_v128_any_true(d);
#else
  return same4(a, b) && same4(a + 4, b + 4) && same4(a + 8, b + 8) && same4(a + 12, b + 12);
#endif
}

// The palette indices of one row (Indexed: first-seen order, false at a 257th colour; Mapped:
// through the chosen palette). Where the row matches the one above (`above`, whose indices are
// `aboveIndices`; both null for the first row) the indices above are copied sixteen or four
// pixels at a time: the backdrop, the window's sides and the gaps between glyphs. Where a colour
// runs on, its index is repeated as fast. Only the rest (glyph edges, about an eighth of a text
// row) looks colours up, and neighbours share colours often enough to compare with the last.
bool indexRow(const uint32_t* src, const uint32_t* above, const uint8_t* aboveIndices, uint8_t* out,
              int w, ColorTable& table, Pass pass) {
  uint32_t lastColor = 0;
  uint8_t lastIndex = 0;
  auto lookUp = [&](uint32_t c) {
    // A colour found where it hashes has its index already (set when it was inserted, or by
    // choosePalette): the usual case costs one probe.
    int slot = table.quickSlotOf(c);
    if (slot < 0) {
      slot = table.slotOf(c);
      if (slot < 0 || (pass == Pass::Indexed && table.colors.size() > 256)) return false;
      size_t n = table.colors.size();
      if (pass == Pass::Indexed && table.slots[n - 1] == uint32_t(slot)) {
        table.index(uint32_t(slot)) = uint8_t(n - 1);
      }
    }
    lastColor = c;
    lastIndex = table.index(uint32_t(slot));
    return true;
  };
  // (lastColor, lastIndex) is always a true pair, so that a run of lastColor may use it.
  if (!lookUp(src[0])) return false;
  int x = 0;
  while (x < w) {
    if (above) {
      while (x + 16 <= w && same16(src + x, above + x)) {
        memcpy(out + x, aboveIndices + x, 16);
        x += 16;
      }
      while (x + 4 <= w && same4(src + x, above + x)) {
        memcpy(out + x, aboveIndices + x, 4);
        x += 4;
      }
    }
    if (x + 4 <= w && src[x] == lastColor) {
      const uint32_t word = lastIndex * 0x01010101u;
#ifdef __wasm_simd128__
      const v128_t same = wasm_i32x4_splat(int32_t(lastColor));
      const v128_t bytes = wasm_i8x16_splat(int8_t(lastIndex));
      while (x + 16 <= w) {
        const v128_t eq =
            wasm_v128_and(wasm_v128_and(wasm_i32x4_eq(wasm_v128_load(src + x), same),
                                        wasm_i32x4_eq(wasm_v128_load(src + x + 4), same)),
                          wasm_v128_and(wasm_i32x4_eq(wasm_v128_load(src + x + 8), same),
                                        wasm_i32x4_eq(wasm_v128_load(src + x + 12), same)));
        if (!wasm_i32x4_all_true(eq)) break;
        wasm_v128_store(out + x, bytes);
        x += 16;
      }
      while (x + 4 <= w && wasm_i32x4_all_true(wasm_i32x4_eq(wasm_v128_load(src + x), same))) {
        memcpy(out + x, &word, 4);
        x += 4;
      }
#else
      while (x + 4 <= w && ((src[x] ^ lastColor) | (src[x + 1] ^ lastColor) |
                            (src[x + 2] ^ lastColor) | (src[x + 3] ^ lastColor)) == 0) {
        memcpy(out + x, &word, 4);
        x += 4;
      }
#endif
    }
    // Four pixels (or the row's last few) one by one, then the wide compares again.
    for (const int end = std::min(w, x + 4); x < end; x++) {
      const uint32_t c = src[x];
      if (c != lastColor && !lookUp(c)) return false;
      out[x] = lastIndex;
    }
  }
  return true;
}

// Runs `pass` over all rows. Indexed: indices in first-seen order, streamed; false (with
// `overflow`) once a 257th colour appears. Count: counts colours (false past kMaxColors, with
// `overflow`), noting translucency. Mapped: indices through the chosen palette. Truecolor: RGB(A)
// rows with the Sub filter, which suits the flat horizontal runs of rendered text.
bool runPass(Pass pass, int w, int h, int bandRows, const PngRowSource& source, ColorTable& table,
             Deflater* z, bool alpha, bool& overflow, bool& translucent) {
  const int bpp = pass == Pass::Truecolor ? (alpha ? 4 : 3) : 1;
  const size_t stride = size_t(w) * bpp + 1;
  if (z) z->setRowBytes(stride);
  std::vector<uint8_t> repeatedRows(size_t(std::min(bandRows, h)));
  PreviousRow prev;
  // The indices of the last row written (a repeated row has those of the row above), and their
  // copy kept from one band to the next.
  const uint8_t* lastIndices = nullptr;
  std::vector<uint8_t> prevIndices;
  for (int y0 = 0; y0 < h; y0 += bandRows) {
    const int rows = std::min(bandRows, h - y0);
    const uint32_t* band = source(y0, rows);
    if (!band) return false;
    uint8_t* raw = z ? z->reserve(stride * size_t(rows)) : nullptr;
    for (int r = 0; r < rows; r++) {
      const uint32_t* src = band + size_t(r) * w;
      const uint32_t* above = r > 0 ? src - w : prev.ptr;
      // A row equal to the one above is written with the Up filter as zeros: no lookups, and the
      // cheapest deflate input. Backdrop, blank lines and gaps between text lines are most rows.
      const bool repeated = above && sameRow(src, above, size_t(w));
      repeatedRows[size_t(r)] = repeated;
      uint8_t* dst = z ? raw + size_t(r) * stride : nullptr;
      if (repeated) {
        if (dst) {
          dst[0] = 2;
          memset(dst + 1, 0, stride - 1);
        }
        continue;
      }
      if (pass == Pass::Count) {
        int x = 0;
        while (x < w) {
          uint32_t c = src[x];
          int run = 1;
          while (x + run < w && src[x + run] == c) run++;
          x += run;
          if (overflow) {
            translucent |= c >> 24 != 255;
            continue;
          }
          int slot = table.slotOf(c);
          if (slot < 0) {
            overflow = true;
            translucent |= c >> 24 != 255;
            continue;
          }
          table.count(uint32_t(slot)) += uint32_t(run);
        }
        continue;
      }
      if (pass == Pass::Truecolor) {
        dst[0] = 1;
        uint8_t last[4] = {0, 0, 0, 0};
        for (int x = 0; x < w; x++) {
          uint32_t c = src[x];
          uint8_t* p = dst + 1 + size_t(x) * bpp;
          for (int k = 0; k < bpp; k++) {
            uint8_t v = uint8_t(c >> (8 * k));
            p[k] = uint8_t(v - last[k]);
            last[k] = v;
          }
        }
        continue;
      }
      // Filter None: indices are not numerically related, so other filters only add noise.
      dst[0] = 0;
      const uint8_t* aboveIndices = r > 0 ? lastIndices : prevIndices.data();
      if (!indexRow(src, above, above ? aboveIndices : nullptr, dst + 1, w, table, pass)) {
        overflow = true;
        return false;
      }
      lastIndices = dst + 1;
    }
    if (rows > 0) prev.keep(band + size_t(rows - 1) * w, w);
    if (lastIndices && lastIndices != prevIndices.data()) {
      prevIndices.assign(lastIndices, lastIndices + w);
      lastIndices = prevIndices.data();
    }
    if (z && !commitBand(*z, raw, repeatedRows, rows, stride)) return false;
  }
  return !z || z->finish();
}

void writePng(int w, int h, const PngInfo& info, const std::vector<uint32_t>& colors,
              const std::vector<uint8_t>& z, std::vector<uint8_t>& out) {
  static const uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  out.clear();
  out.reserve(z.size() + 8 + 25 + 12 + colors.size() * 4 + 24 + 12);
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
}

}  // namespace

PngInfo encodePngBands(int w, int h, int bandRows, const PngRowSource& source,
                       std::vector<uint8_t>& out, int zlibLevel, size_t maxBytes) {
  PngInfo info;
  out.clear();
  if (w <= 0 || h <= 0 || bandRows <= 0) return info;
  static ColorTable* table = new ColorTable;  // 56 KB: kept, not on the stack
  table->clear();
  bool overflow = false, translucent = false;
  std::vector<uint32_t> palette;
  {
    // The common case: at most 256 colours, indices streamed in first-seen order.
    Deflater z(zlibLevel, maxBytes);
    info.passes = 1;
    if (runPass(Pass::Indexed, w, h, bandRows, source, *table, &z, false, overflow, translucent)) {
      info.indexed = true;
      info.colors = uint32_t(table->colors.size());
      for (uint32_t c : table->colors) info.alpha |= c >> 24 != 255;
      writePng(w, h, info, table->colors, z.z, out);
      info.ok = true;
      return info;
    }
    if (!overflow) {
      info.tooLarge = z.tooLarge();
      return info;
    }
  }
  // More than 256 colours: count them all, then either map the rare rest to the 256 most frequent
  // (antialiasing shades: an edge pixel one shade off is invisible) or, past kMaxColors, write RGB.
  table->clear();
  overflow = false;
  info.passes = 2;
  if (!runPass(Pass::Count, w, h, bandRows, source, *table, nullptr, false, overflow,
               translucent) &&
      !overflow) {
    return info;
  }
  Deflater z(zlibLevel, maxBytes);
  bool unused = false;
  if (!overflow) {
    choosePalette(*table, palette);
    info.indexed = true;
    info.colors = uint32_t(palette.size());
    for (uint32_t c : palette) info.alpha |= c >> 24 != 255;
    if (!runPass(Pass::Mapped, w, h, bandRows, source, *table, &z, false, unused, unused)) {
      info.tooLarge = z.tooLarge();
      return info;
    }
  } else {
    info.alpha = translucent;
    for (uint32_t c : table->colors) info.alpha |= c >> 24 != 255;
    if (!runPass(Pass::Truecolor, w, h, bandRows, source, *table, &z, info.alpha, unused, unused)) {
      info.tooLarge = z.tooLarge();
      return info;
    }
  }
  writePng(w, h, info, palette, z.z, out);
  info.ok = true;
  return info;
}

PngInfo encodeIndexedPngBands(int w, int h, int bandRows, const PngIndexSource& source,
                              const PngPalette& palette, std::vector<uint8_t>& out, int zlibLevel,
                              size_t maxBytes) {
  PngInfo info;
  out.clear();
  if (w <= 0 || h <= 0 || bandRows <= 0) return info;
  Deflater z(zlibLevel, maxBytes);
  if (!z.ok()) return info;
  const size_t stride = size_t(w) + 1;
  z.setRowBytes(stride);
  std::vector<uint8_t> repeatedRows(size_t(std::min(bandRows, h)));
  std::vector<uint8_t> prev;  // the last row of the band before
  for (int y0 = 0; y0 < h; y0 += bandRows) {
    const int rows = std::min(bandRows, h - y0);
    const uint8_t* band = source(y0, rows);
    if (!band) return info;
    uint8_t* raw = z.reserve(stride * size_t(rows));
    for (int r = 0; r < rows; r++) {
      const uint8_t* src = band + size_t(r) * size_t(w);
      const uint8_t* above = r > 0 ? src - w : prev.empty() ? nullptr : prev.data();
      // As in runPass: a repeated row is Up-filter zeros, any other row its indices unfiltered.
      const bool repeated = above && sameBytes(src, above, size_t(w));
      repeatedRows[size_t(r)] = repeated;
      uint8_t* dst = raw + size_t(r) * stride;
      dst[0] = repeated ? 2 : 0;
      if (repeated) {
        memset(dst + 1, 0, stride - 1);
      } else {
        memcpy(dst + 1, src, size_t(w));
      }
    }
    prev.assign(band + size_t(rows - 1) * size_t(w), band + size_t(rows) * size_t(w));
    if (!commitBand(z, raw, repeatedRows, rows, stride)) {
      info.tooLarge = z.tooLarge();
      return info;
    }
  }
  if (!z.finish()) {
    info.tooLarge = z.tooLarge();
    return info;
  }
  const std::vector<uint32_t> colors = palette();
  if (colors.empty() || colors.size() > 256) return info;
  info.indexed = true;
  info.passes = 1;
  info.colors = uint32_t(colors.size());
  for (uint32_t c : colors) info.alpha |= c >> 24 != 255;
  writePng(w, h, info, colors, z.z, out);
  info.ok = true;
  return info;
}

PngInfo encodePng(const std::vector<uint32_t>& rgba, int w, int h, std::vector<uint8_t>& out,
                  int zlibLevel) {
  if (w <= 0 || h <= 0 || rgba.size() != size_t(w) * size_t(h)) {
    out.clear();
    return PngInfo{};
  }
  return encodePngBands(
      w, h, h, [&](int y, int) { return rgba.data() + size_t(y) * size_t(w); }, out, zlibLevel);
}

}  // namespace render
