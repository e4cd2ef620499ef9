#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { UuidInputSchema } from '@hirechat/protocol';
import { ROLES, type Role, signAccessToken } from '@hirechat/server-kit';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { configWarnings } from './config-warnings.js';
import { DEV_SECRET_WARNING, ensureDevSecret } from './dev-secret.js';

const USAGE = `Usage: npm run token -- --user <uuid> [--email <email>] [--name <name>] [--role ${ROLES.join('|')}] [--expires-in <seconds>]

Prints an access token that this server accepts, signed with JWT_SECRET or, when no key is
configured, with the development secret in DATA_DIR (the same one the server uses).

  --user        the user's UUID (the token's "sub" claim); required
  --email       the user's email
  --name        the user's display name
  --role        ${ROLES.join(', ')}; an admin may create any room
  --expires-in  lifetime in seconds (default 3600)`;

/** Thrown for anything the person at the terminal has to fix; printed without a stack. */
class UsageError extends Error {
  constructor(
    message: string,
    /** Whether the usage text helps: it does for a bad option, not for a refusal. */
    readonly showUsage = true,
  ) {
    super(message);
  }
}

async function main(argv: string[]): Promise<string> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    // parseArgs' own messages already name the option ("Unknown option '--usr'").
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }

  if (values.user === undefined) throw new UsageError('--user <uuid> is required');
  const user = UuidInputSchema.safeParse(values.user);
  if (!user.success) throw new UsageError(`--user must be a UUID, got "${values.user}"`);

  if (values.role !== undefined && !(ROLES as readonly string[]).includes(values.role)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${values.role}"`);
  }
  const role = values.role as Role | undefined;

  if (values.email !== undefined && !z.email().safeParse(values.email).success) {
    throw new UsageError(`--email must be an email address, got "${values.email}"`);
  }

  let expiresIn: number | undefined;
  if (values['expires-in'] !== undefined) {
    expiresIn = /^\d+$/.test(values['expires-in']) ? Number(values['expires-in']) : Number.NaN;
    if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0) {
      throw new UsageError(
        `--expires-in must be a positive whole number of seconds, got "${values['expires-in']}"`,
      );
    }
  }

  // The same environment as the server, so that the token is signed with the key it verifies with.
  const config = loadConfig(process.env);
  let secret: string;
  if (config.jwt === null) {
    const dev = await ensureDevSecret(config.dataDir);
    console.error(`warning: ${DEV_SECRET_WARNING} (${dev.file})`);
    secret = dev.secret;
  } else if ('secret' in config.jwt) {
    secret = config.jwt.secret;
  } else {
    throw new UsageError(
      'JWT_PUBLIC_KEY is set, so the server only accepts tokens signed with the matching PRIVATE key, ' +
        'which belongs to the platform that issues your tokens and is not available here. ' +
        'Get a token from that platform, or for local testing unset JWT_PUBLIC_KEY (and use JWT_SECRET or ' +
        'the development secret) on both the server and this command.',
      false,
    );
  }

  return signAccessToken(
    secret,
    {
      sub: user.data,
      ...(values.email !== undefined && { email: values.email }),
      ...(values.name !== undefined && { name: values.name }),
      ...(role !== undefined && { role }),
    },
    expiresIn === undefined ? {} : { expiresIn },
  );
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      user: { type: 'string', short: 'u' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      'expires-in': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

// On stderr: stdout carries the output alone (a token, `failed --json`).
for (const warning of configWarnings(process.env)) console.error(`warning: ${warning.message}`);

try {
  // Only the token goes to stdout, so that `TOKEN=$(npm run -s token -- ...)` captures it alone.
  console.log(await main(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}${error.showUsage ? `\n\n${USAGE}` : ''}`);
  } else if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
}
