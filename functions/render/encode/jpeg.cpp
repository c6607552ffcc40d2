#include "encode/jpeg.h"

#include <algorithm>
#include <climits>
#include <cstring>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace render {

namespace {

// Four floats or ints, as clang's vector extension: SIMD in wasm (-msimd128) and natively alike.
typedef float F4 __attribute__((vector_size(16)));
typedef int32_t I4 __attribute__((vector_size(16)));
typedef uint32_t U4 __attribute__((vector_size(16)));

// ITU T.81 Annex K: the example quantisation tables (natural order), scaled by quality as the
// IJG library does, and the example Huffman tables (code counts per length, then the symbols).
constexpr uint8_t kLumaQuant[64] = {16,  11,  10,  16,  24, 40, 51,  61,  12,  12,  14,  19,  26,
                                    58,  60,  55,  14,  13, 16, 24,  40,  57,  69,  56,  14,  17,
                                    22,  29,  51,  87,  80, 62, 18,  22,  37,  56,  68,  109, 103,
                                    77,  24,  35,  55,  64, 81, 104, 113, 92,  49,  64,  78,  87,
                                    103, 121, 120, 101, 72, 92, 95,  98,  112, 100, 103, 99};
constexpr uint8_t kChromaQuant[64] = {
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
    99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};
// Zigzag position -> natural index (row * 8 + column).
constexpr uint8_t kZigzag[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

// Position in codeBlock's transposed coefficients (horizontal frequency u * 8 + vertical v) ->
// zigzag position.
struct ZigzagOf {
  uint8_t of[64] = {};
  constexpr ZigzagOf() {
    for (int k = 0; k < 64; k++) of[(kZigzag[k] & 7) * 8 + (kZigzag[k] >> 3)] = uint8_t(k);
  }
  constexpr uint8_t operator[](int pos) const { return of[pos]; }
};
constexpr ZigzagOf kZigzagOf;

struct HuffSpec {
  uint8_t counts[16];
  uint8_t symbols[162];
  int n;
};
constexpr HuffSpec kDcLuma = {
    {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12};
constexpr HuffSpec kDcChroma = {
    {0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12};
constexpr HuffSpec kAcLuma = {
    {0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d},
    {0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61,
     0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52,
     0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25,
     0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45,
     0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
     0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
     0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
     0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
     0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3,
     0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8,
     0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa},
    162};
constexpr HuffSpec kAcChroma = {
    {0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77},
    {0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61,
     0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33,
     0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18,
     0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44,
     0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63,
     0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
     0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
     0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4,
     0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
     0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
     0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa},
    162};

// Canonical codes (Annex C) by symbol.
struct HuffCodes {
  uint16_t code[256] = {};
  uint8_t len[256] = {};
  explicit HuffCodes(const HuffSpec& s) {
    uint32_t c = 0;
    int k = 0;
    for (int l = 1; l <= 16; l++) {
      for (int i = 0; i < s.counts[l - 1]; i++, k++, c++) {
        code[s.symbols[k]] = uint16_t(c);
        len[s.symbols[k]] = uint8_t(l);
      }
      c <<= 1;
    }
  }
};

// The AAN scale factors of the float DCT (jfdctflt), folded into the quantisation.
constexpr float kAan[8] = {1.0f, 1.387039845f, 1.306562965f, 1.175875602f,
                           1.0f, 0.785694958f, 0.541196100f, 0.275899379f};

// One 1-D AAN forward DCT over eight vectors, four independent transforms at once.
inline void dct8(F4* d) {
  const F4 t0 = d[0] + d[7], t7 = d[0] - d[7];
  const F4 t1 = d[1] + d[6], t6 = d[1] - d[6];
  const F4 t2 = d[2] + d[5], t5 = d[2] - d[5];
  const F4 t3 = d[3] + d[4], t4 = d[3] - d[4];
  F4 a = t0 + t3, b = t1 + t2;
  const F4 e13 = t0 - t3, e12 = t1 - t2;
  d[0] = a + b;
  d[4] = a - b;
  const F4 z1 = (e12 + e13) * 0.707106781f;
  d[2] = e13 + z1;
  d[6] = e13 - z1;
  a = t4 + t5;
  b = t5 + t6;
  const F4 c = t6 + t7;
  const F4 z5 = (a - c) * 0.382683433f;
  const F4 z2 = a * 0.541196100f + z5;
  const F4 z4 = c * 1.306562965f + z5;
  const F4 z3 = b * 0.707106781f;
  const F4 z11 = t7 + z3, z13 = t7 - z3;
  d[5] = z13 + z2;
  d[3] = z13 - z2;
  d[1] = z11 + z4;
  d[7] = z11 - z4;
}

inline void transpose4(F4& a, F4& b, F4& c, F4& d) {
  const F4 t0 = __builtin_shufflevector(a, b, 0, 4, 1, 5);
  const F4 t1 = __builtin_shufflevector(a, b, 2, 6, 3, 7);
  const F4 t2 = __builtin_shufflevector(c, d, 0, 4, 1, 5);
  const F4 t3 = __builtin_shufflevector(c, d, 2, 6, 3, 7);
  a = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  b = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  c = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  d = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  void byte(uint8_t b) { out_.push_back(b); }
  void word(uint16_t w) { byte(uint8_t(w >> 8)), byte(uint8_t(w)); }
  void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
  // Entropy-coded data: most significant bit first, a 0 after every 0xFF byte.
  void reserve(size_t n) {
    if (out_.size() < used_ + n) out_.resize(std::max(out_.size() * 2, used_ + n));
  }
  void beginScan() {
    used_ = out_.size();
    reserve(64 * 1024);
  }
  inline void bits(uint32_t v, int n) {
    acc_ = acc_ << n | v;
    count_ += n;
    if (count_ >= 32) {
      uint8_t* o = out_.data() + used_;
      for (int i = 0; i < 4; i++) {
        const uint8_t b = uint8_t(acc_ >> (count_ - 8));
        *o++ = b;
        if (b == 0xFF) *o++ = 0;
        count_ -= 8;
      }
      used_ = size_t(o - out_.data());
    }
  }
  void endScan() {
    reserve(16);
    bits((1u << ((8 - count_ % 8) % 8)) - 1, (8 - count_ % 8) % 8);  // pad with 1 bits
    while (count_ > 0) {
      const uint8_t b = uint8_t(acc_ >> (count_ - 8));
      out_[used_++] = b;
      if (b == 0xFF) out_[used_++] = 0;
      count_ -= 8;
    }
    out_.resize(used_);
  }

 private:
  std::vector<uint8_t>& out_;
  size_t used_ = 0;
  uint64_t acc_ = 0;
  int count_ = 0;
};

struct Component {
  float recip[64];  // 1 / (quantiser x AAN scales), in the DCT's transposed output order
  HuffCodes dc, ac;
  int pred = 0;
  Component(const uint8_t* quant, const HuffSpec& dcSpec, const HuffSpec& acSpec)
      : dc(dcSpec), ac(acSpec) {
    for (int row = 0; row < 8; row++) {
      for (int col = 0; col < 8; col++) {
        recip[col * 8 + row] = 1.0f / (float(quant[row * 8 + col]) * kAan[row] * kAan[col] * 8);
      }
    }
  }
};

// Transforms, quantises and codes one 8x8 block of samples (row by row, level-shifted by -128).
void codeBlock(const float* samples, Component& comp, Writer& w) {
  // Row r is lo[r] (columns 0-3) and hi[r] (4-7): the columns' DCT, then the rows'.
  F4 lo[8], hi[8];
  for (int r = 0; r < 8; r++) {
    memcpy(&lo[r], samples + 8 * r, 16);
    memcpy(&hi[r], samples + 8 * r + 4, 16);
  }
  dct8(lo);
  dct8(hi);
  transpose4(lo[0], lo[1], lo[2], lo[3]);
  transpose4(lo[4], lo[5], lo[6], lo[7]);
  transpose4(hi[0], hi[1], hi[2], hi[3]);
  transpose4(hi[4], hi[5], hi[6], hi[7]);
  // Transposed: new rows 0-3 are (lo 0-3 | lo 4-7), new rows 4-7 (hi 0-3 | hi 4-7).
  F4 a[8] = {lo[0], lo[1], lo[2], lo[3], hi[0], hi[1], hi[2], hi[3]};
  F4 b[8] = {lo[4], lo[5], lo[6], lo[7], hi[4], hi[5], hi[6], hi[7]};
  dct8(a);
  dct8(b);
  // a[u] / b[u]: horizontal frequency u, vertical frequencies 0-3 / 4-7, at t[u * 8 + v].
  int32_t q[64];
  for (int u = 0; u < 8; u++) {
    for (int half = 0; half < 2; half++) {
      F4 x;
      memcpy(&x, &comp.recip[u * 8 + half * 4], 16);
      x *= half ? b[u] : a[u];
      // Round half away from zero: add 0.5 with x's sign, then truncate.
      const I4 sign = (I4)x & I4{INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN};
      const F4 half4 = (F4)(sign | (I4)F4{0.5f, 0.5f, 0.5f, 0.5f});
      const I4 r = __builtin_convertvector(x + half4, I4);
      memcpy(&q[u * 8 + half * 4], &r, 16);
    }
  }
  // Which coefficients are not zero (most, at thumbnail qualities, are): a bit per position of
  // q, then only those are moved to their zigzag place. AC values are clamped to ten bits (the
  // Huffman tables' largest size), DC so that its differences fit eleven; only a quality near
  // 100 on extreme contrast comes near either.
  uint64_t natural = 0;
#ifdef __wasm_simd128__
  for (int i = 0; i < 16; i++) {
    const v128_t v = wasm_v128_load(q + 4 * i);
    natural |= uint64_t(wasm_i32x4_bitmask(wasm_i32x4_ne(v, wasm_i32x4_splat(0)))) << (4 * i);
  }
#else
  for (int i = 0; i < 64; i++) natural |= uint64_t(q[i] != 0) << i;
#endif
  int32_t zz[64];
  zz[0] = std::clamp(q[0], -1024, 1023);
  uint64_t nonzero = 0;
  for (uint64_t m = natural & ~uint64_t(1); m; m &= m - 1) {
    const int pos = __builtin_ctzll(m);
    const int k = kZigzagOf[pos];
    zz[k] = std::clamp(q[pos], -1023, 1023);
    nonzero |= uint64_t(1) << k;
  }
  w.reserve(64 * 8);
  auto magnitude = [&](int32_t v, const HuffCodes& h, int run) {
    const uint32_t m = uint32_t(v < 0 ? -v : v);
    const int size = m ? 32 - __builtin_clz(m) : 0;
    const int sym = run << 4 | size;
    w.bits(h.code[sym], h.len[sym]);
    if (size) w.bits(uint32_t(v < 0 ? v - 1 : v) & ((1u << size) - 1), size);
  };
  magnitude(zz[0] - comp.pred, comp.dc, 0);
  comp.pred = zz[0];
  int last = 0;
  for (uint64_t m = nonzero & ~uint64_t(1); m; m &= m - 1) {
    const int k = __builtin_ctzll(m);
    int run = k - last - 1;
    for (; run >= 16; run -= 16) w.bits(comp.ac.code[0xF0], comp.ac.len[0xF0]);
    magnitude(zz[k], comp.ac, run);
    last = k;
  }
  if (last != 63) w.bits(comp.ac.code[0x00], comp.ac.len[0x00]);  // end of block
}

// A pixel as it shows over `matte`, opaque.
inline uint32_t flatten(uint32_t c, Rgba matte) {
  const uint32_t a = c >> 24;
  if (a == 255) return c;
  auto mix = [&](int k, uint32_t m) {
    return (((c >> (8 * k)) & 255) * a + m * (255 - a) + 127) / 255 << (8 * k);
  };
  return mix(0, matte.r) | mix(1, matte.g) | mix(2, matte.b) | 0xFF000000u;
}

void quantTable(const uint8_t* base, int quality, uint8_t id, uint8_t* scaled, Writer& w) {
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  for (int i = 0; i < 64; i++)
    scaled[i] = uint8_t(std::clamp((base[i] * scale + 50) / 100, 1, 255));
  w.byte(id);
  for (int k = 0; k < 64; k++) w.byte(scaled[kZigzag[k]]);
}

void huffTable(const HuffSpec& s, uint8_t classAndId, Writer& w) {
  w.byte(classAndId);
  w.bytes(s.counts, 16);
  w.bytes(s.symbols, size_t(s.n));
}

}  // namespace

bool encodeJpeg(const std::vector<uint32_t>& rgba, int w, int h, int quality, Rgba matte,
                std::vector<uint8_t>& out) {
  out.clear();
  if (w <= 0 || h <= 0 || w > 65535 || h > 65535 || rgba.size() != size_t(w) * size_t(h)) {
    return false;
  }
  quality = std::clamp(quality, 1, 100);
  Writer wr(out);
  static const uint8_t kHead[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F',
                                  0,    1,    1,    0,    0, 1,  0,   1,   0,   0};
  wr.bytes(kHead, sizeof kHead);
  uint8_t lumaQ[64], chromaQ[64];
  wr.word(0xFFDB);
  wr.word(2 + 2 * 65);
  quantTable(kLumaQuant, quality, 0, lumaQ, wr);
  quantTable(kChromaQuant, quality, 1, chromaQ, wr);
  // Baseline, 8-bit, three components. Up to quality 90 colour is sampled once per 2x2 pixels
  // (4:2:0: Y sampled 2x2 against Cb and Cr); above it, at every pixel (4:4:4), as
  // stb_image_write did: hard colour edges blur at half resolution, which a high quality should
  // not.
  const bool subsample = quality <= 90;
  const int mcu = subsample ? 16 : 8;
  const uint8_t sof[] = {0xFF,       0xC0,
                         0,          17,
                         8,          uint8_t(h >> 8),
                         uint8_t(h), uint8_t(w >> 8),
                         uint8_t(w), 3,
                         1,          uint8_t(subsample ? 0x22 : 0x11),
                         0,          2,
                         0x11,       1,
                         3,          0x11,
                         1};
  wr.bytes(sof, sizeof sof);
  wr.word(0xFFC4);
  wr.word(uint16_t(2 + 4 * 17 + kDcLuma.n + kAcLuma.n + kDcChroma.n + kAcChroma.n));
  huffTable(kDcLuma, 0x00, wr);
  huffTable(kAcLuma, 0x10, wr);
  huffTable(kDcChroma, 0x01, wr);
  huffTable(kAcChroma, 0x11, wr);
  static const uint8_t kSos[] = {0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0};
  wr.bytes(kSos, sizeof kSos);

  Component y(lumaQ, kDcLuma, kAcLuma), cb(chromaQ, kDcChroma, kAcChroma),
      cr(chromaQ, kDcChroma, kAcChroma);
  wr.beginScan();
  // Each block of mcu x mcu pixels: RGB (translucent pixels over the matte; past the edge, the
  // edge repeated) to Y for its 8x8 blocks and Cb, Cr (averaged over 2x2 pixels when
  // subsampled), a row of mcu pixels at a time. Not rounded to integers, which would only add
  // noise for the DCT to code.
  float ys[4][64], cbs[64], crs[64];
  uint32_t edge[16];
  const int vectors = mcu / 4;
  for (int by = 0; by < h; by += mcu) {
    for (int bx = 0; bx < w; bx += mcu) {
      F4 sumR[4], sumG[4], sumB[4];
      for (int yy = 0; yy < mcu; yy++) {
        const uint32_t* src = rgba.data() + size_t(std::min(by + yy, h - 1)) * size_t(w) + bx;
        U4 px[4];
        bool copy = bx + mcu > w;
        // Constant sizes, so that the copies are vector loads rather than memory.copy calls.
        if (!copy) {
          subsample ? memcpy(px, src, 64) : memcpy(px, src, 32);
          U4 all = px[0] & px[1];
          if (subsample) all &= px[2] & px[3];
          copy = (all[0] & all[1] & all[2] & all[3]) >> 24 != 255;
        }
        if (copy) {
          for (int xx = 0; xx < mcu; xx++) edge[xx] = flatten(src[std::min(xx, w - 1 - bx)], matte);
          subsample ? memcpy(px, edge, 64) : memcpy(px, edge, 32);
        }
        F4 r[4], g[4], b[4];
        for (int i = 0; i < vectors; i++) {
          r[i] = __builtin_convertvector(px[i] & 255, F4);
          g[i] = __builtin_convertvector((px[i] >> 8) & 255, F4);
          b[i] = __builtin_convertvector((px[i] >> 16) & 255, F4);
          const F4 luma = r[i] * 0.299f + g[i] * 0.587f + b[i] * 0.114f - 128.0f;
          memcpy(&ys[(yy >> 3) * 2 + (i >> 1)][(yy & 7) * 8 + (i & 1) * 4], &luma, 16);
        }
        if (!subsample) {
          for (int i = 0; i < 2; i++) {
            const F4 cbv = r[i] * -0.168736f + g[i] * -0.331264f + b[i] * 0.5f;
            const F4 crv = r[i] * 0.5f + g[i] * -0.418688f + b[i] * -0.081312f;
            memcpy(&cbs[yy * 8 + i * 4], &cbv, 16);
            memcpy(&crs[yy * 8 + i * 4], &crv, 16);
          }
          continue;
        }
        if (!(yy & 1)) {
          for (int i = 0; i < 4; i++) sumR[i] = r[i], sumG[i] = g[i], sumB[i] = b[i];
          continue;
        }
        for (int i = 0; i < 4; i += 2) {
          // Two rows summed, then neighbouring columns: eight pixels -> four samples of four.
          auto pairs = [&](F4* sum, const F4* v) {
            const F4 a = sum[i] + v[i], c = sum[i + 1] + v[i + 1];
            return __builtin_shufflevector(a, c, 0, 2, 4, 6) +
                   __builtin_shufflevector(a, c, 1, 3, 5, 7);
          };
          const F4 rs = pairs(sumR, r), gs = pairs(sumG, g), bs = pairs(sumB, b);
          // The sums are of four pixels: the coefficients carry a quarter.
          const F4 cbv = rs * -0.0421870f + gs * -0.0828130f + bs * 0.125f;
          const F4 crv = rs * 0.125f + gs * -0.1046865f + bs * -0.0203135f;
          memcpy(&cbs[(yy >> 1) * 8 + i * 2], &cbv, 16);
          memcpy(&crs[(yy >> 1) * 8 + i * 2], &crv, 16);
        }
      }
      for (int i = 0; i < (subsample ? 4 : 1); i++) codeBlock(ys[i], y, wr);
      codeBlock(cbs, cb, wr);
      codeBlock(crs, cr, wr);
    }
  }
  wr.endScan();
  out.push_back(0xFF);
  out.push_back(0xD9);
  return true;
}

}  // namespace render
