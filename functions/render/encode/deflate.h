// A fast raw deflate (RFC 1951) encoder for rendered images, fed in pieces.
//
//   std::vector<uint8_t> z;
//   render::DeflateStream d(z, maxBytes);
//   uint8_t* p = d.reserve(n);  // write n bytes of input there
//   if (!d.commit(n)) ...;      // compresses what it can (false past maxBytes)
//   if (!d.finish()) ...;       // the final block; `z` holds the stream
//
// Made for PNG rows of palette indices, which are long runs (backdrop, gutter, spaces), rows of
// zeros (a row repeated with the Up filter) and short glyph patterns that recur within a few
// rows. A general compressor spends its time in hash chains kept up to date at (nearly) every
// byte; here a run costs a compare sixteen bytes at a time and one symbol, and only literal
// positions and match starts are hashed (greedy, one candidate per hash, as LZ4 does), besides
// trying the same bytes one row up when the row length is given. Blocks use dynamic Huffman codes.
// On the 50-line benchmark card's 934 KB of index rows (natively, whole buffer, best of 200): zlib
// level 1 2.1 ms for 61.7 KB, libdeflate 1.14 level 1 1.5 ms for 51.5 KB, this 0.8 ms for 54.3 KB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace render {

class DeflateStream {
 public:
  // Appends the stream to `out` (whatever it holds already, e.g. a zlib header, stays).
  DeflateStream(std::vector<uint8_t>& out, size_t maxBytes = SIZE_MAX);
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  // Input made of rows this many bytes long (an image): matches one row up are tried as well.
  // Past the 32 KB window it is ignored.
  void setRowDistance(size_t bytes);
  // Room for `n` more input bytes, valid until the next call.
  uint8_t* reserve(size_t n);
  // Takes the `n` bytes written at reserve(); false once the output passes maxBytes.
  [[nodiscard]] bool commit(size_t n);
  // Compresses the rest and ends the stream; false past maxBytes.
  [[nodiscard]] bool finish();
  bool tooLarge() const { return tooLarge_; }

 private:
  struct Symbol {
    uint16_t litLen;  // a literal byte, or a match length (3-258) when dist != 0
    uint16_t dist;
  };
  void compress(bool all);
  void emitLiteral(uint8_t b);
  void emitMatch(uint32_t len, uint32_t dist);
  bool flushBlock(bool last);

  std::vector<uint8_t>& out_;
  size_t maxBytes_;
  // The window (up to 32 KB already compressed) and the input not compressed yet.
  std::unique_ptr<uint8_t[]> in_;
  size_t inSize_ = 0;
  size_t base_ = 0;                    // stream position of in_[0]
  size_t pos_ = 0;                     // stream position of the next byte to compress
  size_t end_ = 0;                     // stream position past the last committed byte
  uint32_t rowDistance_ = 0;           // setRowDistance; 0: none
  std::vector<uint32_t> head_;         // hash of 4 bytes -> the last stream position seen with it
  std::unique_ptr<Symbol[]> symbols_;  // the block being gathered
  size_t symbolCount_ = 0;
  uint32_t litLenFreq_[286];
  uint32_t distFreq_[30];
  uint64_t bits_ = 0;  // output bits not yet in out_, LSB first
  int bitCount_ = 0;
  bool tooLarge_ = false;
};

}  // namespace render
