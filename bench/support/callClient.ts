/**
 * A benchmark's API client in its own process, as the Government desks and wallets that call a node are:
 * told by the parent (over the child-process IPC channel) which calls to make, it makes them over several
 * WebSocket connections with a fixed number unanswered, and reports the elapsed time and each call's answer.
 * Its own work (framing, JSON) so stays off the node's main thread. Started by bench/vouchers.ts.
 *
 *   parent → client  { type: 'calls', apiUrl, token, connections, inFlight, calls: [{ method, params }] }
 *   client → parent  { type: 'done', elapsedMs, results: (answer | { error })[] } or { type: 'failed', message }
 */
import { performance } from 'node:perf_hooks';
import { connectApi, type TestApiClient } from '../../test/support/apiClient';

export interface CallsRequest {
  readonly type: 'calls';
  readonly apiUrl: string;
  readonly token: string;
  readonly connections: number;
  readonly inFlight: number;
  readonly calls: readonly { readonly method: string; readonly params: Record<string, unknown> }[];
}

export type CallsReply =
  | { readonly type: 'done'; readonly elapsedMs: number; readonly results: readonly unknown[] }
  | { readonly type: 'failed'; readonly message: string };

async function run(request: CallsRequest): Promise<CallsReply> {
  const clients: TestApiClient[] = [];
  try {
    for (let i = 0; i < request.connections; i++) clients.push(await connectApi(request.apiUrl, request.token));
    const results = new Array<unknown>(request.calls.length);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: request.inFlight }, async (_, lane) => {
        const client = clients[lane % clients.length] as TestApiClient;
        while (next < request.calls.length) {
          const index = next++;
          const call = request.calls[index] as CallsRequest['calls'][number];
          results[index] = await client.call(call.method, call.params).catch((error: unknown) => ({ error: String(error).slice(0, 300) }));
        }
      }),
    );
    return { type: 'done', elapsedMs: performance.now() - started, results };
  } finally {
    for (const client of clients) client.close();
  }
}

process.once('message', (message: unknown) => {
  void run(message as CallsRequest).then(
    (reply) => process.send?.(reply, () => process.exit(0)),
    (error: unknown) => process.send?.({ type: 'failed', message: String(error) } satisfies CallsReply, () => process.exit(1)),
  );
});
