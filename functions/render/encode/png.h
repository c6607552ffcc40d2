// RGBA pixels -> PNG bytes, choosing the smallest faithful format; or palette indices painted as
// such (encodeIndexedPngBands) -> an indexed PNG, with no colour look-ups at all.
//
//   std::vector<uint8_t> png;
//   render::PngInfo info = render::encodePng(canvas.pixels(), w, h, png);
//
// A rendered code card has few colours (theme colours x 16 antialiasing levels, 32 shadow
// levels), so it is written as an 8-bit indexed PNG (PLTE + tRNS) with no row filters, which
// compresses 3-4x better than RGB and encodes faster. Up to 4096 colours the 256 most frequent
// are kept and the rare rest (antialiasing shades) mapped to their nearest; beyond that it falls
// back to RGB (or RGBA when any pixel is translucent). The chunks are written here directly,
// with deflate from encode/deflate.h or zlib: the format is four chunks, and owning them means no
// setjmp error path and full control of the compression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace render {

struct PngInfo {
  bool ok = false;
  bool indexed = false;
  bool alpha = false;
  uint32_t colors = 0;    // palette size when indexed
  bool tooLarge = false;  // stopped: the compressed image passed `maxBytes`
  // Full passes over the rows: 1 unless the palette overflowed; then 2 (count, write) after the
  // part of the streamed pass that found the 257th colour.
  int passes = 0;
};

// The compression level: kFastDeflate for encode/deflate.h's run-aware encoder (code cards:
// long runs of few colours), or a zlib level 1-9 (anything photographic). zlib level 3 by
// default: measured on a 50-line card (817x1216), levels 1-3 (deflate_fast) take 5 ms natively
// and give 46-49 KB, levels 4-6 (lazy matching) 12-16 ms for 37-39 KB, level 9 60 ms; Z_RLE
// doubles the size. The code-card renderer picks its own (render.cpp).
constexpr int kFastDeflate = 0;

PngInfo encodePng(const std::vector<uint32_t>& rgba, int width, int height,
                  std::vector<uint8_t>& out, int zlibLevel = 3);

// The rows of an image, a band at a time: returns image rows [y, y + rows) as `width` packed RGBA
// values each, contiguous. It may be asked for the same rows again (a second pass).
using PngRowSource = std::function<const uint32_t*(int y, int rows)>;

// The same encoding from rows produced band by band: memory is one band of indices plus the
// compressed output, whatever the height. Rows stream into deflate in one pass while the image
// has at most 256 colours (code cards do); past that a counting pass chooses the palette first
// and a second pass writes it, so `rows` is then called twice for each band. Stops with
// `tooLarge` once the compressed stream passes `maxBytes`.
PngInfo encodePngBands(int width, int height, int bandRows, const PngRowSource& rows,
                       std::vector<uint8_t>& out, int zlibLevel = 3, size_t maxBytes = SIZE_MAX);

// An image painted as palette indices (raster/canvas.h's IndexedCanvas), a band at a time:
// `rows(y, n)` returns image rows [y, y + n) as `width` indices each, contiguous, or null to stop
// (the painter ran out of palette); `palette()` then gives the colours (packed RGBA, at most
// 256), asked once after the last band. One pass, and no colour look-ups: rows go to deflate as
// they are, or as zeros with the Up filter where a row repeats the one above.
using PngIndexSource = std::function<const uint8_t*(int y, int rows)>;
using PngPalette = std::function<std::vector<uint32_t>()>;
PngInfo encodeIndexedPngBands(int width, int height, int bandRows, const PngIndexSource& rows,
                              const PngPalette& palette, std::vector<uint8_t>& out,
                              int zlibLevel = 3, size_t maxBytes = SIZE_MAX);

}  // namespace render
