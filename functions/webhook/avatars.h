// Avatars (issue 22, part 4), the one owner of the concept: a named set of 3 to 10 photos of one
// person (migration 0010) that a multi-reference model draws from. /avatar new NAME shows the
// consent text first; after "I agree" the photos the user sends go to that avatar (R2
// avatar/<user>/<avatar>/<n>, keys from ids), each checked like a reference photo
// (references.h); /avatar done makes it ready; /avatar lists; /avatar delete NAME deletes the
// photos and rows. Generation (generation.cpp) asks forGeneration() for the photos' keys and
// records the avatar's id in the row ($.avatar), which the gallery filters by.
//
// Abuse caps: AVATAR_MAX avatars per user, 10 photos per avatar, AVATAR_PHOTOS_PER_DAY photos a
// day per user, counted in avatar_uploads, which deleting an avatar does not touch. The tables
// tidy themselves as photos arrive (counts older than a day, photo rows whose download never
// finished); an avatar's R2 prefix goes whole when it is deleted, strays included.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot_feature.h"
#include "shared/result.h"

namespace webhook::avatars {

struct Avatar {
  int64_t id = 0;
  std::string name;
  bool ready = false;
  int64_t photos = 0;  // stored
  // Trained (/avatar train NAME): the LoRA's URL at the provider and its trigger word.
  std::string loraUrl, trigger;
};
// The user's avatars, oldest first.
Result<std::vector<Avatar>> list(int64_t userId);

// /image=avatar:NAME=...: the ready avatar's id and its photos' R2 keys (a JSON array of at most
// `max`). nullopt after telling the user why (no such avatar, not ready); `failed` when storage
// failed (nothing was said).
struct Use {
  int64_t id = 0;
  std::string keysJson;
  std::string loraUrl, trigger;  // a trained avatar's (both empty when it is not)
};
std::optional<Use> forGeneration(Ctx& c, std::string_view name, int max, bool& failed);

// /avatar train NAME (a trained avatar, issue 22 part 4): the price first (the AVATAR_TRAINING
// model's cost, never a free generation), then, on "Train", a generation of that model's queue
// with all the avatar's photos; the queue writes the LoRA to the avatar when it completes
// (generation.h completeTraining) and refunds it once if it fails or times out. Like every
// generation, at most one is active per user (the unique index of migration 0003).
//
// /forget: every avatar of the user's with its photos (R2 first, then the rows); how many photos.
// The daily upload count stays (it holds ids and times only).
Result<int64_t> forgetUser(int64_t userId);

}  // namespace webhook::avatars
