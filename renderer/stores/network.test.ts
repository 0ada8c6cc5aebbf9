import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { NodeLogEntry, NodeStatus, PeerSummary } from '../../preload/contract';
import { ApiError } from '../api/client';
import { fakeClient, settled, type FakeHandlers } from '../api/fakeClient';
import { CLIENT_KEY } from '../app/injection';
import { NETWORK_REFRESH_MS, useNetworkStore } from './network';

const PEER: PeerSummary = {
  id: 'ab'.repeat(32),
  address: 'ws://127.0.0.1:7601',
  direction: 'outbound',
  height: 12,
  latencyMs: 3,
  bytesIn: 2_000,
  bytesOut: 1_000,
  connectedSinceMs: 0,
  score: 0,
};

const LOG: NodeLogEntry = { seq: 1, timeMs: 0, level: 'warn', message: 'peer not reached', fields: {} };

function setUp(handlers: FakeHandlers = {}) {
  let peers: PeerSummary[] = [PEER];
  const fake = fakeClient({
    'peers.list': () => ({ peers, listening: 'ws://127.0.0.1:7600' }),
    'node.logs': () => ({ entries: [LOG], capacity: 1000 }),
    ...handlers,
  });
  const app = createApp({});
  app.provide(CLIENT_KEY, fake.client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const network = useNetworkStore();
  return { fake, network, setPeers: (next: PeerSummary[]) => (peers = next) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('useNetworkStore', () => {
  it('fetches peers and the log on start, and again every few seconds until stopped', async () => {
    vi.useFakeTimers();
    const { fake, network } = setUp();
    network.start();
    await settled();
    expect(network.peers).toEqual([PEER]);
    expect(network.listening).toBe('ws://127.0.0.1:7600');
    expect(network.logs).toEqual([LOG]);
    const count = () => fake.calls.filter((c) => c.method === 'peers.list').length;
    expect(count()).toBe(1);
    await vi.advanceTimersByTimeAsync(NETWORK_REFRESH_MS);
    expect(count()).toBe(2);
    network.stop();
    await vi.advanceTimersByTimeAsync(NETWORK_REFRESH_MS * 3);
    expect(count()).toBe(2);
  });

  it('shows catch-up progress while blocks are left, and hides it once caught up', async () => {
    const { fake, network } = setUp();
    network.start();
    await settled();
    expect(network.sync).toBeNull();
    const behind = { height: 40, target: 100, blocksLeft: 60, blocksPerSecond: 20, etaSeconds: 3, stalled: null };
    fake.emit('sync.progress', behind);
    expect(network.sync).toEqual(behind);
    fake.emit('sync.progress', { height: 100, target: 100, blocksLeft: 0, blocksPerSecond: 0, etaSeconds: 0, stalled: null });
    expect(network.sync).toBeNull();
    fake.emit('sync.progress', behind);
    fake.emit('node.status', { peers: 1, height: 99 } as NodeStatus);
    expect(network.sync, 'still behind the target').toEqual(behind);
    fake.emit('node.status', { peers: 1, height: 100 } as NodeStatus);
    expect(network.sync, 'the node reached the target').toBeNull();
    network.stop();
  });

  it('a change in the number of peers fetches the peers at once', async () => {
    const { fake, network, setPeers } = setUp();
    network.start();
    await settled();
    setPeers([]);
    fake.emit('node.status', { peers: 0 } as NodeStatus);
    await settled();
    expect(network.peers).toEqual([]);
    network.stop();
  });

  it('asks for the log at the chosen level', async () => {
    const { fake, network } = setUp();
    network.start();
    await settled();
    await network.setLogLevel('error');
    expect(fake.calls.filter((c) => c.method === 'node.logs').at(-1)?.params).toEqual({ level: 'error', limit: 200 });
    network.stop();
  });

  it('adds a peer by its trimmed address and says so', async () => {
    const added: string[] = [];
    const { network } = setUp({ 'peers.add': ({ address }) => (added.push(address), { peer: { ...PEER, address } }) });
    expect(await network.addPeer('  ws://127.0.0.1:7602 ')).toBe(true);
    expect(added).toEqual(['ws://127.0.0.1:7602']);
    expect(network.done).toBe('Connected to ws://127.0.0.1:7602.');
    expect(network.actionError).toBeNull();
  });

  it('a refused peer shows the node’s error code and message, and nothing as done', async () => {
    const { network } = setUp({
      'peers.add': () => {
        throw new ApiError({ code: 'PEER_UNREACHABLE', message: 'No node answered at ws://127.0.0.1:1.', details: {} });
      },
    });
    expect(await network.addPeer('ws://127.0.0.1:1')).toBe(false);
    expect(network.actionError).toEqual({ code: 'PEER_UNREACHABLE', message: 'No node answered at ws://127.0.0.1:1.' });
    expect(network.done).toBeNull();
    expect(network.busy).toBeNull();
  });

  it('bans by node key with minutes and reason, remembers the ban, and lifts it', async () => {
    const banned: unknown[] = [];
    const unbanned: string[] = [];
    const { network } = setUp({
      'peers.ban': (p) => (banned.push(p), { banned: true }),
      'peers.unban': ({ peer }) => (unbanned.push(peer), { unbanned: true }),
    });
    expect(await network.banPeer(PEER, 30, 'sends junk blocks')).toBe(true);
    expect(banned).toEqual([{ peer: PEER.id, minutes: 30, reason: 'sends junk blocks' }]);
    expect(network.bans.map((b) => b.address)).toEqual([PEER.address]);
    expect(network.done).toBe('Banned ws://127.0.0.1:7601 for 30 minutes.');
    expect(await network.unbanPeer(PEER.id)).toBe(true);
    expect(unbanned, 'a connected peer is banned by key and address, so both are lifted').toEqual([PEER.id, PEER.address]);
    expect(network.bans).toEqual([]);
    expect(network.done).toBe('Lifted the ban on ws://127.0.0.1:7601.');
  });

  it('removes a peer by node key', async () => {
    const removed: string[] = [];
    const { network } = setUp({ 'peers.remove': ({ peer }) => (removed.push(peer), { removed: true }) });
    expect(await network.removePeer(PEER)).toBe(true);
    expect(removed).toEqual([PEER.id]);
    expect(network.done).toBe('Disconnected ws://127.0.0.1:7601 and forgot its address.');
  });
});
