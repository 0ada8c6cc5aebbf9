/**
 * Test helpers for the peer network: a manual clock, node keys, a network factory, and a raw peer that
 * speaks the protocol by hand (to misbehave on purpose). Used by the *.test.ts and *.int.test.ts here.
 */
import { generateKeyPairSync } from 'node:crypto';
import { WebSocket } from 'ws';
import type { ConsensusMessage } from '../../core/ledger/consensusMessages';
import type { Clock, LocalKey } from '../consensus/types';
import { createLogger, type Logger } from '../log';
import { PROTOCOL_VERSION, type Hello } from './frames';
import { newChallenge, signHandshake } from './handshake';
import { PeerNetwork, type PeerNetworkOptions } from './peerNetwork';
import { MemoryPeerStore, type PeerStore } from './peerStore';
import { systemClock } from '../clock';

export const TEST_CHAIN_ID = 'civichain-test';
export const TEST_GENESIS_HASH = 'ab'.repeat(32);
export const OTHER_GENESIS_HASH = 'cd'.repeat(32);

/** Timers fire only when the test advances the time. */
export class ManualClock implements Clock {
  private nowMs = 1_700_000_000_000;
  private nextId = 0;
  private readonly timers = new Map<number, { atMs: number; fn: () => void }>();

  now(): number {
    return this.nowMs;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.set(id, { atMs: this.nowMs + Math.max(0, ms), fn });
    return () => this.timers.delete(id);
  }

  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let next: [number, { atMs: number; fn: () => void }] | null = null;
      for (const entry of this.timers) if (entry[1].atMs <= target && (!next || entry[1].atMs < next[1].atMs)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.nowMs = next[1].atMs;
      next[1].fn();
    }
    this.nowMs = target;
  }

  pending(): number {
    return this.timers.size;
  }
}



export function makeNodeKey(): LocalKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { publicKey: der.subarray(der.length - 32).toString('hex'), privateKey };
}

export interface TestPeer {
  readonly network: PeerNetwork;
  readonly key: LocalKey;
  readonly received: { from: string; message: ConsensusMessage }[];
  readonly log: Logger;
  readonly store: PeerStore;
}

export function makeNetwork(
  options: Partial<PeerNetworkOptions> = {},
  deps: { clock?: Clock; key?: LocalKey; store?: PeerStore; onMessage?: (from: string, message: ConsensusMessage) => void } = {},
): TestPeer {
  const key = deps.key ?? makeNodeKey();
  const received: { from: string; message: ConsensusMessage }[] = [];
  const log = createLogger({ level: 'error', capacity: 10_000 });
  const store = deps.store ?? new MemoryPeerStore();
  const network = new PeerNetwork(
    { chainId: TEST_CHAIN_ID, genesisHash: TEST_GENESIS_HASH, port: 0, ...options },
    {
      log,
      clock: deps.clock ?? systemClock(),
      nodeKey: key,
      store,
      onMessage: (from, message) => {
        received.push({ from, message });
        deps.onMessage?.(from, message);
      },
    },
  );
  return { network, key, received, log, store };
}

export function syncRequest(fromHeight: number): ConsensusMessage {
  return { type: 'sync-request', fromHeight };
}

/** A peer driven by hand over a raw `ws` client. */
export class RawPeer {
  readonly frames: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  closeCode: number | null = null;
  private readonly closedPromise: Promise<number>;
  hello: Hello | null = null;
  readonly challenge = newChallenge();

  private constructor(
    readonly ws: WebSocket,
    readonly key: LocalKey,
    readonly network: { readonly chainId: string; readonly genesisHash: string },
  ) {
    this.closedPromise = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      this.raw.push(text);
      try {
        const frame = JSON.parse(text) as Record<string, unknown>;
        this.frames.push(frame);
        if (frame.type === 'hello') this.hello = frame as unknown as Hello;
      } catch {
        // not ours to judge
      }
    });
  }

  static async connect(
    url: string,
    key: LocalKey = makeNodeKey(),
    network: { chainId: string; genesisHash: string } = { chainId: TEST_CHAIN_ID, genesisHash: TEST_GENESIS_HASH },
  ): Promise<RawPeer> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const peer = new RawPeer(ws, key, network);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return peer;
  }

  get closed(): Promise<number> {
    return this.closedPromise;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(value: unknown): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  sendHello(overrides: Partial<Hello> = {}): void {
    this.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      chainId: this.network.chainId,
      genesisHash: this.network.genesisHash,
      nodeKey: this.key.publicKey,
      challenge: this.challenge,
      listenPort: null,
      height: null,
      ...overrides,
    });
  }

  /** Waits for the node's hello, then answers its challenge (with a bad signature when asked). */
  async respond(options: { badSignature?: boolean } = {}): Promise<void> {
    await waitFor(() => this.hello !== null || !this.isOpen);
    const hello = this.hello;
    if (!hello) return;
    const signature = signHandshake(
      {
        chainId: this.network.chainId,
        genesisHash: this.network.genesisHash,
        signer: this.key.publicKey,
        signerChallenge: this.challenge,
        peer: hello.nodeKey,
        peerChallenge: hello.challenge,
      },
      this.key.privateKey,
    );
    // A bad signature: the first byte flipped (always a change, never by chance the same).
    const flipped = `${(0xff ^ parseInt(signature.slice(0, 2), 16)).toString(16).padStart(2, '0')}${signature.slice(2)}`;
    this.send({ type: 'challenge-response', signature: options.badSignature ? flipped : signature });
  }

  /** Hello and challenge-response, then waits until the node has answered too. */
  async handshake(options: { badSignature?: boolean; height?: number } = {}): Promise<void> {
    this.sendHello(options.height === undefined ? {} : { height: options.height });
    await this.respond(options);
    await waitFor(() => this.frames.some((f) => f.type === 'challenge-response') || !this.isOpen);
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closedPromise;
  }
}

/** Polls `condition` on the event loop (no fixed sleep); rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new RangeError(`Condition not met within ${timeoutMs} ms.`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
