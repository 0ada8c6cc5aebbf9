/**
 * Votes and commit certificates (docs/PROTOCOL.md "Consensus messages").
 *
 * Consensus has two signed votes per round, in the manner of QBFT/CometBFT: a *prepare* ("this block is
 * valid, I accept it at this height and round") and an *approval* (the commit: sent once a quorum has
 * prepared the same block). A block is final when a quorum of validators has approved it; those approvals
 * are its commit certificate. Both votes sign the canonical form of {chainId, height, round, blockHash},
 * each under its own domain, so neither can be replayed as the other.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CivichainError } from '../errors';
import { canonicalBytes } from '../encoding/canonicalJson';
import { DOMAINS, HEX_32, HEX_64, signWithDomain, verifyWithDomain, type PublicKeyCache } from '../crypto/ed25519';

export type VoteKind = 'prepare' | 'approval';

export interface VoteSubject {
  readonly chainId: string;
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
}

export interface Signature {
  readonly validator: string;
  readonly signature: string;
}

export interface Vote extends VoteSubject, Signature {
  readonly kind: VoteKind;
}

export interface CommitCertificate {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  /** Sorted by validator key, one per validator. */
  readonly approvals: readonly Signature[];
}

const nat = z.number().int().nonnegative().refine(Number.isSafeInteger);
const signatureSchema = z.object({ validator: z.string().regex(HEX_32), signature: z.string().regex(HEX_64) }).strict();

export const voteSchema = z
  .object({
    kind: z.enum(['prepare', 'approval']),
    chainId: z.string().min(1).max(64),
    height: nat,
    round: nat,
    blockHash: z.string().regex(HEX_32),
    validator: z.string().regex(HEX_32),
    signature: z.string().regex(HEX_64),
  })
  .strict();

export const certificateSchema = z
  .object({
    height: nat,
    round: nat,
    blockHash: z.string().regex(HEX_32),
    approvals: z.array(signatureSchema).max(1000),
  })
  .strict();

function voteDomain(kind: VoteKind) {
  return kind === 'prepare' ? DOMAINS.prepare : DOMAINS.approval;
}

export function voteMessage(subject: VoteSubject): Uint8Array {
  return canonicalBytes({ chainId: subject.chainId, height: subject.height, round: subject.round, blockHash: subject.blockHash });
}

export function signVote(kind: VoteKind, subject: VoteSubject, validator: string, privateKey: KeyObject): Vote {
  return Object.freeze({
    kind,
    chainId: subject.chainId,
    height: subject.height,
    round: subject.round,
    blockHash: subject.blockHash,
    validator,
    signature: signWithDomain(voteDomain(kind), voteMessage(subject), privateKey),
  });
}

export function verifyVoteSignature(vote: Vote, keys: PublicKeyCache): boolean {
  return verifyWithDomain(voteDomain(vote.kind), voteMessage(vote), vote.signature, vote.validator, keys);
}

/**
 * Checks that a set of votes of one kind for one subject comes from distinct validators of the set,
 * each signature valid, reaching the quorum. Used for commit certificates and prepared certificates.
 */
export function checkQuorumSignatures(
  kind: VoteKind,
  subject: VoteSubject,
  signatures: readonly Signature[],
  validators: ReadonlySet<string>,
  quorum: number,
  keys: PublicKeyCache,
): void {
  const what = kind === 'approval' ? 'certificate' : 'prepared certificate';
  const seen = new Set<string>();
  for (const { validator, signature } of signatures) {
    if (!validators.has(validator)) {
      throw new CivichainError('APPROVAL_NOT_VALIDATOR', `The ${what} for block ${subject.height} holds a vote from ${validator.slice(0, 12)}…, which is not a validator.`, {
        height: subject.height,
        validator,
      });
    }
    if (seen.has(validator)) {
      throw new CivichainError('CERT_DUPLICATE_VOTE', `The ${what} for block ${subject.height} counts validator ${validator.slice(0, 12)}… twice.`, {
        height: subject.height,
        validator,
      });
    }
    seen.add(validator);
    if (!verifyWithDomain(voteDomain(kind), voteMessage(subject), signature, validator, keys)) {
      throw new CivichainError('APPROVAL_BAD_SIGNATURE', `A vote in the ${what} for block ${subject.height} does not verify.`, {
        height: subject.height,
        validator,
      });
    }
  }
  if (seen.size < quorum) {
    throw new CivichainError('CERT_BELOW_QUORUM', `The ${what} for block ${subject.height} has ${seen.size} votes; the quorum is ${quorum}.`, {
      height: subject.height,
      votes: seen.size,
      quorum,
    });
  }
}

export function checkCommitCertificate(
  certificate: CommitCertificate,
  chainId: string,
  expectedBlockHash: string,
  validators: ReadonlySet<string>,
  quorum: number,
  keys: PublicKeyCache,
): void {
  if (certificate.blockHash !== expectedBlockHash) {
    throw new CivichainError('CERT_WRONG_BLOCK', `The certificate for height ${certificate.height} is for another block.`, { height: certificate.height });
  }
  checkQuorumSignatures('approval', { chainId, height: certificate.height, round: certificate.round, blockHash: certificate.blockHash }, certificate.approvals, validators, quorum, keys);
}

export function createCertificate(subject: VoteSubject, approvals: readonly Signature[]): CommitCertificate {
  const sorted = approvals.map((a) => ({ validator: a.validator, signature: a.signature })).sort((a, b) => (a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0));
  return Object.freeze({ height: subject.height, round: subject.round, blockHash: subject.blockHash, approvals: Object.freeze(sorted) });
}
