/**
 * "After any subset of validators restarts (or all of them), final blocks resume without manual steps within
 * 2 round timeouts of a quorum being back." Four validators (each also a proposer) on the simulated network
 * with ordinary delays; a subset crashes, stays down while transactions keep arriving, and restarts from its
 * stores. Time is measured from the moment a quorum is running again to the next final block everywhere.
 */
import { describe, expect, it } from 'vitest';
import { PublicKeyCache } from '../../../core/crypto/ed25519';
import { genesisHash } from '../../../core/genesis';
import type { ConsensusMessage } from '../../../core/ledger/consensusMessages';
import { checkTransactionEnvelope, signTransaction } from '../../../core/ledger/transaction';
import { createDefaultRegistry } from '../../../core/rules/index';
import { ConsensusEngine } from '../engine';
import { MemoryConsensusStore } from '../memoryStore';
import { createRng, SimClock, SimMempool, simulationGenesis, validatorKey } from './simulation';

const VALIDATORS = 4;
const genesis = simulationGenesis(VALIDATORS);
const ROUND_TIMEOUT_MS = genesis.roundTimeoutMs;

interface Node {
  id: string;
  store: MemoryConsensusStore;
  mempool: SimMempool;
  engine: ConsensusEngine | null;
}

async function scenario(crashed: readonly number[], downMs: number, seed: number): Promise<{ resumeMs: number; heightBefore: number }> {
  const rng = createRng(seed);
  const clock = new SimClock(0);
  const keys = new PublicKeyCache();
  const registry = createDefaultRegistry();
  const nodes: Node[] = [];
  const deliver = (from: Node, to: Node, message: ConsensusMessage) => {
    if (from === to) return;
    const wire = JSON.stringify(message);
    clock.setTimer(5 + Math.floor(rng() * 45), () => to.engine?.receive(from.id, JSON.parse(wire)));
  };
  const start = (node: Node, index: number) => {
    node.engine = new ConsensusEngine(
      { genesis, keys: [validatorKey(index)], approvalMode: 'auto', batchWindowMs: 20 },
      {
        clock,
        store: node.store,
        mempool: node.mempool,
        verifier: { verifyTransactions: async (txs, chainId) => txs.map((tx) => checkTransactionEnvelope(tx, chainId, keys)) },
        pow: { solve: async (header) => header },
        network: {
          broadcast: (m) => nodes.forEach((other) => deliver(node, other, m)),
          send: (peer, m) => {
            const other = nodes.find((n) => n.id === peer);
            if (other) deliver(node, other, m);
          },
        },
        registry,
        keys,
        onEvent: () => undefined,
      },
    );
    node.engine.start();
  };
  for (let i = 0; i < VALIDATORS; i++) {
    const store = new MemoryConsensusStore(genesis, genesisHash(genesis));
    const node: Node = { id: `n${i}`, store, mempool: null as unknown as SimMempool, engine: null };
    node.mempool = new SimMempool((h) => store.state().hasTransaction(h), genesis.chainId, keys, () => node.engine?.onTransactionsAvailable());
    nodes.push(node);
  }
  nodes.forEach(start);

  const client = validatorKey(100);
  let n = 0;
  const submit = () => {
    const tx = signTransaction({ type: 'note', chainId: genesis.chainId, signer: client.publicKey, nonce: `r${n++}`, payload: { text: 'x' } }, client.privateKey);
    const live = nodes.filter((node) => node.engine);
    const target = live[Math.floor(rng() * live.length)];
    if (target && target.mempool.add(tx)) live.forEach((other) => deliver(target, other, { type: 'tx', tx }));
  };
  const run = async (until: number) => {
    while (clock.step(until)) await new Promise<void>((resolve) => setImmediate(resolve));
  };

  // A healthy chain first.
  for (let t = 0; t < 3_000; t += 300) clock.setTimer(t, submit);
  await run(3_000);
  const heightBefore = Math.min(...nodes.map((node) => node.store.head().height));
  expect(heightBefore).toBeGreaterThan(0);

  // The subset goes down; transactions keep arriving at the others.
  for (const i of crashed) {
    nodes[i]!.engine!.stop();
    nodes[i]!.engine = null;
  }
  for (let t = 3_000; t < 3_000 + downMs; t += 500) clock.setTimer(t, submit);
  await run(3_000 + downMs);

  // Back up, one after another; the quorum is back when the last one needed has started.
  const running = VALIDATORS - crashed.length;
  const needed = Math.max(0, genesis.quorum - running);
  let quorumBackAt = clock.now();
  for (const [k, i] of crashed.entries()) {
    await run(clock.now() + 100);
    start(nodes[i]!, i);
    if (k + 1 === needed) quorumBackAt = clock.now();
  }
  clock.setTimer(0, submit);
  const target = Math.max(...nodes.map((node) => node.store.head().height)) + 1;
  const deadline = quorumBackAt + 10 * ROUND_TIMEOUT_MS;
  while (clock.now() < deadline && !nodes.every((node) => node.store.head().height >= target)) await run(clock.now() + 10);
  expect(nodes.map((node) => node.store.head().height).every((h) => h >= target), 'every node finalised a new block').toBe(true);
  return { resumeMs: clock.now() - quorumBackAt, heightBefore };
}

describe('final blocks resume after validators restart', () => {
  const cases: [string, number[]][] = [
    ['one validator', [2]],
    ['two validators (the quorum is lost)', [0, 3]],
    ['three validators', [1, 2, 3]],
    ['all four validators', [0, 1, 2, 3]],
  ];
  for (const [name, crashed] of cases) {
    it(`${name}: within 2 round timeouts of a quorum being back`, async () => {
      for (const seed of [1, 2, 3]) {
        const { resumeMs } = await scenario(crashed, 8_000, seed);
        expect(resumeMs, `seed ${seed}`).toBeLessThanOrEqual(2 * ROUND_TIMEOUT_MS);
      }
    });
  }
});
