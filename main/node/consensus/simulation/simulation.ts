/**
 * Deterministic simulation of a validator network in one process (DESIGN.md §4 "Safety is tested by
 * simulation"). Validators run the real ConsensusEngine with real Ed25519 signatures on an injected clock
 * and a simulated network that delays, drops, duplicates, reorders and partitions messages, and crashes
 * and restarts nodes. Given a seed, a run is fully reproducible.
 */
import { createHash } from 'node:crypto';
import { PublicKeyCache } from '../../../core/crypto/ed25519';
import { GENESIS_FORMAT, createGenesisFromJSON, defaultQuorum, genesisHash, type Genesis } from '../../../core/genesis';
import type { Block } from '../../../core/ledger/block';
import type { ConsensusMessage } from '../../../core/ledger/consensusMessages';
import { checkTransactionEnvelope, signTransaction, transactionHash, type Transaction } from '../../../core/ledger/transaction';
import { checkCommitCertificate, type CommitCertificate } from '../../../core/ledger/votes';
import { createDefaultRegistry } from '../../../core/rules/index';
import { currentValidatorSet } from '../../../core/rules/validatorSet';
import { CivichainError } from '../../../core/errors';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../../keystore/keystore';
import { ConsensusEngine } from '../engine';
import { MemoryConsensusStore } from '../memoryStore';
import type { Clock, LocalKey, Mempool } from '../types';

/** mulberry32: a small, fast, seedable PRNG. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Virtual time: timers run in (time, insertion) order when stepped. */
export class SimClock implements Clock {
  constructor(private time = 0) {}
  private seq = 0;
  private readonly queue: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const entry = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    // Insert keeping (at, seq) order; the queue stays small.
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]!.at > entry.at || (this.queue[i - 1]!.at === entry.at && this.queue[i - 1]!.seq > entry.seq))) i--;
    this.queue.splice(i, 0, entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Runs the next event; false when none is due before `until`. */
  step(until: number): boolean {
    while (this.queue.length > 0 && this.queue[0]!.cancelled) this.queue.shift();
    const next = this.queue[0];
    if (!next || next.at > until) {
      this.time = Math.max(this.time, until);
      return false;
    }
    this.queue.shift();
    this.time = next.at;
    next.fn();
    return true;
  }
}

export class SimMempool implements Mempool {
  private readonly txs = new Map<string, Transaction>();
  constructor(
    private readonly isFinal: (hash: string) => boolean,
    private readonly chainId: string,
    private readonly keys: PublicKeyCache,
    private readonly onAdded: () => void,
  ) {}
  pending(max: number): readonly Transaction[] {
    return [...this.txs.values()].slice(0, max);
  }
  size(): number {
    return this.txs.size;
  }
  get(hash: string): Transaction | null {
    return this.txs.get(hash) ?? null;
  }
  remove(hashes: readonly string[]): void {
    for (const hash of hashes) this.txs.delete(hash);
  }
  included(hashes: readonly string[]): void {
    this.remove(hashes);
  }
  addFromPeer(tx: Transaction): void {
    this.add(tx);
  }
  add(tx: Transaction): boolean {
    const hash = checkTransactionEnvelope(tx, this.chainId, this.keys);
    if (this.txs.has(hash) || this.isFinal(hash)) return false;
    this.txs.set(hash, tx);
    this.onAdded();
    return true;
  }
}

export interface SimulationOptions {
  readonly seed: number;
  /** Virtual ms of faults before the network heals. */
  readonly faultyMs?: number;
  /** Virtual ms after healing within which every node must finalise a new block. */
  readonly healDeadlineMs?: number;
}

export interface SimulationResult {
  readonly seed: number;
  readonly validators: number;
  readonly finalHeights: readonly number[];
  readonly messages: number;
  readonly crashes: number;
  readonly partitions: number;
  readonly roundChanges: number;
  /** The first violated property, or null. */
  readonly failure: string | null;
}

interface SimNode {
  readonly id: string;
  readonly key: LocalKey;
  readonly store: MemoryConsensusStore;
  mempool: SimMempool;
  engine: ConsensusEngine | null;
}

const keyCacheForSeeds = new Map<number, LocalKey>();
export function validatorKey(index: number): LocalKey {
  let key = keyCacheForSeeds.get(index);
  if (!key) {
    const privateKey = ed25519PrivateKeyFromSeed(createHash('sha256').update(`civichain-sim/${index}`).digest());
    key = { publicKey: ed25519PublicKeyHex(privateKey), privateKey };
    keyCacheForSeeds.set(index, key);
  }
  return key;
}

export function simulationGenesis(count: number): Genesis {
  const members = Array.from({ length: count }, (_, i) => ({ name: `V${i}`, publicKey: validatorKey(i).publicKey }));
  return createGenesisFromJSON({
    format: GENESIS_FORMAT,
    networkName: 'Simulation',
    chainId: 'civichain-sim',
    genesisTimeMs: 0,
    demo: false,
    authorities: [members[0]],
    validators: members,
    quorum: defaultQuorum(count),
    proposers: members,
    powDifficultyBits: 0,
    roundTimeoutMs: 1_000,
  });
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const rng = createRng(options.seed);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const count = int(4, 7);
  const genesis = simulationGenesis(count);
  const hashOfGenesis = genesisHash(genesis);
  const registry = createDefaultRegistry();
  const keys = new PublicKeyCache();
  const clock = new SimClock();
  const faultyMs = options.faultyMs ?? 20_000;
  const healDeadlineMs = options.healDeadlineMs ?? 30_000;
  const quorum = genesis.quorum;

  const finalByHeight = new Map<number, string>();
  let failure: string | null = null;
  let messages = 0;
  let crashes = 0;
  let partitions = 0;
  let roundChanges = 0;
  const fail = (why: string) => {
    failure ??= `t=${clock.now()}ms: ${why}`;
  };

  // Network conditions, changed by the fault schedule.
  let healed = false;
  let dropRate = 0.1;
  let duplicateRate = 0.05;
  let maxDelayMs = 300;
  /** Group index per node while partitioned; messages cross only within a group. */
  let groups: number[] | null = null;

  const nodes: SimNode[] = [];
  const deliver = (from: SimNode, to: SimNode, message: ConsensusMessage) => {
    if (from === to) return;
    if (groups && groups[nodes.indexOf(from)] !== groups[nodes.indexOf(to)]) return;
    if (!healed && rng() < dropRate) return;
    const copies = !healed && rng() < duplicateRate ? 2 : 1;
    // Messages cross the wire as JSON: the receiver parses untrusted input.
    const wire = JSON.stringify(message);
    for (let c = 0; c < copies; c++) {
      messages++;
      clock.setTimer(int(1, maxDelayMs), () => {
        if (!to.engine) return;
        try {
          to.engine.receive(from.id, JSON.parse(wire));
        } catch (error) {
          if (!(error instanceof CivichainError)) throw error;
          fail(`node ${to.id} refused a message from honest node ${from.id}: ${error.code} ${error.message}`);
        }
      });
    }
  };

  const startEngine = (node: SimNode) => {
    node.engine = new ConsensusEngine(
      { genesis, keys: [node.key], approvalMode: 'auto', batchWindowMs: 20, maxClockDriftMs: 60_000 },
      {
        clock,
        store: node.store,
        mempool: node.mempool,
        verifier: {
          verifyTransactions: async (txs, chainId) =>
            txs.map((tx) => {
              try {
                return checkTransactionEnvelope(tx, chainId, keys);
              } catch {
                return null;
              }
            }),
        },
        pow: { solve: async (header) => header },
        network: {
          broadcast: (message) => {
            for (const other of nodes) deliver(node, other, message);
          },
          send: (peer, message) => {
            const other = nodes.find((n) => n.id === peer);
            if (other) deliver(node, other, message);
          },
        },
        registry,
        keys,
        onEvent: (event) => {
          if (event.kind === 'round.change') roundChanges++;
          if (event.kind === 'evidence') fail(`honest validator ${event.evidence.validator.slice(0, 8)} produced double-sign evidence`);
          if (event.kind === 'block.final') {
            const committed = node.store.committed(event.height);
            if (!committed) return fail(`node ${node.id} reported block ${event.height} final but did not store it`);
            checkFinal(node, event.height, event.blockHash, committed.block, committed.certificate);
          }
        },
      },
    );
    node.engine.start();
  };

  const checkFinal = (node: SimNode, height: number, hash: string, _block: Block, certificate: CommitCertificate) => {
    const existing = finalByHeight.get(height);
    if (existing && existing !== hash) fail(`two different final blocks at height ${height}: ${existing.slice(0, 12)} and ${hash.slice(0, 12)} (node ${node.id})`);
    finalByHeight.set(height, hash);
    try {
      // The certificate must be valid for the validator set in force at that height.
      const set = currentValidatorSet(node.store.state(), genesis);
      checkCommitCertificate(certificate, genesis.chainId, hash, new Set(set.validators.map((v) => v.publicKey)), quorum, keys);
    } catch (error) {
      fail(`final block ${height} on node ${node.id} has an invalid certificate: ${(error as Error).message}`);
    }
  };

  for (let i = 0; i < count; i++) {
    const store = new MemoryConsensusStore(genesis, hashOfGenesis);
    const node: SimNode = { id: `n${i}`, key: validatorKey(i), store, mempool: null as unknown as SimMempool, engine: null };
    node.mempool = new SimMempool((hash) => store.state().hasTransaction(hash), genesis.chainId, keys, () => node.engine?.onTransactionsAvailable());
    nodes.push(node);
  }
  for (const node of nodes) startEngine(node);

  // A client submits signed notes to random nodes, which gossip them.
  const client = validatorKey(100);
  let txCounter = 0;
  const submit = () => {
    const node = nodes[int(0, count - 1)]!;
    if (!node.engine) return;
    const tx = signTransaction(
      { type: 'note', chainId: genesis.chainId, signer: client.publicKey, nonce: `s${options.seed}-${txCounter++}`, payload: { text: 'hello' } },
      client.privateKey,
    );
    if (node.mempool.add(tx)) {
      for (const other of nodes) deliver(node, other, { type: 'tx', tx });
    }
  };

  // The fault schedule, drawn from the seed.
  for (let t = 0; t < faultyMs; t += int(200, 1500)) clock.setTimer(t, submit);
  for (let t = int(0, 3000); t < faultyMs; t += int(2000, 6000)) {
    const at = t;
    clock.setTimer(at, () => {
      const roll = rng();
      if (roll < 0.35) {
        // Partition into two groups (a random split, sometimes a minority of one).
        partitions++;
        groups = nodes.map(() => int(0, 1));
        clock.setTimer(int(500, 4000), () => {
          if (!healed) groups = null;
        });
      } else if (roll < 0.7) {
        // Crash a node, and restart it later from its store.
        const victim = nodes[int(0, count - 1)]!;
        if (!victim.engine) return;
        crashes++;
        victim.engine.stop();
        victim.engine = null;
        clock.setTimer(int(300, 5000), () => {
          if (!victim.engine) startEngine(victim);
        });
      } else if (roll < 0.85) {
        maxDelayMs = int(50, 2500);
      } else {
        dropRate = rng() * 0.4;
        duplicateRate = rng() * 0.2;
      }
    });
  }

  const runUntil = async (until: number) => {
    while (clock.step(until)) {
      // Let the engine's promise chains (verification, proof-of-work) settle before the next event.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (failure) return;
    }
  };

  await runUntil(faultyMs);

  // Heal: no partitions, no drops, bounded delays, every node running. Then new work must become final.
  healed = true;
  groups = null;
  maxDelayMs = 100;
  for (const node of nodes) if (!node.engine) startEngine(node);
  const healedAt = clock.now();
  const heightsAtHeal = nodes.map((n) => n.store.head().height);
  for (let i = 0; i < 3; i++) clock.setTimer(i * 100, submit);
  const deadline = healedAt + healDeadlineMs;
  while (!failure && clock.now() < deadline) {
    await runUntil(Math.min(deadline, clock.now() + 500));
    const target = Math.max(...heightsAtHeal) + 1;
    if (nodes.every((n) => n.store.head().height >= target)) break;
  }
  const finalHeights = nodes.map((n) => n.store.head().height);
  if (!failure && !nodes.every((n) => n.store.head().height > Math.max(...heightsAtHeal))) {
    fail(`no new final block on every node within ${healDeadlineMs} ms of healing (heights at heal ${heightsAtHeal.join(',')}, now ${finalHeights.join(',')})`);
  }
  // Every node's chain is a prefix of one chain.
  for (const node of nodes) {
    node.store.committedHashes().forEach((hash, i) => {
      if (finalByHeight.get(i + 1) !== hash) fail(`node ${node.id} holds ${hash.slice(0, 12)} at height ${i + 1}, others ${finalByHeight.get(i + 1)?.slice(0, 12)}`);
    });
    node.engine?.stop();
  }
  void transactionHash;
  return { seed: options.seed, validators: count, finalHeights, messages, crashes, partitions, roundChanges, failure };
}
