/**
 * Local API round trips: `node.status` over a real WebSocket to a node on a real SQLite store, one call at
 * a time (latency-bound) and 64 in flight (throughput-bound). The ledger issue adds ingest, finality and
 * block-apply benchmarks beside this one.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../main/node/log';
import { startNode, type CivichainNode } from '../main/node/node';
import { startApiServer, type ApiServer } from '../main/node/api/wsServer';
import { makeTempDir } from '../test/support/tempDir';

let temp: ReturnType<typeof makeTempDir>;
let node: CivichainNode;
let api: ApiServer;
let ws: WebSocket;
let nextId = 1;
const pending = new Map<number, () => void>();

function call(): Promise<void> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    ws.send(`{"jsonrpc":"2.0","id":${id},"method":"node.status"}`);
  });
}

beforeAll(async () => {
  temp = makeTempDir('civichain-bench-');
  const log = createLogger({ level: 'error' });
  node = await startNode({ dataDir: join(temp.path, 'data'), demo: true, runtime: 'headless', version: 'bench', workers: 'inline' }, { log });
  api = await startApiServer({ port: 0, token: node.workspace.apiToken, staticDir: null }, { node, log });
  ws = new WebSocket(api.apiUrl, { headers: { Authorization: `Bearer ${node.workspace.apiToken}` } });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.on('message', (data) => {
    const { id } = JSON.parse(String(data)) as { id: number };
    pending.get(id)?.();
    pending.delete(id);
  });
});

afterAll(async () => {
  ws.close();
  await api.close();
  await node.close();
  temp.remove();
});

describe('local API (WebSocket JSON-RPC, loopback)', () => {
  bench('node.status, one call at a time', async () => {
    await call();
  });

  bench('node.status, 64 calls in flight (per batch of 64)', async () => {
    await Promise.all(Array.from({ length: 64 }, call));
  });
});
