import http from 'node:http';
import { Server } from 'socket.io';

/*
 * The peer: the same fan-out as Socket.IO does it. A socket that connects with `?room=` joins that
 * room; a writer emits `post(room, event)` and the server relays it with `io.to(room).emit`. No
 * auth and no storage, like the bare ws server; WebSocket transport only (the subscribers use it).
 */

const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], serveClient: false });

io.on('connection', (socket) => {
  const room = socket.handshake.query.room;
  if (typeof room === 'string' && room !== '') void socket.join(room);
  socket.on('post', (target: unknown, event: unknown) => {
    if (typeof target === 'string') io.to(target).emit('message_created', event);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
