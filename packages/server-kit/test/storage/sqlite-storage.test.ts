import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import { createSqliteKnex } from '../../src/storage/sqlite.js';
import { createRoom, describeChatStorage, newRoom } from './chat-storage-suite.js';

async function tempFolder(): Promise<{ folder: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'hirechat-storage-'));
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

describeChatStorage('SQLite file', async () => {
  const { folder, remove } = await tempFolder();
  const filename = join(folder, 'chat.sqlite3');
  const opened = [new KnexChatStorage(createSqliteKnex(filename))];
  return {
    storage: opened[0]!,
    async openAnother(options) {
      const another = new KnexChatStorage(createSqliteKnex(filename), options);
      opened.push(another);
      return another;
    },
    async cleanup() {
      await Promise.all(opened.map((storage) => storage.close()));
      await remove();
    },
  };
});

describe('createSqliteKnex', () => {
  let folder: string;
  let remove: () => Promise<void>;

  beforeEach(async () => {
    ({ folder, remove } = await tempFolder());
  });

  afterEach(async () => {
    await remove();
  });

  it('opens a file in WAL mode with foreign keys, a busy timeout and NORMAL sync, creating its folder', async () => {
    const db = createSqliteKnex(join(folder, 'nested', 'deeper', 'chat.sqlite3'));
    try {
      const pragma = async (name: string) => Object.values((await db.raw(`pragma ${name}`))[0])[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('synchronous')).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('keeps an in-memory database as one database', async () => {
    const storage = new KnexChatStorage(createSqliteKnex(':memory:'));
    try {
      await storage.migrate();
      const { room } = await createRoom(storage, newRoom());
      expect(await storage.getRoom(room.uuid)).toEqual(room);
    } finally {
      await storage.close();
    }
  });

  it('lets several processes migrate the same new file at once', async () => {
    const filename = join(folder, 'shared.sqlite3');
    const source = (file: string) => new URL(`../../src/storage/${file}`, import.meta.url).href;
    const script = `
      const { createSqliteKnex } = await import(${JSON.stringify(source('sqlite.ts'))});
      const { KnexChatStorage } = await import(${JSON.stringify(source('knex-chat-storage.ts'))});
      const storage = new KnexChatStorage(createSqliteKnex(process.argv[1]));
      await storage.migrate();
      await storage.close();
    `;
    const run = () =>
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        filename,
      ]);

    await Promise.all([run(), run(), run()]);

    const storage = new KnexChatStorage(createSqliteKnex(filename));
    try {
      await storage.migrate();
      const { room } = await createRoom(storage, newRoom());
      expect(await storage.getRoom(room.uuid)).toEqual(room);
    } finally {
      await storage.close();
    }
  });
});
