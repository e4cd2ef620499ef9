import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own, in a temporary folder on a spare port, that the test may
 * stop and start at will: never the machine's own server, which other suites are using.
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust auth. */
  url: string;
  /** Starts the server again (same data, same port); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Fast shutdown: PostgreSQL ends every session (57P01) and stops listening. */
  stop(): Promise<void>;
  /** Stops the server if it runs and removes its folder. */
  destroy(): Promise<void>;
}

/** Creates a new cluster with initdb and starts it; resolves once it accepts connections. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await postgresBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'hirechat-pg-'));
  // initdb refuses to run as root: then the cluster belongs to the postgres user.
  const asRoot = process.getuid?.() === 0;
  const owner = async (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    await run(file, argv, { timeout: 60_000 });
  };
  let running = false;
  const pgCtl = (...args: string[]) => owner(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), ...args]);
  try {
    if (asRoot) {
      const [uid, gid] = await Promise.all([id('-u'), id('-g')]);
      await chown(dir, uid, gid);
    }
    const port = await sparePort();
    await owner(join(bin, 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--encoding=UTF8',
    ]);
    // Its socket goes in its own folder, and fsync is off: the data is thrown away anyway.
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    const server: PrivatePostgres = {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async start() {
        await pgCtl('-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start');
        running = true;
      },
      async stop() {
        await pgCtl('-m', 'fast', '-w', '-t', '30', 'stop');
        running = false;
      },
      async destroy() {
        try {
          if (running) await pgCtl('-m', 'immediate', '-w', 'stop');
          running = false;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
    await server.start();
    return server;
  } catch (error) {
    if (running) await pgCtl('-m', 'immediate', '-w', 'stop').catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The folder of initdb and pg_ctl: pg_config's answer, else the newest Debian-style install. */
async function postgresBinaries(): Promise<string> {
  try {
    return (await run('pg_config', ['--bindir'])).stdout.trim();
  } catch {
    const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
    if (!versions[0]) throw new Error('No PostgreSQL binaries found (no pg_config, no /usr/lib/postgresql).');
    return join('/usr/lib/postgresql', versions[0], 'bin');
  }
}

async function id(flag: '-u' | '-g'): Promise<number> {
  return Number((await run('id', [flag, 'postgres'])).stdout.trim());
}

/** A port that nothing listens on right now. */
function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}
