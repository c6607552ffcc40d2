// The job runner's stage transitions against fake ports: an in-memory job store and D1 row, a
// scripted model, and a record of what the user was told. Each case is a path a real job takes:
// the happy path, a restart in any stage, a cancel or the watchdog winning a race, a model
// failure, a timeout, storage failing, and an upload interrupted by a restart.
#include <catch2/catch.hpp>

#include <functional>

#include "queue/runner.h"

using namespace gen;
using namespace gen::queue;

namespace {

struct FakePorts : Ports {
  // The object's storage: the job as persisted (what a restarted runner would reload).
  std::optional<Job> stored;
  bool storageFails = false;  // every write to the object's storage fails
  // The D1 row.
  std::string row = "queued";
  bool d1Fails = false;
  int refunds = 0;
  // The world.
  double clock = 1000;
  double modelMs = 500;
  bool enhancer = false;
  ImageResult answer;
  int modelCalls = 0, storedImages = 0, deliveries = 0, failures = 0, discards = 0;
  bool deliveryOk = true;
  std::vector<std::string> told;  // what the user saw, in order
  std::vector<Stage> saved;       // every stage persisted, in order
  std::string ending;  // "sent" | "delivery failed" | "unknown" | "failed" | "discarded: ..."
  // Fires once, when the runner persists this stage (a cancel or the watchdog arriving).
  std::optional<Stage> onSave;
  std::function<void()> atSave;

  FakePorts() {
    answer.outcome = Outcome::Ok;
    answer.bytes = {1, 2, 3};
    answer.contentType = "image/png";
    answer.width = answer.height = 512;
  }
  Job job() const { return *stored; }

  double now() override { return clock; }
  std::optional<Job> reload(int64_t) override { return stored; }
  bool saveStage(Job& j, Stage s) override {
    if (storageFails) return false;
    j.stage = s;
    stored->stage = s;
    saved.push_back(s);
    if (onSave == s && atSave) {
      onSave.reset();
      atSave();
    }
    return true;
  }
  bool saveStarted(const Job& j) override {
    stored->startedMs = j.startedMs;
    return !storageFails;
  }
  bool saveEnhanced(const Job& j) override {
    stored->enhanced = j.enhanced;
    return !storageFails;
  }
  bool saveModelMs(const Job& j) override {
    stored->modelMs = j.modelMs;
    return !storageFails;
  }
  bool saveStored(const Job& j) override {
    if (storageFails) return false;
    stored->stage = Stage::Stored;
    stored->r2Key = j.r2Key;
    saved.push_back(Stage::Stored);
    return true;
  }
  int d1Writes = 0;
  Result<bool> complete(const Job&) override {
    if (d1Fails) return {Error::Unavailable, "d1 down"};
    d1Writes++;
    // A row an older build moved to processing completes too.
    if (row != "queued" && row != "processing") return false;
    row = "completed";
    return true;
  }
  Result<std::string> rowStatus(int64_t) override {
    if (d1Fails) return {Error::Unavailable, "d1 down"};
    return row;
  }
  void recordEnhanced(const Job&) override {}
  bool enhancementEnabled() override { return enhancer; }
  Enhanced enhance(std::string_view prompt) override {
    return Enhanced{std::string(prompt) + ", detailed", true, ""};
  }
  std::string rowDuringModel;  // the D1 row as others see it while the model works
  ImageResult generate(const Job&, const GenerateRequest& req) override {
    modelCalls++;
    rowDuringModel = row;
    CHECK(req.deadlineMs > clock);
    clock += modelMs;
    return answer;
  }
  bool composeFails = false;
  int composed = 0;
  Result<std::vector<uint8_t>> compose(const Job&, const std::vector<uint8_t>&) override {
    if (composeFails) return {Error::Refused, "render 400: not an image"};
    composed++;
    return std::vector<uint8_t>{9};
  }
  bool storeImage(const Job&, const std::vector<uint8_t>&) override {
    if (storageFails) return false;
    storedImages++;
    return true;
  }
  // The hand-off of a stored job to a parallel runner (the object's deferred delivery).
  bool handOffs = false;  // the parallel runner accepts it
  int handedOff = 0;
  std::vector<uint8_t> handedImage;  // what the parallel runner was given
  bool handOff(Job&, const std::vector<uint8_t>& image) override {
    if (!handOffs) return false;
    handedOff++;
    handedImage = image;
    stored->state = "handed";
    return true;
  }
  std::vector<uint8_t> deliveredBytes;  // empty: the runner had none (read back from R2)
  Job deliveredJob;                     // the job as the delivery saw it
  bool deliver(Job& j, std::vector<uint8_t> bytes) override {
    deliveries++;
    deliveredJob = j;
    deliveredBytes = bytes;
    return deliveryOk;
  }
  void progress(const Job&, Stage s) override { told.push_back(std::string(stageName(s))); }
  bool fail(Job&, Fail why, const std::string& detail) override {
    if (d1Fails) return false;
    failures++;
    if (row == "queued" || row == "processing") {
      row = "failed";
      refunds++;
      told.push_back(why == Fail::TimedOut ? "timed out" : "failed: " + detail);
    }
    ending = "failed";
    stored.reset();
    return true;
  }
  void discard(Job&, std::string_view why) override {
    discards++;
    ending = "discarded: " + std::string(why);
    stored.reset();
  }
  void finish(Job&, Delivery d) override {
    ending = d == Delivery::Sent ? "sent" : d == Delivery::Failed ? "delivery failed" : "unknown";
    stored.reset();
  }
  // An asynchronous provider (fal-queue): its submits, the request id as the object's storage
  // keeps it, and what each collect finds (scripted, front first; none left: still running).
  int submits = 0, collects = 0, parks = 0;
  Submission submitAnswer;
  std::string requestId;         // persisted by saveSubmitted (the async_jobs row)
  bool stageWriteFails = false;  // saveSubmitted keeps the id, but the stage write fails
  std::vector<Collected> answers;
  double parkedDeadline = 0;
  Submission submit(const Job&, const GenerateRequest& req) override {
    CHECK(req.deadlineMs > clock);
    // As ObjectPorts: a request id already saved is never submitted again.
    if (!requestId.empty()) {
      Submission s;
      s.outcome = Outcome::Ok;
      s.requestId = requestId;
      return s;
    }
    submits++;
    clock += 50;
    return submitAnswer;
  }
  bool saveSubmitted(Job& j, const Submission& s) override {
    if (storageFails) return false;
    requestId = s.requestId;
    if (stageWriteFails) return false;
    j.stage = Stage::Submitted;
    stored->stage = Stage::Submitted;
    saved.push_back(Stage::Submitted);
    return true;
  }
  Collected collect(const Job&, const GenerateRequest&) override {
    collects++;
    clock += 20;
    if (answers.empty()) return Collected{};
    Collected c = answers.front();
    answers.erase(answers.begin());
    return c;
  }
  bool park(Job& j, double deadlineMs) override {
    if (storageFails) return false;
    parks++;
    parkedDeadline = deadlineMs;
    j.state = "waiting";
    stored->state = "waiting";
    return true;
  }
};

Model falModel() {
  Model m;
  m.name = "falq";
  m.provider = "fal-queue";
  m.target = "fal-ai/flux/schnell";
  return m;
}

Collected ready(Outcome o = Outcome::Ok, std::string detail = "") {
  Collected c;
  c.pending = false;
  c.result.outcome = o;
  c.result.detail = std::move(detail);
  c.result.tries = 1;
  if (o == Outcome::Ok) {
    c.result.bytes = {1, 2, 3};
    c.result.contentType = "image/png";
  }
  return c;
}

Model flux() {
  Model m;
  m.name = "flux";
  m.provider = "builtin";
  return m;
}

FakePorts withJob(Stage s = Stage::Queued) {
  FakePorts p;
  Job j;
  j.genId = 42;
  j.userId = 7;
  j.chatId = 7;
  j.cost = 1;
  j.lang = "en";
  j.prompt = "a fox";
  j.state = "running";
  j.stage = s;
  p.stored = j;
  return p;
}

constexpr double kTimeout = 600000;

}  // namespace

TEST_CASE("runner: a job goes from queued to delivered, each stage persisted first", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.saved ==
        std::vector<Stage>{Stage::Generating, Stage::Stored, Stage::Delivering, Stage::Sending});
  CHECK(p.row == "completed");
  CHECK(p.modelCalls == 1);
  CHECK(p.storedImages == 1);
  CHECK(p.deliveries == 1);
  CHECK(p.ending == "sent");
  CHECK(p.refunds == 0);
  CHECK(p.told == std::vector<std::string>{"generating", "delivering"});
  // One D1 write per job, at its end: the row stays queued while the job runs.
  CHECK(p.rowDuringModel == "queued");
  CHECK(p.d1Writes == 1);
}

TEST_CASE("runner: with an enhancer the job passes through enhancing", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  p.enhancer = true;
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.saved.front() == Stage::Enhancing);
  CHECK(p.ending == "sent");
}

TEST_CASE("runner: a restarted runner resumes from the persisted stage", "[generate]") {
  const Model m = flux();
  SECTION("stored: the image is not made again") {
    FakePorts p = withJob(Stage::Stored);
    p.row = "processing";
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.modelCalls == 0);
    CHECK(p.deliveries == 1);
    CHECK(p.row == "completed");
  }
  SECTION("stored after D1 already completed it: delivered, not discarded") {
    FakePorts p = withJob(Stage::Stored);
    p.row = "completed";
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.deliveries == 1);
    CHECK(p.discards == 0);
  }
  SECTION("sending: the upload may have reached Telegram, so it is never sent twice") {
    FakePorts p = withJob(Stage::Sending);
    p.row = "completed";
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.deliveries == 0);
    CHECK(p.ending == "unknown");
  }
}

TEST_CASE("runner: a cancel or the watchdog that won the race makes the runner discard",
          "[generate]") {
  const Model m = flux();
  SECTION("cancelled in D1 but the object never told: the image is dropped, not delivered") {
    // The webhook cancels the row (and refunds) before it tells the object; when telling failed,
    // the job runs, and its one D1 write finds the row cancelled.
    FakePorts p = withJob();
    p.row = "cancelled";
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.deliveries == 0);
    CHECK(p.refunds == 0);
    CHECK(p.ending == "discarded: cancelled");
  }
  SECTION("cancel flag seen at the next stage: the image is not delivered") {
    FakePorts p = withJob();
    p.onSave = Stage::Generating;
    p.atSave = [&] { p.stored->cancelled = true; };
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.modelCalls == 0);
    CHECK(p.deliveries == 0);
    CHECK(p.ending == "discarded: cancelled");
  }
  SECTION("timed out by the watchdog while the model worked: the result is dropped") {
    FakePorts p = withJob();
    p.onSave = Stage::Generating;
    p.atSave = [&] { p.row = "failed"; };
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.modelCalls == 1);
    CHECK(p.deliveries == 0);
    CHECK(p.ending == "discarded: failed");
    CHECK(p.refunds == 0);  // the watchdog refunded; the runner does not again
  }
}

TEST_CASE("runner: a model failure fails the job and refunds once", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  p.answer.outcome = Outcome::Failed;
  p.answer.detail = "HTTP 500";
  p.answer.tries = 3;
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.row == "failed");
  CHECK(p.refunds == 1);
  CHECK(p.deliveries == 0);
  CHECK(p.told.back() == "failed: HTTP 500 after 3 tries");
}

TEST_CASE("runner: a job past the generation timeout fails as timed out", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob(Stage::Generating);
  p.row = "processing";
  p.stored->startedMs = 1;
  p.clock = 1 + kTimeout + 1;
  Job j = p.job();
  REQUIRE(runJob(&m, "flux", j, p, kTimeout) == Run::Done);
  CHECK(p.modelCalls == 0);
  CHECK(p.told.back() == "timed out");
  CHECK(p.refunds == 1);
}

TEST_CASE("runner: a model no longer configured fails the job with the refund", "[generate]") {
  FakePorts p = withJob();
  REQUIRE(runJob(nullptr, "gone", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.row == "failed");
  CHECK(p.refunds == 1);
  CHECK(p.told.back() == "failed: model gone is no longer configured");
}

TEST_CASE("runner: storage failing hands the job back for a retry without losing it",
          "[generate]") {
  const Model m = flux();
  SECTION("the object's storage") {
    FakePorts p = withJob();
    p.storageFails = true;
    CHECK(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Retry);
    CHECK(p.deliveries == 0);
    CHECK(p.stored.has_value());  // still there for the next alarm
  }
  SECTION("D1, at the job's one write: retried from stored, the model not called again") {
    FakePorts p = withJob();
    p.d1Fails = true;
    CHECK(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Retry);
    CHECK(p.modelCalls == 1);
    CHECK(p.deliveries == 0);
    CHECK(p.refunds == 0);
    CHECK(p.job().stage == Stage::Stored);
    p.d1Fails = false;
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.modelCalls == 1);
    CHECK(p.deliveries == 1);
    CHECK(p.row == "completed");
  }
}

TEST_CASE("runner: a failed upload ends the job with the image kept", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  p.deliveryOk = false;
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.row == "completed");
  CHECK(p.ending == "delivery failed");
}

TEST_CASE("runner: a stage this build does not know fails the job", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  p.stored->stageKnown = false;
  p.stored->stageText = "teleporting";
  p.row = "processing";
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.told.back() == "failed: unknown stage teleporting");
}

TEST_CASE("runner: a premium thumbnail's background is composed before it is stored",
          "[generate]") {
  const Model m = flux();
  SECTION("composed, stored as the thumbnail") {
    FakePorts p = withJob();
    p.stored->thumb = R"({"algorithm":"premium","title":"Hi"})";
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.composed == 1);
    CHECK(p.ending == "sent");
  }
  SECTION("a background the render function cannot use fails the job with the refund") {
    FakePorts p = withJob();
    p.stored->thumb = R"({"algorithm":"premium","title":"Hi"})";
    p.composeFails = true;
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.refunds == 1);
    CHECK(p.told.back() == "failed: thumbnail composition: render 400: not an image");
  }
}

TEST_CASE("runner: images are stored under keys made from ids only", "[generate]") {
  CHECK(imageKey("flux", Job{.genId = 5}, "image/jpeg") == "generations/flux/5.jpg");
  CHECK(imageKey("flux", Job{.genId = 5}, "image/webp") == "generations/flux/5.webp");
  CHECK(imageKey("sdxl", Job{.genId = 5}, "image/png") == "generations/sdxl/5.png");
  Job t;
  t.genId = 5;
  t.thumb = R"({"algorithm":"premium","title":"Hi"})";
  CHECK(imageKey("flux", t, "image/png").rfind("thumb/", 0) == 0);
}

TEST_CASE("runner: a stored job handed to a parallel runner is delivered once, by that runner",
          "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  p.handOffs = true;
  // The runner that made the image stops at stored, its model slot free; nothing is sent yet and
  // the D1 row is not completed (a cancel still wins until the delivering runner completes it).
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::HandedOff);
  CHECK(p.handedOff == 1);
  CHECK(p.modelCalls == 1);
  CHECK(p.storedImages == 1);
  CHECK(p.deliveries == 0);
  CHECK(p.row == "queued");
  CHECK(p.saved == std::vector<Stage>{Stage::Generating, Stage::Stored});
  CHECK(p.handedImage == std::vector<uint8_t>{1, 2, 3});  // the image goes with it
  SECTION("the delivering runner completes and sends it, and never hands it off again") {
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout, p.handedImage) == Run::Done);
    CHECK(p.deliveredBytes == std::vector<uint8_t>{1, 2, 3});  // not read back from R2
    CHECK(p.handedOff == 1);
    CHECK(p.modelCalls == 1);
    CHECK(p.deliveries == 1);
    CHECK(p.row == "completed");
    CHECK(p.ending == "sent");
    CHECK(p.told == std::vector<std::string>{"generating", "delivering"});
  }
  SECTION("cancelled before the delivering runner took it: discarded, not sent") {
    p.stored->cancelled = true;
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout, p.handedImage) == Run::Done);
    CHECK(p.deliveries == 0);
    CHECK(p.ending == "discarded: cancelled");
  }
  SECTION("cancelled in D1 only, before the delivering runner took it: discarded, not sent") {
    p.row = "cancelled";
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout, p.handedImage) == Run::Done);
    CHECK(p.deliveries == 0);
    CHECK(p.refunds == 0);
    CHECK(p.ending == "discarded: cancelled");
  }
  SECTION("its delivery never ran (the object was evicted): resumed at stored, read from R2") {
    // recoverStale put it back in the queue at stage stored; a slot's runner has no bytes.
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.modelCalls == 1);
    CHECK(p.deliveries == 1);
    CHECK(p.deliveredBytes.empty());
    CHECK(p.row == "completed");
  }
  SECTION("the delivering runner vanished during the upload: the resumed job is not sent twice") {
    // It completed the row and persisted sending, then stopped (as an evicted object would) ...
    p.row = "completed";
    p.stored->stage = Stage::Sending;
    // ... and whoever resumes it says the delivery is unknown instead of sending again.
    REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.deliveries == 0);
    CHECK(p.ending == "unknown");
  }
}

TEST_CASE("runner: a hand-off that is refused delivers the job in the same run", "[generate]") {
  const Model m = flux();
  FakePorts p = withJob();
  p.handOffs = false;
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.deliveries == 1);
  CHECK(p.row == "completed");
}

TEST_CASE("runner: a job resumed at stored is delivered by its runner, not handed off",
          "[generate]") {
  const Model m = flux();
  FakePorts p = withJob(Stage::Stored);
  p.row = "processing";
  p.handOffs = true;
  REQUIRE(runJob(&m, "flux", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.handedOff == 0);
  CHECK(p.deliveries == 1);
}

TEST_CASE(
    "runner: an asynchronous provider's job is submitted once, waits with its slot, and is "
    "delivered once collected",
    "[generate]") {
  const Model m = falModel();
  FakePorts p = withJob();
  p.submitAnswer.outcome = Outcome::Ok;
  p.submitAnswer.requestId = "req-1";
  // Submitted, then one collect finds it running: the job waits (parked), nothing is delivered.
  REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Parked);
  CHECK(p.submits == 1);
  CHECK(p.collects == 1);
  CHECK(p.parks == 1);
  CHECK(p.stored->state == "waiting");
  CHECK(p.stored->stage == Stage::Submitted);
  CHECK(p.parkedDeadline == p.stored->startedMs + kTimeout);
  // One D1 write per job: the row stays queued while it waits (the object knows it runs).
  CHECK(p.row == "queued");
  CHECK(p.deliveries == 0);
  // A poll later: still running.
  REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Parked);
  // The webhook (or a poll) has it: stored, completed, delivered; never submitted again.
  p.answers.push_back(ready());
  REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.submits == 1);
  CHECK(p.collects == 3);
  CHECK(p.storedImages == 1);
  CHECK(p.deliveries == 1);
  CHECK(p.row == "completed");
  CHECK(p.refunds == 0);
  CHECK(p.ending == "sent");
  CHECK(p.saved == std::vector<Stage>{Stage::Generating, Stage::Submitted, Stage::Stored,
                                      Stage::Delivering, Stage::Sending});
}

TEST_CASE("runner: an asynchronous job resumed after a restart is never submitted twice",
          "[generate]") {
  const Model m = falModel();
  SECTION("resumed in submitted: collected, not submitted") {
    FakePorts p = withJob(Stage::Submitted);
    p.row = "processing";
    p.stored->startedMs = 900;
    p.requestId = "req-1";
    p.answers.push_back(ready());
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.submits == 0);
    CHECK(p.deliveries == 1);
  }
  SECTION("stopped after the request id was saved but before the stage: the id is reused") {
    FakePorts p = withJob();
    p.submitAnswer.outcome = Outcome::Ok;
    p.submitAnswer.requestId = "req-1";
    p.stageWriteFails = true;
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Retry);
    CHECK(p.submits == 1);
    p.stageWriteFails = false;
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Parked);
    CHECK(p.submits == 1);
    CHECK(p.stored->stage == Stage::Submitted);
  }
  SECTION("cancelled while it waited: discarded at its next run, nothing collected") {
    FakePorts p = withJob(Stage::Submitted);
    p.row = "cancelled";
    p.stored->cancelled = true;
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.collects == 0);
    CHECK(p.ending == "discarded: cancelled");
  }
}

TEST_CASE("runner: an asynchronous job's failure, refusal or timeout refunds once", "[generate]") {
  const Model m = falModel();
  SECTION("the provider reports an error") {
    FakePorts p = withJob(Stage::Submitted);
    p.row = "processing";
    p.stored->startedMs = 900;
    p.answers.push_back(ready(Outcome::Failed, "webhook: the provider reported an error"));
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.row == "failed");
    CHECK(p.refunds == 1);
    CHECK(p.deliveries == 0);
    CHECK(p.told.back() == "failed: webhook: the provider reported an error after 1 tries");
  }
  SECTION("the submit is refused") {
    FakePorts p = withJob();
    p.submitAnswer.outcome = Outcome::Failed;
    p.submitAnswer.detail = "HTTP 401";
    p.submitAnswer.tries = 1;
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.refunds == 1);
    CHECK(p.collects == 0);
    CHECK(p.told.back() == "failed: submitting: HTTP 401 after 1 tries");
  }
  SECTION("past the generation timeout while it waited: timed out, not collected") {
    FakePorts p = withJob(Stage::Submitted);
    p.row = "processing";
    p.stored->startedMs = 1;
    p.clock = 1 + kTimeout + 1;
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.collects == 0);
    CHECK(p.told.back() == "timed out");
    CHECK(p.refunds == 1);
  }
  SECTION("the watchdog failed the row meanwhile: the late image is discarded, no second refund") {
    FakePorts p = withJob(Stage::Submitted);
    p.row = "failed";
    p.stored->startedMs = 900;
    p.answers.push_back(ready());
    REQUIRE(runJob(&m, "falq", p.job(), p, kTimeout) == Run::Done);
    CHECK(p.deliveries == 0);
    CHECK(p.refunds == 0);
    CHECK(p.ending == "discarded: failed");
  }
}

TEST_CASE("runner: a training's result is its LoRA's URL, completed and told, never an image",
          "[generate]") {
  Model m = falModel();
  m.training = true;
  FakePorts p = withJob();
  p.enhancer = true;  // a training has no prompt to improve
  p.stored->extra = R"({"train":5,"name":"ann","trigger":"ohwx"})";
  p.submitAnswer.outcome = Outcome::Ok;
  p.submitAnswer.requestId = "req-1";
  Collected trained = ready();
  trained.result.bytes.clear();
  trained.result.loraUrl = "https://v3.fal.media/files/x/pytorch_lora_weights.safetensors";
  p.answers.push_back(trained);
  REQUIRE(runJob(&m, "avatar-training", p.job(), p, kTimeout) == Run::Done);
  CHECK(p.submits == 1);
  CHECK(p.storedImages == 0);
  CHECK(p.deliveredJob.r2Key == trained.result.loraUrl);
  CHECK(p.deliveredBytes.empty());
  CHECK(p.row == "completed");
  CHECK(p.deliveries == 1);
  CHECK(p.refunds == 0);
  CHECK(p.saved == std::vector<Stage>{Stage::Generating, Stage::Submitted, Stage::Stored,
                                      Stage::Delivering, Stage::Sending});
  CHECK(isTraining(p.deliveredJob));
}

TEST_CASE("runner: a job's extra inputs are checked where the queue takes them", "[generate]") {
  auto ok = JobExtra::from(R"({"lora":"https://fal.media/l.safetensors","trigger":"ohwx"})");
  REQUIRE(ok);
  CHECK(ok->lora == "https://fal.media/l.safetensors");
  CHECK(JobExtra::from(ok->json())->trigger == "ohwx");
  CHECK(JobExtra::from("")->json().empty());
  CHECK(!JobExtra::from(R"({"lora":"http://169.254.169.254/latest"})"));
  CHECK(!JobExtra::from(R"({"lora":"https://x/l","trigger":"Robert'); DROP"})"));
  CHECK(!JobExtra::from(R"({"train":3,"lora":"https://x/l"})"));
  CHECK(!JobExtra::from("[1,2]"));
}
