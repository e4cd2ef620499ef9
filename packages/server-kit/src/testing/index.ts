export { createTestDatabase, type TestDatabase } from './postgres-database.js';
export {
  startTestServer,
  type TestServer,
  type TestServerDatabase,
  type TestServerOptions,
} from './test-server.js';
