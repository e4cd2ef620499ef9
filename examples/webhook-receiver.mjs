// Receives hirechat's webhooks: checks each signature with the `standardwebhooks` package (any
// Standard Webhooks library does) and prints the event. Point the server at it:
//
//   WEBHOOK_SECRET=whsec_... node examples/webhook-receiver.mjs [port, default 9000]
//   WEBHOOK_URLS=http://127.0.0.1:9000/ WEBHOOK_SECRET=whsec_... npm start
//
// Answers 204 to what it accepts (the server counts any 2xx as delivered), and 400 to a request
// whose signature does not verify (the server retries anything else, so a forged request is not).
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith('whsec_')) {
  console.error('usage: WEBHOOK_SECRET=whsec_... node examples/webhook-receiver.mjs [port]');
  process.exit(2);
}
const verifier = new Webhook(secret);
const port = Number(process.argv[2] ?? 9000);
/** webhook-ids seen: delivery is at least once, so a retry of something taken is answered and skipped. */
const seen = new Set();

/** One line that says what happened, for the events a platform acts on. */
function summary(event) {
  const { data } = event;
  switch (event.type) {
    case 'message.unread':
      return `email ${data.user_id}: they missed "${data.message.content ?? data.message.file}" in room ${data.message.chat_room}`;
    case 'message.created':
      return `${data.message.sender} wrote in room ${data.message.chat_room}`;
    case 'message.read':
      return `${data.user_id} read ${data.message_id}`;
    default:
      return event.type;
  }
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      // Throws unless the id, timestamp (within 5 minutes) and body are exactly what was signed.
      event = verifier.verify(body, request.headers);
    } catch (error) {
      console.log(`refused a request: ${error.message}`);
      response.writeHead(400).end();
      return;
    }
    const id = request.headers['webhook-id'];
    if (!seen.has(id)) {
      seen.add(id);
      console.log(`${event.type} (${id}): ${summary(event)}`);
      console.log(JSON.stringify(event, null, 2));
    }
    response.writeHead(204).end();
  });
});
server.listen(port, '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}/`),
);
process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
