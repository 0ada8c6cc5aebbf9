import { afterEach, describe, expect, it } from 'vitest';
import { CivichainError } from '../../core/errors';
import { testKey, testNote } from '../../core/ledger/testFixtures';
import { makeTempDir } from '../../../test/support/tempDir';
import { createLogger } from '../log';
import { CLOSE_CODES, PeerRefused } from './errors';
import { MAX_FRAME_BYTES } from './peerNetwork';
import { FilePeerStore } from './peerStore';
import {
  ManualClock,
  OTHER_GENESIS_HASH,
  RawPeer,
  TEST_CHAIN_ID,
  makeNetwork,
  syncRequest,
  waitFor,
  type TestPeer,
} from './testing';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(...args: Parameters<typeof makeNetwork>): Promise<TestPeer> {
  const peer = makeNetwork(...args);
  await peer.network.start();
  cleanups.push(() => peer.network.close());
  return peer;
}

async function raw(node: TestPeer): Promise<RawPeer> {
  const peer = await RawPeer.connect(node.network.url);
  cleanups.push(() => peer.close());
  return peer;
}

/** A well-behaved node connects to `node` and exchanges a message both ways. */
async function expectGoodPeerWorks(node: TestPeer, height = 900_001): Promise<void> {
  const good = await started();
  const info = await good.network.addPeer(node.network.url);
  expect(info.id).toBe(node.key.publicKey);
  await waitFor(() => node.network.peers().some((p) => p.id === good.key.publicKey));
  good.network.broadcast(syncRequest(height));
  node.network.send(good.key.publicKey, syncRequest(height + 1));
  await waitFor(() => node.received.some((r) => r.from === good.key.publicKey && r.message.type === 'sync-request' && r.message.fromHeight === height));
  await waitFor(() => good.received.some((r) => r.message.type === 'sync-request' && r.message.fromHeight === height + 1));
}

function logged(node: TestPeer, code: string): boolean {
  return node.log.recent().some((entry) => entry.fields.code === code && (entry.level === 'warn' || entry.level === 'info'));
}

describe('PeerNetwork: connecting', () => {
  it('two nodes connect and exchange consensus messages both ways', async () => {
    const a = await started();
    const b = await started();
    const info = await a.network.addPeer(b.network.url);
    expect(info).toMatchObject({ id: b.key.publicKey, address: b.network.url, direction: 'outbound', score: 100 });
    await waitFor(() => b.network.peers().length === 1);
    expect(b.network.peers()[0]).toMatchObject({ id: a.key.publicKey, direction: 'inbound', address: a.network.url });

    a.network.broadcast(syncRequest(5));
    b.network.send(a.key.publicKey, syncRequest(6));
    await waitFor(() => a.received.length === 1 && b.received.length === 1);
    expect(b.received[0]).toEqual({ from: a.key.publicKey, message: syncRequest(5) });
    expect(a.received[0]).toEqual({ from: b.key.publicKey, message: syncRequest(6) });
    const [aView] = a.network.peers();
    expect(aView?.messagesOut).toBeGreaterThanOrEqual(3);
    expect(aView?.bytesIn).toBeGreaterThan(0);
  });

  it('a relayed duplicate is delivered once, and our own broadcast is not delivered back', async () => {
    // Gossip (here: votes; schema-valid, signatures are the engine's business) is deduplicated by content.
    const vote = (height: number) => ({
      type: 'vote' as const,
      kind: 'prepare' as const,
      chainId: 'civichain-test',
      height,
      round: 0,
      blockHash: 'ab'.repeat(32),
      validator: 'cd'.repeat(32),
      signature: 'ef'.repeat(64),
    });
    const a = await started();
    const b = await started();
    await a.network.addPeer(b.network.url);
    const peer = await raw(b);
    await peer.handshake();
    await waitFor(() => b.network.peers().length === 2);
    a.network.broadcast(vote(7));
    const { signature, ...rest } = vote(7);
    peer.send({ type: 'consensus', message: { signature, ...rest } }); // same message, other key order
    b.network.broadcast(vote(8));
    peer.send({ type: 'consensus', message: vote(8) }); // an echo of ours
    peer.send({ type: 'consensus', message: vote(9) });
    await waitFor(() => b.received.some((r) => r.message.type === 'vote' && r.message.height === 9));
    expect(b.received.map((r) => (r.message.type === 'vote' ? r.message.height : -1))).toEqual([7, 9]);
  });

  it('a gossip frame whose very text was taken already is dropped unparsed; catch-up requests that repeat are still delivered', async () => {
    const vote = { type: 'vote' as const, kind: 'prepare' as const, chainId: 'civichain-test', height: 3, round: 0, blockHash: 'ab'.repeat(32), validator: 'cd'.repeat(32), signature: 'ef'.repeat(64) };
    const b = await started();
    const peer = await raw(b);
    await peer.handshake();
    await waitFor(() => b.network.peers().length === 1);
    peer.send({ type: 'consensus', message: vote });
    peer.send({ type: 'consensus', message: vote });
    peer.send({ type: 'consensus', message: syncRequest(2) });
    peer.send({ type: 'consensus', message: syncRequest(2) });
    peer.send({ type: 'consensus', message: { ...vote, height: 4 } });
    await waitFor(() => b.received.some((r) => r.message.type === 'vote' && r.message.height === 4));
    expect(b.received.map((r) => r.message)).toEqual([vote, syncRequest(2), syncRequest(2), { ...vote, height: 4 }]);
    expect(b.network.relayStats().duplicateFrames).toBe(1);
  });

  it('relay: a message the node has validated goes to every peer but its sender, once however often it comes', async () => {
    const vote = {
      type: 'vote' as const,
      kind: 'approval' as const,
      chainId: 'civichain-test',
      height: 4,
      round: 0,
      blockHash: 'ab'.repeat(32),
      validator: 'cd'.repeat(32),
      signature: 'ef'.repeat(64),
    };
    // A — B — C, no peer exchange: A and C meet only through B, which relays what its "engine" accepts.
    let middle: TestPeer | null = null;
    const b = await started({ peerExchange: false }, { onMessage: (from, message) => middle?.network.relay(message, from) });
    middle = b;
    const a = await started({ peerExchange: false });
    const c = await started({ peerExchange: false });
    await a.network.addPeer(b.network.url);
    await c.network.addPeer(b.network.url);
    await waitFor(() => b.network.peers().length === 2);
    a.network.broadcast(vote);
    await waitFor(() => c.received.length === 1);
    expect(c.received[0]).toEqual({ from: b.key.publicKey, message: vote });
    // C passes it on too (as its engine would): B has seen it, so it goes no further, and A never gets it back.
    c.network.relay(vote, b.key.publicKey);
    c.network.broadcast({ ...vote, round: 1 });
    await waitFor(() => a.received.length === 1);
    expect(a.received.map((r) => r.message)).toEqual([{ ...vote, round: 1 }]);
    expect(b.network.relayStats()).toEqual({ relayed: 2, framesOut: 2, duplicateFrames: 0 });
    expect(a.network.peers()).toHaveLength(1);
    expect(c.network.peers()).toHaveLength(1);
  });

  it('no peer exchange: A knows B, B knows C, and A does not connect to C', async () => {
    const a = await started({ peerExchange: false });
    const b = await started({ peerExchange: false });
    const c = await started({ peerExchange: false });
    await b.network.addPeer(c.network.url);
    await a.network.addPeer(b.network.url);
    await waitFor(() => b.network.peers().length === 2);
    // B told nobody about anybody: no "peers" frame crossed, so nobody learned an address.
    const d = await started();
    await d.network.addPeer(b.network.url);
    await waitFor(() => b.network.peers().length === 3);
    expect(a.network.peers().map((p) => p.id)).toEqual([b.key.publicKey]);
    expect(a.network.knownAddresses()).toEqual([b.network.url]);
    expect(d.network.knownAddresses()).toEqual([b.network.url]);
  });

  it('catch-up requests are not gossip: the same request delivered again is delivered again', async () => {
    const a = await started();
    const b = await started();
    await a.network.addPeer(b.network.url);
    a.network.send(b.key.publicKey, syncRequest(3));
    a.network.send(b.key.publicKey, syncRequest(3));
    await waitFor(() => b.received.filter((r) => r.message.type === 'sync-request').length === 2);
  });

  it('latency comes from ping/pong; a peer that stops answering pings is dropped (PEER_TOO_SLOW)', async () => {
    const clock = new ManualClock();
    const node = await started({ pingIntervalMs: 1_000 }, { clock });
    const good = await started();
    await good.network.addPeer(node.network.url);
    await waitFor(() => node.network.peers().length === 1);
    clock.advance(1_000);
    await waitFor(() => node.network.peers()[0]?.latencyMs !== null);
    expect(node.network.peers()[0]?.latencyMs).toBe(0);

    const mute = await raw(node);
    await mute.handshake();
    mute.ws.removeAllListeners('ping');
    (mute.ws as unknown as { send: () => void }).send = () => undefined;
    clock.advance(1_000);
    clock.advance(1_000);
    clock.advance(1_000);
    expect(await mute.closed).toBe(CLOSE_CODES.tooSlow);
    await waitFor(() => node.network.peers().length === 1);
    expect(node.network.peers().map((p) => p.id)).toEqual([good.key.publicKey]);
  });

  it('PEER_WRONG_GENESIS: another network is refused at the handshake, with the reason on both sides', async () => {
    const a = await started();
    const b = await started({ genesisHash: OTHER_GENESIS_HASH });
    const error = await a.network.addPeer(b.network.url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PeerRefused);
    expect((error as CivichainError).code).toBe('PEER_WRONG_GENESIS');
    expect((error as CivichainError).message).toContain('another network (genesis cdcdcdcd… vs ours abababab…)');
    await waitFor(() => logged(b, 'PEER_WRONG_GENESIS'));
    expect(logged(a, 'PEER_WRONG_GENESIS')).toBe(true);
    const refusal = b.log.recent().find((e) => e.fields.code === 'PEER_WRONG_GENESIS');
    expect(String(refusal?.fields.reason)).toContain('genesis abababab… vs ours cdcdcdcd…');
    expect(a.network.peers()).toEqual([]);
    expect(b.network.peers()).toEqual([]);
    // Permanent: not remembered, not re-dialled.
    expect(a.store.load()).toEqual([]);
  });

  it('PEER_WRONG_CHAIN and PEER_WRONG_PROTOCOL close with 4001 and a goodbye', async () => {
    const node = await started();
    for (const [overrides, code] of [
      [{ chainId: 'other-chain' }, 'PEER_WRONG_CHAIN'],
      [{ protocolVersion: 99 }, 'PEER_WRONG_PROTOCOL'],
    ] as const) {
      const peer = await raw(node);
      peer.sendHello(overrides);
      expect(await peer.closed).toBe(CLOSE_CODES.wrongNetwork);
      expect(peer.frames.find((f) => f.type === 'goodbye')).toMatchObject({ code });
    }
  });

  it('PEER_SELF: a node does not connect to itself', async () => {
    const a = await started();
    await expect(a.network.addPeer(a.network.url)).rejects.toMatchObject({ code: 'PEER_SELF' });
    await expect(a.network.addPeer(a.network.url)).rejects.toMatchObject({ code: 'PEER_SELF' });
    expect(a.network.peers()).toEqual([]);
  });

  it('PEER_DUPLICATE: two nodes dialling each other at once end with one connection', async () => {
    const a = await started();
    const b = await started();
    const [fromA, fromB] = await Promise.all([a.network.addPeer(b.network.url), b.network.addPeer(a.network.url)]);
    expect(fromA.id).toBe(b.key.publicKey);
    expect(fromB.id).toBe(a.key.publicKey);
    await waitFor(() => a.network.peers().length === 1 && b.network.peers().length === 1);
    const kept = a.network.peers()[0];
    expect(b.network.peers()[0]?.direction).toBe(kept?.direction === 'outbound' ? 'inbound' : 'outbound');
    a.network.broadcast(syncRequest(1));
    await waitFor(() => b.received.length === 1);
  });

  it('PEER_ADDRESS_INVALID and PEER_UNREACHABLE name the problem', async () => {
    const a = await started();
    await expect(a.network.addPeer('http://127.0.0.1:1')).rejects.toMatchObject({ code: 'PEER_ADDRESS_INVALID' });
    const closed = await started();
    const url = closed.network.url;
    await closed.network.close();
    await expect(a.network.addPeer(url)).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' });
  });

  it('PEER_TOO_MANY: connections over the limit are refused', async () => {
    const node = await started({ maxConnections: 1 });
    const first = await started();
    await first.network.addPeer(node.network.url);
    const second = await started();
    await expect(second.network.addPeer(node.network.url)).rejects.toMatchObject({ code: 'PEER_TOO_MANY' });
    expect(node.network.peers()).toHaveLength(1);
  });

  it('removePeer disconnects and forgets; ban refuses the key until it expires', async () => {
    const a = await started();
    const b = await started();
    await a.network.addPeer(b.network.url);
    expect(a.network.removePeer(b.key.publicKey)).toBe(true);
    // Gone at once on the side that removed it (the status bar's peer count), not after the close handshake.
    expect(a.network.peers()).toEqual([]);
    await waitFor(() => b.network.peers().length === 0);
    expect(a.store.load()).toEqual([]);
    await waitFor(() => logged(b, 'PEER_REMOVED'));

    await a.network.addPeer(b.network.url).catch(() => undefined);
    await waitFor(() => b.network.peers().length === 1);
    b.network.ban(a.key.publicKey, 60_000, 'testing');
    expect(b.network.peers()).toEqual([]);
    await waitFor(() => a.network.peers().length === 0);
    await expect(a.network.addPeer(b.network.url)).rejects.toMatchObject({ code: 'PEER_BANNED' });
    expect(b.network.bansInForce().map((ban) => ban.subject)).toContain(a.key.publicKey);
  });
});

describe('PeerNetwork: invalid input', () => {
  it('FRAME_NOT_JSON: a peer sending malformed JSON is disconnected and banned; nothing is delivered', async () => {
    const node = await started();
    const peer = await raw(node);
    await peer.handshake();
    for (let i = 0; i < 10; i += 1) peer.send('{"type":"consensus","message":{"type":"sync-request","fromHeight":1}');
    expect(await peer.closed).toBe(CLOSE_CODES.misbehaved);
    expect(node.received).toEqual([]);
    expect(node.network.bansInForce().map((b) => b.subject)).toContain(peer.key.publicKey);
    // Remembered by key: it cannot come back.
    const again = await RawPeer.connect(node.network.url, peer.key);
    cleanups.push(() => again.close());
    again.sendHello();
    expect(await again.closed).toBe(CLOSE_CODES.banned);
    expect(again.frames.find((f) => f.type === 'goodbye')).toMatchObject({ code: 'PEER_BANNED' });
    await expectGoodPeerWorks(node);
  });

  it('FRAME_TOO_BIG: an oversized frame closes the connection with 1009', async () => {
    const node = await started({ maxFrameBytes: 64 * 1024 });
    const peer = await raw(node);
    await peer.handshake();
    peer.send({ type: 'consensus', message: { type: 'sync-request', fromHeight: 1 }, padding: 'x'.repeat(70 * 1024) });
    expect(await peer.closed).toBe(CLOSE_CODES.tooBig);
    expect(node.received).toEqual([]);
    await waitFor(() => node.network.peers().length === 0);
    expect(MAX_FRAME_BYTES).toBe(4 * 1024 * 1024);
    // Before the handshake too.
    const early = await raw(node);
    early.send('x'.repeat(70 * 1024));
    expect(await early.closed).toBe(CLOSE_CODES.tooBig);
    await expectGoodPeerWorks(node);
  });

  it('FRAME_UNKNOWN_TYPE: unknown message types get a peer banned', async () => {
    const node = await started();
    const peer = await raw(node);
    await peer.handshake();
    for (let i = 0; i < 10; i += 1) peer.send({ type: 'blocks', from: i });
    expect(await peer.closed).toBe(CLOSE_CODES.misbehaved);
    expect(peer.frames.find((f) => f.type === 'goodbye')).toMatchObject({ code: 'PEER_MISBEHAVED' });
    expect(node.received).toEqual([]);
    await expectGoodPeerWorks(node);
  });

  it('CONSENSUS_INVALID: consensus messages failing their schema are not delivered and cost score', async () => {
    const node = await started();
    const peer = await raw(node);
    await peer.handshake();
    peer.send({ type: 'consensus', message: { type: 'vote', height: -1 } });
    await waitFor(() => (node.network.peers()[0]?.score ?? 100) < 100);
    expect(node.received).toEqual([]);
    expect(node.network.peers()[0]?.score).toBe(80);
  });

  it('PEER_HANDSHAKE_FAILED: an invalid handshake signature is refused with 4002', async () => {
    const node = await started();
    const peer = await raw(node);
    await peer.handshake({ badSignature: true });
    expect(await peer.closed).toBe(CLOSE_CODES.handshakeFailed);
    expect(peer.frames.find((f) => f.type === 'goodbye')).toMatchObject({ code: 'PEER_HANDSHAKE_FAILED' });
    expect(node.network.peers()).toEqual([]);
    // A forged signature bans nobody: the key it claims may be an honest node's.
    expect(node.network.bansInForce()).toEqual([]);
  });

  it('PEER_HANDSHAKE_FAILED: consensus frames before the handshake close the connection, undelivered', async () => {
    const node = await started();
    const peer = await raw(node);
    peer.send({ type: 'consensus', message: syncRequest(1) });
    expect(await peer.closed).toBe(CLOSE_CODES.handshakeFailed);
    expect(node.received).toEqual([]);
  });

  it('PEER_HANDSHAKE_TIMEOUT: a silent peer is dropped when the handshake times out', async () => {
    const clock = new ManualClock();
    const node = await started({ handshakeTimeoutMs: 5_000 }, { clock });
    const peer = await raw(node);
    await waitFor(() => peer.hello !== null);
    clock.advance(5_000);
    expect(await peer.closed).toBe(CLOSE_CODES.handshakeFailed);
    expect(peer.frames.find((f) => f.type === 'goodbye')).toMatchObject({ code: 'PEER_HANDSHAKE_TIMEOUT' });
  });

  it('PEER_RATE_EXCEEDED: a flood of messages gets the peer disconnected and banned', async () => {
    const node = await started({ rateBurst: 20, ratePerSecond: 1 });
    const peer = await raw(node);
    await peer.handshake();
    for (let i = 0; i < 500; i += 1) peer.send({ type: 'consensus', message: syncRequest(1_000 + i) });
    expect(await peer.closed).toBe(CLOSE_CODES.misbehaved);
    // The handshake used two tokens; only what fit in the bucket was delivered.
    expect(node.received.length).toBeLessThanOrEqual(20);
    expect(node.network.bansInForce().map((b) => b.subject)).toContain(peer.key.publicKey);
    await expectGoodPeerWorks(node);
  });

  it('relayed transactions have a rate of their own: beyond it they are dropped, not held against the peer, and its other frames still count as usual; ten times the rate is a flood', async () => {
    const node = await started({ rateBurst: 20, ratePerSecond: 1 });
    const peer = await raw(node);
    await peer.handshake();
    await waitFor(() => node.network.peers().some((p) => p.id === peer.key.publicKey));
    const signer = testKey('relayer');
    const relay = (i: number) => ({ type: 'consensus', message: { type: 'tx', tx: testNote(TEST_CHAIN_ID, signer, `n${i}`) } });
    // 190 relays: the relay bucket (9 × 20) takes 180, the other 10 are dropped; a sync request after them is delivered.
    for (let i = 0; i < 190; i += 1) peer.send(relay(i));
    peer.send({ type: 'consensus', message: syncRequest(77) });
    await waitFor(() => node.received.some((r) => r.message.type === 'sync-request'));
    const relayed = node.received.filter((r) => r.message.type === 'tx').length;
    expect(relayed).toBeGreaterThanOrEqual(180);
    expect(relayed).toBeLessThan(190);
    expect(node.network.bansInForce()).toEqual([]);
    // Past ten times the rate it is a flood: disconnected and banned.
    for (let i = 0; i < 200; i += 1) peer.send(relay(1_000 + i));
    expect(await peer.closed).toBe(CLOSE_CODES.misbehaved);
    expect(node.network.bansInForce().map((b) => b.subject)).toContain(peer.key.publicKey);
  });

  it('engine refusals reported by the node count against the sender', async () => {
    const node = await started(
      {},
      {
        onMessage: () => {
          throw new CivichainError('PROPOSAL_BAD_SIGNATURE', "The proposer's signature on the proposal does not verify.");
        },
      },
    );
    const peer = await raw(node);
    await peer.handshake();
    // 20 points each from 100, give or take what the score regains meanwhile (10 a minute).
    for (let i = 0; i < 10; i += 1) peer.send({ type: 'consensus', message: syncRequest(i) });
    expect(await peer.closed).toBe(CLOSE_CODES.misbehaved);
    expect(node.received.length).toBeGreaterThanOrEqual(5);
    expect(node.received.length).toBeLessThanOrEqual(6);
    expect(node.network.bansInForce().map((b) => b.subject)).toContain(peer.key.publicKey);
  });

  it('errors the engine throws for stale or harmless input do not count', async () => {
    const node = await started({}, { onMessage: () => { throw new CivichainError('BLOCK_FROM_FUTURE', 'later'); } });
    const peer = await raw(node);
    await peer.handshake();
    for (let i = 0; i < 10; i += 1) peer.send({ type: 'consensus', message: syncRequest(i) });
    await waitFor(() => node.received.length === 10);
    expect(node.network.peers()[0]?.score).toBe(100);
  });
});

describe('PeerNetwork: peers', () => {
  it('peer exchange: A knows B, B knows C, so A connects to C', async () => {
    const a = await started();
    const b = await started();
    const c = await started();
    await b.network.addPeer(c.network.url);
    await a.network.addPeer(b.network.url);
    await waitFor(() => a.network.peers().some((p) => p.id === c.key.publicKey));
    await waitFor(() => c.network.peers().some((p) => p.id === a.key.publicKey));
    expect(a.network.knownAddresses()).toEqual(expect.arrayContaining([b.network.url, c.network.url]));
    // And the other way round: C learns of A when A reaches B after C did.
    const d = await started();
    await d.network.addPeer(b.network.url);
    await waitFor(() => a.network.peers().some((p) => p.id === d.key.publicKey));
  });

  it('remembered peers are re-dialled after a restart', async () => {
    const dir = makeTempDir();
    cleanups.push(dir.remove);
    const log = createLogger({ level: 'error' });
    const b = await started();
    const first = await started({}, { store: new FilePeerStore(dir.path, log) });
    await first.network.addPeer(b.network.url);
    await first.network.close();
    await waitFor(() => b.network.peers().length === 0);

    const restarted = await started({}, { key: first.key, store: new FilePeerStore(dir.path, log) });
    await waitFor(() => restarted.network.peers().some((p) => p.id === b.key.publicKey));
    expect(new FilePeerStore(dir.path, log).load()).toEqual([b.network.url]);
  });

  it('a lost peer is re-dialled with backoff on the injected clock', async () => {
    const clock = new ManualClock();
    const b = makeNetwork();
    await b.network.start();
    const port = b.network.port;
    const a = await started({ backoff: { baseMs: 1_000, maxMs: 8_000 } }, { clock });
    await a.network.addPeer(b.network.url);
    await b.network.close();
    await waitFor(() => a.network.peers().length === 0);
    const delays = () => a.log.recent().filter((e) => e.message === 're-dial scheduled').map((e) => Number(e.fields.delayMs));
    await waitFor(() => delays().length === 1);
    // Down: each attempt fails and the next waits about twice as long, up to the cap.
    for (let attempt = 1; attempt < 5; attempt += 1) {
      clock.advance(delays()[attempt - 1] as number);
      await waitFor(() => delays().length === attempt + 1);
    }
    const [d0, d1, d2, d3, d4] = delays() as [number, number, number, number, number];
    expect(d0).toBeGreaterThanOrEqual(500);
    expect(d0).toBeLessThanOrEqual(1_000);
    expect(d1).toBeGreaterThanOrEqual(1_000);
    expect(d2).toBeGreaterThanOrEqual(2_000);
    expect(d3).toBeGreaterThanOrEqual(4_000);
    expect(d4).toBeLessThanOrEqual(8_000);
    const back = await started({ port }, { key: b.key });
    clock.advance(d4);
    await waitFor(() => a.network.peers().some((p) => p.id === back.key.publicKey));
  });

  it('FilePeerStore: a corrupt peers.json is an empty list, bad entries are skipped', async () => {
    const dir = makeTempDir();
    cleanups.push(dir.remove);
    const log = createLogger({ level: 'error' });
    const store = new FilePeerStore(dir.path, log);
    expect(store.load()).toEqual([]);
    store.save(['ws://127.0.0.1:1', 'ws://127.0.0.1:2']);
    expect(store.load()).toEqual(['ws://127.0.0.1:1', 'ws://127.0.0.1:2']);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(store.path, '{"peers": ["ws://a:1", 3, "http://b:2", "ws://a:1/"]}');
    expect(store.load()).toEqual(['ws://a:1']);
    writeFileSync(store.path, '{');
    expect(store.load()).toEqual([]);
  });
});
