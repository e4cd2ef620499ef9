export { freePort } from './free-port.js';
export { createTestDatabase, type TestDatabase } from './postgres-database.js';
export { type PrivateRedis, privateRedis } from './private-redis.js';
export {
  startTestServer,
  type TestServer,
  type TestServerDatabase,
  type TestServerOptions,
} from './test-server.js';
export {
  type ReceivedWebhook,
  type ReceiverAnswer,
  startWebhookReceiver,
  WebhookReceiver,
} from './webhook-receiver.js';
