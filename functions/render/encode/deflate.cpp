#include "encode/deflate.h"

#include <algorithm>
#include <bit>
#include <cstring>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace render {

namespace {

// Output bits are stored eight bytes at a time, least significant first.
static_assert(std::endian::native == std::endian::little);

constexpr size_t kWindow = 32768;
constexpr uint32_t kMaxMatch = 258;
// Input held back until more arrives, so that a match may run up to kMaxMatch past a piece's end.
constexpr size_t kLookahead = kMaxMatch + 8;
constexpr int kHashBits = 14;
// Symbols per block: large enough that the code tables (~100 bytes) are noise, small enough that
// the codes follow the image as it changes (backdrop and shadow, then text).
constexpr size_t kBlockSymbols = 32768;
// A run at least this long is taken without looking for a longer match elsewhere.
constexpr uint32_t kGoodRun = 32;

constexpr uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                   31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                   2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
// The order in which the code-length code's lengths are sent (RFC 1951 3.2.7).
constexpr uint8_t kClOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

struct Tables {
  uint8_t lenCode[kMaxMatch + 1] = {};  // match length -> index into kLenBase (symbol - 257)
  uint8_t distLo[256] = {};             // dist - 1 < 256 -> distance code
  uint8_t distHi[256] = {};             // (dist - 1) >> 7 otherwise
  constexpr Tables() {
    for (int c = 0; c < 29; c++) {
      for (uint32_t l = kLenBase[c]; l < kLenBase[c] + (1u << kLenExtra[c]) && l <= kMaxMatch;
           l++) {
        lenCode[l] = uint8_t(c);
      }
    }
    lenCode[258] = 28;  // 258 also fits code 284's range; the format wants 285
    for (int c = 0; c < 30; c++) {
      for (uint32_t d = kDistBase[c]; d < kDistBase[c] + (1u << kDistExtra[c]); d++) {
        if (d - 1 < 256) {
          distLo[d - 1] = uint8_t(c);
        } else {
          distHi[(d - 1) >> 7] = uint8_t(c);
        }
      }
    }
  }
  constexpr uint32_t distCode(uint32_t dist) const {
    return dist <= 256 ? distLo[dist - 1] : distHi[(dist - 1) >> 7];
  }
};

// Built at compile time: no guard to check on every symbol.
constexpr Tables kTables;

inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

// Equal bytes at a and b (b before a, maybe overlapping it), at most `max`.
inline uint32_t matchLength(const uint8_t* a, const uint8_t* b, uint32_t max) {
  uint32_t n = 0;
#ifdef __wasm_simd128__
  while (n + 16 <= max) {
    const uint32_t ne =
        ~uint32_t(wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(a + n), wasm_v128_load(b + n)))) &
        0xFFFF;
    if (ne) return n + uint32_t(__builtin_ctz(ne));
    n += 16;
  }
#endif
  while (n + 8 <= max) {
    uint64_t x = load64(a + n) ^ load64(b + n);
    if (x) return n + uint32_t(__builtin_ctzll(x) >> 3);
    n += 8;
  }
  while (n < max && a[n] == b[n]) n++;
  return n;
}

// Code lengths (at most maxBits) of a Huffman code for `freq`: a plain Huffman tree built from
// the sorted leaves with two queues, then any over-long codes folded back in (zlib and miniz do
// the same), keeping the code complete. Always gives at least two symbols a code, which every
// inflater accepts.
void buildLengths(const uint32_t* freq, int n, int maxBits, uint8_t* lens) {
  struct Leaf {
    uint32_t f;
    uint16_t sym;
  };
  Leaf leaves[286];
  int m = 0;
  for (int i = 0; i < n; i++) {
    lens[i] = 0;
    if (freq[i]) leaves[m++] = Leaf{freq[i], uint16_t(i)};
  }
  for (int i = 0; m < 2; i++) {
    if (!freq[i]) leaves[m++] = Leaf{0, uint16_t(i)};
  }
  std::sort(leaves, leaves + m,
            [](const Leaf& a, const Leaf& b) { return a.f != b.f ? a.f < b.f : a.sym < b.sym; });
  uint32_t w[2 * 286];
  uint16_t parent[2 * 286];
  uint16_t depth[2 * 286];
  for (int i = 0; i < m; i++) w[i] = leaves[i].f;
  int li = 0, ii = m;
  auto take = [&](int next) { return li < m && (ii >= next || w[li] <= w[ii]) ? li++ : ii++; };
  for (int next = m; next < 2 * m - 1; next++) {
    int a = take(next), b = take(next);
    w[next] = w[a] + w[b];
    parent[a] = parent[b] = uint16_t(next);
  }
  depth[2 * m - 2] = 0;
  uint32_t count[2 * 286] = {};
  for (int k = 2 * m - 3; k >= 0; k--) {
    depth[k] = uint16_t(depth[parent[k]] + 1);
    if (k < m) count[depth[k]]++;
  }
  uint32_t total = 0;
  for (int l = maxBits + 1; l < 2 * m; l++) count[maxBits] += count[l], count[l] = 0;
  for (int l = maxBits; l > 0; l--) total += count[l] << (maxBits - l);
  while (total != 1u << maxBits) {
    count[maxBits]--;
    for (int l = maxBits - 1; l > 0; l--) {
      if (count[l]) {
        count[l]--;
        count[l + 1] += 2;
        break;
      }
    }
    total--;
  }
  // The most frequent symbols (at the end) get the shortest codes.
  int k = m - 1;
  for (int l = 1; l <= maxBits; l++) {
    for (uint32_t c = 0; c < count[l]; c++) lens[leaves[k--].sym] = uint8_t(l);
  }
}

// Canonical codes for `lens`, bit-reversed: deflate sends Huffman codes from their top bit while
// everything else goes least significant bit first.
void makeCodes(const uint8_t* lens, int n, uint16_t* codes) {
  uint32_t count[16] = {}, next[16] = {};
  for (int i = 0; i < n; i++) count[lens[i]]++;
  count[0] = 0;
  uint32_t code = 0;
  for (int b = 1; b < 16; b++) {
    code = (code + count[b - 1]) << 1;
    next[b] = code;
  }
  for (int i = 0; i < n; i++) {
    if (!lens[i]) continue;
    uint32_t c = next[lens[i]]++, r = 0;
    for (int b = 0; b < lens[i]; b++) r = r << 1 | ((c >> b) & 1);
    codes[i] = uint16_t(r);
  }
}

}  // namespace

DeflateStream::DeflateStream(std::vector<uint8_t>& out, size_t maxBytes)
    : out_(out),
      maxBytes_(maxBytes),
      head_(size_t(1) << kHashBits, 0),
      symbols_(new Symbol[kBlockSymbols]) {
  std::fill(std::begin(litLenFreq_), std::end(litLenFreq_), 0);
  std::fill(std::begin(distFreq_), std::end(distFreq_), 0);
}

void DeflateStream::setRowDistance(size_t bytes) {
  rowDistance_ = bytes <= kWindow ? uint32_t(bytes) : 0;
}

uint8_t* DeflateStream::reserve(size_t n) {
  if (inSize_ < end_ - base_ + n) {
    // Slide: keep the window before pos_ and what is not compressed yet.
    const size_t keep = pos_ > base_ + kWindow ? pos_ - kWindow : base_;
    if (keep > base_) {
      memmove(in_.get(), in_.get() + (keep - base_), end_ - keep);
      base_ = keep;
    }
    if (inSize_ < end_ - base_ + n) {
      // Room for a few more pieces before the next slide. Not zeroed: every byte is written by
      // the caller before it is read.
      const size_t size = 2 * (end_ - base_ + n) + kWindow;
      std::unique_ptr<uint8_t[]> bigger(new uint8_t[size]);
      if (end_ > base_) memcpy(bigger.get(), in_.get(), end_ - base_);
      in_ = std::move(bigger);
      inSize_ = size;
    }
  }
  return in_.get() + (end_ - base_);
}

bool DeflateStream::commit(size_t n) {
  end_ += n;
  if (!tooLarge_) compress(false);
  return !tooLarge_;
}

bool DeflateStream::finish() {
  if (!tooLarge_) compress(true);
  if (!tooLarge_ && flushBlock(true)) {
    for (; bitCount_ > 0; bitCount_ -= 8, bits_ >>= 8) out_.push_back(uint8_t(bits_));
    bitCount_ = 0;
  }
  return !tooLarge_;
}

inline void DeflateStream::emitLiteral(uint8_t b) {
  symbols_[symbolCount_++] = Symbol{b, 0};
  litLenFreq_[b]++;
}

inline void DeflateStream::emitMatch(uint32_t len, uint32_t dist) {
  symbols_[symbolCount_++] = Symbol{uint16_t(len), uint16_t(dist)};
  litLenFreq_[257 + kTables.lenCode[len]]++;
  distFreq_[kTables.distCode(dist)]++;
}

void DeflateStream::compress(bool all) {
  // Locals, so that the symbol stores in the loop need not reload them.
  const size_t base = base_, end = end_, rowDistance = rowDistance_;
  const size_t limit = all ? end : end > kLookahead ? end - kLookahead : 0;
  const uint8_t* in = in_.get();
  uint32_t* head = head_.data();
  size_t p = pos_;
  while (p < limit) {
    const uint8_t* cur = in + (p - base);
    const uint32_t max = uint32_t(std::min<size_t>(kMaxMatch, end - p));
    uint32_t best = 0, bestDist = 0;
    // A run of the byte before: backdrop, gutter and spaces, and rows of Up-filter zeros.
    if (p > base && cur[-1] == cur[0] && max >= 3) {
      best = matchLength(cur, cur - 1, max);
      bestDist = 1;
    }
    // The same bytes one row up: the gaps between glyphs, the window's sides.
    if (best < kGoodRun && rowDistance && p >= base + rowDistance && max >= 4) {
      const uint32_t len = matchLength(cur, cur - rowDistance, max);
      if (len > best) best = len, bestDist = uint32_t(rowDistance);
    }
    if (best < kGoodRun && max >= 4) {
      const uint32_t v = load32(cur);
      uint32_t& slot = head[(v * 2654435761u) >> (32 - kHashBits)];
      const size_t cand = slot;
      slot = uint32_t(p);
      if (cand >= base && cand < p && p - cand <= kWindow && load32(in + (cand - base)) == v) {
        const uint32_t len = matchLength(cur, in + (cand - base), max);
        if (len > best) best = len, bestDist = uint32_t(p - cand);
      }
    }
    if (best >= 3) {
      emitMatch(best, bestDist);
      p += best;
    } else {
      emitLiteral(*cur);
      p++;
    }
    if (symbolCount_ == kBlockSymbols && !flushBlock(false)) break;
  }
  pos_ = p;
}

bool DeflateStream::flushBlock(bool last) {
  if (symbolCount_ == 0 && !last) return true;
  const Tables& t = kTables;
  litLenFreq_[256] = 1;  // end of block
  uint8_t litLenLens[286], distLens[30];
  uint16_t litLenCodes[286], distCodes[30];
  buildLengths(litLenFreq_, 286, 15, litLenLens);
  buildLengths(distFreq_, 30, 15, distLens);
  makeCodes(litLenLens, 286, litLenCodes);
  makeCodes(distLens, 30, distCodes);
  int hlit = 286, hdist = 30;
  while (hlit > 257 && !litLenLens[hlit - 1]) hlit--;
  while (hdist > 1 && !distLens[hdist - 1]) hdist--;

  // The code lengths, run-length coded with symbols 16 (repeat the last 3-6 times), 17 (3-10
  // zeros) and 18 (11-138 zeros).
  uint8_t seq[286 + 30];
  memcpy(seq, litLenLens, size_t(hlit));
  memcpy(seq + hlit, distLens, size_t(hdist));
  const int total = hlit + hdist;
  struct Cl {
    uint8_t sym, extra;
  } cl[286 + 30];
  int ncl = 0;
  uint32_t clFreq[19] = {};
  auto clEmit = [&](int sym, int extra) {
    cl[ncl++] = Cl{uint8_t(sym), uint8_t(extra)};
    clFreq[sym]++;
  };
  for (int i = 0; i < total;) {
    const uint8_t v = seq[i];
    int run = 1;
    while (i + run < total && seq[i + run] == v) run++;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        int r = std::min(run, 138);
        clEmit(18, r - 11);
        run -= r;
      }
      if (run >= 3) clEmit(17, run - 3), run = 0;
    } else {
      clEmit(v, 0);
      run--;
      while (run >= 3) {
        int r = std::min(run, 6);
        clEmit(16, r - 3);
        run -= r;
      }
    }
    while (run-- > 0) clEmit(v, 0);
  }
  uint8_t clLens[19];
  uint16_t clCodes[19];
  buildLengths(clFreq, 19, 7, clLens);
  makeCodes(clLens, 19, clCodes);
  int hclen = 19;
  while (hclen > 4 && !clLens[kClOrder[hclen - 1]]) hclen--;

  // The block's exact size, so that the output grows once by what is written.
  uint64_t blockBits = 3 + 5 + 5 + 4 + 3 * uint64_t(hclen);
  for (int i = 0; i < ncl; i++) {
    const uint8_t sym = cl[i].sym;
    blockBits += clLens[sym] + (sym == 16 ? 2 : sym == 17 ? 3 : sym == 18 ? 7 : 0);
  }
  for (int i = 0; i < 286; i++) blockBits += uint64_t(litLenFreq_[i]) * litLenLens[i];
  for (int i = 0; i < 29; i++) blockBits += uint64_t(litLenFreq_[257 + i]) * kLenExtra[i];
  for (int i = 0; i < 30; i++) blockBits += uint64_t(distFreq_[i]) * (distLens[i] + kDistExtra[i]);
  const size_t start = out_.size();
  out_.resize(start + size_t((uint64_t(bitCount_) + blockBits) / 8) + 8);
  uint8_t* o = out_.data() + start;
  uint64_t bits = bits_;
  int count = bitCount_;
  auto put = [&](uint32_t v, int n) {
    bits |= uint64_t(v) << count;
    count += n;
    if (count >= 32) {
      for (int k = 0; k < 4; k++) *o++ = uint8_t(bits >> (8 * k));
      bits >>= 32;
      count -= 32;
    }
  };
  put(last ? 1 : 0, 1);
  put(2, 2);  // dynamic Huffman codes
  put(uint32_t(hlit - 257), 5);
  put(uint32_t(hdist - 1), 5);
  put(uint32_t(hclen - 4), 4);
  for (int i = 0; i < hclen; i++) put(clLens[kClOrder[i]], 3);
  for (int i = 0; i < ncl; i++) {
    put(clCodes[cl[i].sym], clLens[cl[i].sym]);
    if (cl[i].sym == 16) put(cl[i].extra, 2);
    if (cl[i].sym == 17) put(cl[i].extra, 3);
    if (cl[i].sym == 18) put(cl[i].extra, 7);
  }
  // The symbols: whole bytes leave after each one, eight at a time (the buffer has eight bytes
  // of slack; the bytes past the whole ones are written again by the next store).
  auto flush = [&] {
    memcpy(o, &bits, 8);
    o += count >> 3;
    bits >>= count & 56;
    count &= 7;
  };
  flush();
  // A match length's code and extra bits as one field.
  uint32_t lenField[kMaxMatch + 1];
  uint8_t lenBits[kMaxMatch + 1];
  for (uint32_t len = 3; len <= kMaxMatch; len++) {
    const uint32_t lc = t.lenCode[len];
    lenField[len] = litLenCodes[257 + lc] | (len - kLenBase[lc]) << litLenLens[257 + lc];
    lenBits[len] = uint8_t(litLenLens[257 + lc] + kLenExtra[lc]);
  }
  for (size_t i = 0; i < symbolCount_; i++) {
    const Symbol s = symbols_[i];
    if (s.dist == 0) {
      bits |= uint64_t(litLenCodes[s.litLen]) << count;
      count += litLenLens[s.litLen];
    } else {
      bits |= uint64_t(lenField[s.litLen]) << count;
      count += lenBits[s.litLen];
      const uint32_t dc = t.distCode(s.dist);
      bits |= uint64_t(distCodes[dc] | uint32_t(s.dist - kDistBase[dc]) << distLens[dc]) << count;
      count += distLens[dc] + kDistExtra[dc];
    }
    flush();
  }
  bits |= uint64_t(litLenCodes[256]) << count;
  count += litLenLens[256];
  flush();
  bits_ = bits;
  bitCount_ = count;
  out_.resize(size_t(o - out_.data()));

  symbolCount_ = 0;
  std::fill(std::begin(litLenFreq_), std::end(litLenFreq_), 0);
  std::fill(std::begin(distFreq_), std::end(distFreq_), 0);
  if (out_.size() > maxBytes_) tooLarge_ = true;
  return !tooLarge_;
}

}  // namespace render
