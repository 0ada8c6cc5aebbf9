import WebSocket from 'ws';

export interface TestApiClient {
  call<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Resolves with the error object ({code, message, data}) of a call expected to fail. */
  callError(method: string, params?: Record<string, unknown>): Promise<{ code: number; message: string; data: { code: string; message: string; details: Record<string, unknown> } }>;
  events: { event: string; payload: unknown }[];
  close(): void;
}

/** A JSON-RPC client over a real WebSocket, authenticated with the node's token. */
export async function connectApi(apiUrl: string, token: string): Promise<TestApiClient> {
  const ws = new WebSocket(apiUrl, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (reply: { result?: unknown; error?: unknown }) => void>();
  const events: { event: string; payload: unknown }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown; method?: string; params?: { event: string; payload: unknown } };
    if (message.method === 'event' && message.params) events.push(message.params);
    else if (typeof message.id === 'number') pending.get(message.id)?.(message);
  });
  const send = (method: string, params: Record<string, unknown>) =>
    new Promise<{ result?: unknown; error?: unknown }>((resolve, reject) => {
      if (ws.readyState !== ws.OPEN) return reject(new TypeError('The API connection is closed.'));
      const id = nextId++;
      pending.set(id, (reply) => {
        pending.delete(id);
        resolve(reply);
      });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  return {
    events,
    async call<T>(method: string, params: Record<string, unknown> = {}) {
      const reply = await send(method, params);
      if (reply.error) throw Object.assign(new TypeError(`${method} failed: ${JSON.stringify(reply.error)}`), { rpc: reply.error });
      return reply.result as T;
    },
    async callError(method, params = {}) {
      const reply = await send(method, params);
      if (!reply.error) throw new TypeError(`${method} was expected to fail but returned ${JSON.stringify(reply.result)}`);
      return reply.error as Awaited<ReturnType<TestApiClient['callError']>>;
    },
    close: () => ws.close(),
  };
}
