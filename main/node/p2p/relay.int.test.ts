/**
 * Relay between real node processes on loopback: four validators (quorum 3) connected in a line,
 * 1 — 2 — 3 — 4, with peer exchange off, so that no node ever talks to a node two places away. Proposals,
 * prepares, approvals, round changes and transactions reach the far end only because the nodes in the
 * middle pass on what they have validated; transactions handed to either end become final on all four.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { signTransaction } from '../../core/ledger/transaction';
import { testKey } from '../../core/ledger/testFixtures';
import type { TestApiClient } from '../../../test/support/apiClient';
import { startNodeProcess, type CliProcess } from '../../../test/support/cli';
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

async function start(dir: string, peers: string[]): Promise<Node> {
  const { proc, api, p2pUrl } = await startNodeProcess(
    ['--data', dir, '--api-port', '0', '--p2p-port', '0', '--no-peer-exchange', ...peers.flatMap((p) => ['--peer', p])],
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

describe('relay over a line of four validators (no peer exchange)', () => {
  it('transactions handed to either end become final on every node, though no node talks to a node two places away', async () => {
    const network = await createTestNetwork(4);
    removeNetwork = network.remove;
    const nodes: Node[] = [];
    for (const dir of network.dirs) nodes.push(await start(dir, nodes.length > 0 ? [nodes.at(-1)!.p2pUrl] : []));
    const line = [1, 2, 2, 1];
    for (const [i, node] of nodes.entries()) await expect.poll(() => peerCount(node), { timeout: 20_000 }).toBe(line[i]);

    const submitted: string[] = [];
    for (const entry of [nodes[3]!, nodes[0]!, nodes[3]!]) {
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
