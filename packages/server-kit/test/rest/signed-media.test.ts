import { request as httpRequest } from 'node:http';
import { RestPaths } from '@hirechat/protocol';
import { startTestServer } from '@hirechat/server-kit/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  api,
  createRoom,
  expectDetail,
  expectMessage,
  expectMessages,
  expectRooms,
  newUser,
  PER_REQUEST_HEADERS,
  sendFile,
  sendText,
  type User,
  useTestServer,
} from './http.js';

/*
 * Signed media URLs (contract, "Files, continued"): every Message's `file_url` downloads its file
 * without a token, from anyone who holds it, until it expires; anything else about it is refused
 * exactly as a request without a token is.
 */

/** A whole 1×1 PNG, so that a browser can decode it. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A GET with no header but those HTTP/1.1 cannot do without (Host, Connection): no token at all. */
function bareGet(base: string, path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a client can tell of a refusal: status, every header but the per-request ones, and the body. */
function refusal(answer: Answer) {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!PER_REQUEST_HEADERS.has(name)) headers[name] = value;
  });
  return { status: answer.status, headers, body: answer.body };
}

function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.set(name, value);
  return `${parsed.pathname}${parsed.search}`;
}

const queryOf = (url: string) => url.slice(url.indexOf('?'));
const paramOf = (url: string, name: string) => new URL(url, 'http://x').searchParams.get(name)!;

describe('file_url: signed media URLs', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;
  let outsider: User;
  let room: string;

  beforeAll(async () => {
    recruiter = newUser(t);
    client = newUser(t);
    outsider = newUser(t);
    room = (await createRoom(recruiter, recruiter, [client])).uuid;
  });

  it('comes with every file message the server answers, and is null without a file', async () => {
    const sent = await sendFile(client, room, { name: 'photo.png', data: PNG, type: 'image/png' });
    const text = await sendText(client, room, 'no file here');

    expect(text.file_url).toBeNull();
    const copies = [
      sent,
      expectMessage(await recruiter.api.get(RestPaths.messageDetail(sent.uuid))),
      expectMessage(await client.api.patch(RestPaths.messageDetail(sent.uuid), { content: 'a caption' })),
      expectMessages(await recruiter.api.get(`${RestPaths.listMessages}?chat_room=${room}&limit=200`)).find(
        (message) => message.uuid === sent.uuid,
      ),
    ];
    await sendFile(client, room, { name: 'last.png', data: PNG, type: 'image/png' });
    const rooms = expectRooms(await recruiter.api.get(RestPaths.listRooms));
    copies.push(rooms.find((r) => r.uuid === room)?.last_message ?? undefined);

    for (const message of copies) {
      const url = message?.file_url ?? '';
      expect(url).toMatch(/^\/media\/chat_files\/[A-Za-z0-9_.-]+\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
      expect(url.startsWith(`${message?.file}?`)).toBe(true);
      const download = await bareGet(t.url, url);
      expect(download.status, url).toBe(200);
      expect(download.body).toEqual(PNG);
    }
  });

  it('downloads with no header at all: the same bytes and safe headers, cached privately until it expires', async () => {
    const data = new TextEncoder().encode('%PDF-1.4\n');
    const sent = await sendFile(client, room, { name: 'cv.pdf', data, type: 'application/pdf' });

    const download = await bareGet(t.url, sent.file_url!);

    expect(download.status).toBe(200);
    expect(new Uint8Array(download.body)).toEqual(data);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toMatch(
      /^attachment; filename=cv_[A-Za-z0-9]{7}\.pdf$/,
    );
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(download.headers.get('cache-control') ?? '')?.[1]);
    const expiresInS = Number(paramOf(sent.file_url!, 'expires')) - Date.now() / 1000;
    expect(maxAge).toBeGreaterThanOrEqual(3600 - 5);
    expect(maxAge).toBeLessThanOrEqual(Math.ceil(expiresInS));
  });

  it('refuses a changed path, signature or expiry exactly as a request without a token', async () => {
    const sent = await sendFile(client, room, { name: 'a.png', data: PNG, type: 'image/png' });
    const other = await sendFile(client, room, { name: 'b.png', data: PNG, type: 'image/png' });
    const url = sent.file_url!;
    const signature = paramOf(url, 'signature');
    const expires = Number(paramOf(url, 'expires'));
    const missingToken = refusal(await api(t).get(sent.file!));
    expect(missingToken.status).toBe(401);
    expect(expectDetail(await api(t).get(sent.file!), 401)).toMatch(/credentials/i);

    const tampered = [
      `${other.file}${queryOf(url)}`,
      withParam(url, 'signature', (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)),
      withParam(url, 'signature', signature.slice(0, -1)),
      withParam(url, 'expires', String(expires + 1)),
      withParam(url, 'expires', String(expires + 365 * 24 * 3600)),
      withParam(url, 'expires', 'never'),
      `${sent.file}?expires=${expires}`,
      `${sent.file}?signature=${signature}`,
      `${url}&signature=${signature}`,
    ];
    for (const path of tampered) {
      expect(refusal(await api(t).get(path)), path).toEqual(missingToken);
    }
  });

  it('refuses a URL that another server signed, with its own key', async () => {
    const elsewhere = await startTestServer();
    try {
      const [a, b] = [newUser(elsewhere), newUser(elsewhere)];
      const theirs = await sendFile(a, (await createRoom(a, a, [b])).uuid, { name: 'x.png', data: PNG });
      const ours = await sendFile(client, room, { name: 'x.png', data: PNG });
      const missingToken = refusal(await api(t).get(ours.file!));
      expect(refusal(await api(t).get(`${ours.file}${queryOf(theirs.file_url!)}`))).toEqual(missingToken);
    } finally {
      await elsewhere.stop();
    }
  });

  it('is a bearer capability: anyone holding it downloads the file, outsiders included', async () => {
    const sent = await sendFile(client, room, { name: 'shared.png', data: PNG, type: 'image/png' });

    // Without the URL, an outsider learns nothing, as before.
    expectDetail(await outsider.api.get(sent.file!), 404);
    const withToken = await outsider.api.fetch(sent.file_url!);
    expect(withToken.status).toBe(200);
    expect(Buffer.from(await withToken.arrayBuffer())).toEqual(PNG);
    expect((await bareGet(t.url, sent.file_url!)).status).toBe(200);
  });

  it('leaves Bearer downloads of the path as they were, also with a stale query beside the token', async () => {
    const sent = await sendFile(client, room, { name: 'token.png', data: PNG, type: 'image/png' });
    const stale = withParam(sent.file_url!, 'signature', 'x'.repeat(43));

    for (const path of [sent.file!, stale]) {
      const response = await recruiter.api.fetch(path);
      expect(response.status, path).toBe(200);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
      expect(response.headers.get('cache-control')).not.toMatch(/max-age/);
    }
    // A bad token stays a bad token: the token's own 401, not the file.
    const badToken = await api(t, 'not-a-token').get(stale);
    expectDetail(badToken, 401);
  });

  it('answers 404 once the message and its file are deleted', async () => {
    const sent = await sendFile(client, room, { name: 'gone.png', data: PNG, type: 'image/png' });
    expect((await client.api.delete(RestPaths.messageDetail(sent.uuid))).status).toBe(204);

    expectDetail(await api(t).get(sent.file_url!), 404);
  });
});

describe('file_url: expiry', () => {
  const t = useTestServer({ mediaUrlTtlSeconds: 1 });

  it('refuses an expired URL exactly as a request without a token, and a fresh copy works', async () => {
    const [recruiter, client] = [newUser(t), newUser(t)];
    const room = (await createRoom(recruiter, recruiter, [client])).uuid;
    const sent = await sendFile(client, room, { name: 'soon.png', data: PNG, type: 'image/png' });
    expect((await bareGet(t.url, sent.file_url!)).status).toBe(200);
    const missingToken = refusal(await api(t).get(sent.file!));

    // Valid for 1 to 2 seconds: wait for the server to refuse it, and no longer.
    const deadline = Date.now() + 5_000;
    let answer = await api(t).get(sent.file_url!);
    while (answer.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await api(t).get(sent.file_url!);
    }
    expect(Number(paramOf(sent.file_url!, 'expires')) * 1000).toBeLessThan(Date.now());
    expect(refusal(answer)).toEqual(missingToken);

    const fresh = expectMessage(await recruiter.api.get(RestPaths.messageDetail(sent.uuid)));
    expect(fresh.file_url).not.toBe(sent.file_url);
    expect((await bareGet(t.url, fresh.file_url!)).status).toBe(200);
  });
});

describe('file_url in a browser', () => {
  const t = useTestServer();
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows an image with <img src>, and not with a tampered URL', async () => {
    const [recruiter, client] = [newUser(t), newUser(t)];
    const room = (await createRoom(recruiter, recruiter, [client])).uuid;
    const sent = await sendFile(client, room, { name: 'pixel.png', data: PNG, type: 'image/png' });
    const good = new URL(sent.file_url!, t.url).href;
    const bad = new URL(withParam(sent.file_url!, 'expires', '9999999999'), t.url).href;
    const page = await browser.newPage();
    try {
      await page.setContent(`<img id="good" src="${good}"><img id="bad" src="${bad}">`);
      const loaded = await page.evaluate(() =>
        Promise.all(
          ['good', 'bad'].map((id) => {
            const img = document.getElementById(id) as HTMLImageElement;
            return img
              .decode()
              .then(() => img.naturalWidth)
              .catch(() => 0);
          }),
        ),
      );
      expect(loaded).toEqual([1, 0]);
    } finally {
      await page.close();
    }
  });
});
