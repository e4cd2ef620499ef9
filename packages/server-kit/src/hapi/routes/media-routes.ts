import { extname } from 'node:path';
import Boom from '@hapi/boom';
import type { Request, ResponseToolkit } from '@hapi/hapi';
import { MediaDownloadQuerySchema, RestPaths } from '@hirechat/protocol';
import type { ChatService } from '../../domain/chat-service.js';
import type { FileStore } from '../../ports/file-store.js';
import { AUTH_STRATEGY, callerOf } from '../auth.js';
import { type PathRoutes, withQuery } from '../route-table.js';

/**
 * Types a browser may show in place. Anything else, and anything a browser could run (HTML, SVG),
 * is served as an opaque download so that an upload can never script our origin. Maps, since the
 * extension comes from the client: no extension can meet a property of Object.prototype.
 */
const INLINE_TYPES = new Map([
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
]);
const DOWNLOAD_TYPES = new Map([['.pdf', 'application/pdf']]);

/**
 * `GET /media/chat_files/{name}`: to a participant of the file's room with a Bearer token, as the
 * seed served it, or to anyone with a valid, unexpired signed URL (a Message's `file_url`; contract,
 * "Files, continued"). A signed URL that is tampered with or expired is refused exactly as a request
 * without a token is: the same 401, from the same error.
 */
export function mediaRoutes(chat: ChatService, files: FileStore): PathRoutes[] {
  return [
    {
      path: `${RestPaths.media}chat_files/{name}`,
      methods: {
        GET: {
          // Try: a request without a token may still hold a signed URL; the handler decides.
          options: { auth: { strategy: AUTH_STRATEGY, mode: 'try' } },
          ...withQuery(MediaDownloadQuerySchema, async (request: Request, h: ResponseToolkit, query) => {
            const name = String(request.params.name);
            const key = `chat_files/${name}`;
            const signed = await chat.signedFile(key, query);
            let path: string;
            if (signed) path = signed.path;
            else if (request.auth.isAuthenticated) path = await chat.fileFor(callerOf(request), key);
            else throw request.auth.error ?? Boom.unauthorized();
            const extension = extname(name).toLowerCase();
            const inline = INLINE_TYPES.get(extension);
            const response = h
              .file(path, {
                confine: files.root,
                mode: inline ? 'inline' : 'attachment',
                filename: name,
                etagMethod: 'simple',
              })
              .type(inline ?? DOWNLOAD_TYPES.get(extension) ?? 'application/octet-stream')
              .header('X-Content-Type-Options', 'nosniff')
              .header('Content-Security-Policy', "default-src 'none'; sandbox");
            // A stored file never changes, so a browser may keep it for as long as its URL is
            // valid; private, because what it holds is someone's conversation.
            if (signed) response.header('Cache-Control', `private, max-age=${signed.validForSeconds}`);
            return response;
          }),
        },
      },
    },
  ];
}
