/**
 * The consensus engine: proposing, validating, voting, rounds and finality for one node, which may hold
 * several local keys (the demo node holds every validator key; a production node holds one).
 *
 * The protocol is QBFT-like (see docs/PROTOCOL.md "Consensus"):
 *  - in round R of height H the proposer proposerFor(H, R) proposes a block; for R > 0 its proposal is
 *    justified by a quorum of round-change messages and re-proposes the highest prepared block among them;
 *  - each validator checks the block and signs a *prepare* (automatically, or when a person approves it);
 *  - on a quorum of prepares a validator that prepared signs an *approval*; a quorum of approvals is the
 *    commit certificate, and the block is final: written with its certificate and never replaced;
 *  - a round that does not decide in time ends with round changes carrying each validator's highest
 *    prepared certificate; f+1 round changes for higher rounds pull a lagging validator forward.
 * A validator never signs two different blocks at one height, round and kind (recorded durably before it
 * signs), and two such signatures from anyone are recorded as evidence.
 *
 * Everything it touches comes in through its dependencies, so the simulation runs it deterministically on
 * an injected clock and network.
 */
import { CivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import type { PublicKeyCache } from '../../core/crypto/ed25519';
import { blockHash as hashOfBlock, checkBlockHeader, signBlock, transactionsRoot, type Block, type BlockHeader } from '../../core/ledger/block';
import {
  consensusMessageSchema,
  proposerFor,
  signProposal,
  signRejection,
  signRoundChange,
  verifyProposalSignature,
  verifyRejectionSignature,
  verifyRoundChangeSignature,
  type ConsensusMessage,
  type PreparedCertificate,
  type Proposal,
  type Rejection,
  type RoundChange,
} from '../../core/ledger/consensusMessages';
import { createTransactionFromJSON, rememberedTransactionHash, transactionHash, type Transaction } from '../../core/ledger/transaction';
import {
  checkCommitCertificate,
  checkQuorumSignatures,
  createCertificate,
  signVote,
  verifyVoteSignature,
  type CommitCertificate,
  type Vote,
  type VoteKind,
} from '../../core/ledger/votes';
import type { CredentialVerifier } from '../../core/elections/credential';
import type { RuleRegistry } from '../../core/rules/index';
import { currentValidatorSet } from '../../core/rules/validatorSet';
import { applyTransactions, checkTransaction, overlay, type StateChanges } from '../../core/stateTransition';
import type {
  ApprovalMode,
  BlockCheck,
  ChainHeadInfo,
  Clock,
  ConsensusEvent,
  ConsensusStore,
  LocalKey,
  Mempool,
  Network,
  PendingApproval,
  ProofOfWork,
  Verifier,
} from './types';

export interface EngineOptions {
  readonly genesis: Genesis;
  readonly keys: readonly LocalKey[];
  readonly approvalMode: ApprovalMode;
  /** How long a proposer waits for more transactions after the first arrives. */
  readonly batchWindowMs?: number;
  readonly maxBlockTxs?: number;
  /** A proposal whose time is further than this in the future is refused. */
  readonly maxClockDriftMs?: number;
  /** Round timeouts grow as base × 2^round, up to this multiple of the base. */
  readonly maxTimeoutMultiplier?: number;
  /** Catch-up: how many heights past the one being decided final blocks are kept until they can be applied. */
  readonly syncWindowBlocks?: number;
}

export interface EngineDependencies {
  readonly clock: Clock;
  readonly store: ConsensusStore;
  readonly mempool: Mempool;
  readonly verifier: Verifier;
  readonly pow: ProofOfWork;
  readonly network: Network;
  readonly registry: RuleRegistry;
  /** Verifies ballot credentials, remembering verdicts; one per check when absent. */
  readonly credentials?: CredentialVerifier;
  readonly keys: PublicKeyCache;
  readonly onEvent: (event: ConsensusEvent) => void;
  readonly onWarning?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * A final block a peer sent (catch-up) failed its checks: the certificate or the block. The engine has
   * dropped it and everything else buffered from that peer; the node penalises the peer and asks another.
   */
  readonly onPeerFault?: (peer: string, height: number, error: CivichainError) => void;
}

/** A final block received for catch-up, waiting for its height. */
interface CommitCandidate {
  readonly from: string | null;
  readonly block: Block;
  readonly certificate: CommitCertificate;
  /** Its transaction signatures, being verified ahead of its height (catch-up pipelining). */
  verified: Promise<(string | null)[]> | null;
}

interface ValidatedBlock {
  readonly block: Block;
  readonly hash: string;
  readonly changes: StateChanges;
  readonly checks: readonly BlockCheck[];
}

interface ValidatorSetView {
  readonly keys: ReadonlySet<string>;
  readonly quorum: number;
  /** Faults tolerated: n - quorum. f + 1 messages include at least one honest validator. */
  readonly f: number;
}

interface HeightState {
  readonly height: number;
  round: number;
  readonly parent: ChainHeadInfo;
  readonly set: ValidatorSetView;
  readonly proposals: Map<number, { proposal: Proposal; hash: string }>;
  readonly validated: Map<string, ValidatedBlock>;
  readonly validating: Map<string, Promise<ValidatedBlock | null>>;
  readonly invalid: Map<string, CivichainError>;
  /** `${kind}:${round}:${hash}` → validator → vote */
  readonly votes: Map<string, Map<string, Vote>>;
  /** `${kind}:${round}:${validator}` → the first vote seen (for evidence). */
  readonly firstVote: Map<string, Vote>;
  readonly roundChanges: Map<number, Map<string, RoundChange>>;
  /** Prepared certificates seen at this height, by round. */
  readonly prepared: Map<number, PreparedCertificate>;
  readonly sentRoundChange: Set<number>;
  readonly proposedRounds: Set<number>;
  /** `${round}:${hash}` → local validators waiting for a person. */
  readonly manual: Map<string, { round: number; hash: string; validators: Set<string>; receivedAtMs: number }>;
  cancelTimer: (() => void) | null;
  timerRound: number;
  cancelBatch: (() => void) | null;
  decided: boolean;
}

/** Failures of a block's body (transactions, signatures), which its header hash does not cover. */
const BODY_FAILURES: ReadonlySet<string> = new Set(['BLOCK_WRONG_TX_COUNT', 'BLOCK_WRONG_TX_ROOT', 'BLOCK_BAD_SIGNATURE', 'TX_BAD_SIGNATURE']);

const MAX_FUTURE_HEIGHTS = 5;
const MAX_BUFFERED_MESSAGES = 2_000;
/** Final blocks sent per catch-up request, and the transactions they may hold together (about 2 MB). */
const SYNC_BATCH = 50;
const SYNC_MAX_TXS = 5_000;
/** Heights past the current one for which final blocks are kept (several catch-up ranges in flight). */
export const SYNC_WINDOW_BLOCKS = 250;
/** Copies of one final block kept from different peers, in case the first turns out invalid. */
const MAX_COMMIT_CANDIDATES = 3;
/**
 * Catch-up pipelining: the transaction signatures of final blocks this many heights ahead (and at most this
 * many transactions) are verified in the worker threads while the current block is checked and written.
 */
const PREVERIFY_AHEAD_BLOCKS = 8;
const PREVERIFY_AHEAD_TXS = 20_000;

type Inbound = { readonly from: string | null; readonly message: ConsensusMessage };

export class ConsensusEngine {
  private h!: HeightState;
  private readonly buffered: Inbound[] = [];
  /** Final blocks received ahead of the height being decided (catch-up), by height. */
  private readonly commitsAhead = new Map<number, CommitCandidate[]>();
  private commitsAheadTxs = 0;
  /** Why a block object failed its checks (a copy with a changed body shares its hash with the real one). */
  private readonly failures = new WeakMap<Block, CivichainError>();
  private readonly syncWindowBlocks: number;
  /** (peer, height) pairs already sent a commit during the current height, so a lagging peer is not flooded. */
  private readonly servedCommits = new Set<string>();
  /** (peer, height) sync requests already sent during the current height. */
  private readonly requestedSync = new Set<string>();
  private replaying = false;
  private running = false;
  private mineRequested = false;
  private mining = false;
  /** Aborts the proof-of-work search of a proposal that a round change or a new height made stale. */
  private solving: AbortController | null = null;
  private approvalMode: ApprovalMode;
  private readonly keyByPublic: ReadonlyMap<string, LocalKey>;
  private readonly proposerKeys: readonly string[];
  private readonly batchWindowMs: number;
  private readonly maxBlockTxs: number;
  private readonly maxClockDriftMs: number;
  private readonly maxTimeoutMultiplier: number;

  constructor(
    private readonly options: EngineOptions,
    private readonly deps: EngineDependencies,
  ) {
    this.approvalMode = options.approvalMode;
    this.keyByPublic = new Map(options.keys.map((k) => [k.publicKey, k]));
    this.proposerKeys = options.genesis.proposers.map((p) => p.publicKey);
    this.batchWindowMs = options.batchWindowMs ?? 50;
    this.maxBlockTxs = options.maxBlockTxs ?? 5_000;
    this.maxClockDriftMs = options.maxClockDriftMs ?? 10_000;
    this.maxTimeoutMultiplier = options.maxTimeoutMultiplier ?? 4;
    this.syncWindowBlocks = options.syncWindowBlocks ?? SYNC_WINDOW_BLOCKS;
  }

  // ---------------------------------------------------------------------------------------------------
  // Lifecycle and public operations

  start(): void {
    this.running = true;
    this.enterHeight(this.deps.store.head().height + 1);
  }

  stop(): void {
    this.running = false;
    this.solving?.abort();
    this.h?.cancelTimer?.();
    this.h?.cancelBatch?.();
  }

  get height(): number {
    return this.h.height;
  }

  get round(): number {
    return this.h.round;
  }

  get isMining(): boolean {
    return this.mining;
  }

  get mode(): ApprovalMode {
    return this.approvalMode;
  }

  setApprovalMode(mode: ApprovalMode): void {
    this.approvalMode = mode;
    if (mode === 'auto') {
      for (const entry of [...this.h.manual.values()]) this.decideManual(entry.round, entry.hash, [...entry.validators], null);
    }
  }

  /** The origin's "mine" button: propose a block now, even an empty one, if this node proposes. */
  requestBlock(): void {
    this.mineRequested = true;
    this.armTimer();
    this.maybePropose();
  }

  /** The mempool gained transactions. */
  onTransactionsAvailable(): void {
    if (!this.running) return;
    this.armTimer();
    this.maybePropose();
  }

  pendingApprovals(): PendingApproval[] {
    const result: PendingApproval[] = [];
    for (const entry of this.h.manual.values()) {
      const validated = this.h.validated.get(entry.hash);
      if (!validated) continue;
      result.push({
        height: this.h.height,
        round: entry.round,
        blockHash: entry.hash,
        block: validated.block,
        checks: validated.checks,
        validators: [...entry.validators],
        receivedAtMs: entry.receivedAtMs,
      });
    }
    return result;
  }

  /** Approves a block waiting for a person, for one local validator or all of them; returns who approved. */
  approve(target: { height: number; round: number; blockHash: string; validator?: string }): string[] {
    const entry = this.pendingEntry(target);
    const validators = target.validator ? [target.validator] : [...entry.validators];
    this.decideManual(entry.round, entry.hash, validators, null);
    return validators;
  }

  /** Rejects a block waiting for a person, with a reason that is signed and recorded; returns who rejected. */
  reject(target: { height: number; round: number; blockHash: string; validator?: string; reason: string }): string[] {
    const entry = this.pendingEntry(target);
    const validators = target.validator ? [target.validator] : [...entry.validators];
    this.decideManual(entry.round, entry.hash, validators, target.reason);
    return validators;
  }

  /**
   * Catch-up: asks `peer` for the final blocks fromHeight..toHeight (it answers with at most 50 of them and
   * their certificates, then a sync-end). Each is checked here, at its height, before it is applied.
   */
  requestRange(peer: string, fromHeight: number, toHeight: number): void {
    this.deps.network.send(peer, { type: 'sync-request', fromHeight, toHeight });
  }

  /** Heights past the current one that catch-up answers may fill. */
  get syncWindow(): number {
    return this.syncWindowBlocks;
  }

  /** The round of the current height whose proposal holds the transaction, if any. */
  proposalContaining(txHash: string): { height: number; round: number } | null {
    for (const [round, { proposal }] of this.h.proposals) {
      if (proposal.block.transactions.some((tx) => transactionHash(tx) === txHash)) return { height: this.h.height, round };
    }
    return null;
  }

  /** A message from a peer (untrusted) or, with `from` null, from this node. */
  receive(from: string | null, raw: unknown): void {
    if (!this.running) return;
    const parsed = consensusMessageSchema.safeParse(raw);
    if (!parsed.success) {
      throw new CivichainError('MESSAGE_MALFORMED', 'The consensus message is malformed.', { from });
    }
    this.dispatch({ from, message: parsed.data as ConsensusMessage });
  }

  /**
   * A message from a peer that the peer network has already parsed with `consensusMessageSchema` (its frame
   * parser does): the same checks as `receive` from here on, without parsing a big block a second time.
   */
  receiveParsed(from: string, message: ConsensusMessage): void {
    if (!this.running) return;
    this.dispatch({ from, message });
  }

  // ---------------------------------------------------------------------------------------------------
  // Heights and rounds

  private validatorSetView(): ValidatorSetView {
    const set = currentValidatorSet(this.deps.store.state(), this.options.genesis);
    return { keys: new Set(set.validators.map((v) => v.publicKey)), quorum: set.quorum, f: set.validators.length - set.quorum };
  }

  private enterHeight(height: number): void {
    this.solving?.abort();
    this.h?.cancelTimer?.();
    this.h?.cancelBatch?.();
    const parent = this.deps.store.head();
    this.h = {
      height,
      round: 0,
      parent,
      set: this.validatorSetView(),
      proposals: new Map(),
      validated: new Map(),
      validating: new Map(),
      invalid: new Map(),
      votes: new Map(),
      firstVote: new Map(),
      roundChanges: new Map(),
      prepared: new Map(this.deps.store.loadPrepared(height).map((p) => [p.round, p])),
      sentRoundChange: new Set(),
      proposedRounds: new Set(),
      manual: new Map(),
      cancelTimer: null,
      timerRound: -1,
      cancelBatch: null,
      decided: false,
    };
    // After a restart, never go back to a round before one we already signed in.
    this.startRound(this.deps.store.lastOwnRound(height) ?? 0);
    this.servedCommits.clear();
    this.requestedSync.clear();
    // Final blocks already here for this height (catch-up) are applied first; older ones are of no use.
    for (const [bufferedHeight, candidates] of this.commitsAhead) {
      if (bufferedHeight > height) continue;
      this.commitsAhead.delete(bufferedHeight);
      for (const candidate of candidates) this.commitsAheadTxs -= candidate.block.transactions.length;
      if (bufferedHeight === height) this.applyCandidates(this.h, candidates);
    }
    this.preverifyAhead();
    const replay = this.buffered.splice(0);
    this.replaying = true;
    try {
      for (const item of replay) {
        const messageHeight = heightOf(item.message);
        if (messageHeight === null || messageHeight < height) continue;
        try {
          this.dispatch(item);
        } catch (error) {
          if (!(error instanceof CivichainError)) throw error;
        }
      }
    } finally {
      this.replaying = false;
    }
  }

  private startRound(round: number): void {
    const h = this.h;
    if (round !== h.round) this.solving?.abort();
    h.round = round;
    h.cancelTimer?.();
    h.cancelTimer = null;
    h.timerRound = -1;
    for (const [key, entry] of h.manual) if (entry.round < round) h.manual.delete(key);
    if (round > 0) this.deps.onEvent({ kind: 'round.change', height: h.height, round });
    if (this.workPending()) this.armTimer();
    this.maybePropose();
    const existing = h.proposals.get(round);
    if (existing) void this.considerProposal(existing.proposal, existing.hash);
  }

  private workPending(): boolean {
    const h = this.h;
    return this.deps.mempool.size() > 0 || this.mineRequested || h.proposals.size > 0 || h.roundChanges.size > 0 || h.prepared.size > 0;
  }

  private timeoutMs(round: number): number {
    return this.options.genesis.roundTimeoutMs * Math.min(2 ** round, this.maxTimeoutMultiplier);
  }

  private armTimer(): void {
    const h = this.h;
    if (!this.running || h.decided || h.timerRound === h.round) return;
    h.cancelTimer?.();
    const round = h.round;
    h.timerRound = round;
    h.cancelTimer = this.deps.clock.setTimer(this.timeoutMs(round), () => {
      if (this.h !== h || h.round !== round || h.decided || !this.running) return;
      h.timerRound = -1;
      h.cancelTimer = null;
      // A block waiting for a person here holds the round open: people are slower than timeouts.
      if ([...h.manual.values()].some((entry) => entry.round === round)) return this.armTimer();
      this.sendRoundChange(round + 1);
      this.startRound(round + 1);
    });
  }

  private localValidators(): string[] {
    return [...this.keyByPublic.keys()].filter((k) => this.h.set.keys.has(k));
  }

  // ---------------------------------------------------------------------------------------------------
  // Messages

  private dispatch(item: Inbound): void {
    const { from, message } = item;
    switch (message.type) {
      case 'tx':
        this.deps.mempool.addFromPeer(message.tx);
        return;
      case 'sync-request':
        if (from !== null) this.serveSync(from, message.fromHeight, message.toHeight);
        return;
      case 'sync-end':
        // Read by the node's catch-up scheduler; nothing for the engine.
        return;
      case 'commit':
        this.onCommitMessage(from, message.block, message.certificate);
        return;
    }
    if (message.chainId !== this.options.genesis.chainId) {
      throw new CivichainError('MESSAGE_WRONG_CHAIN', `A consensus message for chain "${message.chainId}" was refused.`, { from });
    }
    if (message.height < this.h.height) {
      // The sender is behind: give it the block it is still deciding.
      if (from !== null) this.sendCommit(from, message.height);
      return;
    }
    if (message.height > this.h.height) {
      this.bufferFuture(item);
      return;
    }
    switch (message.type) {
      case 'proposal':
        this.onProposal(message, from);
        return;
      case 'vote':
        this.onVote(message, from);
        return;
      case 'round-change':
        this.onRoundChange(message, from);
        return;
      case 'reject':
        this.onRejection(message, from);
        return;
    }
  }

  /**
   * Passes on a peer's message once it has passed every check here (DESIGN.md §8: nothing is relayed before
   * it has been validated), so that messages cross a network that is not a full mesh. Messages for a later
   * height wait in the buffer and are relayed when they are checked, at that height.
   */
  private relay(from: string | null, message: ConsensusMessage): void {
    if (from !== null) this.deps.network.relay?.(message, from);
  }

  private bufferFuture(item: Inbound): void {
    const height = heightOf(item.message);
    if (height !== null && height <= this.h.height + MAX_FUTURE_HEIGHTS) {
      if (this.buffered.length >= MAX_BUFFERED_MESSAGES) this.buffered.shift();
      this.buffered.push(item);
    }
    // A message from a height ahead of us means we missed a block: ask the sender for it.
    if (item.from !== null && !this.replaying) this.requestSync(item.from);
  }

  private requestSync(peer: string): void {
    const key = `${peer}:${this.h.height}`;
    if (this.requestedSync.has(key)) return;
    this.requestedSync.add(key);
    this.deps.network.send(peer, { type: 'sync-request', fromHeight: this.h.height });
  }

  private refuse(code: string, message: string, details: Record<string, unknown> = {}): never {
    throw new CivichainError(code, message, { height: this.h.height, ...details });
  }

  // Proposals ------------------------------------------------------------------------------------------

  private onProposal(proposal: Proposal, from: string | null = null): void {
    const h = this.h;
    if (proposal.round < h.round || h.decided) return;
    if (proposal.proposer !== proposerFor(this.proposerKeys, h.height, proposal.round)) {
      this.refuse('PROPOSAL_WRONG_PROPOSER', `The proposal for round ${proposal.round} is not from that round's proposer.`);
    }
    const hash = hashOfBlock(proposal.block.header);
    if (!verifyProposalSignature(proposal, hash, this.deps.keys)) this.refuse('PROPOSAL_BAD_SIGNATURE', "The proposer's signature on the proposal does not verify.");
    if (h.proposals.has(proposal.round)) return;
    this.checkJustification(proposal, hash);
    h.proposals.set(proposal.round, { proposal, hash });
    this.deps.onEvent({ kind: 'block.proposed', height: h.height, round: proposal.round, blockHash: hash, proposer: proposal.proposer });
    // Relayed once its block passed every check too (the check is cached: voting on it reuses it).
    if (from !== null) {
      void this.validate(proposal.block, hash, true).then((validated) => {
        if (!this.running) return;
        if (validated) return this.relay(from, proposal);
        // A copy whose body was changed on the way (the proposer signs the header only) must not hold the
        // round's place: forget it, so that the genuine proposal, arriving by another path, is taken.
        const failure = this.failures.get(proposal.block);
        if (this.h === h && failure && BODY_FAILURES.has(failure.code) && h.proposals.get(proposal.round)?.proposal === proposal) {
          h.proposals.delete(proposal.round);
        }
      });
    }
    // A justified proposal for a later round proves a quorum moved there: follow it.
    if (proposal.round > h.round) return this.startRound(proposal.round);
    this.armTimer();
    void this.considerProposal(proposal, hash);
  }

  /** QBFT justification: round 0 needs none; round R > 0 needs a quorum of round changes for R. */
  private checkJustification(proposal: Proposal, hash: string): void {
    const h = this.h;
    if (proposal.round === 0) {
      if (proposal.block.header.round !== 0) this.refuse('PROPOSAL_UNJUSTIFIED', 'A round-0 proposal must carry a block made in round 0.');
      return;
    }
    const senders = new Set<string>();
    let highest: PreparedCertificate | null = null;
    for (const rc of proposal.justification) {
      this.checkRoundChange(rc);
      if (rc.round !== proposal.round) this.refuse('PROPOSAL_UNJUSTIFIED', 'The justification holds a round change for another round.');
      senders.add(rc.validator);
      if (rc.prepared && (!highest || rc.prepared.round > highest.round)) highest = rc.prepared;
    }
    if (senders.size < h.set.quorum) {
      this.refuse('PROPOSAL_UNJUSTIFIED', `The proposal for round ${proposal.round} is justified by ${senders.size} round changes; ${h.set.quorum} are needed.`);
    }
    // The safety rule: a block that may have been decided must be the one proposed again.
    if (highest && highest.blockHash !== hash) this.refuse('PROPOSAL_UNJUSTIFIED', 'The proposal ignores the highest prepared block of its justification.');
    if (!highest && proposal.block.header.round !== proposal.round) {
      this.refuse('PROPOSAL_UNJUSTIFIED', 'A new block must be made in the round it is proposed in.');
    }
  }

  private async considerProposal(proposal: Proposal, hash: string): Promise<void> {
    const h = this.h;
    const validated = await this.validate(proposal.block, hash, true);
    // Stopped meanwhile (the node is closing, its store perhaps closed already): no vote, no write.
    if (!this.running || this.h !== h || !validated || h.decided) return;
    // We may have seen a quorum of prepares or approvals before the block itself.
    this.reevaluate(hash);
    if (proposal.round !== h.round) return;
    const validators = this.localValidators();
    if (validators.length === 0) return;
    if (this.approvalMode === 'auto') {
      this.castVotes('prepare', proposal.round, hash, validators);
      return;
    }
    const key = `${proposal.round}:${hash}`;
    if (h.manual.has(key)) return;
    const waiting = validators.filter((v) => !h.firstVote.has(`prepare:${proposal.round}:${v}`));
    if (waiting.length === 0) return;
    h.manual.set(key, { round: proposal.round, hash, validators: new Set(waiting), receivedAtMs: this.deps.clock.now() });
    this.deps.onEvent({ kind: 'approval.pending', height: h.height, round: proposal.round, blockHash: hash });
  }

  /** Every check of a block, against this height's parent and state. Cached per block hash. */
  private validate(block: Block, hash: string, isProposal: boolean, verified: Promise<(string | null)[]> | null = null): Promise<ValidatedBlock | null> {
    const h = this.h;
    const known = h.validated.get(hash);
    if (known) return Promise.resolve(known);
    if (h.invalid.has(hash)) return Promise.resolve(null);
    const running = h.validating.get(hash);
    if (running) return running;
    const work = (async (): Promise<ValidatedBlock | null> => {
      const checks: BlockCheck[] = [];
      try {
        // A peer's block carries copies of transactions this node mostly verified when they were gossiped:
        // checked as those (the verifier remembers them), each signature is verified once per node, not twice.
        const checked = verified === null ? this.withWaitingCopies(block) : block;
        checkBlockHeader(
          checked,
          {
            chainId: this.options.genesis.chainId,
            height: h.height,
            previousHash: h.parent.hash,
            previousTimeMs: h.parent.timeMs,
            difficulty: this.options.genesis.powDifficultyBits,
            proposers: new Set(this.proposerKeys),
          },
          this.deps.keys,
        );
        checks.push(
          { name: 'Chain and height', ok: true, detail: `${block.header.chainId}, height ${block.header.height}` },
          { name: 'Previous block hash', ok: true, detail: block.header.previousHash },
          { name: 'Merkle root', ok: true, detail: `${block.transactions.length} transactions` },
          { name: 'Proof-of-work', ok: true, detail: `${block.header.difficulty} leading zero bits, nonce ${block.header.nonce}` },
          { name: 'Proposer signature', ok: true, detail: block.header.proposer },
        );
        if (isProposal && block.header.timeMs > this.deps.clock.now() + this.maxClockDriftMs) {
          this.refuse('BLOCK_FROM_FUTURE', 'The block is dated in the future; check the proposer’s clock.');
        }
        const hashes = await (verified ?? this.deps.verifier.verifyTransactions(checked.transactions, this.options.genesis.chainId));
        const bad = hashes.findIndex((x) => x === null);
        if (bad >= 0) this.refuse('TX_BAD_SIGNATURE', `Transaction ${bad} of the block has an invalid signature or chain id.`, { index: bad });
        checks.push({ name: 'Transaction signatures', ok: true, detail: `${hashes.length} verified` });
        if (this.h !== h || !this.running) return null;
        const changes = applyTransactions(
          checked.transactions,
          { genesis: this.options.genesis, height: h.height, blockTimeMs: block.header.timeMs, state: this.deps.store.state(), credentials: this.deps.credentials },
          this.deps.registry,
        );
        checks.push({ name: 'Transaction rules', ok: true, detail: `${changes.writes.size} state changes` });
        const result: ValidatedBlock = { block: checked, hash, changes, checks };
        h.validated.set(hash, result);
        return result;
      } catch (error) {
        // Stopped meanwhile (the verification workers closed under it, say): not the block's fault.
        if (!this.running) return null;
        const failure =
          error instanceof CivichainError ? error : new CivichainError('BLOCK_INVALID', `The block could not be checked: ${String(error)}`);
        // The hash covers the header only: a copy whose body was changed on the way (a relaying or
        // catching-up peer can do that) must not make the real block with that hash count as invalid.
        if (!BODY_FAILURES.has(failure.code)) h.invalid.set(hash, failure);
        this.failures.set(block, failure);
        this.deps.onWarning?.('refused a block', { height: h.height, code: failure.code, reason: failure.message });
        return null;
      }
    })();
    // Forgotten once settled (a check that fails before its first await has settled already).
    h.validating.set(hash, work);
    void work.then(() => {
      if (h.validating.get(hash) === work) h.validating.delete(hash);
    });
    return work;
  }

  /**
   * The block with its transactions in this node's own frozen form, hashed once (the Merkle root and the
   * verifier reuse that hash, and the workers get the hash alone), and each one the mempool holds with the
   * same hash and signature replaced by the mempool's object: the same transaction (the hash covers every
   * other field), whose signature the verifier has already checked. One that cannot be read so (too large)
   * stays as it came, for the checks to refuse.
   */
  private withWaitingCopies(block: Block): Block {
    let changed = false;
    const transactions = block.transactions.map((tx) => {
      let own = tx;
      if (rememberedTransactionHash(tx) === undefined) {
        try {
          own = createTransactionFromJSON(tx);
        } catch {
          return tx;
        }
      }
      const waiting = this.deps.mempool.get(transactionHash(own));
      const use = waiting !== null && waiting.signature === tx.signature ? waiting : own;
      if (use !== tx) changed = true;
      return use;
    });
    return changed ? Object.freeze({ ...block, transactions: Object.freeze(transactions) }) : block;
  }

  // Votes ----------------------------------------------------------------------------------------------

  private castVote(kind: VoteKind, round: number, hash: string, validator: string): void {
    this.castVotes(kind, round, hash, [validator]);
  }

  /**
   * Signs and sends the votes of several of this node's validators. Double-sign protection: every vote is
   * durable before its signature exists — all of them in one write. A vote recorded but not signed (the
   * height was decided by the votes before it) only promises what was going to be signed anyway.
   */
  private castVotes(kind: VoteKind, round: number, hash: string, validators: readonly string[]): void {
    const h = this.h;
    const casting = validators.filter((v) => this.keyByPublic.has(v) && !h.firstVote.has(`${kind}:${round}:${v}`));
    if (casting.length === 0) return;
    const recorded = this.deps.store.recordOwnVotes(casting, h.height, round, kind, hash);
    casting.forEach((validator, i) => {
      if (this.h !== h || h.decided) return;
      const key = this.keyByPublic.get(validator);
      if (!key) return;
      if (!recorded[i]) {
        this.deps.onWarning?.('refused to sign a second block at one height and round', { height: h.height, round, kind, validator });
        return;
      }
      const vote = signVote(kind, { chainId: this.options.genesis.chainId, height: h.height, round, blockHash: hash }, validator, key.privateKey);
      this.deps.network.broadcast({ type: 'vote', ...vote });
      this.onVote(vote);
    });
  }

  private onVote(vote: Vote, from: string | null = null): void {
    const h = this.h;
    if (!h.set.keys.has(vote.validator)) this.refuse('APPROVAL_NOT_VALIDATOR', 'A vote from a key that is not a validator was refused.', { validator: vote.validator });
    if (!verifyVoteSignature(vote, this.deps.keys)) this.refuse('APPROVAL_BAD_SIGNATURE', 'A vote whose signature does not verify was refused.', { validator: vote.validator });
    const indexKey = `${vote.kind}:${vote.round}:${vote.validator}`;
    const first = h.firstVote.get(indexKey);
    if (first) {
      if (first.blockHash !== vote.blockHash) {
        const evidence = { validator: vote.validator, height: h.height, round: vote.round, kind: vote.kind, first, second: vote };
        if (this.deps.store.recordEvidence(evidence)) this.deps.onEvent({ kind: 'evidence', evidence });
      }
      return;
    }
    h.firstVote.set(indexKey, vote);
    if (from !== null) this.relay(from, { type: 'vote', ...vote });
    const tallyKey = `${vote.kind}:${vote.round}:${vote.blockHash}`;
    let tally = h.votes.get(tallyKey);
    if (!tally) h.votes.set(tallyKey, (tally = new Map()));
    tally.set(vote.validator, vote);
    this.armTimer();
    if (tally.size >= h.set.quorum) this.reevaluate(vote.blockHash);
  }

  /** Acts on quorums for `hash` once we hold the checked block. */
  private reevaluate(hash: string): void {
    const h = this.h;
    if (h.decided) return;
    const validated = h.validated.get(hash);
    for (const [tallyKey, tally] of h.votes) {
      const [kind, roundText, tallyHash] = tallyKey.split(':') as [VoteKind, string, string];
      if (tallyHash !== hash || tally.size < h.set.quorum) continue;
      const round = Number(roundText);
      if (kind === 'approval') {
        if (!validated) {
          // Decided elsewhere on a block we have not seen: ask for it.
          this.deps.network.broadcast({ type: 'sync-request', fromHeight: h.height });
          continue;
        }
        const certificate = createCertificate(
          { chainId: this.options.genesis.chainId, height: h.height, round, blockHash: hash },
          [...tally.values()].map((v) => ({ validator: v.validator, signature: v.signature })),
        );
        this.commit(validated, certificate);
        return;
      }
      if (!validated) continue;
      // Prepared: keep the prepared certificate durably, then approve if we prepared it ourselves.
      if (!h.prepared.has(round)) {
        const prepared: PreparedCertificate = {
          round,
          blockHash: hash,
          block: validated.block,
          prepares: [...tally.values()].map((v) => ({ validator: v.validator, signature: v.signature })),
        };
        h.prepared.set(round, prepared);
        this.deps.store.savePrepared(h.height, prepared);
      }
      // Approve only in the current round: a validator that has moved on has told the others (in its
      // round change) what it had prepared by then, and approving an older round now would bypass that.
      if (round !== h.round) continue;
      this.castVotes('approval', round, hash, this.localValidators().filter((v) => h.firstVote.get(`prepare:${round}:${v}`)?.blockHash === hash));
      if (h.decided) return;
    }
  }

  private commit(validated: ValidatedBlock, certificate: CommitCertificate): void {
    const h = this.h;
    if (h.decided) return;
    h.decided = true;
    h.cancelTimer?.();
    h.cancelBatch?.();
    this.deps.store.commitBlock(validated.block, validated.hash, certificate, validated.changes);
    this.deps.mempool.included(validated.changes.txHashes);
    this.deps.onEvent({ kind: 'block.final', height: h.height, blockHash: validated.hash, round: certificate.round, txCount: validated.block.transactions.length, changes: validated.changes });
    this.enterHeight(h.height + 1);
  }

  // Round changes --------------------------------------------------------------------------------------

  private checkRoundChange(rc: RoundChange): void {
    const h = this.h;
    if (rc.chainId !== this.options.genesis.chainId || rc.height !== h.height) this.refuse('ROUND_CHANGE_INVALID', 'A round change for another chain or height was refused.');
    if (!h.set.keys.has(rc.validator)) this.refuse('APPROVAL_NOT_VALIDATOR', 'A round change from a key that is not a validator was refused.', { validator: rc.validator });
    if (!verifyRoundChangeSignature(rc, this.deps.keys)) this.refuse('ROUND_CHANGE_INVALID', 'A round change whose signature does not verify was refused.');
    if (rc.prepared) {
      if (rc.prepared.round >= rc.round) this.refuse('ROUND_CHANGE_INVALID', 'A round change claims a block prepared in a round not before it.');
      if (hashOfBlock(rc.prepared.block.header) !== rc.prepared.blockHash) this.refuse('ROUND_CHANGE_INVALID', 'A prepared certificate names a block it does not hold.');
      checkQuorumSignatures(
        'prepare',
        { chainId: rc.chainId, height: rc.height, round: rc.prepared.round, blockHash: rc.prepared.blockHash },
        rc.prepared.prepares,
        h.set.keys,
        h.set.quorum,
        this.deps.keys,
      );
    }
  }

  private onRoundChange(rc: RoundChange, from: string | null = null): void {
    const h = this.h;
    // A validator behind us in rounds (restarted, or cut off) learns where we are at once.
    if (from !== null && rc.round < h.round) this.sendLatestRoundChange(from);
    if (rc.round <= h.round && h.roundChanges.get(rc.round)?.has(rc.validator)) return;
    this.checkRoundChange(rc);
    let forRound = h.roundChanges.get(rc.round);
    if (!forRound) h.roundChanges.set(rc.round, (forRound = new Map()));
    if (forRound.has(rc.validator)) return;
    forRound.set(rc.validator, rc);
    this.relay(from, rc);
    // f + 1 validators want a later round: at least one honest one timed out, so follow to the lowest.
    const ahead = new Map<string, number>();
    for (const [round, senders] of h.roundChanges) {
      if (round <= h.round) continue;
      for (const validator of senders.keys()) ahead.set(validator, Math.min(ahead.get(validator) ?? Infinity, round));
    }
    if (ahead.size >= h.set.f + 1) {
      const target = Math.min(...ahead.values());
      this.sendRoundChange(target);
      this.startRound(target);
    } else if (forRound.size >= h.set.quorum && rc.round > h.round) {
      this.startRound(rc.round);
    }
    this.armTimer();
    this.maybePropose();
  }

  /** Sends a peer our own round changes for the current round (once per peer and round). */
  private sendLatestRoundChange(peer: string): void {
    const h = this.h;
    const key = `rc:${peer}:${h.round}`;
    if (this.servedCommits.has(key)) return;
    this.servedCommits.add(key);
    const ours = h.roundChanges.get(h.round);
    for (const validator of this.localValidators()) {
      const rc = ours?.get(validator);
      if (rc) this.deps.network.send(peer, rc);
    }
  }

  private sendRoundChange(round: number): void {
    const h = this.h;
    if (h.sentRoundChange.has(round)) return;
    h.sentRoundChange.add(round);
    // Report the highest block prepared before the round we move to (QBFT's prepared certificate).
    let prepared: PreparedCertificate | null = null;
    for (const candidate of h.prepared.values()) if (candidate.round < round && (!prepared || candidate.round > prepared.round)) prepared = candidate;
    for (const validator of this.localValidators()) {
      const key = this.keyByPublic.get(validator);
      if (!key) continue;
      const rc = signRoundChange({ chainId: this.options.genesis.chainId, height: h.height, round, prepared }, validator, key.privateKey);
      this.deps.network.broadcast(rc);
      let forRound = h.roundChanges.get(round);
      if (!forRound) h.roundChanges.set(round, (forRound = new Map()));
      forRound.set(validator, rc);
    }
  }

  // Proposing ------------------------------------------------------------------------------------------

  private maybePropose(): void {
    const h = this.h;
    if (!this.running || h.decided) return;
    const round = h.round;
    const proposer = proposerFor(this.proposerKeys, h.height, round);
    const key = this.keyByPublic.get(proposer);
    if (!key || h.proposedRounds.has(round) || h.proposals.has(round)) return;
    if (round === 0) {
      if (this.deps.mempool.size() === 0 && !this.mineRequested) return;
      if (h.cancelBatch) return;
      // Wait a short batching window so that a burst of transactions goes into one block.
      h.cancelBatch = this.deps.clock.setTimer(this.mineRequested ? 0 : this.batchWindowMs, () => {
        h.cancelBatch = null;
        if (this.h === h && h.round === 0 && !h.decided) void this.propose(h, 0, [], null, key);
      });
      return;
    }
    const justification = [...(h.roundChanges.get(round)?.values() ?? [])];
    if (justification.length < h.set.quorum) return;
    let highest: PreparedCertificate | null = null;
    for (const rc of justification) if (rc.prepared && (!highest || rc.prepared.round > highest.round)) highest = rc.prepared;
    void this.propose(h, round, justification, highest, key);
  }

  private async propose(
    h: HeightState,
    round: number,
    justification: readonly RoundChange[],
    prepared: PreparedCertificate | null,
    key: LocalKey,
  ): Promise<void> {
    if (h.proposedRounds.has(round)) return;
    h.proposedRounds.add(round);
    let block: Block;
    if (prepared) {
      block = prepared.block;
    } else {
      // Frozen now, so that its root is taken once: signBlock keeps this list and the check finds its root known.
      const transactions = Object.freeze(this.selectTransactions(h));
      const header: BlockHeader = {
        chainId: this.options.genesis.chainId,
        height: h.height,
        previousHash: h.parent.hash,
        timeMs: Math.max(this.deps.clock.now(), h.parent.timeMs),
        txRoot: transactionsRoot(transactions),
        txCount: transactions.length,
        proposer: key.publicKey,
        round,
        difficulty: this.options.genesis.powDifficultyBits,
        nonce: 0,
      };
      const controller = new AbortController();
      this.solving = controller;
      this.setMining(true);
      let solved: BlockHeader;
      try {
        solved = await this.deps.pow.solve(header, { signal: controller.signal });
      } catch (error) {
        if (this.h === h && h.round === round && !controller.signal.aborted) {
          // The search failed (not cancelled): let this round be proposed again when work remains.
          h.proposedRounds.delete(round);
          this.deps.onWarning?.('proof-of-work failed', { height: h.height, round, error: String(error) });
        }
        return;
      } finally {
        if (this.solving === controller) this.solving = null;
        this.setMining(false);
      }
      if (this.h !== h || h.round !== round || h.decided || !this.running) return;
      block = signBlock(solved, transactions, key.privateKey);
    }
    this.mineRequested = false;
    const hash = hashOfBlock(block.header);
    const proposal = signProposal(
      { chainId: this.options.genesis.chainId, height: h.height, round, block, blockHash: hash, justification: round === 0 ? [] : justification },
      key.publicKey,
      key.privateKey,
    );
    this.deps.network.broadcast(proposal);
    this.onProposal(proposal);
  }

  private setMining(active: boolean): void {
    this.mining = active;
    this.deps.onEvent({ kind: 'mining', active });
  }

  /** Pending transactions that are valid together against the current state; drops the invalid ones. */
  private selectTransactions(h: HeightState): Transaction[] {
    const chosen: Transaction[] = [];
    const invalid: string[] = [];
    const writes = new Map<string, string | null>();
    const included = new Set<string>();
    const state = overlay(this.deps.store.state(), writes, included);
    const context = { genesis: this.options.genesis, height: h.height, blockTimeMs: this.deps.clock.now(), state, credentials: this.deps.credentials };
    const pending = this.deps.mempool.pending(this.maxBlockTxs).map((tx) => ({ tx, hash: transactionHash(tx) }));
    // Ballots go last, in hash order: a block does not tell in which order its ballots arrived, which would
    // help match them with the order of check-ins (docs/ELECTIONS.md, timing).
    const ballots = pending.filter((p) => p.tx.type === 'election.ballot').sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    const ordered = ballots.length === 0 ? pending : [...pending.filter((p) => p.tx.type !== 'election.ballot'), ...ballots];
    for (const { tx, hash } of ordered) {
      try {
        const payload = checkTransaction(tx, hash, context, this.deps.registry);
        this.deps.registry.get(tx.type).apply({ ...context, txHash: hash }, tx, payload, (k, v) => writes.set(k, v));
        included.add(hash);
        chosen.push(tx);
      } catch (error) {
        if (!(error instanceof CivichainError)) throw error;
        invalid.push(hash);
      }
    }
    if (invalid.length > 0) this.deps.mempool.remove(invalid);
    return chosen;
  }

  // Manual approval ------------------------------------------------------------------------------------

  private pendingEntry(target: { height: number; round: number; blockHash: string; validator?: string }) {
    const entry = this.h.manual.get(`${target.round}:${target.blockHash}`);
    if (target.height !== this.h.height || !entry) {
      throw new CivichainError('NOT_PENDING', 'That block is not waiting for approval here (it may be final already, or its round has passed).', {
        height: target.height,
        round: target.round,
      });
    }
    if (target.validator && !entry.validators.has(target.validator)) {
      throw new CivichainError('NOT_PENDING', 'That validator has already decided on this block.', { validator: target.validator });
    }
    return entry;
  }

  private decideManual(round: number, hash: string, validators: readonly string[], reason: string | null): void {
    const h = this.h;
    const key = `${round}:${hash}`;
    const entry = h.manual.get(key);
    if (!entry) return;
    for (const validator of validators) {
      entry.validators.delete(validator);
      if (reason === null) {
        this.castVote('prepare', round, hash, validator);
      } else {
        const local = this.keyByPublic.get(validator);
        if (!local) continue;
        const rejection = signRejection({ chainId: this.options.genesis.chainId, height: h.height, round, blockHash: hash, reason }, validator, local.privateKey);
        this.deps.store.recordRejection(rejection);
        this.deps.network.broadcast(rejection);
        this.deps.onEvent({ kind: 'block.rejected', rejection });
      }
      if (this.h !== h) return;
    }
    if (entry.validators.size === 0) h.manual.delete(key);
    this.armTimer();
  }

  private onRejection(rejection: Rejection, from: string | null = null): void {
    if (!this.h.set.keys.has(rejection.validator)) this.refuse('APPROVAL_NOT_VALIDATOR', 'A rejection from a key that is not a validator was refused.');
    if (!verifyRejectionSignature(rejection, this.deps.keys)) this.refuse('REJECTION_BAD_SIGNATURE', 'A rejection whose signature does not verify was refused.');
    this.relay(from, rejection);
    this.deps.store.recordRejection(rejection);
    this.deps.onEvent({ kind: 'block.rejected', rejection });
  }

  // Catch-up -------------------------------------------------------------------------------------------

  private sendCommit(peer: string, height: number): void {
    const served = `${peer}:${height}`;
    if (this.servedCommits.has(served)) return;
    this.servedCommits.add(served);
    const committed = this.deps.store.committed(height);
    if (committed) this.deps.network.send(peer, { type: 'commit', block: committed.block, certificate: committed.certificate });
  }

  private serveSync(peer: string, fromHeight: number, toHeight?: number): void {
    const head = this.deps.store.head().height;
    // At most SYNC_BATCH blocks and about SYNC_MAX_TXS transactions per answer, so that a batch of big
    // blocks never floods the connection (the peer network drops peers that read too slowly).
    const first = Math.max(1, fromHeight);
    const last = Math.min(head, fromHeight + SYNC_BATCH - 1, toHeight ?? Number.MAX_SAFE_INTEGER);
    let sent = fromHeight - 1;
    let txs = 0;
    for (let height = first; height <= last; height++) {
      const committed = this.deps.store.committed(height);
      if (!committed) break;
      this.deps.network.send(peer, { type: 'commit', block: committed.block, certificate: committed.certificate });
      sent = height;
      txs += committed.block.transactions.length;
      if (txs >= SYNC_MAX_TXS) break;
    }
    // A ranged request learns where the answer stopped, so the rest can be asked of anyone at once.
    if (toHeight !== undefined) this.deps.network.send(peer, { type: 'sync-end', fromHeight, lastHeight: Math.max(0, sent) });
  }

  /** Final blocks received for catch-up and not applied yet. */
  bufferedCommits(): number {
    let count = 0;
    for (const candidates of this.commitsAhead.values()) count += candidates.length;
    return count;
  }

  /** Transactions in those blocks (the node stops asking for more while this is high). */
  bufferedCommitTransactions(): number {
    return this.commitsAheadTxs;
  }

  private onCommitMessage(from: string | null, block: Block, certificate: CommitCertificate): void {
    const h = this.h;
    const height = certificate.height;
    if (height < h.height || (height === h.height && h.decided)) return;
    if (height > h.height) {
      // Kept until its height comes (its certificate can only be checked against that height's validators).
      if (height > h.height + this.syncWindowBlocks) return;
      let candidates = this.commitsAhead.get(height);
      if (!candidates) this.commitsAhead.set(height, (candidates = []));
      if (candidates.length >= MAX_COMMIT_CANDIDATES || candidates.some((c) => c.from === from)) return;
      candidates.push({ from, block, certificate, verified: null });
      this.commitsAheadTxs += block.transactions.length;
      if (height <= h.height + PREVERIFY_AHEAD_BLOCKS) this.preverifyAhead();
      return;
    }
    this.applyCandidates(h, [{ from, block, certificate, verified: null }]);
  }

  /**
   * Starts verifying the transaction signatures of the next buffered final blocks, in height order, so the
   * worker threads are busy while the main thread checks and writes the current block. Only signatures:
   * everything that depends on the state (and the certificate, which depends on the validator set of the
   * height) is checked when the block's height comes.
   */
  private preverifyAhead(): void {
    let txs = 0;
    for (let height = this.h.height + 1; height <= this.h.height + PREVERIFY_AHEAD_BLOCKS; height++) {
      const first = this.commitsAhead.get(height)?.[0];
      if (!first) continue;
      txs += first.block.transactions.length;
      if (first.verified) continue;
      if (txs > PREVERIFY_AHEAD_TXS && height > this.h.height + 1) break;
      const verified = this.deps.verifier.verifyTransactions(first.block.transactions, this.options.genesis.chainId);
      // Handled here too: a candidate may be dropped before anyone awaits it.
      verified.catch(() => undefined);
      first.verified = verified;
    }
  }

  /** Checks the candidates for this height in turn and commits the first valid one; names every invalid sender. */
  private applyCandidates(h: HeightState, candidates: CommitCandidate[], retried = false): void {
    const next = candidates[0];
    if (!next || this.h !== h || h.decided) return;
    const hash = hashOfBlock(next.block.header);
    try {
      checkCommitCertificate(next.certificate, this.options.genesis.chainId, hash, h.set.keys, h.set.quorum, this.deps.keys);
    } catch (error) {
      if (!(error instanceof CivichainError)) throw error;
      this.fault(next.from, h.height, error);
      return this.applyCandidates(h, candidates.slice(1));
    }
    void this.validate(next.block, hash, false, retried ? null : next.verified).then((validated) => {
      // Stopped meanwhile: the block is not the peer's fault, and the store may be closed.
      if (!this.running || this.h !== h || h.decided) return;
      if (validated) return this.commit(validated, next.certificate);
      const failure = this.failures.get(next.block) ?? h.invalid.get(hash);
      // Another copy of the block was being checked and failed on its own body: check this one itself.
      if (!failure && !retried) return this.applyCandidates(h, candidates, true);
      this.fault(next.from, h.height, failure ?? new CivichainError('BLOCK_INVALID', 'The final block could not be checked.'));
      this.applyCandidates(h, candidates.slice(1));
    });
  }

  /** A peer sent an invalid final block: drop everything else it sent ahead, and report it. */
  private fault(from: string | null, height: number, error: CivichainError): void {
    if (from === null) return;
    for (const [bufferedHeight, candidates] of this.commitsAhead) {
      const kept = candidates.filter((c) => c.from !== from);
      for (const dropped of candidates) if (dropped.from === from) this.commitsAheadTxs -= dropped.block.transactions.length;
      if (kept.length === 0) this.commitsAhead.delete(bufferedHeight);
      else this.commitsAhead.set(bufferedHeight, kept);
    }
    this.deps.onWarning?.('a peer sent an invalid final block', { peer: from.slice(0, 12), height, code: error.code, reason: error.message });
    this.deps.onPeerFault?.(from, height, error);
  }
}

function heightOf(message: ConsensusMessage): number | null {
  switch (message.type) {
    case 'commit':
      return message.certificate.height;
    case 'sync-request':
    case 'sync-end':
    case 'tx':
      return null;
    default:
      return message.height;
  }
}
