/**
 * Embedding server-kit in your own Hapi server: your routes, your auth, and hirechat's REST and
 * WebSocket on the same port. Run with `npx tsx examples/embed-in-hapi.ts` after `npm install`
 * (`PORT`, default 3000; `JWT_SECRET`; `DATA_DIR`, default ./data). Ctrl+C stops it.
 */
import Hapi from '@hapi/hapi';
import {
  createSqliteKnex,
  hirechat,
  JwtIdentity,
  KnexChatStorage,
  LocalFileStore,
  signAccessToken,
} from '@hirechat/server-kit';

const secret = process.env.JWT_SECRET ?? 'example-secret-change-me';
const dataDir = process.env.DATA_DIR ?? './data';
const storage = new KnexChatStorage(createSqliteKnex(`${dataDir}/example.sqlite`));

const server = Hapi.server({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

// Your own routes live beside the chat's.
server.route({ method: 'GET', path: '/', handler: () => ({ app: 'my recruiting platform' }) });

await server.register({
  plugin: hirechat,
  options: {
    storage,
    identity: new JwtIdentity({ secret }),
    files: new LocalFileStore(`${dataDir}/media`),
    allowedOrigins: ['http://localhost:5173'],
  },
});

// The plugin migrates the database when the server initializes (onPreStart). Code that uses the
// domain before `server.start()` initializes it first; `start()` then only starts listening.
await server.initialize();

// Server-side code can use the domain directly, e.g. to open a room when a recruiter shortlists someone.
const { chat } = server.plugins.hirechat;
const recruiter = { id: crypto.randomUUID(), email: null, name: null, role: 'recruiter' as const };
const { room } = await chat.createRoom(recruiter, {
  recruiter: recruiter.id,
  clients: [crypto.randomUUID()],
});

await server.start();
console.log(`listening on ${server.info.uri}; room ${room.uuid}`);
console.log(`recruiter token: ${signAccessToken(secret, { sub: recruiter.id, role: 'recruiter' })}`);

process.once('SIGINT', async () => {
  await server.stop({ timeout: 5_000 });
  await storage.close();
});
