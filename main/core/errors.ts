/**
 * One error base for the whole node: a stable string `code`, a message written for the person who will
 * read it (what happened and what to do), and a JSON-serialisable `details` payload. It crosses the IPC
 * bridge and the WebSocket API as `{code, message, details}` (see preload/contract.ts).
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export class CivichainError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'CivichainError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isCivichainError(value: unknown): value is CivichainError {
  return value instanceof CivichainError;
}
