/**
 * The transport-neutral half of the API: looks a method up in the contract, validates its input with the
 * contract's schema, calls the node's handler and turns every failure into the contract's error shape.
 * The IPC wiring (main/app/ipc.ts) and the WebSocket server (./wsServer.ts) both sit on top of this.
 */
import type { z } from 'zod';
import {
  API_ERROR_CODES,
  METHODS,
  isMethodName,
  type ApiErrorShape,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
} from '../../../preload/contract';
import { CivichainError } from '../../core/errors';

export type Handlers = {
  readonly [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export type DispatchResult =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: ApiErrorShape };

export interface Dispatcher {
  dispatch(method: unknown, params: unknown): Promise<DispatchResult>;
}

export interface DispatcherDependencies {
  readonly handlers: Handlers;
  /** Told about failures that are not the caller's fault (bugs), with the original error. */
  readonly onInternalError?: (error: unknown, method: string) => void;
}

/** "role: Invalid option …" — one line per problem, each naming the field. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(params)'}: ${issue.message}`)
    .join('; ');
}

export function toErrorShape(error: unknown): ApiErrorShape {
  if (error instanceof CivichainError) return error.toJSON();
  return {
    code: API_ERROR_CODES.internal,
    message: 'The node failed while handling this request. The details are in the node log; please report it.',
    details: {},
  };
}

export function createDispatcher({ handlers, onInternalError }: DispatcherDependencies): Dispatcher {
  return {
    async dispatch(method, params) {
      if (!isMethodName(method)) {
        return {
          ok: false,
          error: {
            code: API_ERROR_CODES.methodNotFound,
            message: `There is no method ${JSON.stringify(method)}. See docs/API.md for the methods this node offers.`,
            details: { method: typeof method === 'string' ? method : null },
          },
        };
      }
      const parsed = METHODS[method].input.safeParse(params ?? {});
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => issue.path.join('.'));
        return {
          ok: false,
          error: {
            code: API_ERROR_CODES.invalidParams,
            message: `Invalid parameters for ${method}: ${describeIssues(parsed.error.issues)}.`,
            details: {
              method,
              fields,
              issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
            },
          },
        };
      }
      try {
        const handler = handlers[method] as (input: unknown) => unknown;
        return { ok: true, result: await handler(parsed.data) };
      } catch (error) {
        if (!(error instanceof CivichainError)) onInternalError?.(error, method);
        return { ok: false, error: toErrorShape(error) };
      }
    },
  };
}
