// A ZIP archive of a few files, stored (no compression: the files are JPEGs), for a training
// provider that takes its photos as one archive (fal.h trainingInput). ZIP's format (PKWARE's
// APPNOTE): per file a local header, the bytes, then a central directory and its end record;
// CRC-32 from zlib. Not ZIP64: the archive and each file stay under 4 GB (an avatar's photos are
// at most 10 re-encoded JPEGs of about 200 KB).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gen::zip {

struct File {
  std::string name;  // ASCII, no directories
  const std::vector<uint8_t>* bytes = nullptr;
};

std::vector<uint8_t> stored(const std::vector<File>& files);

}  // namespace gen::zip
