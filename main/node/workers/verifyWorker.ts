/**
 * Worker thread entry (out/main/verifyWorker.js): verifies batches of signatures with Node's crypto and
 * its own cache of public key objects. Started by verifyPool.ts; the protocol is in verifyTasks.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CivichainError } from '../../core/errors';
import { createKeyCache, createVerifyRequestHandler, type VerifyWorkerData } from './verifyTasks';
import { lowerThreadPriority } from './workerThreads';

const port = parentPort;
if (!port) throw new CivichainError('WORKER_CONTEXT', 'verifyWorker.js runs only as a worker thread started by the verifier pool.');

const data = (workerData ?? {}) as VerifyWorkerData;
lowerThreadPriority(data.niceness ?? 0);
const handle = createVerifyRequestHandler(createKeyCache(data));
port.on('message', (request: unknown) => port.postMessage(handle(request)));
port.postMessage({ type: 'ready' });
