/**
 * A ConsensusStore in memory: for the deterministic simulation and engine unit tests. It plays the part
 * of the disk, so it outlives a simulated crash of the engine that uses it.
 */
import type { Genesis } from '../../core/genesis';
import type { Block } from '../../core/ledger/block';
import type { PreparedCertificate, Rejection } from '../../core/ledger/consensusMessages';
import type { CommitCertificate, VoteKind } from '../../core/ledger/votes';
import type { StateReader } from '../../core/rules/types';
import type { StateChanges } from '../../core/stateTransition';
import type { ChainHeadInfo, ConsensusStore, Evidence } from './types';

export class MemoryConsensusStore implements ConsensusStore {
  private readonly blocks: { block: Block; hash: string; certificate: CommitCertificate }[] = [];
  private readonly values = new Map<string, string>();
  private readonly txs = new Set<string>();
  private readonly ownVotes = new Map<string, string>();
  private readonly ownRounds = new Map<number, number>();
  private readonly prepared = new Map<number, Map<number, PreparedCertificate>>();
  readonly evidence: Evidence[] = [];
  readonly rejections: Rejection[] = [];

  constructor(
    private readonly genesis: Genesis,
    private readonly genesisHash: string,
  ) {}

  head(): ChainHeadInfo {
    const last = this.blocks.at(-1);
    return last
      ? { height: last.block.header.height, hash: last.hash, timeMs: last.block.header.timeMs }
      : { height: 0, hash: this.genesisHash, timeMs: this.genesis.genesisTimeMs };
  }

  state(): StateReader {
    return { get: (key) => this.values.get(key) ?? null, hasTransaction: (hash) => this.txs.has(hash) };
  }

  commitBlock(block: Block, hash: string, certificate: CommitCertificate, changes: StateChanges): void {
    this.blocks.push({ block, hash, certificate });
    for (const [key, value] of changes.writes) {
      if (value === null) this.values.delete(key);
      else this.values.set(key, value);
    }
    for (const tx of changes.txHashes) this.txs.add(tx);
    this.prepared.delete(block.header.height);
  }

  committed(height: number): { block: Block; certificate: CommitCertificate } | null {
    const entry = this.blocks[height - 1];
    return entry ? { block: entry.block, certificate: entry.certificate } : null;
  }

  committedHashes(): string[] {
    return this.blocks.map((b) => b.hash);
  }

  recordOwnVote(validator: string, height: number, round: number, kind: VoteKind, blockHash: string): boolean {
    const key = `${validator}:${height}:${round}:${kind}`;
    const existing = this.ownVotes.get(key);
    if (existing !== undefined && existing !== blockHash) return false;
    this.ownVotes.set(key, blockHash);
    this.ownRounds.set(height, Math.max(round, this.ownRounds.get(height) ?? 0));
    return true;
  }

  recordOwnVotes(validators: readonly string[], height: number, round: number, kind: VoteKind, blockHash: string): boolean[] {
    return validators.map((validator) => this.recordOwnVote(validator, height, round, kind, blockHash));
  }

  lastOwnRound(height: number): number | null {
    return this.ownRounds.get(height) ?? null;
  }

  savePrepared(height: number, prepared: PreparedCertificate): void {
    let byRound = this.prepared.get(height);
    if (!byRound) this.prepared.set(height, (byRound = new Map()));
    byRound.set(prepared.round, prepared);
  }

  loadPrepared(height: number): PreparedCertificate[] {
    return [...(this.prepared.get(height)?.values() ?? [])];
  }

  recordEvidence(evidence: Evidence): boolean {
    const duplicate = this.evidence.some(
      (e) => e.validator === evidence.validator && e.height === evidence.height && e.round === evidence.round && e.kind === evidence.kind,
    );
    if (!duplicate) this.evidence.push(evidence);
    return !duplicate;
  }

  recordRejection(rejection: Rejection): void {
    this.rejections.push(rejection);
  }
}
