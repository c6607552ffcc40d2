// Inputs of the thumbnail function that come from outside: POST /thumbnail bodies (the request
// parser), background images (base64 from HTTP callers, raw bytes from models: the decoder and
// the cover scaling) and LLM answers (the strict validator). The first byte picks the target.
// Invariants: errors are 4xx with a message; a decoded image is within the documented limits
// and covers the 1280x720 canvas.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thumbnail/background.h"
#include "thumbnail/hostile_images.h"
#include "thumbnail/llm.h"
#include "thumbnail/thumbnail.h"

namespace {

void checkImage(std::span<const uint8_t> bytes) {
  thumb::Image img;
  std::string why;
  if (!thumb::decodeImage(bytes, img, why)) {
    if (why.empty()) __builtin_trap();
    return;
  }
  if (img.width <= 0 || img.height <= 0 || img.width > thumb::kMaxBackgroundSide ||
      img.height > thumb::kMaxBackgroundSide ||
      img.px.size() != size_t(img.width) * size_t(img.height)) {
    __builtin_trap();
  }
  std::vector<uint32_t> canvas;
  thumb::coverInto(img, canvas);
  if (canvas.size() != size_t(thumb::kWidth) * size_t(thumb::kHeight)) __builtin_trap();
}

}  // namespace

// The inputs that once broke the decoder, replayed before fuzzing: `ctest --preset fuzz` then
// checks them under ASan and UBSan on every run, which the plain unit tests cannot.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (const thumb::hostile::Input& in : thumb::hostile::kInputs) checkImage(in.bytes);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      thumb::ThumbnailRequest req;
      render::RequestError err = thumb::parseThumbnailRequest(rest, req);
      if (!err.ok() && (err.status < 400 || err.status > 499 || err.message.empty())) {
        __builtin_trap();
      }
      break;
    }
    case 1:
    case 2: {
      std::vector<uint8_t> bytes;
      if (data[0] % 4 == 1) {
        bytes.assign(rest.begin(), rest.end());
      } else if (!thumb::base64Decode(rest, bytes)) {
        break;
      }
      checkImage(bytes);
      break;
    }
    case 3: {
      thumb::Analysis a;
      std::string why;
      if (!thumb::parseLlmAnswer(rest, a, why) && why.empty()) __builtin_trap();
      break;
    }
  }
  return 0;
}
