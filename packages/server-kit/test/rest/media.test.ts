import { RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createRoom, expectDetail, newUser, sendFile, type User, useTestServer } from './http.js';

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 255, 0,
]);

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

describe('GET /media/chat_files/...', () => {
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

  it('answers the exact bytes of an image to every participant, shown inline', async () => {
    const message = await sendFile(client, room, { name: 'photo.png', data: PNG, type: 'image/png' });
    expect(message.file).toMatch(/^\/media\/chat_files\/photo_[A-Za-z0-9]{7}\.png$/);

    for (const user of [client, recruiter]) {
      const response = await user.api.fetch(message.file!);
      expect(response.status).toBe(200);
      expect(await bytesOf(response)).toEqual(PNG);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('content-disposition')).toMatch(
        /^inline; filename=photo_[A-Za-z0-9]{7}\.png$/,
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves a PDF as a download', async () => {
    const data = new TextEncoder().encode('%PDF-1.4\n%âãÏÓ\n1 0 obj\n');
    const message = await sendFile(client, room, { name: 'My CV.pdf', data, type: 'application/pdf' });

    const response = await recruiter.api.fetch(message.file!);

    expect(response.status).toBe(200);
    expect(await bytesOf(response)).toEqual(data);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename=My_CV_[A-Za-z0-9]{7}\.pdf$/,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves HTML, SVG and unknown types as application/octet-stream attachments', async () => {
    const cases = [
      { name: 'page.html', data: '<script>alert(document.cookie)</script>', type: 'text/html' },
      { name: 'page.HTM', data: '<b>hi</b>', type: 'text/html' },
      { name: 'image.svg', data: '<svg onload="alert(1)"/>', type: 'image/svg+xml' },
      { name: 'notes', data: 'plain', type: 'text/plain' },
      { name: 'script.js', data: 'alert(1)', type: 'text/javascript' },
    ];
    for (const file of cases) {
      const message = await sendFile(client, room, file);
      const response = await recruiter.api.fetch(message.file!);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(file.data);
      expect(response.headers.get('content-type'), file.name).toBe('application/octet-stream');
      expect(response.headers.get('content-disposition'), file.name).toMatch(/^attachment; filename=/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('keeps the exact bytes whatever type the client declared for the part', async () => {
    const cases = [
      {
        name: 'latin1.csv',
        type: 'text/csv',
        data: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x3b, 0xff, 0x00, 0x0a]),
      },
      { name: 'notes.txt', type: 'text/plain', data: new Uint8Array([0xc3, 0x28, 0xa0, 0xa1]) },
      {
        name: 'data.json',
        type: 'application/json',
        data: new TextEncoder().encode('{"a": [1, 2], "b": null}\n'),
      },
      { name: 'string.json', type: 'application/json', data: new TextEncoder().encode('"just a string"') },
      { name: 'broken.json', type: 'application/json', data: new TextEncoder().encode('{not json') },
      {
        name: 'form.txt',
        type: 'application/x-www-form-urlencoded',
        data: new TextEncoder().encode('a=1&a=2&b=%ZZ'),
      },
      { name: 'blob.bin', type: 'application/octet-stream', data: new Uint8Array([0, 1, 2, 253, 254, 255]) },
    ];
    for (const file of cases) {
      const message = await sendFile(client, room, file);
      const response = await recruiter.api.fetch(message.file!);
      expect(response.status, file.name).toBe(200);
      expect(await bytesOf(response), file.name).toEqual(file.data);
    }
  });

  it('answers 404 with a JSON detail to a non-participant', async () => {
    const message = await sendFile(client, room, { name: 'secret.txt', data: 'secret' });
    const answer = await outsider.api.get(message.file!);
    expect(expectDetail(answer, 404)).not.toContain('secret');
  });

  it('answers 401 to an anonymous caller', async () => {
    const message = await sendFile(client, room, { name: 'secret.png', data: PNG, type: 'image/png' });
    const answer = await api(t).get(message.file!);
    expectDetail(answer, 401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 404 for a file that does not exist, and for names that climb out', async () => {
    expectDetail(await client.api.get('/media/chat_files/nothing_AAAAAAA.png'), 404);
    expectDetail(await client.api.get('/media/chat_files/..%2Fhirechat.sqlite'), 404);
    expectDetail(await client.api.get('/media/chat_files/..%2F..%2Fhirechat.sqlite'), 404);
    expectDetail(await client.api.get('/media/chat_files/%2E%2E'), 404);
    expectDetail(await client.api.get('/media/hirechat.sqlite'), 404);
    expectDetail(await client.api.get(RestPaths.media), 404);
  });

  it('answers 405 with Allow to a method other than GET', async () => {
    const message = await sendFile(client, room, { name: 'x.txt', data: 'x' });
    const answer = await client.api.send('DELETE', message.file!);
    expectDetail(answer, 405);
    expect(answer.headers.get('allow')).toBe('GET');
  });
});
