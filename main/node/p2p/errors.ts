/**
 * Errors of the peer-to-peer layer. What a network error means for its sender is carried by its type
 * (STYLE.md "Errors"): a `PenaliseSender` lowers the sender's score (and may get it disconnected and
 * banned); an `IgnoreSender` drops the input without blame (a duplicate, a message that arrived late).
 * Handshake refusals are `PeerRefused`: they name the reason both operators see.
 */
import { CivichainError, type ErrorDetails } from '../../core/errors';

/** The sender sent something no honest peer sends: lower its score by `penalty`. */
export class PenaliseSender extends CivichainError {
  constructor(
    code: string,
    message: string,
    readonly penalty: number,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
    this.name = 'PenaliseSender';
  }
}

/** Harmless input that is dropped: no penalty. */
export class IgnoreSender extends CivichainError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
    this.name = 'IgnoreSender';
  }
}

/** A connection refused at the handshake (by us or by the peer), with the reason for the operator. */
export class PeerRefused extends CivichainError {
  constructor(
    code: PeerRefusalCode,
    message: string,
    readonly closeCode: number,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
    this.name = 'PeerRefused';
  }

  /** Refusals after which dialling the same address again cannot help (another network, ourselves). */
  get permanent(): boolean {
    return PERMANENT_REFUSALS.has(this.code as PeerRefusalCode);
  }
}

/** WebSocket close codes of the peer protocol (RFC 6455 §7.4.2: 4000–4999 are for applications). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  /** Sent by `ws` itself when a frame exceeds maxPayload. */
  tooBig: 1009,
  protocolViolation: 4000,
  wrongNetwork: 4001,
  handshakeFailed: 4002,
  banned: 4003,
  duplicate: 4004,
  tooManyPeers: 4005,
  misbehaved: 4006,
  tooSlow: 4007,
} as const;

export const PEER_REFUSAL_CODES = [
  'PEER_WRONG_PROTOCOL',
  'PEER_WRONG_CHAIN',
  'PEER_WRONG_GENESIS',
  'PEER_HANDSHAKE_FAILED',
  'PEER_HANDSHAKE_TIMEOUT',
  'PEER_SELF',
  'PEER_DUPLICATE',
  'PEER_BANNED',
  'PEER_TOO_MANY',
  'PEER_MISBEHAVED',
  'PEER_REMOVED',
  'PEER_SHUTTING_DOWN',
  'PEER_TOO_SLOW',
] as const;
export type PeerRefusalCode = (typeof PEER_REFUSAL_CODES)[number];

const PERMANENT_REFUSALS: ReadonlySet<PeerRefusalCode> = new Set([
  'PEER_WRONG_PROTOCOL',
  'PEER_WRONG_CHAIN',
  'PEER_WRONG_GENESIS',
  'PEER_SELF',
]);

export function isPeerRefusalCode(value: string): value is PeerRefusalCode {
  return (PEER_REFUSAL_CODES as readonly string[]).includes(value);
}

/** The close code that goes with each refusal. */
export const REFUSAL_CLOSE_CODES: Readonly<Record<PeerRefusalCode, number>> = {
  PEER_WRONG_PROTOCOL: CLOSE_CODES.wrongNetwork,
  PEER_WRONG_CHAIN: CLOSE_CODES.wrongNetwork,
  PEER_WRONG_GENESIS: CLOSE_CODES.wrongNetwork,
  PEER_HANDSHAKE_FAILED: CLOSE_CODES.handshakeFailed,
  PEER_HANDSHAKE_TIMEOUT: CLOSE_CODES.handshakeFailed,
  PEER_SELF: CLOSE_CODES.duplicate,
  PEER_DUPLICATE: CLOSE_CODES.duplicate,
  PEER_BANNED: CLOSE_CODES.banned,
  PEER_TOO_MANY: CLOSE_CODES.tooManyPeers,
  PEER_MISBEHAVED: CLOSE_CODES.misbehaved,
  PEER_REMOVED: CLOSE_CODES.normal,
  PEER_SHUTTING_DOWN: CLOSE_CODES.goingAway,
  PEER_TOO_SLOW: CLOSE_CODES.tooSlow,
};

/**
 * Codes the consensus engine throws from `receive()` for input that is invalid by its content: whoever
 * sent it (the author or a relayer that should have validated it first) is penalised. Other engine errors
 * are not the sender's fault. Stopgap: the engine throws plain CivichainErrors, so this maps codes; once it
 * throws `PenaliseSender`, this list goes.
 */
export const ENGINE_PENALISED_CODES: ReadonlySet<string> = new Set([
  'MESSAGE_MALFORMED',
  'MESSAGE_WRONG_CHAIN',
  'PROPOSAL_WRONG_PROPOSER',
  'PROPOSAL_BAD_SIGNATURE',
  'PROPOSAL_UNJUSTIFIED',
  'APPROVAL_NOT_VALIDATOR',
  'APPROVAL_BAD_SIGNATURE',
  'ROUND_CHANGE_INVALID',
  'REJECTION_BAD_SIGNATURE',
  'TX_BAD_SIGNATURE',
  'BLOCK_INVALID',
]);
