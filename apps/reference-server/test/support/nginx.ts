import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@hirechat/server-kit/testing';
import { ROOT } from './processes.js';

export const DEPLOY_NGINX_CONF = path.join(ROOT, 'deploy/nginx.conf');

/**
 * The `/ws/` block of the original service's README, byte for byte (its nginx section). The deploy
 * file must contain it unchanged, and the test's nginx runs the deploy file.
 */
export const SEED_WS_BLOCK = `    location /ws/ {
        proxy_pass http://127.0.0.1:8000;  # Proxy WebSocket connections to Daphne or Uvicorn (port 8000 or your custom port)
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection 'upgrade';
        proxy_set_header Host $host;
        proxy_cache_bypass $http_upgrade;
    }
`;

/** Where the seed's block proxies to; the deploy file's loopback hop listens there. */
export const SEED_WS_PORT = 8000;

export interface Nginx {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  /** The configuration it runs. */
  conf: string;
  /** What nginx has written to its error log (stderr) so far: why a request failed, for one. */
  errorLog(): string;
  /** Stops nginx (fast shutdown) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * deploy/nginx.conf with the test's ports and paths, and nothing else changed: the upstream lists
 * `upstreams` (each with the parameters the deploy file gives its servers, e.g. `max_fails=0`), the
 * public server listens on 127.0.0.1:`port`, and the access log goes to `logFile`. Throws when the
 * deploy file no longer has the shape this expects, so the two cannot drift apart.
 */
export function testNginxConf(deploy: string, upstreams: number[], port: number, logFile: string): string {
  let conf = deploy;
  const replaceOnce = (pattern: RegExp, replacement: string, what: string) => {
    const matches = conf.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`));
    if (matches?.length !== 1)
      throw new Error(`deploy/nginx.conf: expected one ${what}, found ${matches?.length ?? 0}`);
    conf = conf.replace(pattern, replacement);
  };
  // The upstream's server lines: `    server 127.0.0.1:<port><parameters>;`, maybe with a comment.
  const serverLines = / {4}server 127\.0\.0\.1:\d+([^;\n]*);.*\n/;
  const upstream = new RegExp(`upstream hirechat \\{\\n(?:${serverLines.source})+`);
  const parameters = new Set(
    [...(upstream.exec(conf)?.[0] ?? '').matchAll(new RegExp(serverLines, 'g'))].map((line) => line[1]),
  );
  if (parameters.size !== 1) {
    throw new Error(
      `deploy/nginx.conf: expected server lines with the same parameters, found ${parameters.size}`,
    );
  }
  const [parameter = ''] = parameters;
  replaceOnce(
    upstream,
    `upstream hirechat {\n${upstreams.map((p) => `    server 127.0.0.1:${p}${parameter};\n`).join('')}`,
    'upstream hirechat with server lines',
  );
  replaceOnce(/ {4}listen 80;\n {4}listen \[::\]:80;\n/, `    listen 127.0.0.1:${port};\n`, 'listen 80 pair');
  replaceOnce(/\/var\/log\/nginx\/hirechat\.access\.log/, logFile, 'access log path');
  if (!conf.includes(SEED_WS_BLOCK))
    throw new Error("deploy/nginx.conf: the seed's /ws/ block is not verbatim");
  if (!conf.includes(`listen 127.0.0.1:${SEED_WS_PORT};`)) {
    throw new Error(`deploy/nginx.conf: nothing listens where the seed's block proxies to (${SEED_WS_PORT})`);
  }
  return conf;
}

/**
 * Starts Debian's nginx as a child process (no daemon, one worker, everything in a temporary
 * folder) in front of `upstreams`, running deploy/nginx.conf through testNginxConf. Resolves once
 * its worker runs. The seed's block needs 127.0.0.1:8000: while something else holds that port
 * (another test run's nginx), this waits for it, for up to a minute.
 */
export async function startNginx(upstreams: number[]): Promise<Nginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hirechat-nginx-'));
  try {
    // As root, nginx's worker runs as nobody and must reach its temporary folders in here.
    await chmod(dir, 0o755);
    const port = await freePort();
    const site = testNginxConf(
      await readFile(DEPLOY_NGINX_CONF, 'utf8'),
      upstreams,
      port,
      path.join(dir, 'access.log'),
    );
    const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
    const conf = [
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      'error_log stderr notice;',
      'events { worker_connections 512; }',
      'http {',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
      site,
      '}',
      '',
    ].join('\n');
    const confFile = path.join(dir, 'nginx.conf');
    await writeFile(confFile, conf);

    const deadline = Date.now() + 60_000;
    for (;;) {
      const started = await spawnNginx(dir, confFile);
      if ('child' in started) {
        const { child, workers, log } = started;
        let stopping: Promise<void> | undefined;
        return {
          port,
          url: `http://127.0.0.1:${port}`,
          wsUrl: `ws://127.0.0.1:${port}`,
          conf,
          errorLog: log,
          stop() {
            stopping ??= stopNginx(child, workers).finally(() => rm(dir, { recursive: true, force: true }));
            return stopping;
          },
        };
      }
      const busy = started.output.includes(`127.0.0.1:${SEED_WS_PORT} failed (98: Address already in use)`);
      if (!busy || Date.now() > deadline) throw new Error(`nginx did not start:\n${started.output}`);
      // nginx itself retried the bind for about 2.5 s before giving up; try again a moment later.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** nginx from PATH, or from /usr/sbin (Debian's place), which a user's PATH often lacks. */
function nginxBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin'];
  for (const dir of dirs) {
    const file = path.join(dir, 'nginx');
    if (dir !== '' && existsSync(file)) return file;
  }
  return 'nginx';
}

type Spawned = { child: ChildProcess; workers: number[]; log: () => string } | { output: string };

/** Runs nginx until its worker has started (its notice says so) or it has exited. */
async function spawnNginx(dir: string, confFile: string): Promise<Spawned> {
  const child = spawn(nginxBinary(), ['-p', `${dir}/`, '-e', 'stderr', '-c', confFile, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const workers: number[] = [];
  return new Promise<Spawned>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nginx did not start within 15 s:\n${output}`));
    }, 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const match of output.matchAll(/start worker process (\d+)/g)) {
        const pid = Number(match[1]);
        if (!workers.includes(pid)) workers.push(pid);
      }
      if (workers.length > 0) {
        clearTimeout(timer);
        resolve({ child, workers, log: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`nginx could not be run (apt-get install -y nginx): ${error.message}`));
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve({ output });
    });
  });
}

/** Fast shutdown (SIGTERM); SIGKILL for the master and its workers if it takes over 5 s. */
async function stopNginx(child: ChildProcess, workers: number[]): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
