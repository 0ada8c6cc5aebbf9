/**
 * The messages between the API ingest benchmark (bench/apiIngest.ts) and its client process
 * (bench/support/ingestClient.ts), over the child-process IPC channel.
 */

/** parent → client: what to submit, where. */
export interface IngestStart {
  readonly type: 'start';
  readonly apiUrl: string;
  readonly token: string;
  readonly chainId: string;
  /** Submissions before the measured ones, not counted (connections, JIT, key caches, SQLite). */
  readonly warmup: number;
  /** Measured submissions. */
  readonly count: number;
  readonly connections: number;
  /** Requests each connection keeps unanswered. */
  readonly inFlight: number;
  /** Requests per frame: 1 sends each on its own; more sends JSON-RPC 2.0 batch arrays (§6). */
  readonly batch: number;
  /** Makes this client's transactions its own when several clients run at once (default: the time). */
  readonly seed?: string;
}

/** client → parent */
export type IngestClientMessage =
  | { readonly type: 'signed' }
  | { readonly type: 'measuring' }
  | {
      readonly type: 'done';
      readonly elapsedMs: number;
      readonly acknowledged: number;
      readonly duplicates: number;
      /** Error code → count. */
      readonly refused: Readonly<Record<string, number>>;
      readonly latencyP50Ms: number;
      readonly latencyP99Ms: number;
      readonly latencyMaxMs: number;
      /** CPU time of the client process per wall second, during the measured part. */
      readonly clientCpuCores: number;
    }
  | { readonly type: 'failed'; readonly message: string };

export function isIngestStart(value: unknown): value is IngestStart {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'start';
}

export function isIngestClientMessage(value: unknown): value is IngestClientMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    (value.type === 'signed' || value.type === 'measuring' || value.type === 'done' || value.type === 'failed')
  );
}
