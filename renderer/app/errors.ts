/** An error raised by the windows themselves (not by the node), with a code like every error in Civichain. */
export class RendererError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RendererError';
    this.code = code;
  }
}

/** What a window shows when something failed: never a stack trace, always the code and a sentence. */
export interface ShownError {
  readonly code: string;
  readonly message: string;
}

export function toShownError(error: unknown): ShownError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error as { code: unknown; message: unknown };
    if (typeof code === 'string' && typeof message === 'string') return { code, message };
  }
  return {
    code: 'UNEXPECTED',
    message: 'Something went wrong in this window. Reload it; if that does not help, restart the node.',
  };
}
