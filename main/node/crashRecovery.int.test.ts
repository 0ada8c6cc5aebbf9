/**
 * Nothing acknowledged is lost: a node under a load of signed transactions is killed with SIGKILL at random
 * moments, 20 times. After every restart each acknowledged transaction is still known (pending or final),
 * each block reported final is still final at its height, the store passes its start-up checks (or the node
 * would refuse to start), and the node carries on until everything acknowledged is final.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signTransaction } from '../core/ledger/transaction';
import { testKey } from '../core/ledger/testFixtures';
import type { TestApiClient } from '../../test/support/apiClient';
import { startNodeProcess, type CliProcess } from '../../test/support/cli';
import { makeTempDir } from '../../test/support/tempDir';
import { createRng } from './consensus/simulation/simulation';

const KILLS = 20;
const SUBMITTERS = 8;
const SEED = Number(process.env['CRASH_SEED'] ?? 20261122);
const signer = testKey('crash-test-signer');
const temp = makeTempDir();

afterAll(() => temp.remove());

async function start(): Promise<{ proc: CliProcess; api: TestApiClient }> {
  const { proc, api } = await startNodeProcess(['--data', temp.path, '--api-port', '0', '--p2p-port', '0', '--demo']);
  return { proc, api };
}

describe(`SIGKILL during load (seed ${SEED})`, () => {
  it(`loses no acknowledged transaction and no final block over ${KILLS} kills`, async () => {
    const rng = createRng(SEED);
    const acknowledged = new Set<string>();
    const finalBlocks = new Map<number, string>();
    let nonce = 0;

    const checkNothingLost = async (api: TestApiClient, round: number) => {
      const lost: string[] = [];
      for (const hash of acknowledged) {
        const { status } = await api.call<{ status: unknown }>('tx.get', { hash });
        if (status === null) lost.push(hash);
      }
      expect(lost, `acknowledged transactions lost after kill ${round}`).toEqual([]);
      for (const [height, hash] of finalBlocks) {
        const block = await api.call<{ hash: string }>('chain.block', { height });
        expect(block.hash, `final block ${height} after kill ${round}`).toBe(hash);
      }
    };

    for (let kill = 1; kill <= KILLS; kill++) {
      const { proc, api } = await start();
      await checkNothingLost(api, kill - 1);

      const killAfterAcks = 20 + Math.floor(rng() * 300);
      let acksThisRun = 0;
      let stopped = false;
      const killed = new Promise<void>((resolve) => {
        const submitter = async () => {
          while (!stopped) {
            const tx = signTransaction({ type: 'note', chainId: 'civichain-demo-1', signer: signer.publicKey, nonce: `c${nonce++}`, payload: { text: 'load' } }, signer.privateKey);
            try {
              const { hash } = await api.call<{ hash: string }>('tx.submit', { transaction: tx });
              if (stopped) return;
              acknowledged.add(hash);
              acksThisRun++;
              // Record blocks the node has told us are final (events arrive in order on this connection).
              for (const e of api.events.splice(0)) {
                if (e.event === 'block.final') {
                  const p = e.payload as { height: number; blockHash: string };
                  finalBlocks.set(p.height, p.blockHash);
                }
              }
              if (acksThisRun >= killAfterAcks && !stopped) {
                stopped = true;
                proc.child.kill('SIGKILL');
                resolve();
              }
            } catch {
              return;
            }
          }
        };
        for (let i = 0; i < SUBMITTERS; i++) void submitter();
      });
      await killed;
      expect((await proc.exited).signal).toBe('SIGKILL');
      api.close();
    }

    // The node carries on: everything acknowledged becomes final.
    const { proc, api } = await start();
    await checkNothingLost(api, KILLS);
    await expect
      .poll(async () => (await api.call<{ mempoolSize: number }>('node.status')).mempoolSize, { timeout: 60_000 })
      .toBe(0);
    for (const hash of acknowledged) {
      const { status } = await api.call<{ status: { state: string } }>('tx.get', { hash });
      expect(status.state).toBe('final');
    }
    expect(acknowledged.size).toBeGreaterThan(KILLS * 20);
    api.close();
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  }, 300_000);
});
