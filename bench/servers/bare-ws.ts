import http from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/*
 * The ceiling: the least a WebSocket fan-out server can do. No auth, no storage, no JSON. A socket
 * on `/<room>` is a member of the room. A socket on `/?writer=1` is a writer: each frame it sends
 * is `<room>\n<payload>`, and the payload goes to every member of the room as it came (a slice of
 * the received buffer, written to each socket). One writer socket serves any number of rooms, so
 * that writers do not eat into the open-file limit that the connection scenario runs up against.
 */

const NEWLINE = 0x0a;

const rooms = new Map<string, Set<WebSocket>>();
const server = http.createServer((_request, response) => {
  response.writeHead(404).end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on('connection', (socket, request) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.searchParams.has('writer')) {
    socket.on('message', (data, isBinary) => {
      const frame = data as Buffer;
      const cut = frame.indexOf(NEWLINE);
      if (cut < 0) return;
      const members = rooms.get(frame.toString('latin1', 0, cut));
      if (!members) return;
      const payload = frame.subarray(cut + 1);
      for (const member of members) {
        if (member.readyState === member.OPEN) member.send(payload, { binary: isBinary });
      }
    });
    return;
  }
  const room = url.pathname.slice(1);
  let members = rooms.get(room);
  if (!members) {
    members = new Set();
    rooms.set(room, members);
  }
  members.add(socket);
  socket.on('close', () => {
    members.delete(socket);
    if (members.size === 0 && rooms.get(room) === members) rooms.delete(room);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
