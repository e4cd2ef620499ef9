import type { ResponseToolkit } from '@hapi/hapi';
import { type HealthBody, type HealthCheck, type HealthUnavailableBody, RestPaths } from '@hirechat/protocol';
import type { Broadcaster } from '../../ports/broadcaster.js';
import type { ChatStorage } from '../../ports/chat-storage.js';
import type { PathRoutes } from '../route-table.js';

const CHECK_TIMEOUT_MS = 2_000;

/** 200 once the database (and the broadcaster's broker, where there is one) answers, else 503. */
export function healthRoutes(storage: ChatStorage, broadcaster: Broadcaster): PathRoutes[] {
  return [
    {
      path: RestPaths.health,
      methods: {
        GET: {
          options: { auth: false },
          async handler(_request, h: ResponseToolkit) {
            const [database, broker] = await Promise.all([check(storage.ping()), check(broadcaster.ping())]);
            const ok = database === 'ok' && broker === 'ok';
            const body: HealthBody | HealthUnavailableBody = ok
              ? { status: 'ok', database, broadcast: broker }
              : { detail: 'Unavailable.', code: 'unavailable', database, broadcast: broker };
            return h.response(body).code(ok ? 200 : 503);
          },
        },
      },
    },
  ];
}

async function check(probe: Promise<void>): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe, timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
