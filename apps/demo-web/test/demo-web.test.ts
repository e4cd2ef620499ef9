import { rm } from 'node:fs/promises';
import { ChatClient } from '@hirechat/client-sdk';
import { DevTokenSchema } from '@hirechat/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InProcessServer,
  startInProcessServer,
} from '../../reference-server/test/support/in-process-server.js';
import { buildDemoWeb } from './support/build-demo-web.js';
import { launchChromium } from './support/chromium.js';
import { type DemoPage, openDemo } from './support/demo-page.js';

/*
 * The demo web app in Debian's Chromium against the reference server: a recruiter (Rita) and a
 * client (Carl), each in a browser context of their own, talk through it. The steps build on each
 * other, in order. The app is built once, with its own Vite config, and served by one server.
 */

/** The text of every message shown, oldest first. */
const contents = (page: Page) =>
  page.getByRole('list', { name: 'Messages' }).locator('.content').allInnerTexts();
const messageText = (page: Page, text: string) =>
  page.getByRole('list', { name: 'Messages' }).locator('.content').getByText(text, { exact: true });
const send = async (page: Page, text: string) => {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await messageText(page, text).waitFor();
};

describe('the demo web app in a browser', () => {
  let build: string;
  let server: InProcessServer;
  let browser: Browser;
  let rita: DemoPage;
  let carl: DemoPage;

  beforeAll(async () => {
    [build, browser] = await Promise.all([buildDemoWeb(), launchChromium()]);
    server = await startInProcessServer({}, { demoWebDir: build });
    [rita, carl] = await Promise.all([openDemo(browser, server.url), openDemo(browser, server.url)]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (build) await rm(build, { recursive: true, force: true });
  });

  it('signs in as a demo recruiter and a demo client', async () => {
    await rita.page.getByRole('heading', { name: 'Recruiters' }).waitFor();
    await rita.screenshot('sign-in');
    await rita.page.getByRole('button', { name: /Rita Ramos/ }).click();
    await carl.page.getByRole('button', { name: /Carl Chen/ }).click();
    for (const { page } of [rita, carl]) await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await rita.page.getByText('No rooms yet').waitFor();
  });

  it('lets the recruiter start a room, which the client finds with an unread badge', async () => {
    await rita.page.getByRole('button', { name: 'New room' }).click();
    await rita.page.getByLabel('Carl Chen').check();
    await rita.screenshot('new-room');
    await rita.page.getByRole('button', { name: 'Create room' }).click();
    await rita.page.getByRole('heading', { name: 'Carl Chen' }).waitFor();
    await send(rita.page, 'Hello Carl');

    await carl.page.getByRole('button', { name: 'Refresh rooms' }).click();
    await carl.page.getByText('1 unread', { exact: true }).waitFor();
    await carl.screenshot('room-list');
  });

  it('carries messages, typing and read receipts both ways, live', async () => {
    await carl.page
      .getByRole('list', { name: 'Rooms' })
      .getByRole('button', { name: /Rita Ramos/ })
      .click();
    await messageText(carl.page, 'Hello Carl').waitFor();
    // Reading it is a receipt for Rita, and clears Carl's badge.
    await rita.page.getByTestId('seen-by').getByText('Seen by Carl Chen').waitFor();
    await carl.page.getByText('1 unread', { exact: true }).waitFor({ state: 'detached' });

    await carl.page.getByLabel('Message', { exact: true }).fill('Hi Rita, thanks!');
    const typing = rita.page.getByRole('status', { name: 'Typing' });
    await typing.getByText('Carl Chen is typing…').waitFor();
    await carl.page.getByLabel('Message', { exact: true }).press('Enter');
    await messageText(rita.page, 'Hi Rita, thanks!').waitFor();
    // Sending ends typing.
    await typing.getByText('Carl Chen is typing…').waitFor({ state: 'detached' });
  });

  it('sends a file, shown on the other side as a named attachment', async () => {
    await rita.page.getByLabel('Attach a file').setInputFiles({
      name: 'cv.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4 a CV'),
    });
    // Stored under Django's name: the client's, plus `_` and 7 random characters.
    const attachment = carl.page.getByRole('list', { name: 'Messages' }).locator('.attachment-name');
    await attachment.waitFor();
    expect(await attachment.textContent()).toMatch(/^cv_[A-Za-z0-9]{7}\.pdf$/);
  });

  it('shows edits and deletions of one’s own messages on the other side', async () => {
    const hello = rita.page.locator('li.message', { hasText: 'Hello Carl' });
    await hello.getByRole('button', { name: 'Edit' }).click();
    await rita.page.getByLabel('Edit message').fill('Hello Carl, welcome aboard');
    await rita.page.getByRole('button', { name: 'Save' }).click();
    await messageText(carl.page, 'Hello Carl, welcome aboard').waitFor();
    await carl.page
      .locator('li.message', { hasText: 'Hello Carl, welcome aboard' })
      .getByText('edited')
      .waitFor();

    await send(rita.page, 'Sent to the wrong room');
    await messageText(carl.page, 'Sent to the wrong room').waitFor();
    await rita.page
      .locator('li.message', { hasText: 'Sent to the wrong room' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await messageText(carl.page, 'Sent to the wrong room').waitFor({ state: 'detached' });
    // Carl's own messages have no such buttons.
    expect(await carl.page.locator('li.message:not(.mine) button').count()).toBe(0);
  });

  it('catches a client up on everything posted while they were offline', async () => {
    await carl.context.setOffline(true);
    const banner = carl.page.getByTestId('connection-banner');
    await banner.getByText(/Reconnecting/).waitFor();
    await carl.screenshot('reconnecting');

    const away = ['While you were away: one', 'two', 'three'];
    for (const text of away) await send(rita.page, text);
    await carl.context.setOffline(false);
    await banner.waitFor({ state: 'detached' });
    await messageText(carl.page, 'three').waitFor();

    const expected = ['Hello Carl, welcome aboard', 'Hi Rita, thanks!', ...away];
    expect(await contents(carl.page)).toEqual(expected);
    expect(await contents(rita.page)).toEqual(expected);
    // Carl read them on arrival, and Rita is told.
    await rita.page.getByTestId('seen-by').getByText('Seen by Carl Chen').waitFor();

    // The whole conversation as Rita sees it, with Carl typing again.
    await carl.page.getByLabel('Message', { exact: true }).fill('Perfect, talk soon');
    await rita.page.getByRole('status', { name: 'Typing' }).getByText('Carl Chen is typing…').waitFor();
    await rita.screenshot('conversation');
    await carl.page.getByLabel('Message', { exact: true }).press('Enter');
    await messageText(rita.page, 'Perfect, talk soon').waitFor();
  });

  it('scrolls back through a long history, page by page', async () => {
    // Forty-five messages from another room, posted through the SDK as Rita.
    const signIn = await fetch(`${server.url}/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'fb4f2036-51e3-4bd5-8461-529a77ce5bca' }),
    });
    const { token, user } = DevTokenSchema.parse(await signIn.json());
    const chat = new ChatClient({ baseUrl: server.url, token });
    const room = await chat.rooms.create({
      recruiter: user.id,
      clients: ['9e7d1c4b-6a3f-4d2e-8b1c-5f0a2e9d7c64'],
    });
    const history = Array.from({ length: 45 }, (_, i) => `history ${i + 1}`);
    for (const content of history) await chat.messages.create({ chat_room: room.uuid, content });

    await rita.page.getByRole('button', { name: 'Refresh rooms' }).click();
    await rita.page
      .getByRole('list', { name: 'Rooms' })
      .getByRole('button', { name: /Cleo Costa/ })
      .click();
    await messageText(rita.page, 'history 45').waitFor();
    expect(await contents(rita.page)).toEqual(history.slice(15));

    await rita.page.getByRole('list', { name: 'Messages' }).evaluate((list) => {
      list.scrollTop = 0;
    });
    await messageText(rita.page, 'history 1').waitFor();
    expect(await contents(rita.page)).toEqual(history);
    await rita.page.getByRole('button', { name: 'Show older messages' }).waitFor({ state: 'detached' });
  });

  it('shows no error in either page', () => {
    expect(rita.problems).toEqual([]);
    expect(carl.problems).toEqual([]);
  });
});
