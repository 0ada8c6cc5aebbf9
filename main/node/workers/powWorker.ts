/**
 * Worker thread entry (out/main/powWorker.js): searches proof-of-work nonces in slices, reporting progress
 * after each. Started by proofOfWork.ts; the protocol is in powSearch.ts.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { CivichainError } from '../../core/errors';
import { createPowWorkerLoop, type PowWorkerData } from './powSearch';
import { lowerThreadPriority } from './workerThreads';

const port = parentPort;
if (!port) throw new CivichainError('WORKER_CONTEXT', 'powWorker.js runs only as a worker thread started by the proof-of-work solver.');

lowerThreadPriority(((workerData ?? {}) as PowWorkerData).niceness ?? 0);

const onMessage = createPowWorkerLoop({
  post: (message) => port.postMessage(message),
  yieldThen: (fn) => setImmediate(fn),
  now: () => performance.now(),
});
port.on('message', onMessage);
port.postMessage({ type: 'ready' });
