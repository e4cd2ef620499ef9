import { isIP } from 'node:net';
import { z } from 'zod';

/*
 * Where the server listens (HOST and PORT): what is refused with the other settings, and what can
 * only be learnt when listening, both said in one line a person can act on.
 */

/** One DNS label: letters, digits and inner hyphens, at most 63 characters (RFC 1123). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * HOST: an IPv4 or IPv6 address (without brackets), or a host name such as `localhost`. Whether
 * the name resolves, and to an address of this machine, is learnt when listening (listenFailure).
 */
export const hostSchema = z
  .string()
  .trim()
  .refine(
    // Hapi refuses an IPv6 zone (`%eth0`) and a name's trailing dot, so they are refused here too.
    (host) => (isIP(host) !== 0 && !host.includes('%')) || isHostName(host),
    'must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or a host name (e.g. localhost)',
  );

function isHostName(host: string): boolean {
  const labels = host.split('.');
  // A last label of digits alone makes an address, not a name: 999.1.1.1 is a bad IPv4 address.
  return host.length <= 253 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}

/** What each error of listening means, for the codes a setting of HOST or PORT causes. */
const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use by another process; set PORT to a free one',
  EADDRNOTAVAIL: 'HOST is not an address of this machine; use one of its addresses, or 0.0.0.0 for all',
  EACCES: 'not allowed to listen on this port (below 1024 needs privileges); set PORT to 1024 or more',
  ENOTFOUND: 'HOST does not resolve to an address; check the name, or give an IP address',
  EAI_AGAIN: 'HOST could not be resolved now (DNS did not answer); check the name, or give an IP address',
};

/**
 * The one-line reason why listening on `host`:`port` failed, when `error` is one a setting causes
 * (the port in use, an address not of this machine, a name that does not resolve, a privileged
 * port); null for any other error, which is the server's own fault and keeps its stack.
 */
export function listenFailure(error: unknown, host: string, port: number): string | null {
  if (!(error instanceof Error)) return null;
  const { code, syscall, hostname } = error as NodeJS.ErrnoException & { hostname?: string };
  // Only the listener's own errors: a DATABASE_URL or REDIS_URL that does not resolve is not HOST's.
  const ofListening = syscall === 'listen' || (syscall === 'getaddrinfo' && hostname === host);
  const problem = ofListening && code !== undefined ? LISTEN_PROBLEMS[code] : undefined;
  if (problem === undefined) return null;
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return `cannot listen on ${address}: ${problem} (${code})`;
}
