/**
 * "After any subset of validators restarts (or all of them), final blocks resume without manual steps within
 * 2 round timeouts of a quorum being back." Four validators (each also a proposer) on the simulated network
 * with ordinary delays; a subset crashes, stays down while transactions keep arriving, and restarts from its
 * stores. Time is measured from the moment a quorum is running again to the next final block everywhere.
 */
import { describe, expect, it } from 'vitest';
import { signTransaction } from '../../../core/ledger/transaction';
import { SimNet } from './simNet';
import { simulationGenesis, validatorKey } from './simulation';

const genesis = simulationGenesis(4);
const ROUND_TIMEOUT_MS = genesis.roundTimeoutMs;
const client = validatorKey(100);

async function scenario(crashed: readonly number[], downMs: number, seed: number): Promise<number> {
  const net = new SimNet(genesis, seed);
  net.startAll();
  let n = 0;
  const submit = () => {
    const tx = signTransaction({ type: 'note', chainId: genesis.chainId, signer: client.publicKey, nonce: `r${n++}`, payload: { text: 'x' } }, client.privateKey);
    const live = net.nodes.filter((node) => node.engine);
    const target = live[Math.floor(net.random() * live.length)];
    if (target) net.submit(target, tx);
  };

  // A healthy chain first.
  for (let t = 0; t < 3_000; t += 300) net.clock.setTimer(t, submit);
  await net.run(3_000);
  expect(Math.min(...net.heights())).toBeGreaterThan(0);

  // The subset goes down; transactions keep arriving at the others.
  for (const i of crashed) net.stop(net.nodes[i]!);
  for (let t = 3_000; t < 3_000 + downMs; t += 500) net.clock.setTimer(t, submit);
  await net.run(3_000 + downMs);

  // Back up, one after another; the quorum is back when the last one needed has started.
  const needed = Math.max(0, genesis.quorum - (net.nodes.length - crashed.length));
  let quorumBackAt = net.clock.now();
  for (const [k, i] of crashed.entries()) {
    await net.run(net.clock.now() + 100);
    net.start(net.nodes[i]!);
    if (k + 1 === needed) quorumBackAt = net.clock.now();
  }
  net.clock.setTimer(0, submit);
  const target = Math.max(...net.heights()) + 1;
  const deadline = quorumBackAt + 10 * ROUND_TIMEOUT_MS;
  while (net.clock.now() < deadline && !net.heights().every((h) => h >= target)) await net.run(net.clock.now() + 10);
  expect(net.heights().every((h) => h >= target), 'every node finalised a new block').toBe(true);
  return net.clock.now() - quorumBackAt;
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
        expect(await scenario(crashed, 8_000, seed), `seed ${seed}`).toBeLessThanOrEqual(2 * ROUND_TIMEOUT_MS);
      }
    });
  }
});
