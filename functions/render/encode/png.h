// RGBA pixels -> PNG bytes, choosing the smallest faithful format.
//
//   std::vector<uint8_t> png;
//   render::PngInfo info = render::encodePng(canvas.pixels(), w, h, png);
//
// A rendered code card has few colours (theme colours x 16 antialiasing levels, 32 shadow
// levels), so it is written as an 8-bit indexed PNG (PLTE + tRNS) with no row filters, which
// compresses 3-4x better than RGB and encodes faster. Up to 4096 colours the 256 most frequent
// are kept and the rare rest (antialiasing shades) mapped to their nearest; beyond that it falls
// back to RGB (or RGBA when any pixel is translucent). The chunks are written here with zlib
// directly: the format is four chunks, and owning them means no setjmp error path and full
// control of the deflate settings.
#pragma once

#include <cstdint>
#include <vector>

namespace render {

struct PngInfo {
  bool ok = false;
  bool indexed = false;
  bool alpha = false;
  uint32_t colors = 0;  // palette size when indexed
};

// zlib level 3: measured on a 50-line card (817x1216), levels 1-3 (deflate_fast) take 5 ms
// natively and give 46-49 KB, levels 4-6 (lazy matching) 12-16 ms for 37-39 KB, level 9 60 ms;
// Z_RLE is faster still but doubles the size. 46 KB is well under Pygments' 71 KB for the same
// file.
PngInfo encodePng(const std::vector<uint32_t>& rgba, int width, int height,
                  std::vector<uint8_t>& out, int zlibLevel = 3);

}  // namespace render
