/**
 * The frames of the peer protocol (docs/PROTOCOL.md "Peering"): one JSON object per WebSocket text frame.
 *
 *   hello               {protocolVersion, chainId, genesisHash, nodeKey, challenge, listenPort, height}
 *   challenge-response  {signature}            the sender's node key over the handshake transcript
 *   goodbye             {code, reason}         why the sender closes (shown to the operator)
 *   ping / pong         {nonce}
 *   status              {height}
 *   peers               {addresses}            ws:// addresses the sender knows (peer exchange)
 *   consensus           {message}              a consensus message (main/core/ledger/consensusMessages.ts)
 *
 * Everything here is untrusted input: `parseFrame` returns a typed frame or throws `PenaliseSender`.
 */
import { z } from 'zod';
import { HEX_32, HEX_64 } from '../../core/crypto/ed25519';
import { consensusMessageSchema, type ConsensusMessage } from '../../core/ledger/consensusMessages';
import { PenaliseSender } from './errors';

export const PROTOCOL_VERSION = 1;
export const MAX_PEERS_PER_FRAME = 100;
export const MAX_ADDRESS_CHARS = 300;

/** Score penalties (a fresh peer has 100; at 0 it is disconnected and banned). */
export const PENALTIES = {
  notJson: 25,
  binary: 25,
  unknownType: 25,
  invalidFrame: 20,
  invalidConsensus: 20,
  unexpected: 25,
  oversized: 50,
  protocolError: 50,
  rateExceeded: 5,
  invalidByEngine: 20,
} as const;

const nat = z.number().int().nonnegative().refine(Number.isSafeInteger);

export const helloSchema = z
  .object({
    type: z.literal('hello'),
    protocolVersion: nat,
    chainId: z.string().min(1).max(64),
    genesisHash: z.string().regex(HEX_32),
    nodeKey: z.string().regex(HEX_32),
    challenge: z.string().regex(HEX_32),
    listenPort: z.number().int().min(1).max(65535).nullable(),
    height: nat.nullable(),
  })
  .strict();

const frameSchemas = {
  hello: helloSchema,
  'challenge-response': z.object({ type: z.literal('challenge-response'), signature: z.string().regex(HEX_64) }).strict(),
  goodbye: z.object({ type: z.literal('goodbye'), code: z.string().min(1).max(64), reason: z.string().max(500) }).strict(),
  ping: z.object({ type: z.literal('ping'), nonce: nat }).strict(),
  pong: z.object({ type: z.literal('pong'), nonce: nat }).strict(),
  status: z.object({ type: z.literal('status'), height: nat }).strict(),
  peers: z
    .object({ type: z.literal('peers'), addresses: z.array(z.string().min(1).max(MAX_ADDRESS_CHARS)).max(MAX_PEERS_PER_FRAME) })
    .strict(),
  consensus: z.object({ type: z.literal('consensus'), message: z.unknown() }).strict(),
} as const;

export type FrameType = keyof typeof frameSchemas;
export type Hello = z.infer<typeof helloSchema>;
export type Frame =
  | Hello
  | { readonly type: 'challenge-response'; readonly signature: string }
  | { readonly type: 'goodbye'; readonly code: string; readonly reason: string }
  | { readonly type: 'ping'; readonly nonce: number }
  | { readonly type: 'pong'; readonly nonce: number }
  | { readonly type: 'status'; readonly height: number }
  | { readonly type: 'peers'; readonly addresses: readonly string[] }
  | { readonly type: 'consensus'; readonly message: ConsensusMessage };

function isFrameType(value: unknown): value is FrameType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(frameSchemas, value);
}

/** Parses one text frame; throws `PenaliseSender` (FRAME_NOT_JSON, FRAME_UNKNOWN_TYPE, FRAME_INVALID, CONSENSUS_INVALID). */
export function parseFrame(text: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PenaliseSender('FRAME_NOT_JSON', 'The peer sent a frame that is not JSON.', PENALTIES.notJson);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PenaliseSender('FRAME_INVALID', 'The peer sent a frame that is not a JSON object.', PENALTIES.invalidFrame);
  }
  const type = (value as { type?: unknown }).type;
  if (!isFrameType(type)) {
    throw new PenaliseSender('FRAME_UNKNOWN_TYPE', 'The peer sent a frame of an unknown type.', PENALTIES.unknownType, {
      type: typeof type === 'string' ? type.slice(0, 64) : typeof type,
    });
  }
  const parsed = frameSchemas[type].safeParse(value);
  if (!parsed.success) {
    throw new PenaliseSender('FRAME_INVALID', `The peer sent an invalid "${type}" frame.`, PENALTIES.invalidFrame, { type });
  }
  if (parsed.data.type !== 'consensus') return parsed.data as Frame;
  const message = consensusMessageSchema.safeParse(parsed.data.message);
  if (!message.success) {
    throw new PenaliseSender('CONSENSUS_INVALID', 'The peer sent a consensus message that fails validation.', PENALTIES.invalidConsensus);
  }
  return { type: 'consensus', message: message.data as ConsensusMessage };
}

export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame);
}

/**
 * A peer address as the node dials it: `ws://host:port` or `wss://host:port` (a path is kept; no port means
 * the scheme's default, 80 or 443).
 * Returns the normalised URL; throws `TypeError` naming the problem.
 */
export function normalisePeerAddress(address: string): string {
  if (address.length > MAX_ADDRESS_CHARS) throw new TypeError(`A peer address is at most ${MAX_ADDRESS_CHARS} characters.`);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(`"${address.slice(0, 80)}" is not a URL; a peer address looks like ws://192.0.2.10:7070.`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`A peer address starts with ws:// or wss://, not ${url.protocol}//.`);
  }
  if (!url.hostname) throw new TypeError('A peer address needs a host.');
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError('A peer address has no user, password, query or fragment.');
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${url.host}${path}`;
}

/** The address of a peer that dialled us: the host we saw it come from and the port it says it listens on. */
export function advertisedAddress(remoteHost: string, listenPort: number): string {
  const host = remoteHost.startsWith('::ffff:') ? remoteHost.slice('::ffff:'.length) : remoteHost;
  return host.includes(':') ? `ws://[${host}]:${listenPort}` : `ws://${host}:${listenPort}`;
}
