import { CONFIG_VARIABLES } from './config.js';
import { unsetIfBlank } from './env-values.js';

/**
 * Prefixes of the reference server's own variables. A variable that starts with one and is not
 * one of them is a typo (WEBHOOK_URL for WEBHOOK_URLS) that would otherwise change nothing,
 * silently. Prefixes other programs share (DATA_, LOG_, API_) are left out: an environment holds
 * plenty of those that are none of the server's business.
 */
export const CONFIG_PREFIXES = [
  'JWT_',
  'MEDIA_URL_',
  'RATE_LIMIT',
  'SOCKET_MAX_',
  'PRESENCE_',
  'TYPING_',
  'WEBHOOK_',
  'UNREAD_',
  'DEMO_WEB',
  'API_DOCS',
  'ALLOWED_ORIGIN',
  'MAX_UPLOAD',
] as const;

/** Variables that only matter with WEBHOOK_URLS. */
const WEBHOOK_ONLY = CONFIG_VARIABLES.filter(
  (name) => (name.startsWith('WEBHOOK_') && name !== 'WEBHOOK_URLS') || name === 'UNREAD_NOTIFY_AFTER_S',
);

/** A setting that is not wrong enough to refuse, but most likely not what was meant. */
export interface ConfigWarning {
  variable: string;
  message: string;
}

/**
 * What in `env` is set but changes nothing, one warning a variable, for the start-up log: a
 * variable with one of {@link CONFIG_PREFIXES} that the server does not read (with the known one it
 * is closest to, when one is close), one without them that is a slip of a known one (see isSlip),
 * and a webhook variable given while WEBHOOK_URLS is unset.
 * Values are never repeated: a misspelt variable may hold a secret.
 */
export function configWarnings(env: NodeJS.ProcessEnv): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (CONFIG_VARIABLES.includes(variable)) continue;
    const near = closest(variable);
    if (!CONFIG_PREFIXES.some((prefix) => variable.startsWith(prefix)) && !isSlip(variable, near)) continue;
    warnings.push({
      variable,
      message:
        `${variable} is not a setting of this server and is ignored` +
        (near ? `; did you mean ${near}?` : ''),
    });
  }
  if (unsetIfBlank(env.WEBHOOK_URLS) === undefined) {
    for (const variable of WEBHOOK_ONLY) {
      if (unsetIfBlank(env[variable]) === undefined) continue;
      warnings.push({
        variable,
        message: `${variable} is set but WEBHOOK_URLS is not: webhooks are off, and ${variable} does nothing`,
      });
    }
  }
  return warnings;
}

/** Length from which a name one edit from a known one counts as its slip, whatever its prefix. */
const SLIP_MIN_LENGTH = 7;

/**
 * Whether `name`, which has none of the server's prefixes, is still most likely one of its
 * variables mistyped: the same but for case (`webhook_urls`), or one edit from a long one
 * (`REDIS_URI`, `DATABASE_URI`, `LOG_LEVELS`, `RATELIMITS`). Short names are left out: one edit from
 * `PORT` or `HOST` are other programs' variables (`HOME`).
 */
function isSlip(name: string, near: string | null): boolean {
  if (near === null) return false;
  if (name.toUpperCase() === near) return true;
  return near.length >= SLIP_MIN_LENGTH && editDistance(name, near) === 1;
}

/** The known variable within a few edits of `name`, or null when none is that close. */
function closest(name: string): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const known of CONFIG_VARIABLES) {
    const distance = editDistance(name.toUpperCase(), known);
    if (distance <= 3 && (best === null || distance < best.distance)) best = { name: known, distance };
  }
  return best?.name ?? null;
}

/** Levenshtein distance: insertions, deletions and substitutions that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
