/**
 * A small simulated network of validator engines on a virtual clock, for scenario tests (restarts,
 * duplicate submissions). Messages cross as JSON with a random delay; nodes can be stopped and restarted
 * from their stores. The randomised safety campaign lives in ./simulation.ts.
 */
import { PublicKeyCache } from '../../../core/crypto/ed25519';
import { genesisHash, type Genesis } from '../../../core/genesis';
import type { ConsensusMessage } from '../../../core/ledger/consensusMessages';
import { checkTransactionEnvelope, type Transaction } from '../../../core/ledger/transaction';
import { createDefaultRegistry } from '../../../core/rules/index';
import { ConsensusEngine } from '../engine';
import { MemoryConsensusStore } from '../memoryStore';
import { createRng, SimClock, SimMempool, validatorKey } from './simulation';

export interface SimNetNode {
  readonly id: string;
  readonly index: number;
  readonly store: MemoryConsensusStore;
  mempool: SimMempool;
  engine: ConsensusEngine | null;
}

export class SimNet {
  readonly clock = new SimClock(0);
  readonly nodes: SimNetNode[] = [];
  private readonly rng: () => number;
  private readonly keys = new PublicKeyCache();
  private readonly registry = createDefaultRegistry();

  constructor(
    private readonly genesis: Genesis,
    seed: number,
    private readonly maxDelayMs = 50,
  ) {
    this.rng = createRng(seed);
    for (let i = 0; i < genesis.validators.length; i++) {
      const store = new MemoryConsensusStore(genesis, genesisHash(genesis));
      const node: SimNetNode = { id: `n${i}`, index: i, store, mempool: null as unknown as SimMempool, engine: null };
      node.mempool = new SimMempool((h) => store.state().hasTransaction(h), genesis.chainId, this.keys, () => node.engine?.onTransactionsAvailable());
      this.nodes.push(node);
    }
  }

  random(): number {
    return this.rng();
  }

  private deliver(from: SimNetNode, to: SimNetNode, message: ConsensusMessage): void {
    if (from === to) return;
    const wire = JSON.stringify(message);
    this.clock.setTimer(5 + Math.floor(this.rng() * (this.maxDelayMs - 5)), () => to.engine?.receive(from.id, JSON.parse(wire)));
  }

  start(node: SimNetNode): void {
    const keys = this.keys;
    node.engine = new ConsensusEngine(
      { genesis: this.genesis, keys: [validatorKey(node.index)], approvalMode: 'auto', batchWindowMs: 20 },
      {
        clock: this.clock,
        store: node.store,
        mempool: node.mempool,
        verifier: { verifyTransactions: async (txs, chainId) => txs.map((tx) => checkTransactionEnvelope(tx, chainId, keys)) },
        pow: { solve: async (header) => header },
        network: {
          broadcast: (m) => this.nodes.forEach((other) => this.deliver(node, other, m)),
          send: (peer, m) => {
            const other = this.nodes.find((n) => n.id === peer);
            if (other) this.deliver(node, other, m);
          },
        },
        registry: this.registry,
        keys,
        onEvent: () => undefined,
      },
    );
    node.engine.start();
  }

  startAll(): void {
    this.nodes.forEach((node) => this.start(node));
  }

  stop(node: SimNetNode): void {
    node.engine?.stop();
    node.engine = null;
  }

  /** A client hands `tx` to `node`, which keeps it and gossips it to the others. */
  submit(node: SimNetNode, tx: Transaction): void {
    if (node.engine && node.mempool.add(tx)) this.nodes.forEach((other) => this.deliver(node, other, { type: 'tx', tx }));
  }

  async run(until: number): Promise<void> {
    while (this.clock.step(until)) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  heights(): number[] {
    return this.nodes.map((node) => node.store.head().height);
  }
}
