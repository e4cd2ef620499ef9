/**
 * A URL as it may be logged or printed: without user, password, query and fragment, which may
 * hold secrets (a webhook URL's `?token=`, a database password). The README promises webhook URLs
 * are never echoed whole; every log line, error and listing that shows a URL goes through this.
 * A value that is not a URL gives `(not a URL)`, since it cannot be told which part is secret.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(not a URL)';
  }
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}

/** Anything that looks like `scheme://...` up to a blank or a quote. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/**
 * `text` (an error's message, say: an HTTP client may repeat the URL it refused) with every URL in it passed
 * through redactUrl.
 */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
