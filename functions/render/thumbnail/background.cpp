#include "thumbnail/background.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <png.h>

#include "shared/utf8.h"

// PNG goes to libpng (deps/, the same library the tests read our PNGs with): it checks every
// chunk's CRC and is fuzzed upstream, where stb_image's PNG path kept having memory bugs
// (zero-length chunks, 16-bit conversion). JPEG stays with stb_image, small and setjmp-free,
// built from the configure-time copy with deps/patches/stb_image-jpeg.patch applied (the
// bounds checks stb added after the 2.27 that Debian ships). Memory only, no SIMD paths (none
// for wasm32), and our own size cap checked from the header (decodeImage).
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_NO_SIMD
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmissing-field-initializers"
#pragma clang diagnostic ignored "-Wsign-compare"
#pragma clang diagnostic ignored "-Wunused-function"
#pragma clang diagnostic ignored "-Wunused-parameter"
#pragma clang diagnostic ignored "-Wimplicit-fallthrough"
#include <stb/stb_image.h>
#pragma clang diagnostic pop

namespace thumb {

namespace {

// Scene words per category: what a designer would put behind such a title.
constexpr const char* kScenes[] = {
    "an eye-catching abstract scene",                                    // general
    "a dramatic video game world with glowing effects",                  // gaming
    "sleek modern technology, devices and circuit light trails",         // tech
    "a bright study desk with books, diagrams and a chalkboard mood",    // education
    "a lively everyday lifestyle scene, warm natural light",             // vlog
    "a concert stage with lights, instruments and sound waves",          // music
    "a newsroom atmosphere with a city skyline and broadcast lights",    // news
    "delicious food on a kitchen table, appetising close-up",            // cooking
    "an energetic gym with weights and dynamic motion",                  // fitness
    "a modern office and financial charts, professional and confident",  // business
    "a breathtaking travel landscape with mountains, sea and open sky",  // travel
};
static_assert(std::size(kScenes) == size_t(Category::Count));

constexpr const char* kStyles[] = {
    "modern digital art, clean composition",                          // modern
    "bold high-contrast colours, dynamic angles",                     // bold
    "minimalist, soft gradients, lots of empty space",                // minimal
    "neon synthwave lighting, dark background with glowing accents",  // neon
};
constexpr const char* kMoods[] = {"balanced mood", "exciting, energetic mood", "calm, relaxed mood",
                                  "serious, dramatic mood"};

// The nearest everyday colour word: image models follow words better than hex codes.
const char* colourWord(render::Rgba c) {
  const double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
  const double mx = std::max({r, g, b}), mn = std::min({r, g, b}), l = (mx + mn) / 2;
  const double d = mx - mn;
  if (d < 0.12) return l < 0.2 ? "black" : l > 0.85 ? "white" : "grey";
  double h;
  if (mx == r)
    h = std::fmod((g - b) / d, 6.0);
  else if (mx == g)
    h = (b - r) / d + 2;
  else
    h = (r - g) / d + 4;
  h *= 60;
  if (h < 0) h += 360;
  if (h < 15 || h >= 340) return "red";
  if (h < 40) return mx > 0.85 && mn > 0.1 && g / std::max(r, 1e-6) > 0.7 ? "gold" : "orange";
  if (h < 70) return "yellow";
  if (h < 165) return "green";
  if (h < 195) return "cyan";
  if (h < 255) return "blue";
  if (h < 290) return "purple";
  return "pink";
}

int value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

const char* algorithmName(Algorithm a) {
  return a == Algorithm::Pro ? "pro" : a == Algorithm::Premium ? "premium" : "basic";
}

bool parseAlgorithm(std::string_view s, Algorithm& out) {
  if (s == "basic") return out = Algorithm::Basic, true;
  if (s == "premium") return out = Algorithm::Premium, true;
  if (s == "pro") return out = Algorithm::Pro, true;
  return false;
}

bool base64Decode(std::string_view in, std::vector<uint8_t>& out) {
  out.clear();
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int v = value(c);
    if (v < 0 || padding) return false;  // data after padding is not base64
    acc = acc << 6 | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  return bits < 6;  // a single leftover character cannot encode a byte
}

namespace {

bool withinLimits(int64_t w, int64_t h, std::string& why) {
  if (w > 0 && h > 0 && w <= kMaxBackgroundSide && h <= kMaxBackgroundSide &&
      w * h <= kMaxBackgroundPixels) {
    return true;
  }
  why = "the image is " + std::to_string(w) + "x" + std::to_string(h) + "; at most " +
        std::to_string(kMaxBackgroundSide) + " px a side";
  return false;
}

bool withinBudget(int64_t need, std::string& why) {
  if (need <= kDecodeBudgetBytes) return true;
  why = "the image would need " + std::to_string((need + (1 << 20) - 1) >> 20) +
        " MB to decode; at most " + std::to_string(kDecodeBudgetBytes >> 20) +
        " MB (send a smaller or baseline JPEG, or a PNG)";
  return false;
}

// A JPEG's frame header: progressive or not, and its component count. stb_image reads the same
// markers; this only looks, allocating nothing. False when no frame header comes first.
bool jpegFrame(std::span<const uint8_t> b, bool& progressive, int& components) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (b[at] != 0xFF) return false;
    const uint8_t m = b[at + 1];
    if (m == 0xFF) {  // fill byte
      at++;
      continue;
    }
    const size_t len = size_t(b[at + 2]) << 8 | b[at + 3];
    if (len < 2) return false;
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (at + 2 + 8 > b.size()) return false;
      progressive = m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE;
      components = b[at + 9];
      return true;
    }
    at += 2 + len;
  }
  return false;
}

// Straight RGBA bytes (R, G, B, A in memory, as Rgba::packed() on little-endian wasm32 and x86)
// -> opaque pixels: transparent areas are shown over black, the colour the scrim darkens towards
// anyway.
void overBlack(std::vector<uint32_t>& px) {
  for (uint32_t& c : px) {
    const uint32_t a = c >> 24;
    if (a == 255) continue;
    c = (c & 255) * a / 255 | ((c >> 8 & 255) * a / 255) << 8 | ((c >> 16 & 255) * a / 255) << 16 |
        0xff000000u;
  }
}

// libpng's simplified reader handles every chunk before IDAT while reading the header, and a
// length past its limits is only a warning there: a 59-byte file declaring a 1.9 GB tEXt chunk
// made it allocate 1.9 GB (found by fuzz_thumbnail), and compressed text or ICC profiles expand
// up to 8 MB a chunk. So libpng gets a copy with the critical chunks (it judges those, known or
// not) and the few ancillary ones that change pixels; a chunk running past the end is refused.
bool pixelChunks(std::span<const uint8_t> png, std::vector<uint8_t>& out, std::string& why) {
  static constexpr char kKept[][5] = {"tRNS", "gAMA", "sRGB", "cHRM", "sBIT"};
  out.assign(png.begin(), png.begin() + 8);
  for (size_t at = 8; at < png.size();) {
    const uint8_t* c = &png[at];
    const size_t room = png.size() - at;  // for length, type, data and CRC
    const size_t length =
        room < 12 ? 0 : size_t(c[0]) << 24 | size_t(c[1]) << 16 | size_t(c[2]) << 8 | c[3];
    if (room < 12 || length > room - 12) {
      why = "the image does not decode: a chunk runs past the end of the file";
      return false;
    }
    const bool critical = !(c[4] & 0x20);
    const bool kept = std::any_of(std::begin(kKept), std::end(kKept),
                                  [&](const char* t) { return std::memcmp(c + 4, t, 4) == 0; });
    if (critical || kept) out.insert(out.end(), c, c + 12 + length);
    at += 12 + length;
    if (std::memcmp(c + 4, "IEND", 4) == 0) break;
  }
  return true;
}

bool decodePng(std::span<const uint8_t> bytes, Image& out, std::string& why) {
  std::vector<uint8_t> chunks;
  if (!pixelChunks(bytes, chunks, why)) return false;
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  // On failure libpng has already released the image; img.message says why.
  if (!png_image_begin_read_from_memory(&img, chunks.data(), chunks.size())) {
    why = std::string("the image header is unreadable: ") + img.message;
    return false;
  }
  // The RGBA result, the chunk copy, and libpng's two rows (16-bit RGBA at most).
  if (!withinLimits(img.width, img.height, why) ||
      !withinBudget(
          int64_t(img.width) * img.height * 4 + int64_t(chunks.size()) + int64_t(img.width) * 16,
          why)) {
    png_image_free(&img);
    return false;
  }
  // 8-bit sRGB RGBA whatever the file holds (grey, palette, tRNS, 16-bit, gAMA); a 16-bit file
  // without colour information is taken as sRGB like an 8-bit one, not as linear light.
  img.format = PNG_FORMAT_RGBA;
  img.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  std::vector<uint32_t> px(size_t(img.width) * img.height);
  // Frees the image whatever the outcome.
  if (!png_image_finish_read(&img, nullptr, px.data(), 0, nullptr)) {
    why = std::string("the image does not decode: ") + img.message;
    return false;
  }
  overBlack(px);
  out.width = int(img.width);
  out.height = int(img.height);
  out.px = std::move(px);
  return true;
}

bool decodeJpeg(std::span<const uint8_t> bytes, Image& out, std::string& why) {
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp)) {
    why = std::string("the image header is unreadable: ") + stbi_failure_reason();
    return false;
  }
  if (!withinLimits(w, h, why)) return false;
  // Where the markers cannot be walked as plainly as stb walks them, assume the worst:
  // progressive, with four components.
  bool progressive = true;
  int components = 4;
  if (!jpegFrame(bytes, progressive, components) || components < 1 || components > 4) {
    progressive = true;
    components = 4;
  }
  // stb's planes (one byte a sample, up to 2x padding for subsampled MCUs counted as the full
  // size), its coefficients when progressive (2 bytes a sample), its RGBA result and our copy.
  const int64_t pixels = int64_t(w) * h;
  if (!withinBudget(pixels * components * (progressive ? 3 : 1) + pixels * 4 * 2, why))
    return false;
  const int headerW = w, headerH = h;
  uint8_t* px = stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp, 4);
  if (!px) {
    why = std::string("the image does not decode: ") + stbi_failure_reason();
    return false;
  }
  if (w != headerW || h != headerH) {  // the checked header is the one decoded, or nothing
    stbi_image_free(px);
    why = "the image does not decode: its size changed while decoding";
    return false;
  }
  out.width = w;
  out.height = h;
  out.px.resize(size_t(w) * h);
  // R, G, B, A bytes as Rgba::packed() lays them out; a JPEG has no alpha, so A is 255.
  std::memcpy(out.px.data(), px, out.px.size() * 4);
  stbi_image_free(px);
  return true;
}

}  // namespace

bool decodeImage(std::span<const uint8_t> bytes, Image& out, std::string& why) {
  out = Image{};
  if (bytes.size() < 8 || bytes.size() > 0x7fffffff) {
    why = "the image is empty or too large";
    return false;
  }
  if (bytes[0] == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
    return decodePng(bytes, out, why);
  }
  if (bytes[0] == 0xFF && bytes[1] == 0xD8) return decodeJpeg(bytes, out, why);
  why = "the image is not PNG or JPEG";
  return false;
}

namespace {

void coverRows(const Image& src, uint32_t* dst, int kWidth, int kHeight) {
  if (src.width <= 0 || src.height <= 0 || kWidth <= 0 || kHeight <= 0) return;
  // Source pixels per destination pixel; the crop window is centred.
  const double scale = std::min(double(src.width) / kWidth, double(src.height) / kHeight);
  const double x0 = (src.width - kWidth * scale) / 2, y0 = (src.height - kHeight * scale) / 2;
  // Samples per axis: enough to cover a shrunk pixel's footprint, one when enlarging (then the
  // sample is bilinear).
  const int n = std::clamp(int(std::ceil(scale)), 1, 4);
  auto at = [&](int x, int y) {
    x = std::clamp(x, 0, src.width - 1), y = std::clamp(y, 0, src.height - 1);
    return src.px[size_t(y) * src.width + x];
  };
  for (int y = 0; y < kHeight; y++) {
    for (int x = 0; x < kWidth; x++) {
      double acc[3] = {0, 0, 0};
      for (int sy = 0; sy < n; sy++) {
        for (int sx = 0; sx < n; sx++) {
          const double fx = x0 + (x + (sx + 0.5) / n) * scale - 0.5;
          const double fy = y0 + (y + (sy + 0.5) / n) * scale - 0.5;
          const int ix = int(std::floor(fx)), iy = int(std::floor(fy));
          const double tx = fx - ix, ty = fy - iy;
          const uint32_t c00 = at(ix, iy), c10 = at(ix + 1, iy), c01 = at(ix, iy + 1),
                         c11 = at(ix + 1, iy + 1);
          for (int k = 0; k < 3; k++) {
            const double a = (c00 >> (8 * k)) & 255, b = (c10 >> (8 * k)) & 255,
                         c = (c01 >> (8 * k)) & 255, d = (c11 >> (8 * k)) & 255;
            acc[k] += (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
          }
        }
      }
      const double inv = 1.0 / (n * n);
      dst[size_t(y) * kWidth + x] = uint32_t(acc[0] * inv + 0.5) |
                                    uint32_t(acc[1] * inv + 0.5) << 8 |
                                    uint32_t(acc[2] * inv + 0.5) << 16 | 0xff000000u;
    }
  }
}

}  // namespace

void coverInto(const Image& src, std::vector<uint32_t>& dst) {
  coverInto(src, kWidth, kHeight, dst);
}

void coverInto(const Image& src, int width, int height, std::vector<uint32_t>& dst) {
  dst.assign(size_t(width) * height, 0xff000000u);
  coverRows(src, dst.data(), width, height);
}

void coverInto(const Image& src, render::Canvas& dst) {
  // A whole-image canvas: its rows are contiguous.
  coverRows(src, dst.row(0), kWidth, kHeight);
}

std::string backgroundPrompt(const Analysis& a, std::string_view title, Algorithm algorithm,
                             Align titleSide) {
  // The title is a topic hint; quotes and brackets in it would read as text to draw, so only its
  // words go in, cut to 100 characters.
  std::string topic;
  size_t chars = 0;
  for (size_t i = 0; i < title.size() && chars < 100;) {
    char32_t cp = utf8::next(title, i);
    if (cp == '"' || cp == '\'' || cp == '`' || cp == 0x201C || cp == 0x201D || cp == 0xAB ||
        cp == 0xBB || cp < 0x20)
      cp = ' ';
    utf8::append(topic, cp);
    chars++;
  }
  std::string p = "YouTube thumbnail background, 16:9, " +
                  std::string(kScenes[size_t(a.category)]) + ", inspired by the topic: " + topic +
                  ". " + kStyles[size_t(a.style)] + ", " + kMoods[size_t(a.mood)];
  if (!a.colors.empty()) {
    p += ", colour palette of ";
    for (size_t i = 0; i < a.colors.size(); i++) {
      p += (i ? " and " : "") + std::string(colourWord(a.colors[i]));
    }
  }
  p += titleSide == Align::Center ? ", a calm uncluttered area in the middle for a headline"
       : titleSide == Align::End  ? ", the main subject on the left and empty space on the right"
                                  : ", the main subject on the right and empty space on the left";
  if (algorithm == Algorithm::Pro) {
    p += ", highly detailed, sharp focus, cinematic lighting, professional colour grading";
  }
  p += ". No text, no letters, no words, no logos, no watermark.";
  return p;
}

}  // namespace thumb
