/**
 * Peering between real node processes on loopback: three demo nodes that split the demo keys (the
 * proposer and validator 1, validator 2, validator 3) form one network through peer exchange, and a
 * transaction handed to any of them becomes final on all; a node of another network is refused at the
 * handshake, with the reason on both sides.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signTransaction } from '../../core/ledger/transaction';
import { testKey } from '../../core/ledger/testFixtures';
import type { TestApiClient } from '../../../test/support/apiClient';
import { startNodeProcess, type CliProcess, testResources } from '../../../test/support/cli';
import { makeTempDir } from '../../../test/support/tempDir';
import { makeNodeKey, RawPeer } from './testing';

const { processes, clients, temps, release } = testResources();

afterEach(release);

interface RunningNode {
  proc: CliProcess;
  api: TestApiClient;
  p2pUrl: string;
  dataDir: string;
}

async function startNode(args: string[], dataDir?: string): Promise<RunningNode> {
  let dir = dataDir;
  if (!dir) {
    const temp = makeTempDir();
    temps.push(temp);
    dir = temp.path;
  }
  const { proc, api, p2pUrl } = await startNodeProcess(['--data', dir, '--api-port', '0', '--p2p-port', '0', '--demo', ...args]);
  processes.push(proc);
  clients.push(api);
  return { proc, api, p2pUrl, dataDir: dir };
}

describe('peering between node processes', () => {
  it('three nodes splitting the demo keys finalise a transaction given to any of them, on all of them and an observer', async () => {
    const a = await startNode(['--keys', 'proposer-1,validator-1']);
    const b = await startNode(['--keys', 'validator-2', '--peer', a.p2pUrl]);
    const c = await startNode(['--keys', 'validator-3', '--peer', a.p2pUrl]);
    const observer = await startNode(['--observer', '--peer', a.p2pUrl]);
    // Peer exchange: every node learns of the others through A.
    for (const node of [a, b, c, observer]) {
      await expect.poll(async () => (await node.api.call<{ peers: unknown[] }>('peers.list')).peers.length, { timeout: 20_000 }).toBe(3);
    }
    const alice = testKey('p2p-alice');
    const tx = signTransaction({ type: 'note', chainId: 'civichain-demo-1', signer: alice.publicKey, nonce: 'p2p-1', payload: { text: 'across the network' } }, alice.privateKey);
    const { hash } = await c.api.call<{ hash: string }>('tx.submit', { transaction: tx });
    const blockHashes: string[] = [];
    let txHeight = 0;
    for (const node of [a, b, c, observer]) {
      let status: { state: string; blockHash?: string; height?: number } | null = null;
      await expect
        .poll(async () => (status = (await node.api.call<{ status: { state: string; blockHash?: string; height?: number } | null }>('tx.get', { hash })).status)?.state, { timeout: 20_000 })
        .toBe('final');
      blockHashes.push(status!.blockHash!);
      txHeight = status!.height!;
    }
    expect(new Set(blockHashes).size).toBe(1);
    const nodeStatus = await b.api.call<{ peers: number; localValidators: string[]; proposer: boolean }>('node.status');
    expect(nodeStatus).toMatchObject({ peers: 3, proposer: false });
    expect(nodeStatus.localValidators).toHaveLength(1);
    // The same transaction handed to two nodes at the same moment is final exactly once.
    const twice = signTransaction({ type: 'note', chainId: 'civichain-demo-1', signer: alice.publicKey, nonce: 'p2p-2', payload: { text: 'twice' } }, alice.privateKey);
    const [fromB, fromC] = await Promise.all([b.api.call<{ hash: string }>('tx.submit', { transaction: twice }), c.api.call<{ hash: string }>('tx.submit', { transaction: twice })]);
    expect(fromB.hash).toBe(fromC.hash);
    await expect
      .poll(async () => (await a.api.call<{ status: { state: string } | null }>('tx.get', { hash: fromB.hash })).status?.state, { timeout: 20_000 })
      .toBe('final');
    const { blocks } = await a.api.call<{ blocks: { height: number }[] }>('chain.blocks', { limit: 100 });
    let included = 0;
    for (const { height } of blocks) {
      const block = await a.api.call<{ transactions: { hash: string }[] }>('chain.block', { height });
      included += block.transactions.filter((t) => t.hash === fromB.hash).length;
    }
    expect(included).toBe(1);

    // The observer holds no key, checked every block, and serves reads.
    expect(await observer.api.call<{ localValidators: string[]; proposer: boolean }>('node.status')).toMatchObject({ localValidators: [], proposer: false });
    expect((await observer.api.call<{ hash: string }>('chain.block', { height: txHeight })).hash).toBe(blockHashes[0]);
    expect((await observer.api.callError('miner.mine')).data.code).toBe('NOT_A_PROPOSER');
  });

  it('a fresh node joins a running network and catches up, checking every block; a stopped node catches up after a restart', async () => {
    const a = await startNode(['--keys', 'proposer-1,validator-1']);
    const b = await startNode(['--keys', 'validator-2', '--peer', a.p2pUrl]);
    const c = await startNode(['--keys', 'validator-3', '--peer', a.p2pUrl]);
    const follower = await startNode(['--observer', '--peer', a.p2pUrl]);
    for (const node of [a, b, c]) {
      await expect.poll(async () => (await node.api.call<{ peers: unknown[] }>('peers.list')).peers.length, { timeout: 20_000 }).toBe(3);
    }
    const height = async (node: RunningNode) => (await node.api.call<{ height: number }>('node.status')).height;
    const mineTo = async (target: number) => {
      while ((await height(a)) < target) {
        const before = await height(a);
        await a.api.call('miner.mine');
        await expect.poll(() => height(a), { timeout: 20_000 }).toBeGreaterThan(before);
      }
    };
    await mineTo(20);
    await expect.poll(() => height(follower), { timeout: 20_000 }).toBe(await height(a));

    // The follower stops; the network goes on without it; it restarts and catches up.
    follower.proc.child.kill('SIGTERM');
    await follower.proc.exited;
    await mineTo(140);
    const target = await height(a);

    // It remembered its peers: no --peer needed on the restart.
    const restarted = await startNode(['--observer'], follower.dataDir);
    // The fresh node is told its peer through the API, after we listen to its events.
    const fresh = await startNode(['--observer']);
    await fresh.api.call('peers.add', { address: b.p2pUrl });
    await expect.poll(() => height(restarted), { timeout: 60_000 }).toBe(target);
    await expect.poll(() => height(fresh), { timeout: 60_000 }).toBe(target);
    const progress = fresh.api.events.filter((e) => e.event === 'sync.progress').map((e) => (e.payload as { blocksLeft: number }).blocksLeft);
    expect(progress[0], 'the node reported blocks left while it caught up').toBeGreaterThan(0);
    expect(progress.at(-1), 'and then that it had caught up').toBe(0);
    for (const h of [1, 77, target]) {
      const [x, y] = await Promise.all([a.api.call<{ hash: string }>('chain.block', { height: h }), fresh.api.call<{ hash: string }>('chain.block', { height: h })]);
      expect(y.hash).toBe(x.hash);
    }
    expect((await fresh.api.call<{ state: string; syncBlocksLeft: number | null }>('node.status'))).toMatchObject({ state: 'running', syncBlocksLeft: null });
  }, 180_000);

  it('a peer that claims a longer chain but sends no blocks is reported as a stall, and another peer is asked', async () => {
    const source = await startNode([]);
    for (let i = 0; i < 3; i++) {
      const before = (await source.api.call<{ height: number }>('node.status')).height;
      await source.api.call('miner.mine');
      await expect.poll(async () => (await source.api.call<{ height: number }>('node.status')).height, { timeout: 20_000 }).toBeGreaterThan(before);
    }
    const follower = await startNode(['--observer']);
    const { genesisHash } = await follower.api.call<{ genesisHash: string }>('node.identity');
    // A peer that says it is at height 1,000 and never answers.
    const liar = await RawPeer.connect(follower.p2pUrl, makeNodeKey(), { chainId: 'civichain-demo-1', genesisHash });
    await liar.handshake({ height: 1_000 });
    await expect.poll(async () => (await follower.api.call<{ peers: unknown[] }>('peers.list')).peers.length, { timeout: 10_000 }).toBe(1);
    await follower.api.call('peers.add', { address: source.p2pUrl });
    await expect.poll(async () => (await follower.api.call<{ height: number }>('node.status')).height, { timeout: 30_000 }).toBe(3);
    const stalls = follower.api.events
      .filter((e) => e.event === 'sync.progress')
      .map((e) => (e.payload as { stalled: string | null }).stalled)
      .filter((reason): reason is string => reason !== null);
    expect(stalls[0]).toMatch(new RegExp(`no blocks from peer ${liar.key.publicKey.slice(0, 12)}`));
    expect(await follower.api.call('node.status')).toMatchObject({ state: 'syncing', syncBlocksLeft: 997 });
    await liar.close();
  }, 60_000);

  it('a node of another network is refused at the handshake, with the reason on both sides', async () => {
    const aDir = makeTempDir();
    temps.push(aDir);
    const a = await startNode([], aDir.path);
    // Another network: the demo genesis under another name has another genesis hash.
    const genesis = JSON.parse(readFileSync(join(aDir.path, 'genesis.json'), 'utf8')) as { networkName: string };
    const other = makeTempDir();
    temps.push(other);
    writeFileSync(join(other.path, 'genesis.json'), JSON.stringify({ ...genesis, networkName: 'Another Network' }));
    const b = await startNode([], other.path);

    const refused = await b.api.callError('peers.add', { address: a.p2pUrl });
    expect(refused.data.code).toBe('PEER_WRONG_GENESIS');
    expect(refused.message).toMatch(/another network/i);
    await expect.poll(() => a.proc.stderr(), { timeout: 10_000 }).toMatch(/genesis/i);
    expect((await a.api.call<{ peers: unknown[] }>('peers.list')).peers).toEqual([]);
  });
});
