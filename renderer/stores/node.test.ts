import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { EventPayloads, MethodName, NodeIdentity, NodeStatus } from '../../preload/contract';
import { ApiError, type CivichainClient, type ConnectionState } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { useNodeStore } from './node';

const STATUS: NodeStatus = {
  networkName: 'Civichain Demo',
  chainId: 'civichain-demo-1',
  height: 3,
  finalHeight: 2,
  peers: 0,
  state: 'running',
  syncBlocksLeft: null,
  mining: { active: false, hashesPerSecond: 0 },
  round: 0,
  mempoolSize: 0,
  approvalMode: 'auto',
  localValidators: [],
  proposer: false,
  demo: true,
  startedAtMs: 0,
  version: '0.1.0',
};

const IDENTITY: NodeIdentity = {
  nodePublicKey: 'ab'.repeat(32),
  dataDir: '/data',
  genesisHash: 'cd'.repeat(32),
  chainId: 'civichain-demo-1',
  networkName: 'Civichain Demo',
  demo: true,
  runtime: 'headless',
};

/** A client whose connection, answers and events the test drives by hand. */
function fakeClient(initial: ConnectionState) {
  let connection = initial;
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const statusListeners = new Set<(status: NodeStatus) => void>();
  const calls: MethodName[] = [];
  let status = STATUS;
  let failWith: ApiError | null = null;
  const client: CivichainClient = {
    transport: 'websocket',
    get connection() {
      return connection;
    },
    async call(method) {
      calls.push(method);
      if (failWith) throw failWith;
      return (method === 'node.status' ? status : IDENTITY) as never;
    },
    on(_event, listener) {
      const typed = listener as (payload: EventPayloads['node.status']) => void;
      statusListeners.add(typed);
      return () => statusListeners.delete(typed);
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
    setConnection(next: ConnectionState) {
      connection = next;
      for (const listener of connectionListeners) listener(next);
    },
    emitStatus(next: NodeStatus) {
      for (const listener of statusListeners) listener(next);
    },
    setStatus(next: NodeStatus) {
      status = next;
    },
    failCallsWith(error: ApiError | null) {
      failWith = error;
    },
  };
}

function storeWith(client: CivichainClient) {
  const app = createApp({});
  app.provide(CLIENT_KEY, client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return useNodeStore();
}

/** Lets the store's pending calls (a few promise steps) finish; no timers. */
async function settled(): Promise<void> {
  for (let step = 0; step < 10; step += 1) await Promise.resolve();
}

describe('useNodeStore', () => {
  it('fetches status and identity at once when the client is already connected (IPC)', async () => {
    const fake = fakeClient('open');
    const node = storeWith(fake.client);
    node.start();
    await settled();
    expect(node.status).toEqual(STATUS);
    expect(node.identity).toEqual(IDENTITY);
    expect(fake.calls.sort()).toEqual(['node.identity', 'node.status']);
  });

  it('waits for the connection to open before asking, and asks once', async () => {
    const fake = fakeClient('connecting');
    const node = storeWith(fake.client);
    node.start();
    node.start();
    await settled();
    expect(fake.calls).toEqual([]);
    fake.setConnection('open');
    await settled();
    expect(fake.calls).toHaveLength(2);
    expect(node.connected).toBe(true);
  });

  it('follows node.status events', async () => {
    const fake = fakeClient('open');
    const node = storeWith(fake.client);
    node.start();
    await settled();
    fake.emitStatus({ ...STATUS, height: 10, finalHeight: 9 });
    expect(node.status?.height).toBe(10);
  });

  it('marks a lost connection and fetches everything again after reconnecting', async () => {
    const fake = fakeClient('open');
    const node = storeWith(fake.client);
    node.start();
    await settled();
    fake.setConnection('closed');
    expect(node.everLost).toBe(true);
    expect(node.connected).toBe(false);
    fake.setStatus({ ...STATUS, height: 42 });
    fake.setConnection('connecting');
    fake.setConnection('open');
    await settled();
    expect(node.status?.height).toBe(42);
    expect(fake.calls).toHaveLength(4);
  });

  it('keeps the error code and message of a failed fetch, and clears them on success', async () => {
    const fake = fakeClient('open');
    fake.failCallsWith(new ApiError({ code: 'UNAUTHORIZED', message: 'The bearer token is wrong.', details: {} }));
    const node = storeWith(fake.client);
    node.start();
    await settled();
    expect(node.error).toEqual({ code: 'UNAUTHORIZED', message: 'The bearer token is wrong.' });
    fake.failCallsWith(null);
    await node.refresh();
    expect(node.error).toBeNull();
  });
});
