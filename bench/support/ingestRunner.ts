/**
 * Runs the ingest client (bench/support/ingestClient.ts) in its own process, as a real API client is, for
 * the benchmarks that submit signed transactions through a node's API.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isIngestClientMessage, type IngestClientMessage, type IngestStart } from './ingestProtocol';

const VITE_NODE = fileURLToPath(new URL('../../node_modules/vite-node/vite-node.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('./ingestClient.ts', import.meta.url));

export type IngestDone = Extract<IngestClientMessage, { type: 'done' }>;

/**
 * Runs the client process; `onMeasuring` is told when the warm-up is over. Resolves with its result;
 * `started(child)`, when given, is handed the process (to stop it early).
 */
export function runIngestClient(start: IngestStart, onMeasuring: () => Promise<void> | void, started?: (child: ChildProcess) => void): Promise<IngestDone> {
  const child = fork(VITE_NODE, [CLIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  started?.(child);
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', (message: unknown) => {
      if (!isIngestClientMessage(message)) return;
      if (message.type === 'measuring') void onMeasuring();
      if (message.type === 'done') {
        settled = true;
        resolve(message);
      }
      if (message.type === 'failed') {
        settled = true;
        reject(new RangeError(`The benchmark client failed: ${message.message}`));
      }
    });
    child.on('exit', (code) => {
      if (!settled) reject(new RangeError(`The benchmark client exited (code ${code}) before it reported.`));
    });
    child.send(start);
  });
}
