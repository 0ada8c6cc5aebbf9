/**
 * The client side of the API ingest benchmark, in its own process (as a real API client is): signs every
 * transaction first, then submits them through `tx.submit` over several WebSocket connections, each
 * keeping a fixed number of requests unanswered, and counts acknowledgements. Started by bench/apiIngest.ts
 * with an IPC channel; not meant to be run by hand.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { presignNotes } from './notes';
import { isIngestStart, type IngestClientMessage, type IngestStart } from './ingestProtocol';
import { ascending, quantile } from './report';

/** Distinct signing keys: the node's key caches hold them all, as with a few hundred active users. */
const SENDERS = 256;

function tell(message: IngestClientMessage): void {
  process.send?.(message);
}

interface Tally {
  acknowledged: number;
  duplicates: number;
  readonly refused: Record<string, number>;
  readonly latenciesMs: number[];
}

type Response = { readonly id?: unknown; readonly result?: { readonly duplicate?: unknown }; readonly error?: { readonly data?: { readonly code?: unknown } } };

function connect(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/**
 * Sends frames[from..to) over the sockets, about `inFlight` requests unanswered per socket; resolves when
 * every frame is answered. A frame holds one request or a JSON-RPC batch of `batch` requests, whose ids are
 * `frame index × batch + position`: an answer's first id names its frame.
 */
function runPhase(
  sockets: readonly WebSocket[],
  frames: readonly string[],
  batch: number,
  from: number,
  to: number,
  inFlight: number,
  tally: Tally | null,
): Promise<void> {
  const sentAtMs = new Float64Array(to - from);
  let next = from;
  let answered = 0;
  const count = (response: Response, frame: number) => {
    if (!tally) return;
    tally.latenciesMs.push(performance.now() - (sentAtMs[frame - from] ?? 0));
    if (response.result) {
      if (response.result.duplicate === true) tally.duplicates++;
      else tally.acknowledged++;
    } else {
      const code = String(response.error?.data?.code ?? 'UNKNOWN');
      tally.refused[code] = (tally.refused[code] ?? 0) + 1;
    }
  };
  return new Promise((resolve, reject) => {
    const onMessage = (ws: WebSocket) => (data: WebSocket.RawData) => {
      const parsed = JSON.parse(String(data)) as Response | Response[];
      const responses = Array.isArray(parsed) ? parsed : [parsed];
      const first = responses[0]?.id;
      // Event notifications (no id) go to every client: not answers.
      if (typeof first !== 'number') return;
      const frame = Math.floor(first / batch);
      if (frame < from || frame >= to) return;
      for (const response of responses) count(response, frame);
      answered++;
      if (next < to) send(ws);
      if (answered === to - from) {
        for (const socket of sockets) socket.removeAllListeners('message');
        resolve();
      }
    };
    const send = (ws: WebSocket) => {
      const index = next++;
      sentAtMs[index - from] = performance.now();
      ws.send(frames[index] as string);
    };
    for (const ws of sockets) {
      ws.on('message', onMessage(ws));
      ws.once('close', () => reject(new RangeError('the node closed an API connection during the benchmark')));
      for (let i = 0; i < Math.max(1, Math.round(inFlight / batch)) && next < to; i++) send(ws);
    }
  });
}

async function run(config: IngestStart): Promise<void> {
  const total = config.warmup + config.count;
  const prepared = presignNotes(config.chainId, total, SENDERS, config.seed ?? `api-${Date.now()}`);
  const requests = prepared.map(
    ({ tx }, id) => `{"jsonrpc":"2.0","id":${id},"method":"tx.submit","params":{"transaction":${JSON.stringify(tx)}}}`,
  );
  const { batch } = config;
  const frames: string[] = [];
  for (let i = 0; i < requests.length; i += batch) {
    frames.push(batch === 1 ? (requests[i] as string) : `[${requests.slice(i, i + batch).join(',')}]`);
  }
  tell({ type: 'signed' });
  const sockets = await Promise.all(Array.from({ length: config.connections }, () => connect(config.apiUrl, config.token)));
  await runPhase(sockets, frames, batch, 0, config.warmup / batch, config.inFlight, null);
  tell({ type: 'measuring' });
  const tally: Tally = { acknowledged: 0, duplicates: 0, refused: {}, latenciesMs: [] };
  const cpu = process.cpuUsage();
  const startedMs = performance.now();
  await runPhase(sockets, frames, batch, config.warmup / batch, frames.length, config.inFlight, tally);
  const elapsedMs = performance.now() - startedMs;
  const used = process.cpuUsage(cpu);
  for (const ws of sockets) ws.close();
  const latencies = ascending(tally.latenciesMs);
  tell({
    type: 'done',
    elapsedMs,
    acknowledged: tally.acknowledged,
    duplicates: tally.duplicates,
    refused: tally.refused,
    latencyP50Ms: quantile(latencies, 0.5),
    latencyP99Ms: quantile(latencies, 0.99),
    latencyMaxMs: latencies.at(-1) ?? Number.NaN,
    clientCpuCores: (used.user + used.system) / 1000 / elapsedMs,
  });
}

process.once('message', (message: unknown) => {
  if (!isIngestStart(message)) {
    tell({ type: 'failed', message: 'expected a start message' });
    return;
  }
  run(message).then(
    () => process.disconnect?.(),
    (error: unknown) => {
      tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.disconnect?.();
    },
  );
});
