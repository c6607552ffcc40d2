// The runner's ports as the queue object has them: its storage, the generation's D1 row
// (shared/generation.h), the providers, R2 and Telegram.
#pragma once

#include <string>

#include "queue/runner.h"

namespace gen::queue {

class ObjectPorts final : public Ports {
 public:
  explicit ObjectPorts(std::string model) : model_(std::move(model)) {}
  double now() override;
  std::optional<Job> reload(int64_t genId) override;
  bool saveStage(Job& j, Stage s) override;
  bool saveStarted(const Job& j) override;
  bool saveEnhanced(const Job& j) override;
  bool saveModelMs(const Job& j) override;
  bool saveStored(const Job& j) override;
  Result<bool> startProcessing(const Job& j) override;
  Result<bool> complete(const Job& j) override;
  Result<std::string> rowStatus(int64_t genId) override;
  void recordEnhanced(const Job& j) override;
  bool enhancementEnabled() override;
  Enhanced enhance(std::string_view prompt) override;
  ImageResult generate(const Job& j, const GenerateRequest& req) override;
  Result<std::vector<uint8_t>> compose(const Job& j,
                                       const std::vector<uint8_t>& background) override;
  bool storeImage(const Job& j, const std::vector<uint8_t>& bytes) override;
  bool deliver(Job& j, std::vector<uint8_t> bytes) override;
  void progress(const Job& j, Stage s) override;
  bool fail(Job& j, Fail why, const std::string& detail) override;
  void discard(Job& j, std::string_view why) override;
  void finish(Job& j, Delivery d) override;

 private:
  std::string model_;
};

}  // namespace gen::queue
