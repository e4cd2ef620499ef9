import { randomInt } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { FileStore, UploadedFile } from '../ports/file-store.js';

/** Folder under the root that uploads go to, as Django's `upload_to='chat_files/'` had it. */
const FOLDER = 'chat_files';
/** Django's FileField default max_length, so that names fit the original column. */
const MAX_NAME_LENGTH = 100;
const SUFFIX_LENGTH = 7;
const ALPHANUMERICS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Longer "extensions" are more likely part of the name, and would crowd the stem out. */
const MAX_EXTENSION_LENGTH = 20;
/** Room for the stem once the suffix `_XXXXXXX` is added. */
const SUFFIX_ROOM = SUFFIX_LENGTH + 1;
/** A name this store could have made: safe characters only, no leading dot, no separators. */
const KEY_PATTERN = new RegExp(`^${FOLDER}/([A-Za-z0-9_-][A-Za-z0-9._-]{0,${MAX_NAME_LENGTH - 1}})$`);
/** Attempts at a free name before giving up; one clash in 62^7 is already unlikely. */
const MAX_ATTEMPTS = 5;

/**
 * Keeps uploads on local disk under `<root>/chat_files/`, named the way Django named them
 * (`Screenshot_from_2024-11-14_18-12-03_QTbo98H.png`), so that files and keys carried over from the
 * original service keep working.
 */
export class LocalFileStore implements FileStore {
  readonly root: string;
  private readonly folder: string;

  /** @param root Folder to keep files in (Django's MEDIA_ROOT); resolved against the working directory. */
  constructor(root: string) {
    this.root = resolve(root);
    this.folder = join(this.root, FOLDER);
  }

  async save(file: UploadedFile): Promise<string> {
    const { stem, extension } = sanitiseFilename(file.filename);
    await mkdir(this.folder, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const name = `${stem}_${randomSuffix()}${extension}`;
      try {
        // 'wx' fails on an existing file, so a clash retries instead of overwriting someone's upload.
        await writeFile(join(this.folder, name), file.data, { flag: 'wx' });
        return `${FOLDER}/${name}`;
      } catch (error) {
        if (!isErrnoException(error) || error.code !== 'EEXIST' || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async remove(key: string): Promise<void> {
    const path = this.pathOf(key);
    if (path === null) return;
    try {
      await unlink(path);
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'ENOENT') throw error;
    }
  }

  pathOf(key: string): string | null {
    const match = KEY_PATTERN.exec(key);
    if (!match?.[1]) return null;
    const path = join(this.folder, match[1]);
    // The pattern already forbids separators; this guards the guarantee itself, not a known hole.
    const inside = relative(this.root, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
    return path;
  }
}

/**
 * Splits the client's filename into a safe stem and extension, following Django's
 * `get_valid_filename` but stricter: ASCII letters, digits, `.`, `_` and `-` only.
 */
function sanitiseFilename(filename: string): { stem: string; extension: string } {
  // The client's directories mean nothing here, whichever separator its platform uses.
  const base = (filename.split(/[/\\]/).pop() ?? '').trim();
  // Split before cleaning, as Python's splitext does (leading dots belong to the stem), so that
  // `履歴書.pdf` keeps its extension instead of becoming the stem `pdf`.
  const dot = base.lastIndexOf('.');
  const hasDot = dot > 0 && /[^.]/.test(base.slice(0, dot));
  const extensionBody = hasDot ? clean(base.slice(dot + 1)).replace(/\./g, '') : '';
  // Checked after cleaning, which may lengthen text (`ﬃ` becomes `ffi`).
  const hasExtension = extensionBody !== '' && extensionBody.length < MAX_EXTENSION_LENGTH;
  const extension = hasExtension ? `.${extensionBody}` : '';
  const stem = clean(hasExtension ? base.slice(0, dot) : base)
    // Leading dots would hide the file (and `..` climbs); a trailing one reads badly before the suffix.
    .replace(/^\.+/, '')
    .slice(0, MAX_NAME_LENGTH - SUFFIX_ROOM - extension.length)
    .replace(/\.+$/, '');
  return { stem: stem === '' ? 'file' : stem, extension };
}

function clean(text: string): string {
  return text
    .normalize('NFKD') // so that `résumé` keeps its letters as `resume` instead of losing them
    .replace(/ /g, '_')
    .replace(/[^A-Za-z0-9._-]/g, '');
}

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += ALPHANUMERICS[randomInt(ALPHANUMERICS.length)];
  return suffix;
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
