// The runner's ports as the queue object has them: its storage, the generation's D1 row
// (shared/generation.h), the providers, R2 and Telegram.
#pragma once

#include <map>
#include <string>

#include "queue/runner.h"
#include "queue/store.h"

namespace gen::queue {

// The job's reference photos, read from R2 by the keys the enqueue checked (this user's only:
// generation::ownsReference),
// at most the model's maxImages; an ImageResult when one cannot be read.
std::optional<ImageResult> readReferences(const Job& j, const Model* m,
                                          std::vector<Reference>& out);

// A 🎲 variation's end (delivered, failed, cancelled): the member whose end leaves no sibling
// active claims its batch's album (shared/generation_batch.h) and sends it: the images made, one
// album (sendMediaGroup, their bytes as attach:// parts; `own` is this member's image when the
// caller has it), the caption saying how many failed and what was refunded, and the buttons in a
// short message after it (albums carry none). Failed: the claim could not be asked.
enum class VaryEnd { Failed, NotLast, Album };
VaryEnd endVariation(const std::string& model, const Job& j, std::vector<uint8_t> own);

class ObjectPorts final : public Ports {
 public:
  // `mayHandOff`: a stored job's delivery may go to a parallel event on the object (the route
  // /deliver), so that this runner's model slot takes the next job meanwhile.
  explicit ObjectPorts(std::string model, bool mayHandOff = false);
  double now() override;
  std::optional<Job> reload(int64_t genId) override;
  bool saveStage(Job& j, Stage s) override;
  bool saveStarted(const Job& j) override;
  bool saveEnhanced(const Job& j) override;
  bool saveModelMs(const Job& j) override;
  bool saveStored(const Job& j) override;
  Result<bool> complete(const Job& j) override;
  Result<std::string> rowStatus(int64_t genId) override;
  void recordEnhanced(const Job& j) override;
  bool enhancementEnabled() override;
  Enhanced enhance(std::string_view prompt) override;
  ImageResult generate(const Job& j, const GenerateRequest& req) override;
  Result<std::vector<uint8_t>> compose(const Job& j,
                                       const std::vector<uint8_t>& background) override;
  bool storeImage(const Job& j, const std::vector<uint8_t>& bytes) override;
  bool handOff(Job& j, const std::vector<uint8_t>& image) override;
  bool deliver(Job& j, std::vector<uint8_t> bytes) override;
  void progress(const Job& j, Stage s) override;
  bool fail(Job& j, Fail why, const std::string& detail) override;
  void discard(Job& j, std::string_view why) override;
  void finish(Job& j, Delivery d) override;
  // Asynchronous providers (async_ports.cpp, async_jobs.h).
  // A job given up while its provider still runs it (timed out, cancelled): asks it to stop.
  void abandonAtProvider(const Job& j);
  Submission submit(const Job& j, const GenerateRequest& req) override;
  bool saveSubmitted(Job& j, const Submission& s) override;
  Collected collect(const Job& j, const GenerateRequest& req) override;
  bool park(Job& j, double deadlineMs) override;

 private:
  // Where this runner's time went, for the queue benchmark: wall ms per kind of port call (d1,
  // model, r2, send, status, finish, store, handoff), plus every SQLite statement's count and ms
  // (sql_n, sql_ms; they run inside the others too). Added to what an earlier runner of the job
  // recorded (Job::timings) and written to the done log with the job.
  std::string timingsJson(const Job& j) const;
  struct Watch {
    double& into;
    double t0;
    explicit Watch(double& d);
    ~Watch();
  };
  std::string model_;
  bool mayHandOff_;
  VaryEnd varyEnd_ = VaryEnd::NotLast;  // what this run's end of a variation did
  std::map<std::string, double> spent_;
  store::SqlSpent sql0_;
};

}  // namespace gen::queue
