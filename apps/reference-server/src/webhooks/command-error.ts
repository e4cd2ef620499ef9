/**
 * Something the person running `npm run webhooks` has to fix (a DATA_DIR without the server's
 * database, a PostgreSQL database that is not there, no key to sign with): printed as one line on
 * stderr, without a stack, so that stdout stays clean for `failed --json`.
 */
export class WebhookCommandError extends Error {
  override name = 'WebhookCommandError';
}
