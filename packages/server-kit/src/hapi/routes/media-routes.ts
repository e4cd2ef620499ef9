import { extname } from 'node:path';
import type { Request, ResponseToolkit } from '@hapi/hapi';
import { RestPaths } from '@hirechat/protocol';
import type { ChatService } from '../../domain/chat-service.js';
import type { FileStore } from '../../ports/file-store.js';
import { callerOf } from '../auth.js';
import type { PathRoutes } from '../route-table.js';

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

export function mediaRoutes(chat: ChatService, files: FileStore): PathRoutes[] {
  return [
    {
      path: `${RestPaths.media}chat_files/{name}`,
      methods: {
        GET: {
          async handler(request: Request, h: ResponseToolkit) {
            const name = String(request.params.name);
            const path = await chat.fileFor(callerOf(request), `chat_files/${name}`);
            const extension = extname(name).toLowerCase();
            const inline = INLINE_TYPES.get(extension);
            return h
              .file(path, {
                confine: files.root,
                mode: inline ? 'inline' : 'attachment',
                filename: name,
                etagMethod: 'simple',
              })
              .type(inline ?? DOWNLOAD_TYPES.get(extension) ?? 'application/octet-stream')
              .header('X-Content-Type-Options', 'nosniff')
              .header('Content-Security-Policy', "default-src 'none'; sandbox");
          },
        },
      },
    },
  ];
}
