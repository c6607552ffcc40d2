// DeflateStream: whatever the input and however it is cut into pieces, zlib inflates it back.
#include <zlib.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "encode/deflate.h"

using namespace render;

namespace {

std::vector<uint8_t> compress(const std::vector<uint8_t>& in, size_t piece, bool& ok,
                              size_t maxBytes = SIZE_MAX, size_t rowBytes = 0) {
  std::vector<uint8_t> out;
  DeflateStream d(out, maxBytes);
  d.setRowDistance(rowBytes);
  ok = true;
  for (size_t at = 0; at < in.size() && ok; at += piece) {
    const size_t n = std::min(piece, in.size() - at);
    std::copy(in.begin() + std::ptrdiff_t(at), in.begin() + std::ptrdiff_t(at + n), d.reserve(n));
    ok = d.commit(n);
  }
  ok = ok && d.finish();
  return out;
}

bool inflateRaw(const std::vector<uint8_t>& z, size_t expected, std::vector<uint8_t>& out) {
  out.assign(expected + 16, 0);
  z_stream s{};
  if (inflateInit2(&s, -15) != Z_OK) return false;
  s.next_in = const_cast<Bytef*>(z.data());
  s.avail_in = uInt(z.size());
  s.next_out = out.data();
  s.avail_out = uInt(out.size());
  const int rc = inflate(&s, Z_FINISH);
  out.resize(s.total_out);
  // Every byte of the stream is used: nothing after the final block.
  const bool whole = s.avail_in == 0;
  inflateEnd(&s);
  return rc == Z_STREAM_END && whole;
}

std::vector<uint8_t> noise(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) {
    seed = seed * 1664525u + 1013904223u;
    b = uint8_t(seed >> 24);
  }
  return v;
}

// Rows like a code card's: filter byte, runs of a few indices, glyph-like patterns that recur,
// and repeated rows as Up-filter zeros.
std::vector<uint8_t> cardRows(int w, int h) {
  std::vector<uint8_t> v;
  for (int y = 0; y < h; y++) {
    if (y % 3 == 2) {
      v.push_back(2);
      v.insert(v.end(), size_t(w), 0);
      continue;
    }
    v.push_back(0);
    for (int x = 0; x < w; x++) {
      const int cell = x / 9, inCell = x % 9;
      const bool ink = cell % 5 != 0 && (inCell * 7 + y * 3 + cell) % 11 < 4;
      v.push_back(uint8_t(x < 40 ? 1 : ink ? 2 + (cell + y) % 7 : 0));
    }
  }
  return v;
}

}  // namespace

TEST_CASE("deflate streams inflate to their input, however the input is cut", "[render]") {
  struct Case {
    const char* name;
    std::vector<uint8_t> data;
  };
  const Case cases[] = {
      {"empty", {}},
      {"one byte", {42}},
      {"three bytes", {7, 7, 7}},
      {"a long run (matches of 258 at distance 1)", std::vector<uint8_t>(100000, 0)},
      {"noise (literals only)", noise(70000, 3)},
      {"code card rows, over two 32 KB windows", cardRows(801, 300)},
      {"text",
       [] {
         std::string s;
         for (int i = 0; i < 2000; i++) s += "line " + std::to_string(i * 7919 % 1000) + " ok\n";
         return std::vector<uint8_t>(s.begin(), s.end());
       }()},
  };
  for (const Case& c : cases) {
    // Rows of 801 bytes (a code card's), 3 (too short to matter) or 40000 (beyond the window).
    for (size_t rowBytes : {size_t(0), size_t(3), size_t(801), size_t(40000)}) {
      DYNAMIC_SECTION(c.name << ", rows of " << rowBytes) {
        std::vector<uint8_t> first;
        for (size_t piece : {size_t(1), size_t(7), size_t(801), size_t(40000), c.data.size() + 1}) {
          INFO("pieces of " << piece);
          bool ok = false;
          std::vector<uint8_t> z = compress(c.data, piece, ok, SIZE_MAX, rowBytes);
          REQUIRE(ok);
          std::vector<uint8_t> back;
          REQUIRE(inflateRaw(z, c.data.size(), back));
          CHECK(back == c.data);
          // The parse does not depend on where pieces end.
          if (first.empty()) first = z;
          CHECK(z == first);
        }
      }
    }
  }
}

TEST_CASE("deflate compresses code card rows and runs like a real compressor", "[render]") {
  bool ok = false;
  const std::vector<uint8_t> zeros(100000, 0);
  CHECK(compress(zeros, zeros.size(), ok).size() < 200);
  const std::vector<uint8_t> card = cardRows(801, 300);
  std::vector<uint8_t> ours = compress(card, 65536, ok, SIZE_MAX, 801);
  REQUIRE(ok);
  // Near zlib's fastest level on the same rows. (On real code cards, whose glyphs recur more
  // exactly than these, it is smaller: bench/results/render.md.)
  uLongf zlibSize = compressBound(uLong(card.size()));
  std::vector<uint8_t> zl(zlibSize);
  REQUIRE(compress2(zl.data(), &zlibSize, card.data(), uLong(card.size()), 1) == Z_OK);
  CHECK(ours.size() < zlibSize * 13 / 10);
  CHECK(ours.size() < card.size() / 10);
}

TEST_CASE("deflate stops once the stream passes the byte cap", "[render]") {
  bool ok = true;
  std::vector<uint8_t> z = compress(noise(500000, 9), 65536, ok, 100000);
  CHECK_FALSE(ok);
  CHECK(z.size() < 300000);  // it stopped near the cap instead of compressing everything
}
