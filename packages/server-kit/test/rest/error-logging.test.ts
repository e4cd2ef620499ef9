import { randomUUID } from 'node:crypto';
import { RestPaths } from '@hirechat/protocol';
import { startTestServer } from '@hirechat/server-kit/testing';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/ports/logger.js';
import { api, newUser } from './http.js';

/** A logger that keeps what is logged at error level. */
function recordingLogger() {
  const errors: Array<{ fields: object; message: string | undefined }> = [];
  const logger: Logger = {
    info() {},
    warn() {},
    error(fields, message) {
      errors.push({ fields, message });
    },
  };
  return { logger, errors };
}

/*
 * Hapi turns a thrown ChatError into a 500 Boom whatever its code; the answer gets the code's status
 * all the same, and only a real 5xx is the server's error to log.
 */
describe('errors the plugin logs', () => {
  it('logs no client mistake (4xx), and every 5xx with its error', async () => {
    const { logger, errors } = recordingLogger();
    const server = await startTestServer({ logger });
    try {
      const user = newUser(server);
      const statuses = [
        (await user.api.get(RestPaths.roomDetail(randomUUID()))).status,
        (await user.api.post(RestPaths.createRoom, { recruiter: 'not-a-uuid' })).status,
        (await api(server).get(RestPaths.listRooms)).status,
        (await user.api.get('/nope')).status,
      ];
      expect(statuses).toEqual([404, 400, 401, 404]);
      expect(errors).toEqual([]);

      // The database gone: the server's fault, logged with the error that caused it.
      await server.storage.close();
      const failed = await user.api.get(RestPaths.listRooms);
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toBe('request failed');
      expect(errors[0]?.fields).toMatchObject({ err: expect.any(Error), path: RestPaths.listRooms });
    } finally {
      await server.stop();
    }
  });
});
