/**
 * The consensus messages validators and proposers exchange (docs/PROTOCOL.md "Consensus messages"), their
 * schemas for untrusted input, and their signatures. Rounds work as in QBFT: a proposal for round R > 0
 * carries a quorum of round-change messages as its justification, and re-proposes the block with the
 * highest prepared round among them, if any.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes } from '../encoding/canonicalJson';
import { DOMAINS, HEX_32, HEX_64, signWithDomain, verifyWithDomain, type PublicKeyCache } from '../crypto/ed25519';
import { blockSchema, type Block } from './block';
import { certificateSchema, voteSchema, type CommitCertificate, type Signature, type Vote } from './votes';
import { transactionSchema, type Transaction } from './transaction';

const nat = z.number().int().nonnegative().refine(Number.isSafeInteger);
const hash = z.string().regex(HEX_32);
const signatureList = z.array(z.object({ validator: hash, signature: z.string().regex(HEX_64) }).strict()).max(1000);

export interface PreparedCertificate {
  readonly round: number;
  readonly blockHash: string;
  readonly block: Block;
  /** A quorum of prepare signatures for (height, round, blockHash). */
  readonly prepares: readonly Signature[];
}

export interface RoundChange {
  readonly type: 'round-change';
  readonly chainId: string;
  readonly height: number;
  /** The round the sender wants to move to. */
  readonly round: number;
  readonly validator: string;
  readonly prepared: PreparedCertificate | null;
  readonly signature: string;
}

export interface Proposal {
  readonly type: 'proposal';
  readonly chainId: string;
  readonly height: number;
  readonly round: number;
  readonly block: Block;
  /** The proposer of this round (who may differ from the block's original proposer on a re-proposal). */
  readonly proposer: string;
  readonly signature: string;
  /** Round > 0: a quorum of round changes for this round. */
  readonly justification: readonly RoundChange[];
}

export interface Rejection {
  readonly type: 'reject';
  readonly chainId: string;
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly validator: string;
  readonly reason: string;
  readonly signature: string;
}

export type ConsensusMessage =
  | Proposal
  | ({ readonly type: 'vote' } & Vote)
  | RoundChange
  | Rejection
  | { readonly type: 'commit'; readonly block: Block; readonly certificate: CommitCertificate }
  /**
   * Catch-up: final blocks from `fromHeight`; with `toHeight`, at most up to it, and the answer ends with a
   * `sync-end` (docs/PROTOCOL.md "Catch-up").
   */
  | { readonly type: 'sync-request'; readonly fromHeight: number; readonly toHeight?: number }
  /** The end of the answer to a ranged sync-request: it held the blocks fromHeight..lastHeight (none if lastHeight < fromHeight). */
  | { readonly type: 'sync-end'; readonly fromHeight: number; readonly lastHeight: number }
  | { readonly type: 'tx'; readonly tx: Transaction };

const preparedSchema = z.object({ round: nat, blockHash: hash, block: blockSchema, prepares: signatureList }).strict();

const roundChangeSchema = z
  .object({
    type: z.literal('round-change'),
    chainId: z.string().min(1).max(64),
    height: nat,
    round: nat,
    validator: hash,
    prepared: preparedSchema.nullable(),
    signature: z.string().regex(HEX_64),
  })
  .strict();

export const consensusMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('proposal'),
      chainId: z.string().min(1).max(64),
      height: nat,
      round: nat,
      block: blockSchema,
      proposer: hash,
      signature: z.string().regex(HEX_64),
      justification: z.array(roundChangeSchema).max(1000),
    })
    .strict(),
  voteSchema.extend({ type: z.literal('vote') }).strict(),
  roundChangeSchema,
  z
    .object({
      type: z.literal('reject'),
      chainId: z.string().min(1).max(64),
      height: nat,
      round: nat,
      blockHash: hash,
      validator: hash,
      reason: z.string().min(1).max(500),
      signature: z.string().regex(HEX_64),
    })
    .strict(),
  z.object({ type: z.literal('commit'), block: blockSchema, certificate: certificateSchema }).strict(),
  z.object({ type: z.literal('sync-request'), fromHeight: nat, toHeight: nat.optional() }).strict(),
  z.object({ type: z.literal('sync-end'), fromHeight: nat, lastHeight: nat }).strict(),
  z.object({ type: z.literal('tx'), tx: transactionSchema }).strict(),
]);

function proposalMessage(p: { chainId: string; height: number; round: number; blockHash: string }): Uint8Array {
  return canonicalBytes({ chainId: p.chainId, height: p.height, round: p.round, blockHash: p.blockHash });
}

export function signProposal(
  fields: { chainId: string; height: number; round: number; block: Block; blockHash: string; justification: readonly RoundChange[] },
  proposer: string,
  privateKey: KeyObject,
): Proposal {
  return {
    type: 'proposal',
    chainId: fields.chainId,
    height: fields.height,
    round: fields.round,
    block: fields.block,
    proposer,
    justification: fields.justification,
    signature: signWithDomain(DOMAINS.proposal, proposalMessage(fields), privateKey),
  };
}

export function verifyProposalSignature(p: Proposal, blockHash: string, keys: PublicKeyCache): boolean {
  return verifyWithDomain(DOMAINS.proposal, proposalMessage({ ...p, blockHash }), p.signature, p.proposer, keys);
}

function roundChangeMessage(rc: { chainId: string; height: number; round: number; prepared: { round: number; blockHash: string } | null }): Uint8Array {
  return canonicalBytes({
    chainId: rc.chainId,
    height: rc.height,
    round: rc.round,
    preparedRound: rc.prepared ? rc.prepared.round : null,
    preparedBlockHash: rc.prepared ? rc.prepared.blockHash : null,
  });
}

export function signRoundChange(
  fields: { chainId: string; height: number; round: number; prepared: PreparedCertificate | null },
  validator: string,
  privateKey: KeyObject,
): RoundChange {
  return {
    type: 'round-change',
    chainId: fields.chainId,
    height: fields.height,
    round: fields.round,
    validator,
    prepared: fields.prepared,
    signature: signWithDomain(DOMAINS.roundChange, roundChangeMessage(fields), privateKey),
  };
}

export function verifyRoundChangeSignature(rc: RoundChange, keys: PublicKeyCache): boolean {
  return verifyWithDomain(DOMAINS.roundChange, roundChangeMessage(rc), rc.signature, rc.validator, keys);
}

function rejectionMessage(r: { chainId: string; height: number; round: number; blockHash: string; reason: string }): Uint8Array {
  return canonicalBytes({ chainId: r.chainId, height: r.height, round: r.round, blockHash: r.blockHash, reason: r.reason });
}

export function signRejection(
  fields: { chainId: string; height: number; round: number; blockHash: string; reason: string },
  validator: string,
  privateKey: KeyObject,
): Rejection {
  return { type: 'reject', ...fields, validator, signature: signWithDomain(DOMAINS.reject, rejectionMessage(fields), privateKey) };
}

export function verifyRejectionSignature(r: Rejection, keys: PublicKeyCache): boolean {
  return verifyWithDomain(DOMAINS.reject, rejectionMessage(r), r.signature, r.validator, keys);
}

/** The proposer of (height, round): proposers rotate with height and round (DESIGN.md §4). */
export function proposerFor(proposers: readonly string[], height: number, round: number): string {
  return proposers[(height + round) % proposers.length] as string;
}
