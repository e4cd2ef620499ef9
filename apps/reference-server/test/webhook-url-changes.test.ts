import { describe, expect, it } from 'vitest';
import { createRoom, newUser } from './support/chat.js';
import { type LogRecord, withMessage } from './support/processes.js';
import { createdOf, roomWithMessages, runCli, useWebhookDeployments } from './support/webhooks.js';

/*
 * `npm run webhooks` after WEBHOOK_URLS changed: `retry` queues a failed delivery to the URL of
 * its endpoint configured now (a rotated token's), leaves failed those whose URL is no longer
 * configured and says how many, and exits 1 for an id it could not queue; `failed` keeps each
 * delivery on one line of its table, whatever its error. A real receiver, a real TLS error (https
 * to a plain HTTP port), a reference server restarted with the new configuration, on SQLite and
 * PostgreSQL.
 */

const world = useWebhookDeployments();

interface Listed {
  id: number;
  url: string;
  lastError: string;
}

describe.each(['sqlite', 'postgres'] as const)(
  'npm run webhooks after WEBHOOK_URLS changed, on %s',
  (kind) => {
    it('retries to the URL configured now, leaves out URLs no longer configured, and lists one line each', async () => {
      // Retried for about a second.
      const { receiver, jwtSecret, env, start } = await world(kind, { WEBHOOK_RETRY_HOURS: '0.0003' });
      const tls = `https://127.0.0.1:${receiver.port}/tls?token=gone`;
      env.WEBHOOK_URLS = `${receiver.url}?token=one,${tls}`;
      receiver.answer = 500;
      const first = await start();
      const room = await createRoom(first.url, newUser(jwtSecret, 'recruiter'), [
        newUser(jwtSecret, 'client'),
      ]);
      const failedAt = (url: string) => (record: LogRecord) =>
        record.msg === 'webhook not delivered; retries are over' && record.url === url;
      await first.output.waitFor(failedAt(receiver.url));
      await first.output.waitFor(failedAt(`https://127.0.0.1:${receiver.port}/tls`));
      await first.kill();

      const json = await runCli(['failed', '--json'], env);
      expect(json.code, json.stderr).toBe(0);
      const listed = JSON.parse(json.stdout) as Listed[];
      const tlsRow = listed.find((row) => row.url === `https://127.0.0.1:${receiver.port}/tls`)!;
      // OpenSSL's message ends its line; JSON keeps the text as it is.
      expect(tlsRow.lastError).toMatch(/\n.*ERR_SSL_WRONG_VERSION_NUMBER/);
      const table = await runCli(['failed'], env);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1 + listed.length);
      expect(lines.find((line) => line.startsWith(`${tlsRow.id} `))).toMatch(
        /ssl3_get_record.*ERR_SSL_WRONG_VERSION_NUMBER/,
      );

      // The token is rotated and the TLS URL taken out.
      env.WEBHOOK_URLS = `${receiver.url}?token=two`;
      const notQueued = await runCli(['retry', String(tlsRow.id)], env);
      expect(notQueued.code).toBe(1);
      expect(notQueued.stdout.trim()).toBe(
        'Queued 0 deliveries again. 1 left failed: their URL is no longer in the configuration (WEBHOOK_URLS).',
      );
      expect(notQueued.stderr.trim()).toBe('error: not every delivery named could be queued');
      const none = await runCli(['retry', '999999'], env);
      expect(none.code).toBe(1);
      expect(none.stdout.trim()).toBe('Queued 0 deliveries again.');
      expect(none.stderr.trim()).toBe('error: 1 of the ids named no failed delivery (see failed)');

      const all = await runCli(['retry', '--all'], env);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout.trim()).toBe(
        'Queued 1 delivery again. 1 left failed: their URL is no longer in the configuration (WEBHOOK_URLS).',
      );
      receiver.answer = 200;
      await start();
      const delivered = await receiver.waitFor(
        (r) => r.event?.type === 'room.created' && r.event.data.room.uuid === room && r.answer === 200,
      );
      expect(delivered.path).toBe('/hooks?token=two');
      const left = JSON.parse((await runCli(['failed', '--json'], env)).stdout) as Listed[];
      expect(left.map((row) => row.id)).toEqual([tlsRow.id]);
      // Two starts of a server and six runs of the command, each a process from source.
    }, 90_000);

    it('sends what was queued for a rotated token to the new one after a restart, and fails what a removed URL had', async () => {
      const { receiver, jwtSecret, env, start } = await world(kind);
      const removed = `http://127.0.0.1:${receiver.port}/removed?token=tok3nGONE`;
      env.WEBHOOK_URLS = `${receiver.url}?token=one,${removed}`;
      receiver.answer = 500;
      const first = await start();
      const { uuids } = await roomWithMessages(first, jwtSecret, 3, 'queued for token one');
      await first.output.waitFor(withMessage('webhook not delivered'));
      await first.kill();

      env.WEBHOOK_URLS = `${receiver.url}?token=two`;
      receiver.answer = 200;
      const second = await start();
      for (const uuid of uuids) {
        const delivered = await receiver.waitFor(createdOf(uuid));
        expect(delivered.path).toBe('/hooks?token=two');
      }
      const warning = await second.output.waitFor(
        withMessage('webhooks failed: their URL is no longer in the configuration'),
      );
      // The room's event and the three messages'.
      expect(warning).toMatchObject({ url: `http://127.0.0.1:${receiver.port}/removed`, count: 4 });
      expect(second.output.text).not.toContain('tok3nGONE');
      const listed = JSON.parse((await runCli(['failed', '--json'], env)).stdout) as Listed[];
      expect(listed).toHaveLength(4);
      expect(listed.every((row) => row.lastError === 'its URL is no longer in the configuration')).toBe(true);
    }, 90_000);
  },
);
