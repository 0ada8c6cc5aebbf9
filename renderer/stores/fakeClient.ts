/** Test helpers for the stores: a client answering from a table of handlers, and an election to answer with. */
import type { ElectionSummary, VoucherProgrammeSummary, EventName, EventPayloads, MethodInput, MethodName, MethodOutput } from '../../preload/contract';
import { ApiError, type CivichainClient, type ConnectionState } from '../api/client';

/** An open demo-like election with live results, for store tests. */
export const ELECTION: ElectionSummary = {
  id: 'demo-general-2026',
  title: 'Demo General Election 2026',
  candidates: [
    { id: 'democratic', name: 'Democratic Party' },
    { id: 'republican', name: 'Republican Party' },
  ],
  choose: 1,
  opensAtMs: 0,
  closesAtMs: 1,
  liveResults: true,
  phase: 'open',
  closedAtMs: null,
  roll: { root: 'ab'.repeat(32), size: 15 },
  credentials: 0,
  ballots: 0,
  tally: { democratic: 0, republican: 0 },
  resultTx: null,
  credentialKey: { suite: 'RSAPBSSA-SHA384-PSS-Deterministic', n: 'AQAB', e: 'AQAB' },
  office: { holdsRoll: true, canCheckIn: true, canIssue: true, canClose: true },
};

/** The demo voucher programme as a reviewer-and-authority node sees it, for store tests. */
export const PROGRAMME: VoucherProgrammeSummary = {
  id: 'hk-consumption-2026',
  title: 'Consumption Voucher Scheme (demo)',
  amountPerPersonCents: 500_000,
  instalments: [
    { amountCents: 200_000, releaseAtMs: 0, expiresAtMs: 2_000_000_000_000 },
    { amountCents: 300_000, releaseAtMs: 0, expiresAtMs: 2_000_000_000_000 },
  ],
  reviewers: ['cd'.repeat(32)],
  operators: [{ publicKey: 'ef'.repeat(32), name: 'Octopus', status: 'active', redemptions: 0, redeemedCents: 0 }],
  counts: { applicants: { pending: 0, approved: 0, denied: 0 }, issuedCents: 0, redeemedCents: 0, outstandingCents: 0 },
  office: { canReview: true, canAuthorise: true, operators: ['operator-octopus'] },
};

export type Handlers = {
  [M in MethodName]?: (params: MethodInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

/** A client whose answers come from `handlers`, and whose events and connection the test drives by hand. */
export function fakeClient(handlers: Handlers, initial: ConnectionState = 'open') {
  let connection = initial;
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const listeners = new Map<string, Set<(payload: never) => void>>();
  const calls: { method: MethodName; params: unknown }[] = [];
  const client: CivichainClient = {
    transport: 'websocket',
    get connection() {
      return connection;
    },
    async call(method, params) {
      calls.push({ method, params });
      const handler = handlers[method] as ((p: unknown) => unknown) | undefined;
      if (!handler) throw new ApiError({ code: 'METHOD_NOT_FOUND', message: `No fake for ${method}.`, details: {} });
      return (await handler(params)) as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
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
    emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
      for (const listener of listeners.get(event) ?? []) (listener as (p: EventPayloads[E]) => void)(payload);
    },
    setConnection(next: ConnectionState): void {
      connection = next;
      for (const listener of connectionListeners) listener(next);
    },
  };
}

/** Lets pending calls (a few promise steps) finish; no timers. */
export async function settled(): Promise<void> {
  for (let step = 0; step < 20; step += 1) await Promise.resolve();
}
