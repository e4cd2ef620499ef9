'use strict';
// What an app does with the installed packages, run once from ESM (esm.mjs) and once from CommonJS
// (cjs.cjs), each passing the modules as its own module system loaded them: a Hapi server with the
// hirechat plugin over a fresh PostgreSQL database (SQLite would need better-sqlite3's native
// build, which the scratch install skips to save a compile), and the client SDK creating a room,
// following it live and posting to it. Prints what it saw as one JSON line.

const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const path = require('node:path');

module.exports = async function run({ Hapi, protocol, serverKit, testing, sdk }) {
  const database = await testing.createTestDatabase();
  const files = await mkdtemp(path.join(tmpdir(), 'hirechat-consumer-'));
  const storage = new serverKit.KnexChatStorage(serverKit.createPostgresKnex(database.url));
  const server = Hapi.server({ host: '127.0.0.1', port: 0 });
  try {
    const secret = 'a secret of the scratch project, long enough';
    await server.register({
      plugin: serverKit.hirechat,
      options: {
        storage,
        identity: new serverKit.JwtIdentity({ secret }),
        files: new serverKit.LocalFileStore(files),
      },
    });
    await server.start();

    const recruiter = crypto.randomUUID();
    const chat = new sdk.ChatClient({
      baseUrl: server.info.uri,
      token: serverKit.signAccessToken(secret, { sub: recruiter, role: 'recruiter' }),
    });
    const room = await chat.rooms.create({ recruiter, clients: [crypto.randomUUID()] });
    const live = chat.connect(room.uuid);
    const created = new Promise((resolve) => live.on('message_created', resolve));
    await live.opened;
    await chat.messages.create({ chat_room: room.uuid, content: 'hello from the tarballs' });
    const event = protocol.ServerEventSchema.parse(await created);
    live.close();

    let refusal = null;
    try {
      await chat.messages.get(crypto.randomUUID());
    } catch (error) {
      refusal = { isChatApiError: error instanceof sdk.ChatApiError, status: error.status };
    }
    console.log(
      JSON.stringify({
        type: event.type,
        content: event.message.content,
        roomMatches: event.message.chat_room === room.uuid,
        refusal,
        forbiddenCloseCode: sdk.CloseCode.Forbidden,
      }),
    );
  } finally {
    await server.stop({ timeout: 1_000 });
    await storage.close();
    await database.drop();
    await rm(files, { recursive: true, force: true });
  }
};
