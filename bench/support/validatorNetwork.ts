/**
 * Four (or n) validators in ONE process, for the finality benchmark until peering lands: each a real
 * ConsensusEngine with its own SQLite store (openStore, one temp folder each) and its own TransactionPool
 * persisted in that store; a verifier shared by all (or one per engine); proof-of-work in worker threads
 * (or inline); an in-memory network that delivers every message to the other engines on a later turn of
 * the event loop (setImmediate) as a JSON-parsed copy, as the wire would. The clock is the real one.
 *
 * Wired like main/node/consensus/simulation/simulation.ts, with the node's real components instead of
 * the simulation's in-memory ones.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PublicKeyCache } from '../../main/core/crypto/ed25519';
import { CivichainError } from '../../main/core/errors';
import { GENESIS_FORMAT, createGenesisFromJSON, defaultQuorum, genesisHash as hashOfGenesis, type Genesis } from '../../main/core/genesis';
import type { Block } from '../../main/core/ledger/block';
import type { ConsensusMessage } from '../../main/core/ledger/consensusMessages';
import type { Transaction } from '../../main/core/ledger/transaction';
import type { CommitCertificate } from '../../main/core/ledger/votes';
import { createDefaultRegistry } from '../../main/core/rules/index';
import type { StateChanges } from '../../main/core/stateTransition';
import { ConsensusEngine } from '../../main/node/consensus/engine';
import type { Clock, ConsensusEvent, ConsensusStore, LocalKey, ProofOfWork, Verifier } from '../../main/node/consensus/types';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../../main/node/keystore/keystore';
import { TransactionPool } from '../../main/node/mempool/mempool';
import { openStore, type Store } from '../../main/node/store/database';
import { createInlineProofOfWork, createProofOfWork, POW_WORKER_SCRIPT } from '../../main/node/workers/proofOfWork';
import { builtWorkerForTests } from '../../main/node/workers/testSupport';
import { createInlineVerifier, createVerifyPool, VERIFY_WORKER_SCRIPT } from '../../main/node/workers/verifyPool';

export const BENCH_CHAIN_ID = 'civichain-bench';
/** The demo network's proof-of-work difficulty and round timeout (main/node/workspace/demo.ts). */
export const DEMO_POW_BITS = 8;
export const DEMO_ROUND_TIMEOUT_MS = 3_000;

export type VerifierChoice = 'shared-pool' | 'pool-per-engine' | 'inline';
export type PowChoice = 'worker' | 'inline';

export interface ValidatorNetworkOptions {
  readonly folder: string;
  readonly validators: number;
  readonly powDifficultyBits: number;
  readonly roundTimeoutMs: number;
  readonly verifier: VerifierChoice;
  readonly pow: PowChoice;
  /** EngineOptions.maxBlockTxs; the engine's default when absent. */
  readonly maxBlockTxs?: number;
}

/** What the harness saw, for the summary. */
export interface NetworkCounters {
  /** Messages delivered (one per receiving engine). */
  messages: number;
  /** Messages an engine refused (CivichainError from receive): honest engines should refuse none. */
  refused: number;
  readonly refusedCodes: Map<string, number>;
  roundChanges: number;
  evidence: number;
  readonly warnings: Map<string, number>;
}

export interface BenchValidator {
  readonly id: string;
  readonly key: LocalKey;
  readonly store: Store;
  readonly pool: TransactionPool;
  readonly engine: ConsensusEngine;
  /** Submission times (performance.now) of transactions submitted here, by hash, until they are final here. */
  readonly submittedAt: Map<string, number>;
}

export interface CommitRecord {
  readonly validator: number;
  readonly height: number;
  readonly round: number;
  readonly txCount: number;
  /** performance.now() when commitBlock returned: the block is final on that engine. */
  readonly atMs: number;
}

/** A transaction final on the engine it was submitted to. */
export interface FinalTransaction {
  /** performance.now() at submission. */
  readonly submittedAtMs: number;
  readonly latencyMs: number;
}

export interface ValidatorNetwork {
  readonly genesis: Genesis;
  readonly validators: readonly BenchValidator[];
  readonly counters: NetworkCounters;
  /** Describes the wiring, for the summary. */
  readonly description: readonly string[];
  /** Called for each block final on any engine (after it is stored), with the transactions of it that were submitted there. */
  onCommit: ((record: CommitRecord, finals: readonly FinalTransaction[]) => void) | null;
  /** Called for every consensus event of every engine, with performance.now(). */
  onEngineEvent: ((validator: number, event: ConsensusEvent, atMs: number) => void) | null;
  /**
   * Submits to validator `index`'s mempool; once accepted, gossips it to the others as `{type:'tx', tx}`.
   * Resolves with whether it was accepted (new), rejects with the mempool's error.
   */
  submit(index: number, tx: Transaction, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

function validatorKey(index: number): LocalKey {
  const privateKey = ed25519PrivateKeyFromSeed(createHash('sha256').update(`civichain-bench/validator-${index}`).digest());
  return { publicKey: ed25519PublicKeyHex(privateKey), privateKey };
}

/** A genesis where every validator also proposes (proposers rotate by height + round). */
export function benchGenesis(keys: readonly LocalKey[], powDifficultyBits: number, roundTimeoutMs: number): Genesis {
  const members = keys.map((key, i) => ({ name: `Validator ${i + 1}`, publicKey: key.publicKey }));
  const authority = validatorKey(1_000);
  return createGenesisFromJSON({
    format: GENESIS_FORMAT,
    networkName: 'Civichain benchmark',
    chainId: BENCH_CHAIN_ID,
    genesisTimeMs: Date.UTC(2026, 0, 1),
    demo: false,
    authorities: [{ name: 'Benchmark authority', publicKey: authority.publicKey }],
    validators: members,
    quorum: defaultQuorum(members.length),
    proposers: members,
    powDifficultyBits,
    roundTimeoutMs,
  });
}

/** A ConsensusStore that tells `onCommitted` when a block has been stored. Everything else is the store's. */
function observedStore(store: Store, onCommitted: (block: Block, changes: StateChanges) => void): ConsensusStore {
  return {
    head: () => store.head(),
    state: () => store.state(),
    commitBlock(block: Block, blockHash: string, certificate: CommitCertificate, changes: StateChanges) {
      store.commitBlock(block, blockHash, certificate, changes);
      onCommitted(block, changes);
    },
    committed: (height) => store.committed(height),
    recordOwnVote: (validator, height, round, kind, blockHash) => store.recordOwnVote(validator, height, round, kind, blockHash),
    recordOwnVotes: (validators, height, round, kind, blockHash) => store.recordOwnVotes(validators, height, round, kind, blockHash),
    lastOwnRound: (height) => store.lastOwnRound(height),
    savePrepared: (height, prepared) => store.savePrepared(height, prepared),
    loadPrepared: (height) => store.loadPrepared(height),
    recordEvidence: (evidence) => store.recordEvidence(evidence),
    recordRejection: (rejection) => store.recordRejection(rejection),
  };
}

const realClock: Clock = {
  now: Date.now,
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

type Closable = { close(): Promise<void> | void };

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function startValidatorNetwork(options: ValidatorNetworkOptions): ValidatorNetwork {
  const keys = Array.from({ length: options.validators }, (_, i) => validatorKey(i));
  const genesis = benchGenesis(keys, options.powDifficultyBits, options.roundTimeoutMs);
  const genesisHash = hashOfGenesis(genesis);
  const registry = createDefaultRegistry();
  const closers: (() => Promise<void> | void)[] = [];
  const counters: NetworkCounters = { messages: 0, refused: 0, refusedCodes: new Map(), roundChanges: 0, evidence: 0, warnings: new Map() };

  const makeVerifier = (): Verifier & Closable => {
    if (options.verifier === 'inline') return { ...createInlineVerifier(), close: () => undefined };
    return createVerifyPool({ workerScript: builtWorkerForTests(VERIFY_WORKER_SCRIPT) });
  };
  const shared = options.verifier === 'pool-per-engine' ? null : makeVerifier();
  if (shared) closers.push(() => shared.close());
  const makePow = (): ProofOfWork & Closable =>
    options.pow === 'inline' ? createInlineProofOfWork() : createProofOfWork({ workerScript: builtWorkerForTests(POW_WORKER_SCRIPT) });

  const validators: BenchValidator[] = [];
  const network: ValidatorNetwork = {
    genesis,
    validators,
    counters,
    onCommit: null,
    onEngineEvent: null,
    description: [
      `${options.validators} validators in ONE process (bench/finalityNetwork.ts: 4 processes on loopback): real ConsensusEngine, own SQLite store and own TransactionPool each, auto-approve.`,
      `Every validator also proposes (rotation by height + round); quorum ${genesis.quorum} of ${options.validators}.`,
      `Proof-of-work: ${options.powDifficultyBits} bits (${options.powDifficultyBits === DEMO_POW_BITS ? "the demo's difficulty" : 'not the demo’s 8'}), solved ${options.pow === 'worker' ? 'in a worker thread per engine' : 'inline on the main thread'}.`,
      `Signature verification: ${
        options.verifier === 'shared-pool'
          ? `one worker pool shared by all engines (${availableParallelism()} threads, verified-signature memo on)`
          : options.verifier === 'pool-per-engine'
            ? `one worker pool per engine (${availableParallelism()} threads each, memo on), as separate processes would have`
            : 'createInlineVerifier on the main thread (memo on)'
      }.`,
      `Largest block: ${options.maxBlockTxs === undefined ? 'the engine default (5,000 transactions)' : `${options.maxBlockTxs} transactions`}.`,
      `Network: in-memory, each message JSON-stringified once and JSON-parsed per receiver on a later turn (setImmediate); round timeout ${options.roundTimeoutMs} ms.`,
    ],
    async submit(index, tx, hash) {
      const validator = validators[index];
      if (!validator) throw new RangeError(`There is no validator ${index}.`);
      validator.submittedAt.set(hash, performance.now());
      const outcome = await validator.pool.submit(tx);
      if (outcome.duplicate) return false;
      broadcastFrom(index, { type: 'tx', tx });
      return true;
    },
    async close() {
      for (const validator of validators) validator.engine.stop();
      for (const close of closers.splice(0).reverse()) await close();
    },
  };

  const deliver = (from: number, to: number, wire: string) => {
    setImmediate(() => {
      const target = validators[to];
      if (!target) return;
      counters.messages++;
      try {
        target.engine.receive(validators[from]?.id ?? null, JSON.parse(wire));
      } catch (error) {
        if (!(error instanceof CivichainError)) throw error;
        counters.refused++;
        bump(counters.refusedCodes, error.code);
      }
    });
  };
  const broadcastFrom = (from: number, message: ConsensusMessage) => {
    const wire = JSON.stringify(message);
    for (let to = 0; to < validators.length; to++) if (to !== from) deliver(from, to, wire);
  };

  keys.forEach((key, index) => {
    const folder = join(options.folder, `validator-${index + 1}`);
    mkdirSync(folder, { recursive: true });
    const store = openStore({ path: join(folder, 'chain.sqlite'), genesis, genesisHash });
    closers.push(() => store.close());
    const verifier = shared ?? makeVerifier();
    if (!shared) closers.push(() => verifier.close());
    const pow = makePow();
    closers.push(() => pow.close());
    const submittedAt = new Map<string, number>();
    let engine: ConsensusEngine | null = null;
    const pool = new TransactionPool(
      { genesis },
      {
        repository: store.mempool,
        verifier,
        registry,
        state: () => store.state(),
        height: () => store.head().height,
        now: Date.now,
        onChange: () => engine?.onTransactionsAvailable(),
      },
    );
    const onCommitted = (block: Block, changes: StateChanges) => {
      const atMs = performance.now();
      const finals: FinalTransaction[] = [];
      for (const hash of changes.txHashes) {
        const submittedAtMs = submittedAt.get(hash);
        if (submittedAtMs === undefined) continue;
        finals.push({ submittedAtMs, latencyMs: atMs - submittedAtMs });
        submittedAt.delete(hash);
      }
      const { height, round, txCount } = block.header;
      network.onCommit?.({ validator: index, height, round, txCount, atMs }, finals);
    };
    engine = new ConsensusEngine(
      { genesis, keys: [key], approvalMode: 'auto', maxBlockTxs: options.maxBlockTxs },
      {
        clock: realClock,
        store: observedStore(store, onCommitted),
        mempool: pool,
        verifier,
        pow,
        network: {
          broadcast: (message) => broadcastFrom(index, message),
          send: (peer, message) => {
            const to = validators.findIndex((v) => v.id === peer);
            if (to >= 0 && to !== index) deliver(index, to, JSON.stringify(message));
          },
        },
        registry,
        keys: new PublicKeyCache(),
        onEvent: (event: ConsensusEvent) => {
          network.onEngineEvent?.(index, event, performance.now());
          if (event.kind === 'round.change' && index === 0) counters.roundChanges++;
          if (event.kind === 'evidence') counters.evidence++;
        },
        onWarning: (message, fields) => bump(counters.warnings, typeof fields.code === 'string' ? `${message} (${fields.code})` : message),
      },
    );
    validators.push({ id: `validator-${index + 1}`, key, store, pool, engine, submittedAt });
  });
  for (const validator of validators) validator.engine.start();
  return network;
}
