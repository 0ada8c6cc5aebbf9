import { expect } from 'vitest';
import { CivichainError } from '../../main/core/errors';

/** Awaits a promise expected to reject with a CivichainError, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<CivichainError> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CivichainError);
  return error as CivichainError;
}
