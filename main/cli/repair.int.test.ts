/**
 * A node refuses a store with one changed row, naming the height and pointing at `civichain repair`;
 * the repair rebuilds it from a peer (keeping the damaged file), and the node starts on the network's chain.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApiClient } from '../../test/support/apiClient';
import { runCli, startNodeProcess, type CliProcess, testResources } from '../../test/support/cli';
import { makeTempDir } from '../../test/support/tempDir';

const { processes, clients, temps, release } = testResources();

afterEach(release);

function folder(): string {
  const temp = makeTempDir();
  temps.push(temp);
  return temp.path;
}

async function startNode(dataDir: string, args: string[]): Promise<{ proc: CliProcess; api: TestApiClient; p2pUrl: string }> {
  const { proc, api, p2pUrl } = await startNodeProcess(['--data', dataDir, '--api-port', '0', '--p2p-port', '0', '--demo', ...args]);
  processes.push(proc);
  clients.push(api);
  return { proc, api, p2pUrl };
}

describe('civichain repair', () => {
  it('restores a store with a changed row to the network’s chain', async () => {
    const source = await startNode(folder(), []);
    for (let i = 0; i < 6; i++) {
      const before = (await source.api.call<{ height: number }>('node.status')).height;
      await source.api.call('miner.mine');
      await expect.poll(async () => (await source.api.call<{ height: number }>('node.status')).height, { timeout: 20_000 }).toBeGreaterThan(before);
    }
    const victimDir = folder();
    const victim = await startNode(victimDir, ['--observer', '--peer', source.p2pUrl]);
    await expect.poll(async () => (await victim.api.call<{ height: number }>('node.status')).height, { timeout: 30_000 }).toBe(6);
    victim.proc.child.kill('SIGTERM');
    await victim.proc.exited;

    // One changed row: the proposer's signature of block 3.
    const db = new Database(join(victimDir, 'chain.sqlite'));
    db.prepare("UPDATE blocks SET signature = ? WHERE height = 3").run('00'.repeat(64));
    db.close();

    const refused = runCli(['node', '--data', victimDir, '--api-port', '0', '--p2p-port', '0', '--observer']);
    processes.push(refused);
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr()).toMatch(/block 3|height 3/);
    expect(refused.stderr()).toMatch(/civichain repair --data .* --from-peer URL/);

    const repair = runCli(['repair', '--data', victimDir, '--from-peer', source.p2pUrl]);
    processes.push(repair);
    expect((await repair.exited).code, repair.stderr() + repair.stdout()).toBe(0);
    expect(repair.stdout()).toMatch(/Repaired: the store holds the network's chain up to block 6/);
    expect(readdirSync(victimDir).some((f) => f.startsWith('chain.sqlite.damaged-'))).toBe(true);

    const back = await startNode(victimDir, ['--observer']);
    for (const height of [1, 3, 6]) {
      const [a, b] = await Promise.all([
        source.api.call<{ hash: string; signature: string }>('chain.block', { height }),
        back.api.call<{ hash: string; signature: string }>('chain.block', { height }),
      ]);
      expect(b).toMatchObject({ hash: a.hash, signature: a.signature });
    }
  }, 120_000);

  it('refuses a bad command line and a folder without a workspace', async () => {
    const usage = runCli(['repair', '--data', folder()]);
    processes.push(usage);
    expect((await usage.exited).code).toBe(2);
    expect(usage.stderr()).toMatch(/--from-peer ws:\/\/HOST:PORT/);
    const empty = folder();
    const none = runCli(['repair', '--data', empty, '--from-peer', 'ws://127.0.0.1:9']);
    processes.push(none);
    expect((await none.exited).code).toBe(1);
    expect(none.stderr()).toMatch(/no Civichain workspace/);
    expect(existsSync(join(empty, 'chain.sqlite'))).toBe(false);
  });
});
