#include "image.h"

#include <zlib.h>

#include <cmath>
#include <cstring>

namespace gen {
namespace {

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v >> 24));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}

void chunk(std::vector<uint8_t>& out, const char* type, const uint8_t* data, size_t len) {
  put32(out, uint32_t(len));
  size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  if (len) out.insert(out.end(), data, data + len);
  uLong crc = crc32(0L, out.data() + start, uInt(out.size() - start));
  put32(out, uint32_t(crc));
}

}  // namespace

std::vector<uint8_t> encodeRgbPng(const std::vector<uint8_t>& rgb, int w, int h) {
  size_t stride = size_t(w) * 3;
  std::vector<uint8_t> raw;
  raw.reserve((stride + 1) * size_t(h));
  for (int y = 0; y < h; y++) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), rgb.begin() + y * stride, rgb.begin() + (y + 1) * stride);
  }
  uLongf zlen = compressBound(uLong(raw.size()));
  std::vector<uint8_t> z(zlen);
  // Level 1: the picture is smooth and the time matters more than a few KB.
  if (compress2(z.data(), &zlen, raw.data(), uLong(raw.size()), 1) != Z_OK) return {};
  z.resize(zlen);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  uint8_t ihdr[13];
  uint32_t W = uint32_t(w), H = uint32_t(h);
  uint8_t dims[8] = {uint8_t(W >> 24), uint8_t(W >> 16), uint8_t(W >> 8), uint8_t(W),
                     uint8_t(H >> 24), uint8_t(H >> 16), uint8_t(H >> 8), uint8_t(H)};
  memcpy(ihdr, dims, 8);
  ihdr[8] = 8;   // bit depth
  ihdr[9] = 2;   // truecolour
  ihdr[10] = 0;  // deflate
  ihdr[11] = 0;  // adaptive filtering
  ihdr[12] = 0;  // no interlace
  chunk(out, "IHDR", ihdr, sizeof ihdr);
  chunk(out, "IDAT", z.data(), z.size());
  chunk(out, "IEND", nullptr, 0);
  return out;
}

std::vector<uint8_t> drawBuiltin(std::string_view prompt, uint64_t seed, int w, int h) {
  uint64_t k = fnv1a(prompt, 1469598103934665603ull ^ seed);
  auto byte = [&](int i) { return float((k >> (i * 8)) & 0xff); };
  float a[3] = {byte(0), byte(1), byte(2)};
  float b[3] = {byte(3), 255 - byte(4), byte(5)};
  float cx = w * (0.2f + 0.6f * byte(6) / 255.f), cy = h * (0.2f + 0.6f * byte(7) / 255.f);
  float period = 6.f + float((k >> 20) % 18);
  std::vector<uint8_t> rgb(size_t(w) * size_t(h) * 3);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      float t = float(x + y) / float(w + h);
      float dx = x - cx, dy = y - cy;
      float ring = 0.5f + 0.5f * std::sin(std::sqrt(dx * dx + dy * dy) / period);
      uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
      for (int c = 0; c < 3; c++) {
        float v = (a[c] * (1 - t) + b[c] * t) * (0.75f + 0.25f * ring);
        p[c] = uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
      }
    }
  }
  return encodeRgbPng(rgb, w, h);
}

std::string base64Encode(std::span<const uint8_t> in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    const uint32_t v = uint32_t(in[i]) << 16 | (i + 1 < in.size() ? uint32_t(in[i + 1]) << 8 : 0) |
                       (i + 2 < in.size() ? uint32_t(in[i + 2]) : 0);
    out += k[v >> 18 & 63];
    out += k[v >> 12 & 63];
    out += i + 1 < in.size() ? k[v >> 6 & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return out;
}

bool base64Decode(std::string_view in, std::vector<uint8_t>& out) {
  out.clear();
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=' || c == ' ' || c == '\n' || c == '\r')
      continue;
    else
      return false;
    acc = acc << 6 | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  return !out.empty();
}

}  // namespace gen
