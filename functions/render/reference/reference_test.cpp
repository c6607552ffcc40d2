#include "reference/reference.h"

#include <catch2/catch.hpp>

#include <vector>

#include "encode/png.h"
#include "thumbnail/background.h"

namespace {

// A width x height PNG, the left half red, the right half white.
std::vector<uint8_t> halfRed(int w, int h) {
  std::vector<uint32_t> px(size_t(w) * h, 0xffffffffu);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w / 2; x++) px[size_t(y) * w + x] = 0xff1010e0u;  // ABGR: red
  std::vector<uint8_t> out;
  REQUIRE(render::encodePng(px, w, h, out).ok);
  return out;
}

thumb::Image decoded(const std::vector<uint8_t>& bytes) {
  thumb::Image img;
  std::string why;
  REQUIRE(thumb::decodeImage(bytes, img, why));
  return img;
}

}  // namespace

TEST_CASE("a reference photo is re-encoded as a JPEG that fits the model's side", "[thumbnail]") {
  refimg::Output out;
  std::string why;
  REQUIRE(refimg::process(halfRed(2000, 1000), {refimg::Mode::Normalize, 1024}, out, why));
  CHECK(out.contentType == "image/jpeg");
  CHECK(out.width == 1024);
  CHECK(out.height == 512);
  thumb::Image img = decoded(out.bytes);
  CHECK(img.width == 1024);
  // Small photos are not enlarged.
  REQUIRE(refimg::process(halfRed(300, 200), {}, out, why));
  CHECK(out.width == 300);
  CHECK(out.height == 200);
}

TEST_CASE("the built-in model's copy is mirrored, recoloured and the same for the same seed",
          "[thumbnail]") {
  refimg::Options o{refimg::Mode::Builtin, 0, 64, 32, 7};
  refimg::Output a, b, c;
  std::string why;
  REQUIRE(refimg::process(halfRed(300, 150), o, a, why));
  REQUIRE(refimg::process(halfRed(300, 150), o, b, why));
  CHECK(a.bytes == b.bytes);
  o.seed = 8;
  REQUIRE(refimg::process(halfRed(300, 150), o, c, why));
  CHECK(a.bytes != c.bytes);
  thumb::Image img = decoded(a.bytes);
  REQUIRE(img.width == 64);
  REQUIRE(img.height == 32);
  const uint32_t left = img.px[16 * 64 + 4], right = img.px[16 * 64 + 60];
  CHECK((left & 0xffffff) == 0xffffff);  // the white half moved to the left
  const int r = right & 255, g = (right >> 8) & 255, bl = (right >> 16) & 255;
  CHECK_FALSE((r > 180 && g < 80 && bl < 80));  // and the red one is no longer red
  CHECK(r + g + bl < 3 * 230);
}

TEST_CASE("hostile reference bytes are refused with a reason", "[thumbnail]") {
  refimg::Output out;
  std::string why;
  const std::vector<uint8_t> junk = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  CHECK_FALSE(refimg::process(junk, {}, out, why));
  CHECK_FALSE(why.empty());
  std::vector<uint8_t> png = halfRed(40, 40);
  png.resize(png.size() / 2);  // truncated
  why.clear();
  CHECK_FALSE(refimg::process(png, {}, out, why));
  CHECK_FALSE(why.empty());
  std::vector<uint8_t> huge = halfRed(40, 40);  // the header claims 20000 x 20000
  huge[16] = 0, huge[17] = 0, huge[18] = 0x4e, huge[19] = 0x20;
  huge[20] = 0, huge[21] = 0, huge[22] = 0x4e, huge[23] = 0x20;
  why.clear();
  CHECK_FALSE(refimg::process(huge, {}, out, why));
  CHECK_FALSE(why.empty());
}
