/**
 * Relay between real node processes on loopback: four validators (quorum 3) and an observer connected in a
 * line, 1 — 2 — observer — 3 — 4, with peer exchange off, so that no node ever talks to a node two places
 * away, and every message between the halves passes through a node that holds no key. Proposals, prepares,
 * approvals, round changes and transactions reach the far end only because the nodes in between pass on
 * what they have validated; transactions handed to either end become final on all five.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signTransaction } from '../../core/ledger/transaction';
import { testKey } from '../../core/ledger/testFixtures';
import type { TestApiClient } from '../../../test/support/apiClient';
import { startNodeProcess, type CliProcess } from '../../../test/support/cli';
import { makeTempDir } from '../../../test/support/tempDir';
import { createTestNetwork, TEST_NETWORK_PASSPHRASE } from '../../../test/support/testNetwork';

const processes: CliProcess[] = [];
const clients: TestApiClient[] = [];
let removeNetwork = () => undefined as void;

afterAll(async () => {
  for (const client of clients) client.close();
  for (const proc of processes) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    await proc.exited;
  }
  removeNetwork();
});

interface Node {
  api: TestApiClient;
  p2pUrl: string;
}

async function start(dir: string, peers: string[], extra: string[] = []): Promise<Node> {
  const { proc, api, p2pUrl } = await startNodeProcess(
    ['--data', dir, '--api-port', '0', '--p2p-port', '0', '--no-peer-exchange', ...extra, ...peers.flatMap((p) => ['--peer', p])],
    { CIVICHAIN_NODE_PASSPHRASE: TEST_NETWORK_PASSPHRASE },
  );
  processes.push(proc);
  clients.push(api);
  return { api, p2pUrl };
}

const peerCount = async (node: Node) => (await node.api.call<{ peers: unknown[] }>('peers.list')).peers.length;
const txState = async (node: Node, hash: string) => (await node.api.call<{ status: { state: string; blockHash?: string } | null }>('tx.get', { hash })).status;
const alice = testKey('relay-alice');
let nonce = 0;
const note = () => signTransaction({ type: 'note', chainId: 'civichain-testnet', signer: alice.publicKey, nonce: `r${nonce++}`, payload: { text: 'relayed' } }, alice.privateKey);

describe('relay over a line of four validators and an observer (no peer exchange)', () => {
  it('transactions handed to either end become final on every node, though no node talks to a node two places away', async () => {
    const network = await createTestNetwork(4);
    const observerDir = makeTempDir('civichain-relay-observer-');
    removeNetwork = () => {
      network.remove();
      observerDir.remove();
    };
    // The observer shares the network's genesis and holds no key.
    copyFileSync(join(network.dirs[0]!, 'genesis.json'), join(observerDir.path, 'genesis.json'));
    const order = [network.dirs[0]!, network.dirs[1]!, observerDir.path, network.dirs[2]!, network.dirs[3]!];
    const nodes: Node[] = [];
    for (const dir of order) nodes.push(await start(dir, nodes.length > 0 ? [nodes.at(-1)!.p2pUrl] : [], dir === observerDir.path ? ['--observer'] : []));
    const line = [1, 2, 2, 2, 1];
    for (const [i, node] of nodes.entries()) await expect.poll(() => peerCount(node), { timeout: 20_000 }).toBe(line[i]);

    const submitted: string[] = [];
    for (const entry of [nodes[4]!, nodes[0]!, nodes[2]!]) {
      const { hash } = await entry.api.call<{ hash: string }>('tx.submit', { transaction: note() });
      submitted.push(hash);
    }
    for (const hash of submitted) {
      const blockHashes: string[] = [];
      for (const node of nodes) {
        await expect.poll(async () => (await txState(node, hash))?.state, { timeout: 30_000 }).toBe('final');
        blockHashes.push((await txState(node, hash))!.blockHash!);
      }
      expect(new Set(blockHashes).size, 'one block holds the transaction on every node').toBe(1);
    }
    // Still a line: nobody learned the addresses of the far nodes.
    expect(await Promise.all(nodes.map(peerCount))).toEqual(line);
    const heights = await Promise.all(nodes.map(async (n) => (await n.api.call<{ height: number }>('node.status')).height));
    const common = Math.min(...heights);
    for (let height = 1; height <= common; height++) {
      const hashes = await Promise.all(nodes.map(async (n) => (await n.api.call<{ hash: string }>('chain.block', { height })).hash));
      expect(new Set(hashes).size, `height ${height}`).toBe(1);
    }
  }, 120_000);
});
