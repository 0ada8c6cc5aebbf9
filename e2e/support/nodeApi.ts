/**
 * The node's local API from a test, as the CLI and scripts use it: JSON-RPC 2.0 over a WebSocket with the
 * bearer token of the console URL. For what a person would do elsewhere (a proposer pressing "mine"), never
 * for what the test checks in the window.
 */
import WebSocket from 'ws';
import type { MethodInput, MethodName, MethodOutput } from '../../preload/contract';

export interface NodeApi {
  call<M extends MethodName>(method: M, params: MethodInput<M>): Promise<MethodOutput<M>>;
  close(): void;
}

export class NodeApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'NodeApiError';
    this.code = code;
  }
}

export async function connectNodeApi(consoleUrl: string): Promise<NodeApi> {
  const url = new URL(consoleUrl);
  const token = url.searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://${url.host}/api`, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (reply: { result?: unknown; error?: { message: string; data?: { code: string; message: string } } }) => void>();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string; data?: { code: string; message: string } } };
    if (typeof reply.id === 'number') pending.get(reply.id)?.(reply);
  });
  return {
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, (reply) => {
          pending.delete(id);
          if (reply.error) reject(new NodeApiError(reply.error.data?.code ?? 'RPC_ERROR', reply.error.data?.message ?? reply.error.message));
          else resolve(reply.result as never);
        });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}
