/**
 * A real node process for the benchmarks that need several (`bin/civichain.js node`, as a person starts it
 * headless), and a small JSON-RPC client for its local API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const CLI = fileURLToPath(new URL('../../bin/civichain.js', import.meta.url));

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly apiUrl: string;
  readonly token: string;
  readonly p2pUrl: string;
}

/** Starts `civichain node` on `dataDir` (ports chosen by the system), peering with `peers`; resolves once it prints its addresses. */
export function startNodeProcess(dataDir: string, options: { peers?: readonly string[]; passphrase: string; observer?: boolean }): Promise<NodeProcess> {
  const args = [CLI, 'node', '--data', dataDir, '--api-port', '0', '--p2p-port', '0', '--log-level', 'warn', ...(options.observer ? ['--observer'] : [])];
  const child = spawn(process.execPath, [...args, ...(options.peers ?? []).flatMap((p) => ['--peer', p])], {
    env: { ...process.env, CIVICHAIN_NODE_PASSPHRASE: options.passphrase },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const api = /API:\s+(\S+)/.exec(out)?.[1];
      const p2p = /Peers:\s+(\S+)/.exec(out)?.[1];
      const consoleUrl = /Console:\s+(\S+)/.exec(out)?.[1];
      if (api && p2p && consoleUrl) resolve({ child, apiUrl: api, p2pUrl: p2p, token: new URL(consoleUrl).searchParams.get('token')! });
    });
    child.once('exit', (code) => reject(new RangeError(`a node exited (${code}) before it was ready`)));
  });
}

/** One API connection: `call(method, params)` resolves with the result (rejects with the error). */
export async function apiCaller(apiUrl: string, token: string): Promise<{ call: <T>(method: string, params?: unknown) => Promise<T>; close: () => void }> {
  const ws = new WebSocket(apiUrl, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  ws.on('message', (data: WebSocket.RawData) => {
    const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message?: string } };
    const entry = reply.id === undefined ? undefined : waiting.get(reply.id);
    if (!entry || reply.id === undefined) return;
    waiting.delete(reply.id);
    if (reply.error) entry.reject(new RangeError(reply.error.message ?? 'API error'));
    else entry.resolve(reply.result as never);
  });
  return {
    call: <T>(method: string, params?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const mine = ++id;
        waiting.set(mine, { resolve: resolve as (value: never) => void, reject });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: mine, method, ...(params === undefined ? {} : { params }) }));
      }),
    close: () => ws.close(),
  };
}

/** User + system CPU seconds of a process and all its threads so far (Linux /proc; null elsewhere). */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name: state is field 3, utime 14, stime 15 (proc(5)), in clock ticks (100/s on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
