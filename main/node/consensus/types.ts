/**
 * What the consensus engine needs from the rest of the node. The real node wires SQLite, the worker pool
 * and the peer network; the simulation wires in-memory stores, an in-process verifier and a simulated
 * network on an injected clock.
 */
import type { KeyObject } from 'node:crypto';
import type { Block } from '../../core/ledger/block';
import type { ConsensusMessage, PreparedCertificate, Rejection } from '../../core/ledger/consensusMessages';
import type { Transaction } from '../../core/ledger/transaction';
import type { CommitCertificate, Vote, VoteKind } from '../../core/ledger/votes';
import type { StateReader } from '../../core/rules/types';
import type { StateChanges } from '../../core/stateTransition';

export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

export interface ChainHeadInfo {
  readonly height: number;
  readonly hash: string;
  readonly timeMs: number;
}

export interface Evidence {
  readonly validator: string;
  readonly height: number;
  readonly round: number;
  readonly kind: VoteKind;
  readonly first: Vote;
  readonly second: Vote;
}

/** Durable storage the engine writes through. Every method returns after the data is on disk. */
export interface ConsensusStore {
  head(): ChainHeadInfo;
  state(): StateReader;
  /** Block, certificate, transactions and state changes in one atomic write. */
  commitBlock(block: Block, blockHash: string, certificate: CommitCertificate, changes: StateChanges): void;
  committed(height: number): { block: Block; certificate: CommitCertificate } | null;
  /**
   * Double-sign protection: records that `validator` signs `kind` for `blockHash` at (height, round).
   * Returns false, writing nothing, when it already signed a different block there.
   */
  recordOwnVote(validator: string, height: number, round: number, kind: VoteKind, blockHash: string): boolean;
  /** recordOwnVote for several of our validators at once, durable together (one write for all). */
  recordOwnVotes(validators: readonly string[], height: number, round: number, kind: VoteKind, blockHash: string): boolean[];
  /** The highest round at `height` in which any of our validators signed anything (to resume there). */
  lastOwnRound(height: number): number | null;
  /** Keeps a prepared certificate for `height` (one per round). */
  savePrepared(height: number, prepared: PreparedCertificate): void;
  loadPrepared(height: number): PreparedCertificate[];
  recordEvidence(evidence: Evidence): boolean;
  recordRejection(rejection: Rejection): void;
}

export interface Mempool {
  /** Transactions waiting, oldest first, at most `max`. */
  pending(max: number): readonly Transaction[];
  size(): number;
  /** The waiting transaction with this hash, if any (its signature was verified when it arrived). */
  get(hash: string): Transaction | null;
  /** Called when transactions turned out invalid. */
  remove(hashes: readonly string[]): void;
  /** Called when transactions became final: the store removed what it kept of them in the block's own commit. */
  included(hashes: readonly string[]): void;
  /** Adds a transaction relayed by a peer (validated by the mempool). */
  addFromPeer(tx: Transaction): void;
}

/** Signature checks that belong off the main thread (the node uses worker threads). */
export interface Verifier {
  /** For each transaction: its hash when its chain id and signature are valid, else null. */
  verifyTransactions(transactions: readonly Transaction[], chainId: string): Promise<(string | null)[]>;
}

export interface ProofOfWork {
  /** Finds a nonce for the header's difficulty; may report progress. Rejects when `signal` aborts. */
  solve(header: Block['header'], options?: { signal?: AbortSignal }): Promise<Block['header']>;
}

export interface LocalKey {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

export interface Network {
  /** Sends a message this node made to every peer. */
  broadcast(message: ConsensusMessage): void;
  send(peer: string, message: ConsensusMessage): void;
  /**
   * Passes on a message that `from` sent and this node has validated, to every other peer, once
   * (docs/PROTOCOL.md "Relay"). Absent: the network is a full mesh and nothing needs relaying.
   */
  relay?(message: ConsensusMessage, from: string): void;
}

export type ApprovalMode = 'auto' | 'manual';

export interface BlockCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface PendingApproval {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly block: Block;
  readonly checks: readonly BlockCheck[];
  /** Local validators that still have to decide. */
  readonly validators: readonly string[];
  readonly receivedAtMs: number;
}

export type ConsensusEvent =
  | { readonly kind: 'block.proposed'; readonly height: number; readonly round: number; readonly blockHash: string; readonly proposer: string }
  | {
      readonly kind: 'block.final';
      readonly height: number;
      readonly blockHash: string;
      readonly round: number;
      readonly txCount: number;
      /** What the block changed: its transactions' hashes and the state keys it wrote. */
      readonly changes: StateChanges;
    }
  | { readonly kind: 'round.change'; readonly height: number; readonly round: number }
  | { readonly kind: 'evidence'; readonly evidence: Evidence }
  | { readonly kind: 'approval.pending'; readonly height: number; readonly round: number; readonly blockHash: string }
  | { readonly kind: 'block.rejected'; readonly rejection: Rejection }
  | { readonly kind: 'mining'; readonly active: boolean };
