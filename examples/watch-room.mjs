// Prints every event of one chat room as it arrives.
//
//   node examples/watch-room.mjs <room uuid> <access token> [server URL, default http://localhost:8000]
//
// Uses the `ws` package that `npm install` put in node_modules: Node 20 has no WebSocket client.
import WebSocket from 'ws';

const [room, token, server = 'http://localhost:8000'] = process.argv.slice(2);
if (!room || !token) {
  console.error('usage: node examples/watch-room.mjs <room uuid> <access token> [server URL]');
  process.exit(2);
}

// The seed's URL shape: /ws/chat/<room>/?token=<token>, on the same port as REST.
const base = server.replace(/^http/, 'ws');
const url = new URL(`/ws/chat/${encodeURIComponent(room)}/`, base);
url.searchParams.set('token', token);

// What the server's close codes mean (see CloseCode in @hirechat/protocol).
const CLOSE_REASONS = {
  1000: 'closed normally',
  1001: 'the server is shutting down',
  1006: 'the connection failed or dropped',
  1008: 'too many frames, after being told',
  1009: 'a frame was too big',
  1011: 'the server failed',
  1013: 'events came faster than this socket read them: reconnect with ?since= once it keeps up',
  4401: 'no token, a bad one or an expired one: get a new token',
  4403: 'you are not a participant of this room',
  4404: 'no such room',
  4429: 'this user holds as many sockets as the server allows: retry later',
};

const socket = new WebSocket(url);
socket.on('open', () => console.log(`watching room ${room}; Ctrl+C to stop`));
socket.on('message', (data) => console.log(JSON.stringify(JSON.parse(String(data)), null, 2)));
socket.on('close', (code) => {
  console.log(`socket closed with ${code}: ${CLOSE_REASONS[code] ?? 'see the contract'}`);
  process.exit(code === 1000 ? 0 : 1);
});
socket.on('error', (error) => console.error(`socket error: ${error.message}`));
process.on('SIGINT', () => socket.close(1000));
process.on('SIGTERM', () => socket.close(1000));
