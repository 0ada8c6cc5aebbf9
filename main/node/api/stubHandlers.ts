/** Handlers for tests of the API plumbing: every method answers NOT_STUBBED unless a test provides it. */
import { METHOD_NAMES } from '../../../preload/contract';
import { CivichainError } from '../../core/errors';
import type { Handlers } from './dispatcher';

export function stubHandlers(provided: Partial<Handlers>): Handlers {
  const handlers: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    handlers[method] =
      provided[method] ??
      (() => {
        throw new CivichainError('NOT_STUBBED', `${method} is not provided by this test.`);
      });
  }
  return handlers as Handlers;
}
