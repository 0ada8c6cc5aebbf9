/**
 * A 2|2 partition of four validator processes (quorum 3): connections between the halves are closed and
 * refused (operator bans). Nothing becomes final on either side while rounds keep changing; after healing,
 * all four converge on one chain and continue.
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
  key: string;
}

async function start(dir: string, peers: string[]): Promise<Node> {
  const { proc, api, p2pUrl } = await startNodeProcess(['--data', dir, '--api-port', '0', '--p2p-port', '0', ...peers.flatMap((p) => ['--peer', p])], {
    CIVICHAIN_NODE_PASSPHRASE: TEST_NETWORK_PASSPHRASE,
  });
  processes.push(proc);
  clients.push(api);
  const { nodePublicKey } = await api.call<{ nodePublicKey: string }>('node.identity');
  return { api, p2pUrl, key: nodePublicKey };
}

const status = (node: Node) => node.api.call<{ height: number; round: number; peers: number }>('node.status');
const alice = testKey('partition-alice');
let nonce = 0;
const note = () => signTransaction({ type: 'note', chainId: 'civichain-testnet', signer: alice.publicKey, nonce: `p${nonce++}`, payload: { text: 'x' } }, alice.privateKey);

describe('a 2|2 partition of four validators', () => {
  it('finalises nothing on either side, and after healing converges on one chain and continues', async () => {
    const network = await createTestNetwork(4);
    removeNetwork = network.remove;
    const first = await start(network.dirs[0]!, []);
    const nodes = [first, ...(await Promise.all(network.dirs.slice(1).map((dir) => start(dir, [first.p2pUrl]))))];
    for (const node of nodes) await expect.poll(async () => (await status(node)).peers, { timeout: 20_000 }).toBe(3);

    // A healthy network first.
    const { hash } = await nodes[2]!.api.call<{ hash: string }>('tx.submit', { transaction: note() });
    for (const node of nodes) await expect.poll(async () => (await node.api.call<{ status: { state: string } | null }>('tx.get', { hash })).status?.state, { timeout: 20_000 }).toBe('final');
    const before = await Promise.all(nodes.map(async (n) => (await status(n)).height));

    // Partition: each half bans the other half (connections closed, and refused).
    const halves = [nodes.slice(0, 2), nodes.slice(2)];
    for (const [side, other] of [[halves[0]!, halves[1]!], [halves[1]!, halves[0]!]] as [Node[], Node[]][]) {
      for (const node of side) for (const peer of other) await node.api.call('peers.ban', { peer: peer.key, minutes: 60, reason: 'partition test' });
    }
    for (const node of nodes) await expect.poll(async () => (await status(node)).peers, { timeout: 20_000 }).toBe(1);
    await nodes[0]!.api.call('tx.submit', { transaction: note() });
    await nodes[3]!.api.call('tx.submit', { transaction: note() });
    // Both halves try (rounds change on both sides) and fail: neither half is a quorum.
    for (const node of nodes) await expect.poll(async () => (await status(node)).round, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(await Promise.all(nodes.map(async (n) => (await status(n)).height))).toEqual(before);

    // Heal.
    for (const [side, other] of [[halves[0]!, halves[1]!], [halves[1]!, halves[0]!]] as [Node[], Node[]][]) {
      for (const node of side) {
        for (const peer of other) {
          await node.api.call('peers.unban', { peer: peer.key });
          await node.api.call('peers.unban', { peer: peer.p2pUrl });
        }
      }
    }
    for (const peer of halves[1]!) await halves[0]![0]!.api.call('peers.add', { address: peer.p2pUrl }).catch(() => undefined);
    for (const node of nodes) await expect.poll(async () => (await status(node)).peers, { timeout: 30_000 }).toBe(3);
    const target = Math.max(...before) + 1;
    for (const node of nodes) await expect.poll(async () => (await status(node)).height, { timeout: 60_000 }).toBeGreaterThanOrEqual(target);
    // One chain: every node holds the same block at each height.
    const heights = Math.min(...(await Promise.all(nodes.map(async (n) => (await status(n)).height))));
    for (let height = 1; height <= heights; height++) {
      const hashes = await Promise.all(nodes.map(async (n) => (await n.api.call<{ hash: string }>('chain.block', { height })).hash));
      expect(new Set(hashes).size, `height ${height}`).toBe(1);
    }
    // And it continues.
    const { hash: after } = await nodes[1]!.api.call<{ hash: string }>('tx.submit', { transaction: note() });
    for (const node of nodes) await expect.poll(async () => (await node.api.call<{ status: { state: string } | null }>('tx.get', { hash: after })).status?.state, { timeout: 30_000 }).toBe('final');
  }, 180_000);
});
