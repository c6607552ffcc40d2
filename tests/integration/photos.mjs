// Photos as Telegram sends them, for the tests of features that take photos (reference photos,
// avatars): JPEGs made with sharp, registered with the fake Bot API (tests/fakes/telegram.mjs) so
// getFile and the file download serve them, wrapped in `photo` arrays, documents, messages with
// captions, replies and media groups, and callback queries for the buttons.
import sharp from 'sharp';

export function photoKit(bot, tg, { prefix = 'photo', firstCallback = 900000 } = {}) {
  let nextFile = 1;
  let nextCallback = firstCallback;
  const kit = {
    // A JPEG as Telegram stores a photo: the left half `colour`, the right half white.
    async halfRed(width = 300, height = 200, colour = '#e01010') {
      const left = await sharp({ create: { width: width / 2, height, channels: 3, background: colour } }).png().toBuffer();
      return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
        .composite([{ input: left, left: 0, top: 0 }]).jpeg({ quality: 90 }).toBuffer();
    },
    // Registers a file with the fake Bot API; returns a Telegram `photo` array (two sizes).
    photoOf(bytes, { width = 300, height = 200, size } = {}) {
      const id = `${prefix}-${nextFile++}`;
      tg.addFile(id, `photos/${id}.jpg`, bytes);
      return [
        { file_id: `${id}-thumb`, file_unique_id: `${id}-t`, width: 90, height: 60, file_size: 900 },
        { file_id: id, file_unique_id: `${id}-u`, width, height, file_size: size ?? bytes.length },
      ];
    },
    documentOf(bytes, mime, name = 'photo.png') {
      const id = `${prefix}-doc-${nextFile++}`;
      tg.addFile(id, `documents/${id}`, bytes);
      return { file_id: id, file_unique_id: `${id}-u`, file_name: name, mime_type: mime, file_size: bytes.length };
    },
    photoMessage(from, { caption, photo, document, reply, group } = {}) {
      const u = bot.messageUpdate(from, undefined);
      delete u.message.text;
      if (caption !== undefined) u.message.caption = caption;
      if (photo) u.message.photo = photo;
      if (document) u.message.document = document;
      if (reply) u.message.reply_to_message = reply;
      if (group) u.message.media_group_id = group;
      return u;
    },
    // A tap on an inline button with `data` under message `messageId`.
    callback(u, data, messageId = 1) {
      const id = nextCallback++;
      return { update_id: id, callback_query: { id: `cb${id}`, from: u, chat_instance: 'x', data,
        message: { message_id: messageId, date: 1, chat: { id: u.id, type: 'private' }, text: '' } } };
    },
  };
  return kit;
}
