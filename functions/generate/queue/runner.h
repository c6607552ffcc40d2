// The job runner: takes one claimed job from its persisted stage to the end, one typed stage at a
// time, each stage persisted before the next begins, so a runner that vanishes (an evicted or
// restarted object) is resumed by the next from where it was. The runner is a pure state machine
// over Ports: the queue object's adapter (ports.cpp) implements them with its storage, D1, the
// providers, R2 and Telegram; the unit tests (runner_test.cpp) with fakes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enhance.h"
#include "providers.h"
#include "queue/job.h"
#include "shared/models.h"
#include "shared/result.h"

namespace gen::queue {

enum class Fail { Error, Moderated, TimedOut, BadReference };

enum class Delivery { Sent, Failed, Unknown };

class Ports {
 public:
  virtual ~Ports() = default;
  virtual double now() = 0;
  // ---- the object's storage (false / nullopt: storage failed)
  virtual std::optional<Job> reload(int64_t genId) = 0;  // nullopt: the job is gone
  virtual bool saveStage(Job& j, Stage s) = 0;           // with a heartbeat
  virtual bool saveStarted(const Job& j) = 0;
  virtual bool saveEnhanced(const Job& j) = 0;
  virtual bool saveModelMs(const Job& j) = 0;
  virtual bool saveStored(const Job& j) = 0;  // stage stored, key, type and size
  // ---- the generation's D1 row (generation.h): one write per job, at its end. While the job
  // runs the row stays queued (the object is what knows it runs); queued -> completed here, or
  // -> failed (fail). False: the row is no longer queued or processing (cancelled, timed out).
  virtual Result<bool> complete(const Job& j) = 0;
  virtual Result<std::string> rowStatus(int64_t genId) = 0;
  virtual void recordEnhanced(const Job& j) = 0;
  // ---- the work
  virtual bool enhancementEnabled() = 0;
  virtual Enhanced enhance(std::string_view prompt) = 0;
  // The model call; the job's heartbeat is written between tries.
  virtual ImageResult generate(const Job& j, const GenerateRequest& req) = 0;
  // A premium/pro thumbnail: the title over the model's background.
  virtual Result<std::vector<uint8_t>> compose(const Job& j,
                                               const std::vector<uint8_t>& background) = 0;
  virtual bool storeImage(const Job& j, const std::vector<uint8_t>& bytes) = 0;
  // The image is stored (stage stored persisted): another runner may take the job from here (the
  // queue object's parallel event), with `image`, and complete and deliver it, while this one
  // frees the model slot for the next job. True: that runner has it now; false: deliver it here.
  virtual bool handOff(Job& j, const std::vector<uint8_t>& image) = 0;
  // Sends the image (the bytes, or the stored object when empty).
  virtual bool deliver(Job& j, std::vector<uint8_t> bytes) = 0;
  // ---- endings and progress (the user's status message, WebSocket watchers, the done log)
  virtual void progress(const Job& j, Stage s) = 0;
  // Fails the row and refunds once (the user is told only when this changed the row). False
  // when storage failed: the job is retried.
  virtual bool fail(Job& j, Fail why, const std::string& detail) = 0;
  // The row is no longer ours (cancelled, failed by the watchdog): drop the job and its image.
  virtual void discard(Job& j, std::string_view why) = 0;
  virtual void finish(Job& j, Delivery d) = 0;
  // ---- asynchronous providers (fal-queue): submit once, then the result by poll or webhook.
  // The defaults answer "not supported" so that ports without them fail such a job cleanly.
  // (Inline: an out-of-line virtual would make runner.cpp, built without RTTI, the class's home.)
  // Submits the job (its per-job webhook secret is persisted before the call).
  virtual Submission submit(const Job&, const GenerateRequest&) {
    Submission s;
    s.detail = "asynchronous providers are not supported here";
    return s;
  }
  // The request id, then the stage submitted: from here the job is never submitted again.
  virtual bool saveSubmitted(Job&, const Submission&) { return false; }
  // The webhook's answer if one arrived, else one poll; the image fetched when it is ready.
  virtual Collected collect(const Job&, const GenerateRequest&) {
    Collected c;
    c.pending = false;
    c.result.detail = "asynchronous providers are not supported here";
    return c;
  }
  // The job waits (state waiting, its slot kept) until its next poll, never after `deadlineMs`.
  virtual bool park(Job&, double) { return false; }
};

enum class Run {
  Done,       // the job ended (completed, failed or discarded) and left the queue
  Retry,      // storage failed: put it back at its place; the next alarm resumes it
  HandedOff,  // stored, and another runner delivers it (Ports::handOff); its model slot is free
  Parked,     // submitted to an asynchronous provider: it waits (state waiting) with its slot
};

// `model`: the job's model, nullptr when it is no longer configured. `image`: the stored image's
// bytes when the caller has them (a delivery handed off with them), saving a read back from R2.
Run runJob(const Model* model, std::string_view modelName, Job j, Ports& p, double timeoutMs,
           std::vector<uint8_t> image = {});

// Where a job's image is kept in R2: from ids only.
std::string imageKey(std::string_view model, const Job& j, std::string_view contentType);

}  // namespace gen::queue
