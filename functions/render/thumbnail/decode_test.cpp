// Background decoding (decodeImage) on hostile and unusual input: what the fuzzer found is refused
// with a reason, and the PNG flavours models and callers send decode to the pixels they hold.
#include <png.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "encode/jpeg.h"
#include "thumbnail/background.h"
#include "thumbnail/hostile_images.h"

using namespace thumb;

namespace {

// A PNG written by libpng's simplified API: `format` is a PNG_FORMAT_* value, `px` its samples.
std::vector<uint8_t> writePng(int w, int h, uint32_t format, const void* px,
                              const void* colormap = nullptr, int colors = 0) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = uint32_t(w);
  img.height = uint32_t(h);
  img.format = format;
  img.colormap_entries = uint32_t(colors);
  png_alloc_size_t size = 0;
  REQUIRE(png_image_write_to_memory(&img, nullptr, &size, 0, px, 0, colormap));
  std::vector<uint8_t> out(size);
  REQUIRE(png_image_write_to_memory(&img, out.data(), &size, 0, px, 0, colormap));
  out.resize(size);
  return out;
}

// Where the first IDAT chunk starts (its length field).
size_t idatOffset(const std::vector<uint8_t>& png) {
  for (size_t i = 12; i + 4 <= png.size(); i++)
    if (std::memcmp(&png[i], "IDAT", 4) == 0) return i - 4;
  FAIL("no IDAT");
  return 0;
}

// A chunk with its length and CRC.
std::vector<uint8_t> chunk(const char* type, const std::string& data) {
  std::vector<uint8_t> out = {uint8_t(data.size() >> 24), uint8_t(data.size() >> 16),
                              uint8_t(data.size() >> 8), uint8_t(data.size())};
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0, out.data() + 4, uInt(out.size() - 4));
  for (int shift : {24, 16, 8, 0}) out.push_back(uint8_t(crc >> shift));
  return out;
}

uint32_t rgb(int r, int g, int b) {
  return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16;
}

}  // namespace

TEST_CASE("decodeImage: the inputs the fuzzer found are refused with a reason, or decode",
          "[thumbnail]") {
  for (const hostile::Input& in : hostile::kInputs) {
    Image img;
    std::string why;
    INFO(in.name);
    if (in.why) {
      CHECK(!decodeImage(in.bytes, img, why));
      CHECK(why.find(in.why) != std::string::npos);
      CHECK(img.px.empty());
    } else {
      REQUIRE(decodeImage(in.bytes, img, why));
      CHECK(img.px.size() == size_t(img.width) * size_t(img.height));
      std::vector<uint32_t> canvas;
      coverInto(img, canvas);
      CHECK(canvas.size() == size_t(kWidth) * kHeight);
    }
  }
}

TEST_CASE("decodeImage: PNG flavours decode to their pixels, transparency over black",
          "[thumbnail]") {
  struct Case {
    const char* name;
    std::vector<uint8_t> png;
    uint32_t first, last;  // expected RGB of the first and the last of the 3x2 pixels
  };
  const uint8_t gray[6] = {0, 50, 100, 150, 200, 255};
  const uint8_t ga[12] = {255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 200, 128};
  const uint8_t rgbPx[18] = {10, 20, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 250, 240, 230};
  const uint8_t rgba[24] = {200, 100, 50, 128, 0, 0, 0, 0, 0, 0, 0, 0,
                            0,   0,   0,  0,   0, 0, 0, 0, 9, 8, 7, 255};
  // Indexed with a translucent palette entry (PLTE + tRNS).
  const uint8_t palette[8] = {255, 0, 0, 255, 0, 0, 255, 51};
  const uint8_t indices[6] = {0, 1, 1, 1, 1, 1};
  // 16 bits a sample, linear light (gAMA 1.0): half intensity is about 186 in sRGB, not 128.
  const uint16_t linear[18] = {65535, 0, 32768, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 65535};
  const Case cases[] = {
      {"grey", writePng(3, 2, PNG_FORMAT_GRAY, gray), rgb(0, 0, 0), rgb(255, 255, 255)},
      {"grey + alpha", writePng(3, 2, PNG_FORMAT_GA, ga), rgb(255, 255, 255), rgb(100, 100, 100)},
      {"RGB", writePng(3, 2, PNG_FORMAT_RGB, rgbPx), rgb(10, 20, 30), rgb(250, 240, 230)},
      {"RGBA", writePng(3, 2, PNG_FORMAT_RGBA, rgba), rgb(100, 50, 25), rgb(9, 8, 7)},
      {"indexed, tRNS", writePng(3, 2, PNG_FORMAT_RGBA_COLORMAP, indices, palette, 2),
       rgb(255, 0, 0), rgb(0, 0, 51)},
      {"16-bit linear", writePng(3, 2, PNG_FORMAT_LINEAR_RGB, linear), rgb(255, 0, 186),
       rgb(0, 0, 255)},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Image img;
    std::string why;
    REQUIRE(decodeImage(c.png, img, why));
    REQUIRE(img.width == 3);
    REQUIRE(img.height == 2);
    REQUIRE(img.px.size() == 6);
    for (uint32_t p : img.px) CHECK(p >> 24 == 255);  // opaque after compositing
    const uint32_t first = img.px.front() & 0xffffff, last = img.px.back() & 0xffffff;
    for (int k = 0; k < 3; k++) {
      CHECK(std::abs(int(first >> (8 * k) & 255) - int(c.first >> (8 * k) & 255)) <= 1);
      CHECK(std::abs(int(last >> (8 * k) & 255) - int(c.last >> (8 * k) & 255)) <= 1);
    }
  }
}

TEST_CASE("decodeImage: a valid PNG with an empty IDAT chunk still decodes", "[thumbnail]") {
  const uint8_t px[18] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<uint8_t> png = writePng(3, 2, PNG_FORMAT_RGB, px);
  // Zero-length chunks are legal; put one (with its CRC) before the first IDAT.
  const uint8_t empty[12] = {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xaf, 0x06, 0x1e};
  const size_t idat = idatOffset(png);
  png.insert(png.begin() + ptrdiff_t(idat), std::begin(empty), std::end(empty));
  Image img;
  std::string why;
  REQUIRE(decodeImage(png, img, why));
  REQUIRE(img.px.size() == 6);
  CHECK((img.px[0] & 0xffffff) == rgb(10, 20, 30));
  CHECK((img.px[5] & 0xffffff) == rgb(7, 8, 9));
}

TEST_CASE("decodeImage: text and private chunks (as image generators write them) are no obstacle",
          "[thumbnail]") {
  const uint8_t px[18] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<uint8_t> png = writePng(3, 2, PNG_FORMAT_RGB, px);
  // Before IDAT, where libpng reads them with the header: a long prompt in tEXt, compressed
  // text and an ICC profile that are not even valid zlib, and a private chunk.
  std::vector<uint8_t> extra;
  for (auto c : {chunk("tEXt", "parameters" + std::string(1, '\0') + std::string(300000, 'p')),
                 chunk("zTXt", "Comment" + std::string(2, '\0') + "not zlib"),
                 chunk("iCCP", "icc" + std::string(2, '\0') + "not zlib either"),
                 chunk("prVt", std::string(1000, 'x'))}) {
    extra.insert(extra.end(), c.begin(), c.end());
  }
  png.insert(png.begin() + ptrdiff_t(idatOffset(png)), extra.begin(), extra.end());
  Image img;
  std::string why;
  REQUIRE(decodeImage(png, img, why));
  REQUIRE(img.px.size() == 6);
  CHECK((img.px[0] & 0xffffff) == rgb(10, 20, 30));
  CHECK((img.px[5] & 0xffffff) == rgb(7, 8, 9));
}

TEST_CASE("decodeImage: damaged or oversized files are refused", "[thumbnail]") {
  std::vector<uint8_t> gray(64 * 64, 90);
  std::vector<uint8_t> png = writePng(64, 64, PNG_FORMAT_GRAY, gray.data());
  struct Bad {
    const char* name;
    std::vector<uint8_t> bytes;
    const char* why;
  };
  std::vector<uint8_t> cut(png.begin(), png.end() - 30);  // inside the pixel data
  // A bit flipped in IDAT's CRC: the pixel data still inflates, but the checksum says it is not
  // what was written.
  std::vector<uint8_t> flipped = png;
  const size_t idat = idatOffset(png);
  const size_t idatLength =
      size_t(png[idat]) << 24 | png[idat + 1] << 16 | png[idat + 2] << 8 | png[idat + 3];
  flipped[idat + 8 + idatLength] ^= 0x10;
  std::vector<uint8_t> wideJpeg;
  REQUIRE(render::encodeJpeg(std::vector<uint32_t>(5000 * 2, 0xff808080u), 5000, 2, 80,
                             render::Rgba{}, wideJpeg));
  const std::vector<uint8_t> column(4097, 1);
  std::vector<uint8_t> tallPng = writePng(1, 4097, PNG_FORMAT_GRAY, column.data());
  const Bad table[] = {
      {"PNG cut in the pixel data", cut, "past the end"},
      {"PNG with a flipped CRC bit", flipped, "CRC"},
      {"JPEG 5000 px wide", wideJpeg, "4096"},
      {"PNG 4097 px tall", tallPng, "4096"},
  };
  for (const Bad& b : table) {
    INFO(b.name);
    Image img;
    std::string why;
    CHECK(!decodeImage(b.bytes, img, why));
    CHECK(why.find(b.why) != std::string::npos);
  }
}

namespace {

double psnr(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  double se = 0;
  for (size_t i = 0; i < a.size(); i++) {
    for (int k = 0; k < 3; k++) {
      const int d = int((a[i] >> (8 * k)) & 255) - int((b[i] >> (8 * k)) & 255);
      se += d * d;
    }
  }
  return se == 0 ? 99 : 10 * std::log10(255.0 * 255.0 * 3.0 * double(a.size()) / se);
}

}  // namespace

TEST_CASE("our JPEGs decode to the image they were made from", "[thumbnail]") {
  // What thumbnails hold: a smooth gradient, flat areas and hard-edged shapes; sizes that are and
  // are not whole 16x16 blocks.
  for (auto [w, h] :
       {std::pair{1280, 720}, std::pair{37, 23}, std::pair{1, 1}, std::pair{300, 17}}) {
    std::vector<uint32_t> px(size_t(w) * size_t(h));
    const int cell = std::max(5, std::min(w, h) / 8);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        const bool box = (x / cell + y / cell) % 3 == 0;
        px[size_t(y) * w + x] =
            box ? render::Rgba{250, 220, 40, 255}.packed()
                : render::Rgba{uint8_t(x * 255 / w), uint8_t(60 + y * 120 / h), 140, 255}.packed();
      }
    }
    for (int quality : {85, 100, 1}) {
      INFO(w << "x" << h << " quality " << quality);
      std::vector<uint8_t> jpeg;
      REQUIRE(render::encodeJpeg(px, w, h, quality, render::Rgba{}, jpeg));
      CHECK(jpeg[0] == 0xFF);
      CHECK(jpeg[1] == 0xD8);
      CHECK(jpeg[jpeg.size() - 2] == 0xFF);
      CHECK(jpeg[jpeg.size() - 1] == 0xD9);
      Image img;
      std::string why;
      REQUIRE(decodeImage(jpeg, img, why));
      REQUIRE(img.width == w);
      REQUIRE(img.height == h);
      // 4:2:0 (up to quality 90) halves the colour resolution: a yellow and blue checkerboard of
      // 5-pixel cells loses much of its colour; 4:4:4 above 90 keeps it.
      const double p = psnr(px, img.px);
      if (quality == 100) CHECK(p > 48);
      if (quality == 85) CHECK(p > (w == 1280 ? 32 : 17));
      if (quality == 1) CHECK(p > 12);
      if (w == 1280 && quality == 85) CHECK(jpeg.size() < 70000);
    }
  }
  // Translucent pixels show over the matte.
  std::vector<uint32_t> half(64 * 64, render::Rgba{255, 255, 255, 128}.packed());
  std::vector<uint8_t> jpeg;
  REQUIRE(render::encodeJpeg(half, 64, 64, 90, render::Rgba{0, 0, 0, 255}, jpeg));
  Image img;
  std::string why;
  REQUIRE(decodeImage(jpeg, img, why));
  const uint32_t c = img.px[32 * 64 + 32];
  CHECK(std::abs(int(c & 255) - 128) <= 2);
  CHECK(std::abs(int((c >> 16) & 255) - 128) <= 2);
}
