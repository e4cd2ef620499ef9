import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RestPaths, roomSocketPath } from '@hirechat/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { call, newSecret, newUser } from './support/chat.js';
import { cleanEnv, type ServerProcess, startServerProcess } from './support/processes.js';

/*
 * A client's mistake (any 4xx) is not an error of the server: it gets its one `request` line (info,
 * with its status) and nothing at error level, so an operator's error alerts only ever mean the
 * server is at fault.
 */

describe('the reference server’s log of client mistakes', () => {
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;

  afterEach(async () => {
    await server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    server = undefined;
    dataDir = undefined;
  });

  it('logs 404, 400 and 429 answers and refused sockets as request lines at most, never as errors', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-mistakes-'));
    const secret = newSecret();
    server = await startServerProcess({
      ...cleanEnv(),
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      RATE_LIMIT_READS_PER_S: '2',
      RATE_LIMIT_READS_BURST: '3',
    });
    const user = newUser(secret, 'recruiter');
    const mark = server.output.mark();

    const answers = [
      await call(server.url, null, 'GET', '/nope'),
      await call(server.url, user, 'GET', RestPaths.roomDetail(randomUUID())),
      await call(server.url, user, 'POST', RestPaths.createRoom, { recruiter: 'not-a-uuid' }),
    ];
    let refused = 0;
    for (let i = 0; i < 10 && refused === 0; i++) {
      if ((await call(server.url, user, 'GET', RestPaths.listRooms)).status === 429) refused++;
    }
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 400]);
    expect(refused).toBe(1);
    // A socket refused for its token, and one for an unknown room.
    for (const token of ['not-a-token', user.token]) {
      const socket = new WebSocket(`${server.wsUrl}${roomSocketPath(randomUUID())}?token=${token}`);
      await new Promise((resolve) => socket.once('close', resolve).once('error', resolve));
    }

    // One last request, so that whatever the refusals logged before it is in the output.
    expect((await call(server.url, null, 'GET', RestPaths.health)).status).toBe(200);
    const output = server.output;
    await output.waitFor((record) => record.msg === 'request' && record.path === RestPaths.health, {
      after: mark,
    });
    const records = output.records.slice(mark);
    const statuses = records.filter((record) => record.msg === 'request').map((record) => record.status);
    expect(statuses.slice(0, 3)).toEqual([404, 404, 400]);
    expect(statuses).toContain(429);
    // Not even a warning: nothing is wrong with the server.
    expect(records.filter((record) => Number(record.level) >= 40)).toEqual([]);
    expect(output.text).not.toMatch(/ChatError|stack/);
  });
});
