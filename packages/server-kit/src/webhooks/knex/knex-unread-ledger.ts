import type { Knex } from 'knex';
import { withReaders } from '../../storage/message-readers.js';
import type { MessageRow } from '../../storage/rows.js';
import type { OutboxConfig, UnreadBatch, UnreadCandidate, UnreadLedger, UnreadNotice } from '../outbox.js';
import { queueDeliveries } from './knex-outbox-writer.js';

/** The one row of `unread_scan`. */
const SCAN_ID = 1;

/** The `message.unread` ledger over knex (migration 006), on SQLite and PostgreSQL. */
export class KnexUnreadLedger implements UnreadLedger {
  constructor(
    private readonly knex: Knex,
    private readonly config: Pick<OutboxConfig, 'urls' | 'retryForMs'>,
  ) {}

  async prepare(): Promise<void> {
    // `where true`: SQLite reads ON CONFLICT after a bare SELECT as part of a join otherwise.
    await this.knex.raw(
      'insert into unread_scan (id, position) select ?, coalesce(max(id), 0) from messages where true on conflict (id) do nothing',
      [SCAN_ID],
    );
  }

  async pending(sentBy: string, limit: number): Promise<UnreadBatch> {
    const from = await this.scanPosition();
    const rows: MessageRow[] = await this.knex('messages').where('id', '>', from).orderBy('id').limit(limit);
    // Ids follow the order the messages were stored; a message not due yet holds back the ones
    // after it, so that the scan never passes a message it has not looked at.
    const firstLate = rows.findIndex((row) => row.timestamp > sentBy);
    const due = firstLate === -1 ? rows : rows.slice(0, firstLate);
    if (due.length === 0) return { from, to: from, candidates: [] };
    const messages = await withReaders(this.knex, due);
    const recipients = await this.recipientsOf(due.map((row) => Number(row.id)));
    return {
      from,
      to: Number(due.at(-1)!.id),
      candidates: messages.map(
        (message): UnreadCandidate => ({ message, recipients: recipients.get(message.position) ?? [] }),
      ),
    };
  }

  async settle(batch: Pick<UnreadBatch, 'from' | 'to'>, notices: readonly UnreadNotice[]): Promise<boolean> {
    if (batch.to === batch.from && notices.length === 0) return true;
    return this.knex.transaction(async (trx) => {
      // Compare-and-set: of processes that read the same batch, one moves the scan, the others
      // record nothing (and read the next batch).
      const moved = await trx('unread_scan')
        .where({ id: SCAN_ID, position: batch.from })
        .update({ position: batch.to });
      if (moved === 0) return false;
      if (notices.length === 0) return true;
      const now = Date.now();
      await trx('unread_notifications')
        .insert(notices.map(({ user, room }) => ({ user_id: user, room_uuid: room, notified_at: now })))
        .onConflict(['user_id', 'room_uuid'])
        .merge(['notified_at']);
      await queueDeliveries(
        trx,
        this.config,
        notices.map((notice) => notice.event),
      );
      return true;
    });
  }

  async presenceChanged(users: readonly string[], online: boolean, at: number): Promise<void> {
    if (users.length === 0) return;
    await this.knex.transaction(async (trx) => {
      await trx('user_last_online')
        .insert(users.map((user) => ({ user_id: user, at })))
        .onConflict('user_id')
        .merge(['at']);
      if (online)
        await trx('unread_notifications')
          .whereIn('user_id', [...users])
          .delete();
    });
  }

  /** The scan's place (see prepare). */
  private async scanPosition(): Promise<number> {
    const row: { position: number | string } | undefined = await this.knex('unread_scan')
      .select('position')
      .where('id', SCAN_ID)
      .first();
    if (!row) throw new Error('The unread scan has no place: call prepare() first.');
    return Number(row.position);
  }

  /** Per message (by position): who of its room has neither read it nor been told of the room. */
  private async recipientsOf(
    positions: readonly number[],
  ): Promise<Map<number, UnreadCandidate['recipients']>> {
    const rows: { id: number | string; user_id: string; at: number | string | null }[] = await this.knex(
      'messages as m',
    )
      .join('chat_room_participants as p', function joinOthers() {
        this.on('p.room_uuid', '=', 'm.chat_room').andOn('p.user_id', '<>', 'm.sender');
      })
      .leftJoin('user_last_online as lo', 'lo.user_id', 'p.user_id')
      .whereIn('m.id', [...positions])
      .whereNotExists(
        this.knex('message_reads as r')
          .select(this.knex.raw('1'))
          .where('r.message_uuid', this.knex.ref('m.uuid'))
          .where('r.user_id', this.knex.ref('p.user_id')),
      )
      .whereNotExists(
        this.knex('unread_notifications as n')
          .select(this.knex.raw('1'))
          .where('n.user_id', this.knex.ref('p.user_id'))
          .where('n.room_uuid', this.knex.ref('m.chat_room')),
      )
      .select('m.id', 'p.user_id', 'lo.at')
      .orderBy([{ column: 'm.id' }, { column: 'p.user_id' }]);
    const byMessage = new Map<number, UnreadCandidate['recipients']>();
    for (const row of rows) {
      const list = byMessage.get(Number(row.id)) ?? [];
      list.push({ user: row.user_id, lastOnlineAt: row.at === null ? null : Number(row.at) });
      byMessage.set(Number(row.id), list);
    }
    return byMessage;
  }
}
