import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where screenshots of the main views go: a test artifact, ignored by git. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

/** One person in a browser of their own (a context: its own storage and its own network). */
export interface DemoPage {
  context: BrowserContext;
  page: Page;
  /** What went wrong in the page: uncaught errors and console errors (CSP violations among them). */
  problems: string[];
  screenshot(name: string): Promise<void>;
}

/** Opens the app at `url` in a new context, sized for screenshots. */
export async function openDemo(browser: Browser, url: string): Promise<DemoPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser says so on the console whenever a request fails, and the test takes the
    // network away on purpose; everything else that is an error counts.
    if (message.type() === 'error' && !/ERR_INTERNET_DISCONNECTED/.test(message.text())) {
      problems.push(`console: ${message.text()} at ${JSON.stringify(message.location())}`);
    }
  });
  await page.goto(url);
  return {
    context,
    page,
    problems,
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      // The pointer off every message, so that none shows its hover-only buttons.
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    },
  };
}
