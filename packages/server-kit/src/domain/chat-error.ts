import { type ErrorCode, type FieldErrorBody, NON_FIELD_ERRORS } from '@hirechat/protocol';

/**
 * The one error the domain and its adapters raise for anything a client did or may retry. Mounts
 * turn it into a wire answer: a status and body over REST, an `error` event over WebSocket.
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';

  private constructor(
    readonly code: ErrorCode,
    message: string,
    /** Set for `invalid_input`: the messages of each field, as the wire body lists them. */
    readonly fields: FieldErrorBody | null,
  ) {
    super(message);
  }

  /** A request-level error: its message becomes `{"detail": message}`. */
  static of(code: ErrorCode, detail: string): ChatError {
    return new ChatError(code, detail, null);
  }

  /** Input that breaks a rule: `{"<field>": ["...", ...]}`. */
  static invalid(fields: FieldErrorBody): ChatError {
    const summary = Object.entries(fields)
      .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
      .join('; ');
    return new ChatError('invalid_input', summary, fields);
  }

  /** One field's error. */
  static invalidField(field: string, message: string): ChatError {
    return ChatError.invalid({ [field]: [message] });
  }

  /** An error about the input as a whole. */
  static invalidInput(message: string): ChatError {
    return ChatError.invalid({ [NON_FIELD_ERRORS]: [message] });
  }

  static notFound(detail = 'Not found.'): ChatError {
    return ChatError.of('not_found', detail);
  }
}
