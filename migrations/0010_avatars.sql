-- Avatars (issue 22, part 4): a named set of 3-10 photos of one person that a multi-reference
-- model draws from (/image=avatar:NAME=PROMPT). The photos live in R2 under
-- avatar/<user>/<avatar>/<n> (keys from ids, never from user text) until the owner deletes the
-- avatar (/avatar delete NAME) or everything (/forget); they are not swept by the reference TTL.

CREATE TABLE avatars (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 32),
  -- collecting: photos are being sent; ready: /avatar done (at least 3 photos)
  status TEXT NOT NULL CHECK (status IN ('collecting', 'ready')),
  consent_ms REAL NOT NULL,  -- when the owner agreed to the consent text
  created_ms REAL NOT NULL,
  updated_ms REAL NOT NULL,
  UNIQUE (user_id, name)
);

-- One row per photo update; a row is written before the download (it reserves the photo's
-- number n, and with it the key avatar/<user_id>/<avatar_id>/<n>) and marked stored after the R2
-- put, so a retried update neither doubles a photo nor loses one, and photos sent at once (an
-- album) get distinct numbers.
CREATE TABLE avatar_photos (
  update_id INTEGER PRIMARY KEY,
  avatar_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  stored INTEGER NOT NULL DEFAULT 0,
  created_ms REAL NOT NULL,
  UNIQUE (avatar_id, n)
);
CREATE INDEX avatar_photos_user ON avatar_photos (user_id);

-- Every avatar photo accepted, for the daily cap (AVATAR_PHOTOS_PER_DAY). Deleting an avatar
-- (or /forget) does not delete these rows, so deleting cannot reset the cap; they hold ids and
-- times only, and the hourly cleanup removes rows older than a day.
CREATE TABLE avatar_uploads (
  update_id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  created_ms REAL NOT NULL
);
CREATE INDEX avatar_uploads_user ON avatar_uploads (user_id, created_ms);
