import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventTypeOf, REST_OPERATIONS, SOCKET_CHANNELS, WEBHOOK_EVENT_TYPES } from '@hirechat/protocol';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../rest/http.js';

/*
 * The /docs page as a person sees it: Debian's Chromium opens it from a real server, and both
 * references must render every operation and every event, with nothing fetched from anywhere but
 * that server. Screenshots of both tabs are kept in test-results/docs/.
 */

const ARTIFACTS = fileURLToPath(new URL('../../../../test-results/docs/', import.meta.url));

/** Chromium as this machine runs it: headless, no sandbox (root), no background traffic. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

describe('the /docs page in a browser', () => {
  const t = useTestServer();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders every REST operation and every WebSocket event, from this server alone', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Fail within the test's own timeout, naming what did not render.
    page.setDefaultTimeout(10_000);
    const elsewhere: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === t.url || url.protocol === 'data:') return route.continue();
      elsewhere.push(url.href);
      return route.abort();
    });

    await page.goto(`${t.url}/docs`);
    // Swagger UI gives each operation the id operations-<tag>-<operationId>.
    for (const operation of REST_OPERATIONS) {
      await page.locator(`#operations-${operation.tag}-${operation.id}`).waitFor();
    }
    // Every REST operation, and each webhook the server sends (the document's `webhooks` section).
    expect(await page.locator('#rest .opblock').count()).toBe(
      REST_OPERATIONS.length + WEBHOOK_EVENT_TYPES.length,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'rest.png') });

    await page.getByRole('link', { name: 'WebSocket' }).click();
    const websocket = page.locator('#websocket');
    for (const channel of SOCKET_CHANNELS) {
      for (const event of channel.serverEvents.options) {
        await websocket
          .getByText(`${eventTypeOf(event)} (server → client)`, { exact: true })
          .first()
          .waitFor();
      }
      for (const event of channel.clientEvents.options) {
        await websocket
          .getByText(`${eventTypeOf(event)} (client → server)`, { exact: true })
          .first()
          .waitFor();
      }
    }
    expect(await page.locator('#rest').isHidden()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'websocket.png') });

    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });
});
