/**
 * A process that commits blocks is killed with SIGKILL at random moments: every block it reported as
 * committed is still there afterwards, nothing is half-written, and the store passes its start-up checks.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/tempDir';
import { openStore } from './database';
import { createTestNetwork } from './testChain';

const VITE_NODE = fileURLToPath(new URL('../../../node_modules/vite-node/vite-node.mjs', import.meta.url));
const LOOP = fileURLToPath(new URL('./testCommitLoop.ts', import.meta.url));
const KILLS = 8;

const network = createTestNetwork();
let temp: ReturnType<typeof makeTempDir>;

beforeAll(() => {
  temp = makeTempDir();
});

afterAll(() => temp.remove());

/** Runs the commit loop until it has reported `blocks` more commits, then kills it; returns the last height it reported. */
function runAndKill(blocks: number, extraDelayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITE_NODE, LOOP, '--', temp.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let acknowledged = -1;
    let first: number | null = null;
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const match of out.matchAll(/(opened|committed) (\d+)\n/g)) {
        const height = Number(match[2]);
        if (match[1] === 'opened') first ??= height;
        else acknowledged = Math.max(acknowledged, height);
      }
      if (!killing && first !== null && acknowledged >= first + blocks) {
        killing = true;
        // Somewhere in the middle of the next commits: a random moment, not a wait for a condition.
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // 'close', not 'exit': by then everything the child printed has been read.
    child.once('close', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new RangeError(`The commit loop stopped by itself: ${err.slice(-2000)}`));
    });
  });
}

describe('a store killed with SIGKILL while committing', () => {
  it(`keeps every acknowledged block and passes its checks, ${KILLS} times over`, async () => {
    for (let kill = 0; kill < KILLS; kill++) {
      // Varied moments: after 5 to 26 commits, then 0 to 22 ms more (a commit takes about a millisecond).
      const acknowledged = await runAndKill(5 + kill * 3, (kill * 7) % 23);
      const store = openStore({ path: join(temp.path, 'chain.sqlite'), genesis: network.genesis, genesisHash: network.genesisHash });
      try {
        const head = store.head().height;
        expect(head).toBeGreaterThanOrEqual(acknowledged);
        // At most the one commit in flight when the kill came may have made it to disk unreported.
        expect(head).toBeLessThanOrEqual(acknowledged + 1);
        expect(store.blockByHeight(head)?.block.transactions).toHaveLength(20);
      } finally {
        store.close();
      }
    }
  });
});
