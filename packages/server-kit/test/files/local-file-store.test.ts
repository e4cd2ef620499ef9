import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/files/local-file-store.js';

const SUFFIX = '_[A-Za-z0-9]{7}';
const bytes = (text: string) => new TextEncoder().encode(text);

describe('LocalFileStore', () => {
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hirechat-files-'));
    store = new LocalFileStore(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function nameOf(filename: string): Promise<string> {
    const key = await store.save({ filename, data: bytes('x') });
    expect(key.startsWith('chat_files/')).toBe(true);
    return key.slice('chat_files/'.length);
  }

  describe('save', () => {
    it('keeps the file under root/chat_files with the name Django would give it', async () => {
      const data = bytes('png bytes');
      const key = await store.save({ filename: 'Screenshot from 2024-11-14 18-12-03.png', data });

      expect(key).toMatch(new RegExp(`^chat_files/Screenshot_from_2024-11-14_18-12-03${SUFFIX}\\.png$`));
      const path = join(root, key);
      expect(store.pathOf(key)).toBe(path);
      expect(new Uint8Array(await readFile(path))).toEqual(data);
    });

    it('strips directories, whichever separator they use', async () => {
      expect(await nameOf('../../etc/passwd')).toMatch(new RegExp(`^passwd${SUFFIX}$`));
      expect(await nameOf('..\\..\\win.ini')).toMatch(new RegExp(`^win${SUFFIX}\\.ini$`));
      expect(await nameOf('C:\\Users\\ann\\cv.pdf')).toMatch(new RegExp(`^cv${SUFFIX}\\.pdf$`));
      expect(await nameOf('/abs/path/cv.pdf')).toMatch(new RegExp(`^cv${SUFFIX}\\.pdf$`));
      expect(await readdir(root)).toEqual(['chat_files']);
    });

    it('turns spaces into underscores and drops unsafe characters', async () => {
      expect(await nameOf('cv.p df')).toMatch(new RegExp(`^cv${SUFFIX}\\.p_df$`));
      expect(await nameOf('my cv (final).pdf')).toMatch(new RegExp(`^my_cv_final${SUFFIX}\\.pdf$`));
      expect(await nameOf('a;b|c$d`e\'f"g<h>i*j?.txt')).toMatch(new RegExp(`^abcdefghij${SUFFIX}\\.txt$`));
      expect(await nameOf('line\nbreak\0.txt')).toMatch(new RegExp(`^linebreak${SUFFIX}\\.txt$`));
    });

    it('keeps the letters of accented names and falls back to `file` when nothing is left', async () => {
      expect(await nameOf('résumé.pdf')).toMatch(new RegExp(`^resume${SUFFIX}\\.pdf$`));
      expect(await nameOf('履歴書.pdf')).toMatch(new RegExp(`^file${SUFFIX}\\.pdf$`));
      expect(await nameOf('😀')).toMatch(new RegExp(`^file${SUFFIX}$`));
    });

    it('names an empty or all-dots filename `file`', async () => {
      expect(await nameOf('')).toMatch(new RegExp(`^file${SUFFIX}$`));
      expect(await nameOf('..')).toMatch(new RegExp(`^file${SUFFIX}$`));
      expect(await nameOf('...')).toMatch(new RegExp(`^file${SUFFIX}$`));
      expect(await nameOf('dir/')).toMatch(new RegExp(`^file${SUFFIX}$`));
    });

    it('never makes a dotfile', async () => {
      expect(await nameOf('.env')).toMatch(new RegExp(`^env${SUFFIX}$`));
      expect(await nameOf('.htaccess')).toMatch(new RegExp(`^htaccess${SUFFIX}$`));
      expect(await nameOf('...hidden.txt')).toMatch(new RegExp(`^hidden${SUFFIX}\\.txt$`));
      expect(await nameOf('.pdf')).toMatch(new RegExp(`^pdf${SUFFIX}$`));
    });

    it('cuts long names to 100 characters, keeping the extension', async () => {
      const name = await nameOf(`${'a'.repeat(300)}.pdf`);

      expect(name).toHaveLength(100);
      expect(name).toMatch(new RegExp(`^a+${SUFFIX}\\.pdf$`));
    });

    it('does not let a very long extension crowd the name out', async () => {
      const name = await nameOf(`cv.${'x'.repeat(300)}`);

      expect(name.length).toBeLessThanOrEqual(100);
      expect(name).toMatch(new RegExp(`^cv\\.x+${SUFFIX}$`));
      // Characters that decompose into several letters must not push the name past the limit.
      const ligatures = await nameOf(`${'b'.repeat(200)}.${'ﬃ'.repeat(19)}`);
      expect(ligatures.length).toBeLessThanOrEqual(100);
    });

    it('gives the same filename a different suffix each time and overwrites nothing', async () => {
      const keys: string[] = [];
      for (let i = 0; i < 20; i++)
        keys.push(await store.save({ filename: 'cv.pdf', data: bytes(`copy ${i}`) }));

      expect(new Set(keys).size).toBe(keys.length);
      for (const [i, key] of keys.entries()) {
        expect(await readFile(join(root, key), 'utf8')).toBe(`copy ${i}`);
      }
      expect(await readdir(join(root, 'chat_files'))).toHaveLength(keys.length);
    });

    it('creates the root and its folder when they do not exist yet', async () => {
      const nested = new LocalFileStore(join(root, 'media', 'uploads'));

      const key = await nested.save({ filename: 'cv.pdf', data: bytes('cv') });

      expect(existsSync(join(root, 'media', 'uploads', key))).toBe(true);
    });
  });

  describe('pathOf', () => {
    it('answers the absolute path of a key this store could have made', () => {
      expect(store.root).toBe(root);
      expect(store.pathOf('chat_files/cv_QTbo98H.pdf')).toBe(join(root, 'chat_files', 'cv_QTbo98H.pdf'));
    });

    it('resolves a relative root to an absolute one', () => {
      const relative = new LocalFileStore('media');

      expect(relative.root).toBe(join(process.cwd(), 'media'));
      expect(relative.pathOf('chat_files/cv.pdf')?.startsWith(`${relative.root}${sep}`)).toBe(true);
    });

    it('refuses keys that climb out, are absolute, or name another folder', () => {
      for (const key of [
        '../x',
        'chat_files/../../x',
        'chat_files/../x',
        'chat_files/..',
        'chat_files/.',
        'chat_files/',
        'chat_files',
        'chat_files/.env',
        'chat_files/sub/cv.pdf',
        'chat_files\\..\\x',
        'chat_files/..\\x',
        '/etc/passwd',
        join(root, 'chat_files', 'cv.pdf'),
        'other/cv.pdf',
        'media/chat_files/cv.pdf',
        './chat_files/cv.pdf',
        'chat_files/cv pdf',
        'chat_files/cv.pdf\0',
        `chat_files/${'a'.repeat(101)}`,
        '',
      ]) {
        expect(store.pathOf(key), key).toBeNull();
      }
    });
  });

  describe('remove', () => {
    it('deletes the file and tolerates it being gone already', async () => {
      const key = await store.save({ filename: 'cv.pdf', data: bytes('cv') });

      await store.remove(key);
      expect(existsSync(join(root, key))).toBe(false);
      await expect(store.remove(key)).resolves.toBeUndefined();
      await expect(store.remove('chat_files/never_saved.pdf')).resolves.toBeUndefined();
    });

    it('does nothing for a key it refuses, even when that path exists', async () => {
      await writeFile(join(root, 'keep.txt'), 'keep');
      await mkdir(join(root, 'chat_files'), { recursive: true });

      await store.remove('chat_files/../keep.txt');
      await store.remove('../keep.txt');
      await store.remove(join(root, 'keep.txt'));

      expect(await readFile(join(root, 'keep.txt'), 'utf8')).toBe('keep');
    });
  });
});
