import { readFile, rm } from 'node:fs/promises';
import { ChatClient } from '@hirechat/client-sdk';
import { DevTokenSchema, RestPaths } from '@hirechat/protocol';
import type { Browser, Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InProcessServer,
  startInProcessServer,
} from '../../reference-server/test/support/in-process-server.js';
import { buildDemoWeb } from './support/build-demo-web.js';
import { launchChromium } from './support/chromium.js';
import { type DemoPage, openDemo } from './support/demo-page.js';
import { drawPicture, PICTURE } from './support/picture.js';

/*
 * The demo web app in Debian's Chromium against the reference server: a recruiter (Rita) and a
 * client (Carl), each in a browser context of their own, talk through it. The steps of a describe
 * build on each other, in order. The app is built once, with its own Vite config.
 */

const RITA = 'fb4f2036-51e3-4bd5-8461-529a77ce5bca';
const CARL = '182eebdd-9a2a-4bf2-93e1-11882841cb9f';
const CLEO = '9e7d1c4b-6a3f-4d2e-8b1c-5f0a2e9d7c64';
const CHIDI = '3b8f6e2a-1d9c-4a7b-b5e3-7c4d0f8a2e19';

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
/** A picture in the conversation, by the name its file was stored under. */
const preview = (page: Page, name: RegExp) =>
  page.getByRole('list', { name: 'Messages' }).getByRole('img', { name });
/** Waits until the image has loaded (`naturalWidth` above 0), and answers its natural size. */
const loaded = async (image: Locator) => {
  await image
    .page()
    .waitForFunction(
      (element) => element instanceof HTMLImageElement && element.complete && element.naturalWidth > 0,
      await image.elementHandle(),
    );
  return image.evaluate((element: HTMLImageElement) => ({
    width: element.naturalWidth,
    height: element.naturalHeight,
    src: element.src,
  }));
};
/** The rooms of the page's list, top first, by the names it shows. */
const roomNames = (page: Page) =>
  page.getByRole('list', { name: 'Rooms' }).locator('.room-name').allInnerTexts();
/** A room of the page's list, by the names it shows. */
const roomButton = (page: Page, name: RegExp) =>
  page.getByRole('list', { name: 'Rooms' }).getByRole('button', { name });
/** The people of the open room. */
const people = (page: Page) => page.getByRole('region', { name: 'People' });
/** A person of the open room, by name. */
const person = (page: Page, name: string) => people(page).getByRole('listitem', { name, exact: true });
/** Requests of stored files, from a page, as the server's media route sees them. */
const isFileRequest = (request: Request) => new URL(request.url()).pathname.startsWith('/media/chat_files/');

/** The SDK, signed in as a demo user through the server's development sign-in. */
async function chatAs(server: InProcessServer, user: string): Promise<ChatClient> {
  const signIn = await fetch(`${server.url}/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  const { token } = DevTokenSchema.parse(await signIn.json());
  return new ChatClient({ baseUrl: server.url, token });
}

let build: string;
let browser: Browser;

beforeAll(async () => {
  [build, browser] = await Promise.all([buildDemoWeb(), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (build) await rm(build, { recursive: true, force: true });
});

describe('the demo web app in a browser', () => {
  let server: InProcessServer;
  let rita: DemoPage;
  let carl: DemoPage;

  beforeAll(async () => {
    // Uploads up to 100 kB, so that the app's answer to a file too large can be seen.
    server = await startInProcessServer({}, { demoWebDir: build, maxUploadBytes: 100_000 });
    [rita, carl] = await Promise.all([openDemo(browser, server.url), openDemo(browser, server.url)]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([rita?.context.close(), carl?.context.close()]);
    await server?.close();
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

    // Carl's list is live: the room appears with its badge, no reload needed.
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

  it('sends an image, shown on the other side as a preview that loads without a token', async () => {
    const fileRequest = carl.page.waitForRequest(isFileRequest);
    await rita.page.getByLabel('Attach a file').setInputFiles({
      name: 'office.png',
      mimeType: 'image/png',
      buffer: await drawPicture(browser),
    });
    // Stored under Django's name: the client's, plus `_` and 7 random characters.
    const name = /^office_[A-Za-z0-9]{7}\.png$/;
    const image = await loaded(preview(carl.page, name));
    expect({ width: image.width, height: image.height }).toEqual(PICTURE);
    // The message's signed file_url, fetched as `<img src>` fetches: no Authorization header.
    expect(image.src).toMatch(/\/media\/chat_files\/office_\w{7}\.png\?expires=\d+&signature=[\w-]+$/);
    const request = await fileRequest;
    expect(request.url()).toBe(image.src);
    expect(await request.headerValue('authorization')).toBeNull();
    expect((await request.response())?.status()).toBe(200);
    // Rita sees her own picture too.
    await loaded(preview(rita.page, name));
  });

  it('sends any other file, shown on the other side as a link that downloads it', async () => {
    const cv = Buffer.from('%PDF-1.4 a CV');
    await rita.page
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: cv });
    const link = carl.page
      .getByRole('list', { name: 'Messages' })
      .getByRole('link', { name: /^cv_[A-Za-z0-9]{7}\.pdf$/ });
    await link.waitFor();

    const [download] = await Promise.all([carl.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(await link.textContent());
    expect(await readFile(await download.path())).toEqual(cv);
    // Through the message's signed file_url: a download, like an `<img src>`, sends no token.
    expect(download.url()).toMatch(/\/media\/chat_files\/cv_\w{7}\.pdf\?expires=\d+&signature=[\w-]+$/);
  });

  it('says so in plain words when a file is too large to send', async () => {
    await rita.page.getByLabel('Attach a file').setInputFiles({
      name: 'portfolio.zip',
      mimeType: 'application/zip',
      buffer: Buffer.alloc(150_000, 1),
    });
    await rita.page.getByRole('alert').getByText('That file is too large to send.').waitFor();
    // The refused upload is the one error the page reports. The message that goes next clears it.
    expect(rita.problems).toEqual([expect.stringMatching(/status of 413 .*\/chats\/messages\/create\//)]);
    rita.problems.length = 0;
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
    const chat = await chatAs(server, RITA);
    const room = await chat.rooms.create({ recruiter: RITA, clients: [CLEO] });
    const history = Array.from({ length: 45 }, (_, i) => `history ${i + 1}`);
    for (const content of history) await chat.messages.create({ chat_room: room.uuid, content });

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

describe('the live inbox, presence and the people of a room', () => {
  let server: InProcessServer;
  let rita: DemoPage;
  let carl: DemoPage;
  let cleo: DemoPage;

  beforeAll(async () => {
    server = await startInProcessServer({}, { demoWebDir: build });
    [rita, carl, cleo] = await Promise.all([
      openDemo(browser, server.url),
      openDemo(browser, server.url),
      openDemo(browser, server.url),
    ]);
    await rita.page.getByRole('button', { name: /Rita Ramos/ }).click();
    await carl.page.getByRole('button', { name: /Carl Chen/ }).click();
    await cleo.page.getByRole('button', { name: /Cleo Costa/ }).click();
    for (const { page } of [rita, carl, cleo]) await page.getByText('No rooms yet').waitFor();
  }, 30_000);

  afterAll(async () => {
    await Promise.all([rita?.context.close(), carl?.context.close(), cleo?.context.close()]);
    await server?.close();
  });

  it('reorders the room list, latest first, and moves the unread badges as others post', async () => {
    // Two rooms of Rita's, made through the SDK (so, unseen by her page but for its inbox).
    const ritaChat = await chatAs(server, RITA);
    await ritaChat.rooms.create({ recruiter: RITA, clients: [CARL] });
    const withChidi = await ritaChat.rooms.create({ recruiter: RITA, clients: [CHIDI] });
    await expect.poll(() => roomNames(rita.page)).toEqual(['Chidi Cole', 'Carl Chen']);

    // Carl writes from his browser.
    await roomButton(carl.page, /Rita Ramos/).click();
    await send(carl.page, 'Hi Rita, about the role');
    await expect.poll(() => roomNames(rita.page)).toEqual(['Carl Chen', 'Chidi Cole']);
    await roomButton(rita.page, /Carl Chen/)
      .getByText('1 unread', { exact: true })
      .waitFor();

    // Chidi writes (through the SDK): his room goes up, with a badge of its own.
    const chidi = await chatAs(server, CHIDI);
    await chidi.messages.create({ chat_room: withChidi.uuid, content: 'Hello from Chidi' });
    await expect.poll(() => roomNames(rita.page)).toEqual(['Chidi Cole', 'Carl Chen']);
    await roomButton(rita.page, /Chidi Cole/)
      .getByText('1 unread', { exact: true })
      .waitFor();

    await send(carl.page, 'Are you there?');
    await expect.poll(() => roomNames(rita.page)).toEqual(['Carl Chen', 'Chidi Cole']);
    const carlsRoom = roomButton(rita.page, /Carl Chen/);
    await carlsRoom.getByText('2 unread', { exact: true }).waitFor();
    await carlsRoom.getByText('Are you there?').waitFor();
    await rita.screenshot('inbox');

    // Opening the room reads both: its badge goes, Chidi's stays.
    await carlsRoom.click();
    await messageText(rita.page, 'Are you there?').waitFor();
    await carlsRoom.locator('.badge').waitFor({ state: 'detached' });
    await roomButton(rita.page, /Chidi Cole/)
      .getByText('1 unread', { exact: true })
      .waitFor();
    expect(await roomNames(rita.page)).toEqual(['Carl Chen', 'Chidi Cole']);
  });

  it('shows who of the room is online, and turns a dot off while they are offline', async () => {
    // Carl is signed in (his inbox is open), so he is online in Rita's room with him.
    await person(rita.page, 'Carl Chen').getByRole('img', { name: 'online' }).waitFor();
    await person(rita.page, 'You').getByRole('img', { name: 'online' }).waitFor();

    await carl.context.setOffline(true);
    await person(rita.page, 'Carl Chen').getByRole('img', { name: 'offline' }).waitFor();
    await carl.context.setOffline(false);
    await person(rita.page, 'Carl Chen').getByRole('img', { name: 'online' }).waitFor();
    // And Carl sees Rita online.
    await person(carl.page, 'Rita Ramos').getByRole('img', { name: 'online' }).waitFor();
  });

  it('lets the recruiter add a client, who finds the room in their list with its history', async () => {
    await people(rita.page).getByLabel('Add a client').selectOption({ label: 'Cleo Costa' });
    await people(rita.page).getByRole('button', { name: 'Add', exact: true }).click();
    await person(rita.page, 'Cleo Costa').waitFor();
    // Cleo is online (her page is open): her dot shows it at once.
    await person(rita.page, 'Cleo Costa').getByRole('img', { name: 'online' }).waitFor();
    await rita.page.getByRole('heading', { name: 'Carl Chen, Cleo Costa' }).waitFor();
    await person(carl.page, 'Cleo Costa').waitFor();
    await rita.screenshot('people');

    // What was said before she came counts as unread for her, and is all there.
    const room = roomButton(cleo.page, /Rita Ramos, Carl Chen/);
    await room.getByText('2 unread', { exact: true }).waitFor();
    await room.click();
    await messageText(cleo.page, 'Are you there?').waitFor();
    expect(await contents(cleo.page)).toEqual(['Hi Rita, about the role', 'Are you there?']);
    await room.locator('.badge').waitFor({ state: 'detached' });
  });

  it('takes the room away from the client the recruiter removes', async () => {
    await people(rita.page).getByRole('button', { name: 'Remove Cleo Costa' }).click();

    await roomButton(cleo.page, /Rita Ramos/).waitFor({ state: 'detached' });
    await cleo.page.getByRole('status').getByText('You are no longer in that room.').waitFor();
    await cleo.page.getByText('No rooms yet').waitFor();
    await person(rita.page, 'Cleo Costa').waitFor({ state: 'detached' });
    await person(carl.page, 'Cleo Costa').waitFor({ state: 'detached' });
  });

  it('lets a client leave a room', async () => {
    await people(carl.page).getByRole('button', { name: 'Leave room' }).click();

    await carl.page.getByText('You are no longer in that room.').waitFor();
    await carl.page.getByText('No rooms yet').waitFor();
    await person(rita.page, 'Carl Chen').waitFor({ state: 'detached' });
    await rita.page.getByRole('heading', { name: 'Only you' }).waitFor();
    // Rita's other room is untouched.
    expect(await roomNames(rita.page)).toEqual(['Only you', 'Chidi Cole']);
  });

  it('shows no error in any page', () => {
    expect(rita.problems).toEqual([]);
    expect(carl.problems).toEqual([]);
    expect(cleo.problems).toEqual([]);
  });
});

describe('a file_url that expired while the message was on screen', () => {
  /** MEDIA_URL_TTL_S: a file_url downloads for 2 to 2.5 s, so that one expires within the test. */
  const TTL_S = 2;
  let server: InProcessServer;
  let carl: DemoPage;
  let image: string;
  let cv: Buffer;

  beforeAll(async () => {
    server = await startInProcessServer({}, { demoWebDir: build, mediaUrlTtlS: TTL_S });
    const chat = await chatAs(server, RITA);
    const room = await chat.rooms.create({ recruiter: RITA, clients: [CARL] });
    cv = Buffer.from('%PDF-1.4 another CV');
    const picture = await chat.messages.create({
      chat_room: room.uuid,
      file: await drawPicture(browser),
      filename: 'office.png',
    });
    image = picture.uuid;
    await chat.messages.create({ chat_room: room.uuid, file: cv, filename: 'cv.pdf' });
    carl = await openDemo(browser, server.url);
  }, 30_000);

  afterAll(async () => {
    await carl?.context.close();
    await server?.close();
  });

  /** Answers once the server refuses `url`: it has expired. */
  const expired = (url: string) =>
    expect
      .poll(async () => (await fetch(url)).status, { timeout: (TTL_S + 2) * 1000, interval: 100 })
      .toBe(401);

  it('shows an image whose URL expired before it loaded, through the message fetched again', async () => {
    // The first request of the picture is held until its URL has expired (as a lazy image scrolled
    // into view an hour late would ask); the server then refuses it.
    const held: string[] = [];
    await carl.page.route('**/media/chat_files/**', async (route) => {
      const url = route.request().url();
      if (held.length === 0) {
        held.push(url);
        await expired(url);
      }
      await route.continue();
    });
    const refetched = carl.page.waitForRequest(
      (request) =>
        request.method() === 'GET' && new URL(request.url()).pathname === RestPaths.messageDetail(image),
    );

    await carl.page.getByRole('button', { name: /Carl Chen/ }).click();
    await carl.page
      .getByRole('list', { name: 'Rooms' })
      .getByRole('button', { name: /Rita Ramos/ })
      .click();
    const shown = await loaded(preview(carl.page, /^office_\w{7}\.png$/));
    expect({ width: shown.width, height: shown.height }).toEqual(PICTURE);
    await refetched;
    expect(held).toHaveLength(1);
    expect(shown.src).not.toBe(held[0]);
    // The refused request is the one error the page reports.
    expect(carl.problems).toEqual([expect.stringMatching(/status of 401/)]);
    carl.problems.length = 0;
  });

  it('downloads a file through a fresh URL when the link on screen has expired', async () => {
    const link = carl.page
      .getByRole('list', { name: 'Messages' })
      .getByRole('link', { name: /^cv_\w{7}\.pdf$/ });
    const stale = new URL((await link.getAttribute('href')) ?? '', server.url).href;
    await expired(stale);

    const [download] = await Promise.all([carl.page.waitForEvent('download'), link.click()]);
    expect(await readFile(await download.path())).toEqual(cv);
    expect(download.url()).not.toBe(stale);
    expect(carl.problems).toEqual([]);
  });
});
