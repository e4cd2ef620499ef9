import type { z } from 'zod';
import type { WebhookEventType } from './webhook-events.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, WebhookEventSchema, WebhookHeaders } from './webhook-events.js';

/** What each webhook tells the platform, for the API documents. */
export const WEBHOOK_EVENT_DOCS: Record<WebhookEventType, string> = {
  'room.created': 'A room was created. `data.room` carries no per-caller fields.',
  'room.updated': "The room's participants changed; `data.room` is the room after the change.",
  'room.member_removed': 'A client left the room or was removed (sent after its `room.updated`).',
  'message.created': 'A message was posted.',
  'message.updated': "A message's content was edited; `data.message` is the message as it is now.",
  'message.deleted': 'A message was deleted; `data.message` is the message as it was.',
  'message.read': 'A participant read a message (once per reader and message).',
  'message.unread':
    '`data.user_id`, a participant, has neither read `data.message` nor been online within the ' +
    "server's unread delay (`UNREAD_NOTIFY_AFTER_S`, default 300 s) of it being sent: time to email or " +
    'push them. At most one per user and room until that user next reads or comes online.',
};

/** One webhook as OpenAPI 3.1's `webhooks` describes it: the request the server makes. */
export interface WebhookDoc {
  type: WebhookEventType;
  schema: z.ZodObject;
  summary: string;
  headers: Array<{ name: string; description: string }>;
  description: string;
}

const HEADERS = [
  {
    name: WebhookHeaders.id,
    description: "The event's id: the same on every retry of one event, to drop duplicates by.",
  },
  { name: WebhookHeaders.timestamp, description: 'Unix seconds of this attempt.' },
  {
    name: WebhookHeaders.signature,
    description:
      '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` with the key of ' +
      '`WEBHOOK_SECRET` (`whsec_<base64>`), as the Standard Webhooks specification says.',
  },
];

const DESCRIPTION =
  'POSTed to every URL of `WEBHOOK_URLS`, signed per the Standard Webhooks specification (verify with ' +
  'any Standard Webhooks library). A 2xx answer is delivered; anything else, no answer within ' +
  `\`WEBHOOK_TIMEOUT_MS\` (default ${DEFAULT_WEBHOOK_TIMEOUT_MS}) or a refused connection is retried ` +
  'with exponential backoff and jitter for `WEBHOOK_RETRY_HOURS` (default 24). At least once, in no ' +
  'guaranteed order: order by `timestamp`, drop duplicates by `webhook-id`.';

/** Every webhook, in the order of the protocol's union. */
export function webhookDocs(): WebhookDoc[] {
  return WebhookEventSchema.options.map((schema) => {
    const type = schema.shape.type.value;
    return { type, schema, summary: WEBHOOK_EVENT_DOCS[type], headers: HEADERS, description: DESCRIPTION };
  });
}
