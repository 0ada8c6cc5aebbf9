/** `npm run demo:network` starts three peered demo nodes, prints each console, and Ctrl-C stops all three. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectApi } from './support/apiClient';
import { requireBuiltCli } from './support/cli';
import { makeTempDir } from './support/tempDir';

const SCRIPT = fileURLToPath(new URL('../scripts/demo-network.js', import.meta.url));
const temp = makeTempDir();
afterAll(() => temp.remove());

describe('npm run demo:network', () => {
  it('starts three peered nodes that print their consoles, and SIGINT stops them all', async () => {
    requireBuiltCli();
    const child = spawn(process.execPath, [SCRIPT, '--base-port', '0', '--data', temp.path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Press Ctrl-C to stop all three/);
    const consoles = [...out.matchAll(/Console:\s+(\S+)/g)].map((m) => m[1]!);
    expect(consoles).toHaveLength(3);
    for (const consoleUrl of consoles) {
      const url = new URL(consoleUrl);
      const api = await connectApi(`ws://${url.host}/api`, url.searchParams.get('token')!);
      await expect.poll(async () => (await api.call<{ peers: unknown[] }>('peers.list')).peers.length, { timeout: 20_000 }).toBe(2);
      api.close();
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 90_000);
});
