#include "zip.h"

#include <zlib.h>

namespace gen::zip {
namespace {

void u16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}

void u32(std::vector<uint8_t>& out, uint32_t v) {
  u16(out, v & 0xffff);
  u16(out, v >> 16);
}

// 1980-01-01 00:00 in DOS format: the photos' times are not the provider's business.
constexpr uint32_t kDosTime = 0, kDosDate = (0 << 9) | (1 << 5) | 1;

// The fields a local header and a central directory entry share, from "version needed" on.
void common(std::vector<uint8_t>& out, uint32_t crc, uint32_t size, size_t nameLen) {
  u16(out, 10);  // version needed: 1.0 (stored)
  u16(out, 0);   // flags
  u16(out, 0);   // method: stored
  u16(out, kDosTime);
  u16(out, kDosDate);
  u32(out, crc);
  u32(out, size);  // compressed
  u32(out, size);  // uncompressed
  u16(out, uint32_t(nameLen));
  u16(out, 0);  // extra field length
}

}  // namespace

std::vector<uint8_t> stored(const std::vector<File>& files) {
  std::vector<uint8_t> out, dir;
  for (const File& f : files) {
    const std::vector<uint8_t>& b = *f.bytes;
    const uint32_t crc = uint32_t(crc32(0L, b.data(), uInt(b.size())));
    const uint32_t offset = uint32_t(out.size());
    u32(out, 0x04034b50);
    common(out, crc, uint32_t(b.size()), f.name.size());
    out.insert(out.end(), f.name.begin(), f.name.end());
    out.insert(out.end(), b.begin(), b.end());
    u32(dir, 0x02014b50);
    u16(dir, 20);  // made by: MS-DOS, 2.0
    common(dir, crc, uint32_t(b.size()), f.name.size());
    u16(dir, 0);  // comment length
    u16(dir, 0);  // disk number
    u16(dir, 0);  // internal attributes
    u32(dir, 0);  // external attributes
    u32(dir, offset);
    dir.insert(dir.end(), f.name.begin(), f.name.end());
  }
  const uint32_t dirOffset = uint32_t(out.size());
  out.insert(out.end(), dir.begin(), dir.end());
  u32(out, 0x06054b50);
  u16(out, 0);  // this disk
  u16(out, 0);  // the directory's disk
  u16(out, uint32_t(files.size()));
  u16(out, uint32_t(files.size()));
  u32(out, uint32_t(dir.size()));
  u32(out, dirOffset);
  u16(out, 0);  // comment length
  return out;
}

}  // namespace gen::zip
