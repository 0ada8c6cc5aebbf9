/**
 * The auditor behind `civichain verify`: replays a chain from its genesis, block by block, checking every
 * hash link, proof-of-work, proposer signature, commit certificate (against the validator set in force),
 * transaction signature and rule — ballot credentials and roll proofs included — then recounts every
 * election from its ballots and compares the count with the ledger's tally and any published result, and
 * totals every voucher programme (applicants, issued, redeemed, outstanding) from the state it replayed.
 * Pure: the caller feeds blocks (from a data folder or an election record) and reads the report.
 */
import { CivichainError } from '../errors';
import type { Genesis } from '../genesis';
import { genesisHash } from '../genesis';
import { PublicKeyCache } from '../crypto/ed25519';
import { checkBlockHeader, type Block } from '../ledger/block';
import { checkTransactionEnvelope, transactionHash, type Transaction } from '../ledger/transaction';
import { checkCommitCertificate, type CommitCertificate } from '../ledger/votes';
import { createDefaultRegistry } from '../rules/index';
import { listElectionIds, readElection, readElectionStatus } from '../rules/elections';
import { listProgrammeIds, readProgramme } from '../rules/vouchers';
import { currentValidatorSet } from '../rules/validatorSet';
import { ProgrammeTally } from '../vouchers/totals';
import type { StateReader } from '../rules/types';
import { applyTransactions } from '../stateTransition';
import { CredentialVerifier } from './credential';

export interface AuditBlock {
  readonly block: Block;
  readonly certificate: CommitCertificate;
  /** For a block given without its transactions (an election record), their hashes in order. */
  readonly txHashes?: readonly string[];
}

export interface ElectionCount {
  readonly id: string;
  readonly title: string;
  readonly candidates: readonly { readonly id: string; readonly name: string; readonly votes: number }[];
  readonly ballots: number;
  readonly credentials: number;
  readonly rollSize: number;
  readonly published: boolean;
}

export interface ProgrammeCount {
  readonly id: string;
  readonly title: string;
  readonly applicants: { readonly pending: number; readonly approved: number; readonly denied: number };
  readonly issuedCents: number;
  readonly redeemedCents: number;
  readonly outstandingCents: number;
}

export interface AuditReport {
  readonly height: number;
  readonly blocks: number;
  readonly transactions: number;
  readonly ballots: number;
  readonly elections: readonly ElectionCount[];
  readonly programmes: readonly ProgrammeCount[];
}

export class ChainAuditor {
  private readonly keys = new PublicKeyCache();
  private readonly credentials: CredentialVerifier;
  private readonly registry = createDefaultRegistry();
  private readonly state = new Map<string, string>();
  private readonly included = new Set<string>();
  private readonly reader: StateReader = {
    get: (key) => this.state.get(key) ?? null,
    hasTransaction: (hash) => this.included.has(hash),
  };
  /** Independent of the rules' running tally: votes counted straight from the ballots. */
  private readonly recount = new Map<string, Map<string, number>>();
  private readonly ballotsSeen = new Map<string, number>();
  /** The voucher programmes' totals, from the transactions replayed (the state cannot list them). */
  private readonly vouchers = new ProgrammeTally();
  private height = 0;
  private previousHash: string;
  private previousTimeMs: number;
  private txCount = 0;
  private ballotCount = 0;

  constructor(
    private readonly genesis: Genesis,
    options: { credentials?: CredentialVerifier; keys?: PublicKeyCache } = {},
  ) {
    this.previousHash = genesisHash(genesis);
    this.previousTimeMs = genesis.genesisTimeMs;
    this.credentials = options.credentials ?? new CredentialVerifier();
    if (options.keys) this.keys = options.keys;
  }

  /** The replayed state so far (the node's state rules read). */
  stateReader(): StateReader {
    return this.reader;
  }

  private fail(code: string, message: string, details: Record<string, unknown> = {}): never {
    throw new CivichainError(code, `Block ${this.height + 1}: ${message}`, { height: this.height + 1, ...details });
  }

  /** Checks and applies the next block; throws a CivichainError naming the block and the problem. */
  add(entry: AuditBlock, options: { signaturesChecked?: boolean } = {}): void {
    const { block, certificate } = entry;
    const height = this.height + 1;
    if (block.header.height !== height) {
      this.fail('AUDIT_MISSING_BLOCK', `expected block ${height}, found block ${block.header.height}: a block is missing or out of order.`);
    }
    // A record gives a block's transactions or only their hashes. Given both, the hashes would vouch for
    // the header while other transactions were applied and counted.
    if (entry.txHashes && block.transactions.length > 0) {
      const given = block.transactions.map(transactionHash);
      if (given.length !== entry.txHashes.length || given.some((h, i) => h !== entry.txHashes?.[i])) {
        this.fail('AUDIT_TX_MISMATCH', 'the transactions given do not match the transaction hashes given with the block.');
      }
    }
    let hash: string;
    try {
      hash = checkBlockHeader(
        block,
        {
          chainId: this.genesis.chainId,
          height,
          previousHash: this.previousHash,
          previousTimeMs: this.previousTimeMs,
          difficulty: this.genesis.powDifficultyBits,
          proposers: new Set(this.genesis.proposers.map((p) => p.publicKey)),
        },
        this.keys,
        entry.txHashes,
      );
      const set = currentValidatorSet(this.reader, this.genesis);
      checkCommitCertificate(certificate, this.genesis.chainId, hash, new Set(set.validators.map((v) => v.publicKey)), set.quorum, this.keys);
    } catch (error) {
      if (error instanceof CivichainError) this.fail(error.code, error.message, error.details);
      throw error;
    }
    if (!options.signaturesChecked) {
      block.transactions.forEach((tx, index) => {
        try {
          checkTransactionEnvelope(tx, this.genesis.chainId, this.keys);
        } catch (error) {
          if (error instanceof CivichainError) this.fail(error.code, `transaction ${index}: ${error.message}`, { index });
          throw error;
        }
      });
    }
    let changes;
    try {
      changes = applyTransactions(block.transactions, { genesis: this.genesis, height, blockTimeMs: block.header.timeMs, state: this.reader, credentials: this.credentials }, this.registry);
    } catch (error) {
      if (error instanceof CivichainError) this.fail(error.code, error.message, error.details);
      throw error;
    }
    for (const [key, value] of changes.writes) {
      if (value === null) this.state.delete(key);
      else this.state.set(key, value);
    }
    for (const h of changes.txHashes) this.included.add(h);
    block.transactions.forEach((tx, i) => this.count(tx, changes.txHashes[i] ?? ''));
    this.txCount += entry.txHashes?.length ?? block.transactions.length;
    this.height = height;
    this.previousHash = hash;
    this.previousTimeMs = block.header.timeMs;
  }

  private count(tx: Transaction, hash: string): void {
    if (tx.type.startsWith('voucher.')) {
      this.vouchers.observe(tx, hash);
      return;
    }
    if (tx.type !== 'election.ballot') return;
    const election = String(tx.payload['election']);
    const votes = this.recount.get(election) ?? new Map<string, number>();
    for (const choice of tx.payload['choices'] as string[]) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    this.recount.set(election, votes);
    this.ballotsSeen.set(election, (this.ballotsSeen.get(election) ?? 0) + 1);
    this.ballotCount++;
  }

  /** The recount; throws AUDIT_COUNT_MISMATCH when the ledger's tally disagrees with the ballots. */
  report(): AuditReport {
    const elections: ElectionCount[] = [];
    for (const id of listElectionIds(this.reader)) {
      const election = readElection(this.reader, id);
      if (!election) continue;
      const status = readElectionStatus(this.reader, id);
      const votes = this.recount.get(id) ?? new Map<string, number>();
      const ballots = this.ballotsSeen.get(id) ?? 0;
      for (const c of election.candidates) {
        if ((status.tally[c.id] ?? 0) !== (votes.get(c.id) ?? 0) || status.ballots !== ballots) {
          throw new CivichainError('AUDIT_COUNT_MISMATCH', `Election "${id}": the ledger's tally for ${c.name} (${status.tally[c.id] ?? 0}) differs from the ballots (${votes.get(c.id) ?? 0}).`, { election: id });
        }
      }
      if (ballots > status.credentials || status.credentials > election.roll.size) {
        throw new CivichainError('AUDIT_COUNT_MISMATCH', `Election "${id}": ${ballots} ballots, ${status.credentials} credentials, ${election.roll.size} voters on the roll.`, { election: id });
      }
      elections.push({
        id,
        title: election.title,
        candidates: election.candidates.map((c) => ({ id: c.id, name: c.name, votes: votes.get(c.id) ?? 0 })),
        ballots,
        credentials: status.credentials,
        rollSize: election.roll.size,
        published: status.resultTx !== null,
      });
    }
    this.vouchers.update(this.reader);
    const programmes = listProgrammeIds(this.reader).map((id): ProgrammeCount => {
      const { applicants, issuedCents, redeemedCents, outstandingCents } = this.vouchers.totals(this.reader, id);
      return { id, title: readProgramme(this.reader, id)?.title ?? id, applicants, issuedCents, redeemedCents, outstandingCents };
    });
    return { height: this.height, blocks: this.height, transactions: this.txCount, ballots: this.ballotCount, elections, programmes };
  }
}
