/**
 * Embedding server-kit in your own Hapi server: your routes, your auth, and hirechat's REST and
 * WebSocket on the same port. Run with `npx tsx examples/embed-in-hapi.ts` after `npm install`.
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
const storage = new KnexChatStorage(createSqliteKnex('./data/example.sqlite'));

const server = Hapi.server({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

// Your own routes live beside the chat's.
server.route({ method: 'GET', path: '/', handler: () => ({ app: 'my recruiting platform' }) });

await server.register({
  plugin: hirechat,
  options: {
    storage,
    identity: new JwtIdentity({ secret }),
    files: new LocalFileStore('./data/media'),
    allowedOrigins: ['http://localhost:5173'],
  },
});

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
