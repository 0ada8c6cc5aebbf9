/**
 * Throws at least 10,000 random and mutated frames at a node, before and after a valid handshake: the node
 * stays up, delivers only schema-valid consensus messages from authenticated peers, and still serves a
 * well-behaved peer afterwards. The generator is seeded, so a failure can be replayed from its seed.
 */
import { describe, expect, it } from 'vitest';
import { consensusMessageSchema } from '../../core/ledger/consensusMessages';
import { PROTOCOL_VERSION } from './frames';
import { RawPeer, TEST_CHAIN_ID, TEST_GENESIS_HASH, makeNetwork, syncRequest, waitFor } from './testing';
import { createRng } from '../consensus/simulation/simulation';

const SEED = 0x5eed_c1c1;
const TOTAL_FRAMES = 10_000;

function makeGenerator(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const hex = (bytes: number) => Array.from({ length: bytes * 2 }, () => '0123456789abcdef'[int(16)]).join('');
  const junkValue = (depth = 0): unknown => {
    switch (int(depth > 3 ? 6 : 9)) {
      case 0: return null;
      case 1: return random() < 0.5;
      case 2: return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER]);
      case 3: return pick(['', 'x', hex(32), hex(64), '\u0000', '\ud800', '__proto__', 'ws://127.0.0.1:1']);
      case 4: return hex(int(80));
      case 5: return int(1_000_000);
      case 6: return Array.from({ length: int(4) }, () => junkValue(depth + 1));
      case 7: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['type', 'message', 'nonce', 'height', 'a', '__proto__', 'constructor']), junkValue(depth + 1)]));
      default: return { type: pick(['consensus', 'ping', 'hello', 'peers', 'status', 'goodbye', 'challenge-response', 'x']), message: junkValue(depth + 1) };
    }
  };
  const templates = (): Record<string, unknown>[] => [
    { type: 'hello', protocolVersion: PROTOCOL_VERSION, chainId: TEST_CHAIN_ID, genesisHash: TEST_GENESIS_HASH, nodeKey: hex(32), challenge: hex(32), listenPort: null, height: 1 },
    { type: 'challenge-response', signature: hex(64) },
    { type: 'ping', nonce: int(100) },
    { type: 'pong', nonce: int(100) },
    { type: 'status', height: int(100) },
    { type: 'peers', addresses: ['ws://127.0.0.1:1'] },
    { type: 'goodbye', code: 'PEER_SELF', reason: 'x' },
    { type: 'consensus', message: syncRequest(int(100)) },
    { type: 'consensus', message: { type: 'vote', kind: 'approval', chainId: TEST_CHAIN_ID, height: 1, round: 0, blockHash: hex(32), validator: hex(32), signature: hex(64) } },
    { type: 'consensus', message: { type: 'reject', chainId: TEST_CHAIN_ID, height: 1, round: 0, blockHash: hex(32), validator: hex(32), reason: 'r', signature: hex(64) } },
  ];
  const mutateText = (text: string): string => {
    const at = int(text.length + 1);
    switch (int(6)) {
      case 0: return text.slice(0, at) + String.fromCharCode(int(128)) + text.slice(at + 1);
      case 1: return text.slice(0, at) + text.slice(at + 1);
      case 2: return text.slice(0, at);
      case 3: return text.slice(0, at) + pick(['{', '}', '"', ',', ':', '[', ']', '\\', 'null', '1e999']) + text.slice(at);
      case 4: return text + text;
      default: return text.slice(0, at) + text.slice(int(text.length));
    }
  };
  const mutateValue = (frame: Record<string, unknown>): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...frame };
    const keys = Object.keys(copy);
    switch (int(3)) {
      case 0: copy[pick(keys)] = junkValue(); break;
      case 1: delete copy[pick(keys)]; break;
      default: copy[pick(['extra', 'type', 'message', '__proto__'])] = junkValue();
    }
    return copy;
  };
  return (): string | Buffer => {
    switch (int(8)) {
      case 0: return Buffer.from(Array.from({ length: int(200) }, () => int(256)));
      case 1: return Array.from({ length: int(200) }, () => String.fromCharCode(int(0x3000))).join('');
      case 2: return JSON.stringify(junkValue());
      case 3: return pick(['[', '{'].map((c) => c.repeat(50_000)));
      case 4: case 5: return JSON.stringify(mutateValue(pick(templates())));
      default: return mutateText(JSON.stringify(pick(templates())));
    }
  };
}

describe('PeerNetwork fuzz', () => {
  it(`stays up and delivers nothing invalid under ${TOTAL_FRAMES} random and mutated frames (seed ${SEED})`, async () => {
    const invalid: unknown[] = [];
    const node = makeNetwork(
      // A deeper score so each connection absorbs more frames; no dialling of learned junk addresses.
      { score: { maxScore: 2_000, recoveryPerMinute: 0 }, rateBurst: 100_000, ratePerSecond: 100_000, maxOutbound: 0 },
      { onMessage: (_from, message) => { if (!consensusMessageSchema.safeParse(message).success) invalid.push(message); } },
    );
    await node.network.start();
    const next = makeGenerator(createRng(SEED));
    const authenticated = new Set<string>();
    let sent = 0;
    try {
      // Before the handshake: every connection gets a burst of junk in place of a hello.
      while (sent < TOTAL_FRAMES * 0.3) {
        const peers = await Promise.all(Array.from({ length: 10 }, () => RawPeer.connect(node.network.url)));
        for (const peer of peers) {
          for (let i = 0; i < 10; i += 1) {
            const frame = next();
            if (!peer.isOpen) break;
            peer.ws.send(frame);
            sent += 1;
          }
        }
        await Promise.all(peers.map((peer) => peer.close()));
      }
      // After a valid handshake.
      while (sent < TOTAL_FRAMES) {
        const peer = await RawPeer.connect(node.network.url);
        await peer.handshake();
        authenticated.add(peer.key.publicKey);
        for (let i = 0; i < 500 && peer.isOpen; i += 1) {
          peer.ws.send(next());
          sent += 1;
        }
        // Round trip: the node has handled what came before the pong (or closed the connection).
        peer.send({ type: 'ping', nonce: 424242 });
        await waitFor(() => !peer.isOpen || peer.frames.some((f) => f.type === 'pong' && f.nonce === 424242));
        await peer.close();
      }
      expect(sent).toBeGreaterThanOrEqual(TOTAL_FRAMES);
      expect(invalid).toEqual([]);
      // The junk after the handshake cost its senders their score: they were banned.
      expect(node.network.bansInForce().length).toBeGreaterThan(0);
      expect(node.received.every((r) => authenticated.has(r.from))).toBe(true);

      // Still up, and a well-behaved node is served.
      const good = makeNetwork();
      await good.network.start();
      try {
        await good.network.addPeer(node.network.url);
        good.network.broadcast(syncRequest(123_456_789));
        await waitFor(() => node.received.some((r) => r.from === good.key.publicKey));
        node.network.broadcast(syncRequest(987_654_321));
        await waitFor(() => good.received.some((r) => r.message.type === 'sync-request' && r.message.fromHeight === 987_654_321));
      } finally {
        await good.network.close();
      }
    } finally {
      await node.network.close();
    }
  });
});
