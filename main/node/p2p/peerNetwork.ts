/**
 * The peer-to-peer transport (DESIGN.md §8): a `ws` server on its own host and port, and a dialer.
 * Every connection starts with a handshake in both directions (frames.ts, handshake.ts); then it carries
 * consensus frames, which are validated against their schema, deduplicated by hash and handed to the node
 * through `onMessage`. Nothing is relayed on arrival: the node validates a message first, then passes it on
 * with `relay` (each message at most once, to every peer but its sender), so the network needs no full mesh.
 *
 * Policing: a frame size limit (`ws` closes with 1009), a connection limit, a per-peer token bucket, a
 * handshake timeout, and a score per node key; a peer whose score is used up is disconnected and banned for
 * a while, by key and by address. Addresses come from the operator (`addPeer`), from `peers.json` and from
 * peer exchange; wanted ones are re-dialled with exponential backoff on the injected clock.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { PublicKeyCache } from '../../core/crypto/ed25519';
import { canonicalBytes } from '../../core/encoding/canonicalJson';
import { CivichainError, isCivichainError } from '../../core/errors';
import type { ConsensusMessage } from '../../core/ledger/consensusMessages';
import type { Clock, LocalKey, Network } from '../consensus/types';
import type { Logger } from '../log';
import {
  CLOSE_CODES,
  ENGINE_PENALISED_CODES,
  IgnoreSender,
  PenaliseSender,
  PeerRefused,
  REFUSAL_CLOSE_CODES,
  isPeerRefusalCode,
  type PeerRefusalCode,
} from './errors';
import {
  MAX_PEERS_PER_FRAME,
  PENALTIES,
  PROTOCOL_VERSION,
  advertisedAddress,
  encodeFrame,
  normalisePeerAddress,
  parseFrame,
  type Frame,
  type Hello,
} from './frames';
import { newChallenge, signHandshake, verifyHandshake } from './handshake';
import {
  BanList,
  DEFAULT_BACKOFF,
  DEFAULT_SCORE_OPTIONS,
  PeerScore,
  SeenCache,
  TokenBucket,
  backoffDelayMs,
  type BackoffOptions,
  type ScoreOptions,
} from './limits';
import { MAX_REMEMBERED_PEERS, type PeerStore } from './peerStore';

export const P2P_DEFAULT_HOST = '127.0.0.1';
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** A peer that lets this much of our output queue up is too slow to keep. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const PING_INTERVAL_MS = 15_000;
export const BAN_DURATION_MS = 10 * 60_000;
/** Most final blocks a peer sends in answer to one catch-up request (the engine's batch). */
const SYNC_ANSWER_BLOCKS = 50;
/** Relayed transactions a peer may send, in multiples of its frame rate (and burst), before they are dropped. */
const RELAY_RATE = 9;
/** Frames of any kind, in multiples of the rate, beyond which a peer is flooding (penalised unparsed). */
const CEILING_RATE = 10;
/** How long `close()` waits for a peer to answer the close handshake before cutting the socket. */
const CLOSE_GRACE_MS = 2_000;

export interface PeerNetworkOptions {
  readonly chainId: string;
  readonly genesisHash: string;
  /** Listening address; 127.0.0.1 unless set (use 0.0.0.0 to accept peers from other machines). */
  readonly host?: string;
  /** 0 picks any free port. */
  readonly port: number;
  readonly protocolVersion?: number;
  readonly maxFrameBytes?: number;
  /** Inbound and outbound together, handshakes included. */
  readonly maxConnections?: number;
  /** Dials made on our own initiative (peer exchange, re-dials) stop at this many outbound connections. */
  readonly maxOutbound?: number;
  readonly handshakeTimeoutMs?: number;
  readonly pingIntervalMs?: number;
  /** Token bucket per peer: frames at once, and frames per second after that. */
  readonly rateBurst?: number;
  readonly ratePerSecond?: number;
  readonly banDurationMs?: number;
  readonly score?: ScoreOptions;
  readonly backoff?: BackoffOptions;
  readonly seenCacheSize?: number;
  readonly maxKnownAddresses?: number;
  /**
   * Peer exchange (default true): tell peers whom we know and dial the addresses they tell us. False keeps
   * the node to the peers it is given (a line or a star of nodes, in tests or behind a firewall).
   */
  readonly peerExchange?: boolean;
}

/** What the node has passed on, for the operator and the tests. */
export interface RelayStats {
  /** Messages relayed (each once, whatever the number of copies received). */
  readonly relayed: number;
  /** Frames those messages went out in (one per peer). */
  readonly framesOut: number;
  /** Gossip frames received whose text was one already taken: dropped before they were parsed. */
  readonly duplicateFrames: number;
}

export type PeerEvent =
  | { readonly kind: 'peer.connected'; readonly peer: PeerInfo }
  | { readonly kind: 'peer.disconnected'; readonly peer: PeerInfo; readonly code: string; readonly reason: string };

export interface PeerNetworkDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly nodeKey: LocalKey;
  readonly store: PeerStore;
  /** A validated, deduplicated consensus message from a peer. May throw: see `deliver`. */
  readonly onMessage: (peerId: string, message: ConsensusMessage) => void;
  readonly onPeerEvent?: (event: PeerEvent) => void;
  /** The local chain height, sent in the hello. */
  readonly localHeight?: () => number | null;
  /** A number in [0, 1), for backoff jitter. */
  readonly random?: () => number;
  readonly keys?: PublicKeyCache;
}

export type PeerDirection = 'inbound' | 'outbound';

export interface PeerInfo {
  /** The peer's node key (hex). */
  readonly id: string;
  /** The address to dial it at: the one we dialled, or the one it advertised; null when unknown. */
  readonly address: string | null;
  /** host:port of the socket as we see it. */
  readonly remoteAddress: string;
  readonly direction: PeerDirection;
  readonly connectedSinceMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly latencyMs: number | null;
  readonly score: number;
  readonly height: number | null;
}

type ConnectionState = 'handshake' | 'ready' | 'closing' | 'closed';

interface Connection {
  readonly ws: WebSocket;
  readonly direction: PeerDirection;
  /** Outbound: the dialled address. Inbound: the advertised address, once the hello is in. */
  address: string | null;
  remoteAddress: string;
  state: ConnectionState;
  readonly challenge: string;
  hello: Hello | null;
  key: string | null;
  sentResponse: boolean;
  readonly openedAtMs: number;
  connectedSinceMs: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  latencyMs: number | null;
  height: number | null;
  readonly bucket: TokenBucket;
  /**
   * Relayed transactions have a bucket of their own (RELAY_RATE × the rate): beyond it they are dropped,
   * not held against the peer. An honest validator passes on what its clients submit, faster than the rate
   * under load; banning it for that would split the validators, and letting relays use up `bucket` would
   * get its votes penalised. A dropped transaction still reaches this node in a block, checked there.
   */
  readonly relays: TokenBucket;
  /** Every frame, before it is parsed: beyond this (CEILING_RATE × the rate) a peer is flooding. */
  readonly ceiling: TokenBucket;
  /** Relayed transactions dropped for arriving beyond their rate. */
  relaysDropped: number;
  /** Final blocks this peer may still send in answer to our catch-up requests (not rate-limited). */
  expectedCommits: number;
  ping: { nonce: number; sentMs: number } | null;
  cancelHandshakeTimer: (() => void) | null;
  /** Why the connection ended: our refusal, the peer's goodbye, or a transport error. */
  ending: CivichainError | null;
  readonly closed: Promise<void>;
  markClosed: () => void;
  dial: { resolve: (info: PeerInfo) => void; reject: (error: CivichainError) => void } | null;
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function short(hex: string): string {
  return `${hex.slice(0, 8)}…`;
}

/**
 * Whether a message is gossip, delivered once however many peers pass it on. Catch-up requests and their
 * answers are not: the same request may rightly come again (a restarted or stalled node asks anew).
 */
function isGossip(message: ConsensusMessage): boolean {
  return message.type !== 'sync-request' && message.type !== 'commit' && message.type !== 'sync-end';
}

/** The hash a consensus message is deduplicated by: SHA-256 of its canonical JSON (RFC 8785). */
export function consensusMessageId(message: ConsensusMessage): string {
  return createHash('sha256').update(canonicalBytes(message)).digest('hex');
}

export class PeerNetwork implements Network {
  private readonly host: string;
  private readonly protocolVersion: number;
  private readonly maxFrameBytes: number;
  private readonly maxConnections: number;
  private readonly maxOutbound: number;
  private readonly handshakeTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly rateBurst: number;
  private readonly ratePerSecond: number;
  private readonly banDurationMs: number;
  private readonly scoreOptions: ScoreOptions;
  private readonly backoff: BackoffOptions;
  private readonly maxKnownAddresses: number;
  private readonly keys: PublicKeyCache;
  private readonly random: () => number;

  private readonly connections = new Set<Connection>();
  private readonly byKey = new Map<string, Connection>();
  private readonly scores = new Map<string, PeerScore>();
  private readonly bans = new BanList();
  private readonly seen: SeenCache;
  /** Messages already relayed, by hash: each is passed on once. */
  private readonly relayed: SeenCache;
  /** SHA-256 of the text of gossip frames taken (parsed and handed on): a copy is dropped unparsed. */
  private readonly seenText: SeenCache;
  private duplicateFrames = 0;
  private readonly peerExchange: boolean;
  private relayCount = 0;
  private relayFrames = 0;
  /** Addresses to keep connected to (operator-added, remembered, or learned and once connected). */
  private readonly wanted = new Set<string>();
  /** Every address heard of, for peer exchange (bounded). */
  private readonly known = new Set<string>();
  /** Node key last seen at an address. */
  private readonly addressKeys = new Map<string, string>();
  /** Addresses that turned out to be this node. */
  private readonly selfAddresses = new Set<string>();
  private readonly redials = new Map<string, { attempt: number; cancel: (() => void) | null }>();
  private readonly dialling = new Set<string>();

  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private listenPort: number | null = null;
  private cancelHeartbeat: (() => void) | null = null;
  private closing = false;
  private nextNonce = 1;

  constructor(
    private readonly options: PeerNetworkOptions,
    private readonly deps: PeerNetworkDeps,
  ) {
    this.host = options.host ?? P2P_DEFAULT_HOST;
    this.protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.maxConnections = options.maxConnections ?? 40;
    this.maxOutbound = options.maxOutbound ?? 16;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
    this.rateBurst = options.rateBurst ?? 1_000;
    this.ratePerSecond = options.ratePerSecond ?? 500;
    this.banDurationMs = options.banDurationMs ?? BAN_DURATION_MS;
    this.scoreOptions = options.score ?? DEFAULT_SCORE_OPTIONS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxKnownAddresses = options.maxKnownAddresses ?? 1_000;
    this.seen = new SeenCache(options.seenCacheSize ?? 50_000);
    this.relayed = new SeenCache(options.seenCacheSize ?? 50_000);
    this.seenText = new SeenCache(options.seenCacheSize ?? 50_000);
    this.peerExchange = options.peerExchange ?? true;
    this.keys = deps.keys ?? new PublicKeyCache();
    this.random = deps.random ?? Math.random;
  }

  /** The port the server listens on (after `start`). */
  get port(): number {
    if (this.listenPort === null) throw new CivichainError('P2P_NOT_STARTED', 'The peer network has not been started.');
    return this.listenPort;
  }

  get url(): string {
    return this.host.includes(':') ? `ws://[${this.host}]:${this.port}` : `ws://${this.host}:${this.port}`;
  }

  get nodeKey(): string {
    return this.deps.nodeKey.publicKey;
  }

  // ---------------------------------------------------------------------------------------------------
  // Lifecycle

  /** Listens, then dials the remembered peers. */
  async start(): Promise<void> {
    if (this.server) throw new CivichainError('P2P_ALREADY_STARTED', 'The peer network is already running.');
    const server = createServer((_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('This is a Civichain peer port: connect with a WebSocket.');
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.maxFrameBytes, perMessageDeflate: false });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Sockets still in their handshake count too; beyond the limit plus some slack, refuse before upgrading.
      if (this.closing || this.connections.size >= this.maxConnections + 16) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new CivichainError(
                'PORT_IN_USE',
                `Port ${this.options.port} on ${this.host} is already in use (another node?). Choose another with --p2p-port, or 0 for any free port.`,
                { port: this.options.port, host: this.host },
              )
            : new CivichainError('P2P_LISTEN_FAILED', `The peer port could not be opened on ${this.host}:${this.options.port}: ${error.message}`, {
                host: this.host,
                port: this.options.port,
              }),
        );
      };
      server.once('error', onError);
      server.listen(this.options.port, this.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    this.listenPort = (server.address() as AddressInfo).port;
    this.deps.log.info('peer network listening', { url: this.url, nodeKey: short(this.nodeKey) });
    this.scheduleHeartbeat();
    for (const address of this.deps.store.load()) {
      this.wanted.add(address);
      this.rememberKnown(address);
      this.dialWanted(address);
    }
  }

  /** Says goodbye to every peer, closes every socket and the server, and cancels every timer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.cancelHeartbeat?.();
    for (const redial of this.redials.values()) redial.cancel?.();
    this.redials.clear();
    const closed: Promise<void>[] = [];
    for (const conn of this.connections) {
      this.refuse(conn, 'PEER_SHUTTING_DOWN', 'The peer is shutting down.', { log: false });
      closed.push(conn.closed);
      const cancel = this.deps.clock.setTimer(CLOSE_GRACE_MS, () => conn.ws.terminate());
      void conn.closed.then(cancel);
    }
    await Promise.all(closed);
    if (this.wss) await new Promise<void>((done) => this.wss?.close(() => done()));
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((done) => this.server?.close(() => done()));
    }
    this.deps.log.info('peer network closed');
  }

  // ---------------------------------------------------------------------------------------------------
  // Operator actions

  /**
   * Dials `address` and resolves with the peer once the handshake is done; rejects with a CivichainError
   * naming the reason (PEER_ADDRESS_INVALID, PEER_UNREACHABLE, PEER_WRONG_GENESIS, PEER_SELF, …).
   * The address is remembered and re-dialled with backoff, unless the refusal was permanent (another
   * network, ourselves).
   */
  async addPeer(address: string): Promise<PeerInfo> {
    let url: string;
    try {
      url = normalisePeerAddress(address);
    } catch (error) {
      throw new CivichainError('PEER_ADDRESS_INVALID', (error as Error).message, { address: address.slice(0, 100) });
    }
    this.assertRunning();
    if (this.selfAddresses.has(url)) {
      throw new PeerRefused('PEER_SELF', `${url} is this node itself.`, CLOSE_CODES.duplicate, { address: url });
    }
    const existing = this.connectedAt(url);
    if (existing) return this.info(existing);
    const ban = this.bans.get(url, this.deps.clock.now());
    if (ban) {
      throw new PeerRefused('PEER_BANNED', `${url} is banned until ${new Date(ban.untilMs).toISOString()}: ${ban.reason}`, CLOSE_CODES.banned, {
        address: url,
      });
    }
    this.wanted.add(url);
    this.rememberKnown(url);
    this.persist();
    try {
      return await this.dial(url);
    } catch (error) {
      if (error instanceof PeerRefused && error.permanent) this.unwant(url);
      throw error;
    }
  }

  /** Disconnects a peer (by node key or address) and forgets its address. */
  removePeer(idOrAddress: string): boolean {
    let found = false;
    for (const conn of this.connections) {
      if (conn.key === idOrAddress || conn.address === idOrAddress) {
        found = true;
        if (conn.address) this.unwant(conn.address);
        this.refuse(conn, 'PEER_REMOVED', 'The operator removed this peer.');
      }
    }
    for (const [address, key] of this.addressKeys) {
      if (key === idOrAddress || address === idOrAddress) {
        found = found || this.wanted.has(address);
        this.unwant(address);
      }
    }
    if (this.wanted.has(idOrAddress)) {
      found = true;
      this.unwant(idOrAddress);
    }
    return found;
  }

  /** Bans a node key or an address for `durationMs`, disconnecting it now. */
  ban(idOrAddress: string, durationMs: number, reason: string): void {
    if (!(durationMs > 0)) throw new RangeError(`A ban lasts more than 0 ms (got ${durationMs}).`);
    const untilMs = this.deps.clock.now() + durationMs;
    this.bans.ban(idOrAddress, untilMs, reason);
    for (const conn of [...this.connections]) {
      if (conn.key === idOrAddress || conn.address === idOrAddress) {
        if (conn.key) this.bans.ban(conn.key, untilMs, reason);
        if (conn.address) this.bans.ban(conn.address, untilMs, reason);
        this.refuse(conn, 'PEER_BANNED', `Banned by the operator: ${reason}`);
      }
    }
    this.deps.log.warn('banned a peer', { subject: idOrAddress, untilMs, reason });
  }

  unban(idOrAddress: string): void {
    this.bans.lift(idOrAddress);
  }

  bansInForce(): { subject: string; untilMs: number; reason: string }[] {
    return this.bans.list(this.deps.clock.now());
  }

  /** The connected peers (handshake done). */
  peers(): PeerInfo[] {
    return [...this.byKey.values()].map((conn) => this.info(conn));
  }

  knownAddresses(): string[] {
    return [...this.known];
  }

  /**
   * The node reports a message a peer sent that turned out invalid (e.g. refused by the consensus engine).
   * `penalty` defaults to the engine-refusal penalty.
   */
  penalise(peerId: string, reason: string, penalty: number = PENALTIES.invalidByEngine): void {
    const conn = this.byKey.get(peerId);
    if (conn) this.penaliseConnection(conn, 'PEER_INVALID_DATA', reason, penalty);
    else this.scoreOf(peerId).penalise(penalty, this.deps.clock.now());
  }

  /** Tells the peers our new height. */
  announceHeight(height: number): void {
    const text = encodeFrame({ type: 'status', height });
    for (const conn of this.byKey.values()) this.sendText(conn, text);
  }

  // ---------------------------------------------------------------------------------------------------
  // The engine's Network port

  /** Sends a consensus message to every connected peer (but `exceptPeer`, usually the one it came from). */
  broadcast(message: ConsensusMessage, exceptPeer?: string): void {
    this.seen.add(consensusMessageId(message));
    const text = encodeFrame({ type: 'consensus', message });
    for (const conn of this.byKey.values()) if (conn.key !== exceptPeer) this.sendText(conn, text);
  }

  /**
   * Passes on a message that `fromPeer` sent and the node has validated: to every other connected peer,
   * once per message hash (a bounded seen-set), however many peers sent it to us.
   */
  relay(message: ConsensusMessage, fromPeer: string): void {
    const id = consensusMessageId(message);
    if (!this.relayed.add(id)) return;
    this.seen.add(id);
    let text: string | null = null;
    for (const conn of this.byKey.values()) {
      if (conn.key === fromPeer) continue;
      text ??= encodeFrame({ type: 'consensus', message });
      this.sendText(conn, text);
      this.relayFrames += 1;
    }
    this.relayCount += 1;
  }

  relayStats(): RelayStats {
    return { relayed: this.relayCount, framesOut: this.relayFrames, duplicateFrames: this.duplicateFrames };
  }

  send(peerId: string, message: ConsensusMessage): void {
    const conn = this.byKey.get(peerId);
    if (!conn) {
      this.deps.log.debug('no connection to send to', { peer: short(peerId), type: message.type });
      return;
    }
    // A catch-up request: the blocks it asks for may come faster than the usual rate (at most 50 each).
    if (message.type === 'sync-request') conn.expectedCommits = Math.min(conn.expectedCommits + SYNC_ANSWER_BLOCKS, 4 * SYNC_ANSWER_BLOCKS);
    this.sendText(conn, encodeFrame({ type: 'consensus', message }));
  }

  // ---------------------------------------------------------------------------------------------------
  // Connections

  private assertRunning(): void {
    if (!this.server || this.closing) throw new CivichainError('P2P_NOT_RUNNING', 'The peer network is not running.');
  }

  private newConnection(ws: WebSocket, direction: PeerDirection, address: string | null, remoteAddress: string): Connection {
    const now = this.deps.clock.now();
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const conn: Connection = {
      ws,
      direction,
      address,
      remoteAddress,
      state: 'handshake',
      challenge: newChallenge(),
      hello: null,
      key: null,
      sentResponse: false,
      openedAtMs: now,
      connectedSinceMs: now,
      bytesIn: 0,
      bytesOut: 0,
      messagesIn: 0,
      messagesOut: 0,
      latencyMs: null,
      height: null,
      bucket: new TokenBucket(this.rateBurst, this.ratePerSecond, now),
      relays: new TokenBucket(this.rateBurst * RELAY_RATE, this.ratePerSecond * RELAY_RATE, now),
      ceiling: new TokenBucket(this.rateBurst * CEILING_RATE, this.ratePerSecond * CEILING_RATE, now),
      relaysDropped: 0,
      expectedCommits: 0,
      ping: null,
      cancelHandshakeTimer: null,
      ending: null,
      closed,
      markClosed,
      dial: null,
    };
    this.connections.add(conn);
    conn.cancelHandshakeTimer = this.deps.clock.setTimer(this.handshakeTimeoutMs, () => {
      if (conn.state === 'handshake') {
        this.refuse(conn, 'PEER_HANDSHAKE_TIMEOUT', `The handshake did not finish within ${this.handshakeTimeoutMs} ms.`);
      }
    });
    ws.on('message', (data, isBinary) => this.onRaw(conn, data, isBinary));
    ws.on('close', (code, reason) => this.onClose(conn, code, reason.toString('utf8')));
    ws.on('error', (error) => this.onSocketError(conn, error));
    return conn;
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const socket = request.socket;
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const conn = this.newConnection(ws, 'inbound', null, remoteAddress);
    if (this.connections.size > this.maxConnections) {
      this.refuse(conn, 'PEER_TOO_MANY', `This node already has ${this.maxConnections} connections.`);
      return;
    }
    this.sendHello(conn);
  }

  private dial(url: string): Promise<PeerInfo> {
    this.assertRunning();
    if (this.connections.size >= this.maxConnections) {
      return Promise.reject(
        new PeerRefused('PEER_TOO_MANY', `This node already has ${this.maxConnections} connections; remove one first.`, CLOSE_CODES.tooManyPeers),
      );
    }
    this.dialling.add(url);
    const ws = new WebSocket(url, {
      maxPayload: this.maxFrameBytes,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: this.handshakeTimeoutMs,
    });
    const conn = this.newConnection(ws, 'outbound', url, url);
    const result = new Promise<PeerInfo>((resolve, reject) => {
      conn.dial = { resolve, reject };
    });
    ws.on('open', () => {
      const socket = (ws as unknown as { _socket?: { remoteAddress?: string; remotePort?: number } })._socket;
      if (socket?.remoteAddress) conn.remoteAddress = `${socket.remoteAddress}:${socket.remotePort ?? '?'}`;
      this.sendHello(conn);
    });
    return result;
  }

  /** Dials a wanted address now, unless connected, dialling, banned or over the limit; failures re-dial. */
  private dialWanted(address: string): void {
    if (this.closing || !this.wanted.has(address) || this.dialling.has(address) || this.connectedAt(address)) return;
    if (this.selfAddresses.has(address)) return;
    if (this.bans.get(address, this.deps.clock.now()) || this.outboundCount() >= this.maxOutbound) {
      this.scheduleRedial(address);
      return;
    }
    this.dial(address).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof PeerRefused && error.permanent) this.unwant(address);
        this.deps.log.debug('dial failed', { address, error: String(error) });
      },
    );
  }

  private scheduleRedial(address: string): void {
    if (this.closing || !this.wanted.has(address)) return;
    const entry = this.redials.get(address) ?? { attempt: 0, cancel: null };
    if (entry.cancel) return;
    const delayMs = backoffDelayMs(entry.attempt, this.backoff, this.random());
    entry.attempt += 1;
    entry.cancel = this.deps.clock.setTimer(delayMs, () => {
      entry.cancel = null;
      this.dialWanted(address);
    });
    this.redials.set(address, entry);
    this.deps.log.debug('re-dial scheduled', { address, delayMs, attempt: entry.attempt });
  }

  private connectedAt(address: string): Connection | null {
    const key = this.addressKeys.get(address);
    const byKey = key ? this.byKey.get(key) : undefined;
    if (byKey) return byKey;
    for (const conn of this.byKey.values()) if (conn.address === address) return conn;
    return null;
  }

  private outboundCount(): number {
    let count = 0;
    for (const conn of this.connections) if (conn.direction === 'outbound' && conn.state !== 'closed') count += 1;
    return count;
  }

  private sendHello(conn: Connection): void {
    this.sendFrame(conn, {
      type: 'hello',
      protocolVersion: this.protocolVersion,
      chainId: this.options.chainId,
      genesisHash: this.options.genesisHash,
      nodeKey: this.nodeKey,
      challenge: conn.challenge,
      listenPort: this.listenPort,
      height: this.deps.localHeight?.() ?? null,
    });
  }

  private onRaw(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closing' || conn.state === 'closed') return;
    const bytes = rawToBuffer(data);
    conn.bytesIn += bytes.length;
    conn.messagesIn += 1;
    const now = this.deps.clock.now();
    // Blocks we asked for arrive as fast as the peer can send them: they do not count against its rate,
    // up to the number we asked for. Anything else does.
    const mayBeAnswer = conn.state === 'ready' && conn.expectedCommits > 0;
    const overRate = (): void => {
      if (conn.state === 'handshake') {
        this.refuse(conn, 'PEER_HANDSHAKE_FAILED', 'Too many frames during the handshake.');
      } else {
        this.penaliseConnection(conn, 'PEER_RATE_EXCEEDED', 'The peer sends frames faster than allowed.', PENALTIES.rateExceeded);
      }
    };
    // A flood is refused before it costs a parse.
    if (!mayBeAnswer && !conn.ceiling.take(now)) return overRate();
    // Gossip comes once from each peer that has it, mostly as the same text: a copy of a frame already
    // taken costs a hash, not a parse and a canonical form (the dedup by message id below still holds).
    // Not while blocks we asked for may come: those big answers are never gossip, so hashing them is waste.
    const textId = conn.state === 'ready' && !isBinary && !mayBeAnswer ? createHash('sha256').update(bytes).digest('hex') : null;
    if (textId !== null && this.seenText.has(textId)) {
      this.duplicateFrames += 1;
      return;
    }
    let frame: Frame;
    try {
      if (isBinary) throw new PenaliseSender('FRAME_BINARY', 'The peer sent a binary frame; the protocol uses text frames.', PENALTIES.binary);
      frame = parseFrame(bytes.toString('utf8'));
    } catch (error) {
      if (!(error instanceof PenaliseSender)) throw error;
      if (conn.state === 'handshake') this.refuse(conn, 'PEER_HANDSHAKE_FAILED', `Invalid frame during the handshake: ${error.message}`);
      else this.penaliseConnection(conn, error.code, error.message, error.penalty);
      return;
    }
    const relay = conn.state === 'ready' && frame.type === 'consensus' && (frame.message as { type?: unknown }).type === 'tx';
    if (relay) {
      if (!conn.relays.take(now)) {
        conn.relaysDropped += 1;
        return;
      }
    } else if (!mayBeAnswer && !conn.bucket.take(now)) {
      return overRate();
    }
    if (textId !== null && frame.type === 'consensus' && isGossip(frame.message)) this.seenText.add(textId);
    if (mayBeAnswer && !relay) {
      if (frame.type === 'consensus' && frame.message.type === 'commit') {
        conn.expectedCommits -= 1;
      } else if (!conn.bucket.take(now)) {
        this.penaliseConnection(conn, 'PEER_RATE_EXCEEDED', 'The peer sends frames faster than allowed.', PENALTIES.rateExceeded);
        return;
      }
    }
    if (frame.type === 'goodbye') return this.onGoodbye(conn, frame.code, frame.reason);
    if (conn.state === 'handshake') return this.onHandshakeFrame(conn, frame);
    this.onReadyFrame(conn, frame);
  }

  private onGoodbye(conn: Connection, code: string, reason: string): void {
    const safeReason = [...reason.slice(0, 300)].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('');
    const refusalCode: PeerRefusalCode = isPeerRefusalCode(code) ? code : 'PEER_HANDSHAKE_FAILED';
    const who = conn.address ?? conn.remoteAddress;
    conn.ending = new PeerRefused(refusalCode, `The peer at ${who} closed the connection: ${safeReason}`, REFUSAL_CLOSE_CODES[refusalCode], {
      address: who,
      peerCode: code.slice(0, 64),
    });
    const level = conn.state === 'handshake' ? 'warn' : 'info';
    this.deps.log[level]('a peer said goodbye', { address: who, code: code.slice(0, 64), reason: safeReason });
    conn.state = 'closing';
    conn.ws.close(CLOSE_CODES.normal);
  }

  private onHandshakeFrame(conn: Connection, frame: Frame): void {
    if (frame.type === 'hello' && conn.hello === null) return this.onHello(conn, frame);
    if (frame.type === 'challenge-response' && conn.hello !== null && conn.key === null) return this.onChallengeResponse(conn, frame.signature);
    this.refuse(conn, 'PEER_HANDSHAKE_FAILED', `Unexpected "${frame.type}" frame during the handshake.`);
  }

  private onHello(conn: Connection, hello: Hello): void {
    conn.hello = hello;
    if (hello.protocolVersion !== this.protocolVersion) {
      return this.refuse(
        conn,
        'PEER_WRONG_PROTOCOL',
        `The peer speaks protocol version ${hello.protocolVersion}, this node ${this.protocolVersion}: update the older node.`,
      );
    }
    if (hello.chainId !== this.options.chainId) {
      return this.refuse(
        conn,
        'PEER_WRONG_CHAIN',
        `The peer runs another chain ("${hello.chainId}" vs ours "${this.options.chainId}"): check the address and the genesis file.`,
      );
    }
    if (hello.genesisHash !== this.options.genesisHash) {
      return this.refuse(
        conn,
        'PEER_WRONG_GENESIS',
        `The peer runs another network (genesis ${short(hello.genesisHash)} vs ours ${short(this.options.genesisHash)}): check the address and the genesis file.`,
      );
    }
    if (hello.nodeKey === this.nodeKey) {
      if (conn.address) this.selfAddresses.add(conn.address);
      return this.refuse(conn, 'PEER_SELF', 'That address is this node itself.');
    }
    if (conn.direction === 'inbound' && hello.listenPort !== null) {
      conn.address = advertisedAddress(conn.remoteAddress.slice(0, conn.remoteAddress.lastIndexOf(':')), hello.listenPort);
    }
    const now = this.deps.clock.now();
    const ban = this.bans.get(hello.nodeKey, now) ?? (conn.address ? this.bans.get(conn.address, now) : null);
    if (ban) {
      return this.refuse(conn, 'PEER_BANNED', `This node has banned the peer until ${new Date(ban.untilMs).toISOString()}: ${ban.reason}`);
    }
    conn.height = hello.height;
    conn.sentResponse = true;
    this.sendFrame(conn, {
      type: 'challenge-response',
      signature: signHandshake(
        {
          chainId: this.options.chainId,
          genesisHash: this.options.genesisHash,
          signer: this.nodeKey,
          signerChallenge: conn.challenge,
          peer: hello.nodeKey,
          peerChallenge: hello.challenge,
        },
        this.deps.nodeKey.privateKey,
      ),
    });
  }

  private onChallengeResponse(conn: Connection, signature: string): void {
    const hello = conn.hello as Hello;
    const valid = verifyHandshake(
      {
        chainId: this.options.chainId,
        genesisHash: this.options.genesisHash,
        signer: hello.nodeKey,
        signerChallenge: hello.challenge,
        peer: this.nodeKey,
        peerChallenge: conn.challenge,
      },
      signature,
      this.keys,
    );
    if (!valid) {
      return this.refuse(conn, 'PEER_HANDSHAKE_FAILED', "The peer's handshake signature does not verify: it does not hold the key it claims.");
    }
    this.onAuthenticated(conn, hello.nodeKey);
  }

  private onAuthenticated(conn: Connection, key: string): void {
    const existing = this.byKey.get(key);
    if (existing && existing !== conn) {
      // Two connections to one node (both dialled at once, or two addresses of one node). Both sides keep
      // the connection dialled by the lower key, so they agree without talking; same direction: the older.
      const dialer = (c: Connection) => (c.direction === 'outbound' ? this.nodeKey : key);
      const keepNew = existing.direction !== conn.direction && dialer(conn) < dialer(existing);
      const loser = keepNew ? existing : conn;
      if (conn.address) this.addressKeys.set(conn.address, key);
      this.refuse(loser, 'PEER_DUPLICATE', 'This node is already connected to that peer.', { log: false });
      if (!keepNew) return;
    }
    conn.key = key;
    conn.state = 'ready';
    conn.connectedSinceMs = this.deps.clock.now();
    conn.cancelHandshakeTimer?.();
    conn.cancelHandshakeTimer = null;
    this.byKey.set(key, conn);
    if (conn.address && conn.direction === 'outbound') this.dialling.delete(conn.address);
    if (conn.address) {
      this.addressKeys.set(conn.address, key);
      this.rememberKnown(conn.address);
      this.redials.get(conn.address)?.cancel?.();
      this.redials.delete(conn.address);
      if (conn.direction === 'outbound' && !this.wanted.has(conn.address)) {
        // A learned address that works is worth keeping.
        this.wanted.add(conn.address);
        this.persist();
      }
    }
    const info = this.info(conn);
    this.deps.log.info('peer connected', { peer: short(key), address: conn.address ?? conn.remoteAddress, direction: conn.direction });
    conn.dial?.resolve(info);
    conn.dial = null;
    this.deps.onPeerEvent?.({ kind: 'peer.connected', peer: info });
    // Peer exchange: tell the newcomer whom we know, and the others about the newcomer.
    if (!this.peerExchange) return;
    const addresses = [...this.byKey.values()]
      .filter((c) => c !== conn && c.address !== null)
      .map((c) => c.address as string)
      .slice(0, MAX_PEERS_PER_FRAME);
    if (addresses.length > 0) this.sendFrame(conn, { type: 'peers', addresses });
    if (conn.address) {
      const text = encodeFrame({ type: 'peers', addresses: [conn.address] });
      for (const other of this.byKey.values()) if (other !== conn) this.sendText(other, text);
    }
  }

  private onReadyFrame(conn: Connection, frame: Frame): void {
    switch (frame.type) {
      case 'consensus':
        return this.deliver(conn, frame.message);
      case 'ping':
        return this.sendFrame(conn, { type: 'pong', nonce: frame.nonce });
      case 'pong':
        if (conn.ping && conn.ping.nonce === frame.nonce) {
          conn.latencyMs = this.deps.clock.now() - conn.ping.sentMs;
          conn.ping = null;
        }
        return;
      case 'status':
        conn.height = frame.height;
        return;
      case 'peers':
        // Without peer exchange the node keeps to the peers it was given; the frame is still well-formed.
        return this.peerExchange ? this.learn(conn, frame.addresses) : undefined;
      case 'hello':
      case 'challenge-response':
        return this.penaliseConnection(conn, 'FRAME_UNEXPECTED', `A "${frame.type}" frame after the handshake.`, PENALTIES.unexpected);
      case 'goodbye':
        return;
    }
  }

  /** Hands a consensus message to the node once; the node's verdict on it may penalise the sender. */
  private deliver(conn: Connection, message: ConsensusMessage): void {
    const key = conn.key as string;
    // Gossip is delivered once however many peers relay it, whatever the text of each copy.
    if (isGossip(message) && !this.seen.add(consensusMessageId(message))) return;
    try {
      this.deps.onMessage(key, message);
    } catch (error) {
      if (error instanceof PenaliseSender) return this.penaliseConnection(conn, error.code, error.message, error.penalty);
      if (error instanceof IgnoreSender) return;
      if (isCivichainError(error)) {
        if (ENGINE_PENALISED_CODES.has(error.code)) {
          return this.penaliseConnection(conn, error.code, error.message, PENALTIES.invalidByEngine);
        }
        this.deps.log.debug('a peer message was not used', { peer: short(key), code: error.code, reason: error.message });
        return;
      }
      this.deps.log.error('handling a peer message failed', { peer: short(key), type: message.type, error: String(error) });
    }
  }

  private learn(conn: Connection, addresses: readonly string[]): void {
    let invalid = 0;
    for (const raw of addresses) {
      let address: string;
      try {
        address = normalisePeerAddress(raw);
      } catch {
        invalid += 1;
        continue;
      }
      if (address === this.url || this.selfAddresses.has(address)) continue;
      this.rememberKnown(address);
      if (this.connectedAt(address) || this.dialling.has(address) || this.wanted.has(address)) continue;
      if (this.outboundCount() >= this.maxOutbound || this.connections.size >= this.maxConnections) continue;
      if (this.bans.get(address, this.deps.clock.now())) continue;
      this.dial(address).catch((error: unknown) => this.deps.log.debug('a learned address failed', { address, error: String(error) }));
    }
    if (invalid > 0) this.penaliseConnection(conn, 'FRAME_INVALID', 'The peer sent invalid peer addresses.', PENALTIES.invalidFrame);
  }

  private rememberKnown(address: string): void {
    if (this.known.has(address)) return;
    if (this.known.size >= this.maxKnownAddresses) {
      const oldest = this.known.values().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.add(address);
  }

  private unwant(address: string): void {
    this.redials.get(address)?.cancel?.();
    this.redials.delete(address);
    if (this.wanted.delete(address)) this.persist();
  }

  private persist(): void {
    try {
      this.deps.store.save([...this.wanted].slice(0, MAX_REMEMBERED_PEERS));
    } catch (error) {
      this.deps.log.warn('the peer list could not be saved', { error: String(error) });
    }
  }

  private scoreOf(key: string): PeerScore {
    let score = this.scores.get(key);
    if (!score) {
      if (this.scores.size >= 10_000) {
        const oldest = this.scores.keys().next().value;
        if (oldest !== undefined) this.scores.delete(oldest);
      }
      score = new PeerScore(this.scoreOptions, this.deps.clock.now());
      this.scores.set(key, score);
    }
    return score;
  }

  private penaliseConnection(conn: Connection, code: string, reason: string, penalty: number): void {
    if (conn.state !== 'ready' || !conn.key) return;
    const now = this.deps.clock.now();
    const score = this.scoreOf(conn.key).penalise(penalty, now);
    this.deps.log.debug('peer penalised', { peer: short(conn.key), code, reason, penalty, score });
    if (score > 0) return;
    const untilMs = now + this.banDurationMs;
    const banReason = `${code}: ${reason}`;
    this.bans.ban(conn.key, untilMs, banReason);
    if (conn.address) this.bans.ban(conn.address, untilMs, banReason);
    // The score starts afresh when the ban ends.
    this.scores.delete(conn.key);
    this.refuse(conn, 'PEER_MISBEHAVED', `Disconnected and banned for ${Math.round(this.banDurationMs / 1000)} s after invalid data (${code}).`);
  }

  /** Says goodbye with a reason both operators see, and closes with the matching code. */
  private refuse(conn: Connection, code: PeerRefusalCode, reason: string, options: { log?: boolean } = {}): void {
    if (conn.state === 'closing' || conn.state === 'closed') return;
    const closeCode = REFUSAL_CLOSE_CODES[code];
    const who = conn.address ?? conn.remoteAddress;
    conn.ending = new PeerRefused(code, `${who}: ${reason}`, closeCode, { address: who, peer: conn.key ?? conn.hello?.nodeKey ?? null });
    if (options.log !== false) {
      const level = code === 'PEER_REMOVED' || code === 'PEER_DUPLICATE' ? 'info' : 'warn';
      this.deps.log[level](conn.state === 'handshake' ? 'refused a peer at the handshake' : 'disconnected a peer', { address: who, code, reason });
    }
    const wasReady = conn.state === 'ready';
    conn.state = 'closing';
    // Gone for every purpose now (peers, status, broadcasts), not only once the close handshake ends.
    if (wasReady && conn.key !== null && this.byKey.get(conn.key) === conn) {
      this.byKey.delete(conn.key);
      this.deps.log.info('peer disconnected', { peer: short(conn.key), code, reason });
      this.deps.onPeerEvent?.({ kind: 'peer.disconnected', peer: this.info(conn), code, reason: conn.ending.message });
    }
    if (conn.ws.readyState === WebSocket.OPEN) {
      this.writeText(conn, encodeFrame({ type: 'goodbye', code, reason }));
      conn.ws.close(closeCode, code);
    } else if (conn.ws.readyState === WebSocket.CONNECTING) {
      conn.ws.terminate();
    }
  }

  private onSocketError(conn: Connection, error: Error & { code?: string }): void {
    const who = conn.address ?? conn.remoteAddress;
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.deps.log.warn('a peer sent an oversized frame', { address: who, maxFrameBytes: this.maxFrameBytes });
      if (conn.state === 'ready') this.penaliseConnection(conn, 'FRAME_TOO_BIG', 'The peer sent an oversized frame.', PENALTIES.oversized);
      conn.ending ??= new PeerRefused('PEER_MISBEHAVED', `${who}: the peer sent a frame over ${this.maxFrameBytes} bytes.`, CLOSE_CODES.tooBig);
      return;
    }
    if (conn.state === 'ready' && error.code?.startsWith('WS_ERR_')) {
      this.penaliseConnection(conn, 'FRAME_PROTOCOL_ERROR', `WebSocket protocol error: ${error.message}`, PENALTIES.protocolError);
    }
    conn.ending ??= new CivichainError(
      conn.state === 'handshake' && conn.hello === null ? 'PEER_UNREACHABLE' : 'PEER_CONNECTION_ERROR',
      `Could not talk to the peer at ${who}: ${error.message}. Check the address and that the node there is running.`,
      { address: who },
    );
    this.deps.log.debug('peer socket error', { address: who, error: error.message });
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    const wasReady = conn.state === 'ready';
    conn.state = 'closed';
    conn.cancelHandshakeTimer?.();
    this.connections.delete(conn);
    if (conn.address && conn.direction === 'outbound') this.dialling.delete(conn.address);
    const registered = conn.key !== null && this.byKey.get(conn.key) === conn;
    if (registered) this.byKey.delete(conn.key as string);
    const ending =
      conn.ending ??
      new CivichainError(
        code === CLOSE_CODES.tooBig ? 'PEER_MISBEHAVED' : 'PEER_DISCONNECTED',
        `The connection to ${conn.address ?? conn.remoteAddress} closed (${code}${reason ? ` ${reason}` : ''}).`,
        { code },
      );
    if (conn.dial) {
      const winner = conn.hello ? this.byKey.get(conn.hello.nodeKey) : undefined;
      if (ending.code === 'PEER_DUPLICATE' && winner) conn.dial.resolve(this.info(winner));
      else conn.dial.reject(ending);
      conn.dial = null;
    }
    if (registered && wasReady) {
      this.deps.log.info('peer disconnected', { peer: short(conn.key as string), code: ending.code, reason: ending.message });
      this.deps.onPeerEvent?.({ kind: 'peer.disconnected', peer: this.info(conn), code: ending.code, reason: ending.message });
    }
    conn.markClosed();
    if (conn.address && conn.direction === 'outbound' && !(ending instanceof PeerRefused && ending.permanent)) {
      if (ending.code !== 'PEER_DUPLICATE') this.scheduleRedial(conn.address);
    }
  }

  private scheduleHeartbeat(): void {
    this.cancelHeartbeat = this.deps.clock.setTimer(this.pingIntervalMs, () => {
      if (this.closing) return;
      const now = this.deps.clock.now();
      for (const conn of this.byKey.values()) {
        if (conn.ping && now - conn.ping.sentMs >= 2 * this.pingIntervalMs) {
          this.refuse(conn, 'PEER_TOO_SLOW', `No answer to a ping for ${now - conn.ping.sentMs} ms.`);
          continue;
        }
        if (!conn.ping) {
          conn.ping = { nonce: this.nextNonce++, sentMs: now };
          this.sendFrame(conn, { type: 'ping', nonce: conn.ping.nonce });
        }
      }
      this.scheduleHeartbeat();
    });
  }

  private sendFrame(conn: Connection, frame: Frame): void {
    this.sendText(conn, encodeFrame(frame));
  }

  private sendText(conn: Connection, text: string): void {
    if (conn.state === 'closing' || conn.state === 'closed') return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.refuse(conn, 'PEER_TOO_SLOW', 'The peer reads too slowly; reconnect later.');
      return;
    }
    this.writeText(conn, text);
  }

  private writeText(conn: Connection, text: string): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(text);
    conn.bytesOut += Buffer.byteLength(text);
    conn.messagesOut += 1;
  }

  private info(conn: Connection): PeerInfo {
    const key = conn.key ?? conn.hello?.nodeKey ?? '';
    return {
      id: key,
      address: conn.address,
      remoteAddress: conn.remoteAddress,
      direction: conn.direction,
      connectedSinceMs: conn.connectedSinceMs,
      bytesIn: conn.bytesIn,
      bytesOut: conn.bytesOut,
      messagesIn: conn.messagesIn,
      messagesOut: conn.messagesOut,
      latencyMs: conn.latencyMs,
      score: key ? Math.round(this.scoreOf(key).current(this.deps.clock.now()) * 10) / 10 : this.scoreOptions.maxScore,
      height: conn.height,
    };
  }
}
