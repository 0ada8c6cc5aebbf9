/**
 * A client for store tests: answers each method from a handler the test gives, records the calls, and lets
 * the test emit events and change the connection. No timers, no network.
 */
import type { EventName, EventPayloads, MethodInput, MethodName, MethodOutput } from '../../preload/contract';
import { ApiError, type CivichainClient, type ConnectionState } from './client';

export type FakeHandlers = { [M in MethodName]?: (params: MethodInput<M>) => MethodOutput<M> };

export function fakeClient(handlers: FakeHandlers, initial: ConnectionState = 'open') {
  let connection = initial;
  const calls: { method: MethodName; params: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const client: CivichainClient = {
    transport: 'websocket',
    get connection() {
      return connection;
    },
    async call(method, params) {
      calls.push({ method, params });
      const handler = handlers[method] as ((p: unknown) => unknown) | undefined;
      if (!handler) throw new ApiError({ code: 'NOT_STUBBED', message: `${method} is not provided by this test.`, details: {} });
      return handler(params) as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const entry = listener as (payload: unknown) => void;
      set.add(entry);
      return () => set.delete(entry);
    },
    openWindow: async () => undefined,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
  return {
    client,
    calls,
    emit<E extends EventName>(event: E, payload: EventPayloads[E]) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    setConnection(next: ConnectionState) {
      connection = next;
      for (const listener of connectionListeners) listener(next);
    },
  };
}

/** Lets the store's pending calls (a few promise steps) finish; no timers. */
export async function settled(): Promise<void> {
  for (let step = 0; step < 20; step += 1) await Promise.resolve();
}
