-- Trained avatars (issue 22, part 4's second kind): /avatar train NAME sends the avatar's photos to
-- the training model (AVATAR_TRAINING) as a generation of that model's queue; its result, a LoRA's
-- URL at the provider, lands here together with the row's completion (generation.h
-- completeTraining), and /image=avatar:NAME=... then draws with it (AVATAR_LORA_MODEL).
ALTER TABLE avatars ADD COLUMN lora_url TEXT;
-- The word the LoRA was taught ([a-z0-9]{1,16}), put before every prompt drawn with it.
ALTER TABLE avatars ADD COLUMN trigger TEXT;
ALTER TABLE avatars ADD COLUMN trained_ms REAL;
