import { networkInterfaces } from 'node:os';
import { connect, Socket } from 'node:net';
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir } from '../../../test/support/tempDir';
import { createLogger } from '../log';
import { startNode, type CivichainNode } from '../node';
import { MAX_API_FRAME_BYTES, startApiServer, type ApiServer } from './wsServer';

let temp: ReturnType<typeof makeTempDir>;
let node: CivichainNode;
let api: ApiServer;

beforeAll(async () => {
  temp = makeTempDir();
  const staticDir = join(temp.path, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(temp.path, 'secret.txt'), 'outside the console');
  const log = createLogger();
  node = await startNode({ dataDir: join(temp.path, 'data'), demo: true, runtime: 'headless', version: 'test', workers: 'inline' }, { log });
  api = await startApiServer({ port: 0, token: node.workspace.apiToken, staticDir }, { node, log });
});

afterAll(async () => {
  await api.close();
  await node.close();
  temp.remove();
});

/** Opens an authenticated connection; resolves when it is open. */
function open(headers: Record<string, string> = { Authorization: `Bearer ${node.workspace.apiToken}` }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(api.apiUrl, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new TypeError(`HTTP ${res.statusCode}`), { status: res.statusCode })));
  });
}

/** The next frame that is not an event (the demo node pushes events as it makes its first blocks). */
function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message['method'] === 'event') return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

async function rpc(ws: WebSocket, frame: unknown): Promise<Record<string, unknown>> {
  const reply = nextMessage(ws);
  ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return reply;
}

describe('local WebSocket API', () => {
  it('UNAUTHORIZED: a connection without the token, or with a wrong one, is refused', async () => {
    await expect(open({})).rejects.toMatchObject({ status: 401 });
    await expect(open({ Authorization: 'Bearer wrong-token-wrong-token' })).rejects.toMatchObject({ status: 401 });
  });

  it('accepts the token as a subprotocol, as browsers send it, and never echoes it', async () => {
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(api.apiUrl, ['civichain.v1', `bearer.${node.workspace.apiToken}`]);
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
    expect(ws.protocol).toBe('civichain.v1');
    expect(await rpc(ws, { jsonrpc: '2.0', id: 1, method: 'node.status' })).toMatchObject({ result: { chainId: 'civichain-demo-1' } });
    ws.close();
  });

  it('a valid call succeeds', async () => {
    const ws = await open();
    const reply = await rpc(ws, { jsonrpc: '2.0', id: 'a', method: 'node.status', params: {} });
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: 'a', result: { networkName: 'Civichain Demo', state: 'running', demo: true } });
    const list = await rpc(ws, { jsonrpc: '2.0', id: 2, method: 'keystore.list', params: { role: 'operator' } });
    expect((list['result'] as { identities: { label: string }[] }).identities.map((i) => i.label)).toEqual(['AlipayHK', 'Octopus', 'PayMe']);
    ws.close();
  });

  it('PARSE_ERROR for a malformed frame, and the connection stays usable', async () => {
    const ws = await open();
    const reply = await rpc(ws, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(reply).toMatchObject({ id: null, error: { code: -32700, data: { code: 'PARSE_ERROR' } } });
    expect(String((reply['error'] as { message: string }).message)).toMatch(/not valid JSON/);
    expect(await rpc(ws, { jsonrpc: '2.0', id: 3, method: 'node.status' })).toMatchObject({ id: 3, result: { chainId: 'civichain-demo-1' } });
    ws.close();
  });

  it('INVALID_REQUEST for frames that are JSON but not JSON-RPC 2.0', async () => {
    const ws = await open();
    for (const frame of ['42', '"text"', { id: 1, method: 'node.status' }, { jsonrpc: '1.0', id: 1, method: 'x' }, { jsonrpc: '2.0', id: 1 }, { jsonrpc: '2.0', id: {}, method: 'node.status' }, []]) {
      expect(await rpc(ws, frame)).toMatchObject({ error: { code: -32600, data: { code: 'INVALID_REQUEST' } } });
    }
    expect(await rpc(ws, { jsonrpc: '2.0', id: 4, method: 'node.status' })).toMatchObject({ id: 4, result: {} });
    ws.close();
  });

  it('INVALID_PARAMS names the field', async () => {
    const ws = await open();
    const reply = await rpc(ws, { jsonrpc: '2.0', id: 5, method: 'keystore.list', params: { role: 'emperor' } });
    expect(reply).toMatchObject({ id: 5, error: { code: -32602, data: { code: 'INVALID_PARAMS', details: { fields: ['role'] } } } });
    expect((reply['error'] as { message: string }).message).toMatch(/role/);
    expect(await rpc(ws, { jsonrpc: '2.0', id: 6, method: 'keystore.list', params: ['resident'] })).toMatchObject({ error: { code: -32602 } });
    ws.close();
  });

  it('METHOD_NOT_FOUND for an unknown method; notifications get no reply; batches get one reply each', async () => {
    const ws = await open();
    expect(await rpc(ws, { jsonrpc: '2.0', id: 7, method: 'system.shutdown' })).toMatchObject({ error: { code: -32601, data: { code: 'METHOD_NOT_FOUND' } } });
    const reply = await rpc(ws, [
      { jsonrpc: '2.0', method: 'node.status' },
      { jsonrpc: '2.0', id: 8, method: 'node.identity' },
      { jsonrpc: '2.0', id: 9, method: 'nope' },
    ]);
    expect(reply).toEqual([
      expect.objectContaining({ id: 8, result: expect.objectContaining({ chainId: 'civichain-demo-1', runtime: 'headless' }) }),
      expect.objectContaining({ id: 9, error: expect.objectContaining({ code: -32601 }) }),
    ]);
    ws.close();
  });

  it('closes a connection that sends a frame over the size limit, and keeps serving others', async () => {
    const ws = await open();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(MAX_API_FRAME_BYTES + 1, 0x78));
    expect(await closed).toBe(1009);
    const other = await open();
    expect(await rpc(other, { jsonrpc: '2.0', id: 1, method: 'node.status' })).toMatchObject({ result: {} });
    other.close();
  });

  it('answers that are ready together leave in one write, not one each', async () => {
    const ws = await open();
    const calls = 200;
    const answered = new Set<unknown>();
    const allAnswered = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        if (message['method'] === 'event') return;
        answered.add(message['id']);
        if (answered.size === calls) resolve();
      });
    });
    // Writes by the server's side of connections (its local port is the API's).
    const serverWrites = (spy: { mock: { contexts: unknown[] } }) => spy.mock.contexts.filter((socket) => (socket as Socket).localPort === api.port).length;
    const write = vi.spyOn(Socket.prototype as unknown as { _write: () => void }, '_write');
    const writev = vi.spyOn(Socket.prototype as unknown as { _writev: () => void }, '_writev');
    try {
      // Sent in one go from this process, so the node reads them together and answers them in one turn.
      for (let id = 1; id <= calls; id++) ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'node.status' }));
      await allAnswered;
      expect(serverWrites(write) + serverWrites(writev)).toBeLessThan(calls / 10);
    } finally {
      write.mockRestore();
      writev.mockRestore();
      ws.close();
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(api.apiUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api$/);
    const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address)];
    for (const host of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host, port: api.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome, `connecting via ${host}`).toBe('ECONNREFUSED');
    }
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    await expect(open({ Authorization: `Bearer ${node.workspace.apiToken}`, Host: 'evil.example:80' })).rejects.toMatchObject({ status: 421 });
    await expect(open({ Authorization: `Bearer ${node.workspace.apiToken}`, Origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    const ok = await open({ Authorization: `Bearer ${node.workspace.apiToken}`, Origin: `http://127.0.0.1:${api.port}` });
    ok.close();
  });

  it('serves the console with a strict CSP and nothing outside it', async () => {
    const get = (path: string) =>
      new Promise<{ status: number; csp: string | undefined; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: api.port, path }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, csp: res.headers['content-security-policy'] as string | undefined, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const index = await get('/?token=x');
    expect(index.status).toBe(200);
    expect(index.csp).toContain("script-src 'self'");
    expect(index.body).toContain('<title>console</title>');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/nope.js']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('outside the console');
    }
  });
});
