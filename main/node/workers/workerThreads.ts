/**
 * What the pools need from `node:worker_threads`, narrowed to an interface so that unit tests can drive a
 * pool with in-process fakes, and where the built worker scripts are found.
 *
 * The build (electron.vite.config.ts) emits each worker as its own entry in out/main/, beside index.js and
 * cli.js; code shared between entries lands in out/main/chunks/. So from bundled code a worker script is
 * either next to the running file or one folder up.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CivichainError } from '../../core/errors';

/** The part of `Worker` the pools use. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (exitCode: number) => void): unknown;
  terminate(): Promise<number>;
  /** Lets the process exit while the worker idles; `ref()` again while work is pending. */
  ref(): void;
  unref(): void;
}

export type SpawnWorker = (script: URL, workerData: unknown) => WorkerLike;

export const spawnWorkerThread: SpawnWorker = (script, workerData) => new Worker(script, { workerData });

/** A script location given as a URL, a `file:` URL string or a path. */
export function toScriptUrl(script: URL | string): URL {
  if (script instanceof URL) return script;
  return script.startsWith('file:') ? new URL(script) : pathToFileURL(script);
}

/**
 * Finds a built worker script (e.g. "verifyWorker.js") for code running from `fromUrl` (the caller's
 * `import.meta.url`). Throws WORKER_SCRIPT_MISSING, saying how to build it, when it is in neither place.
 */
export function builtWorkerScript(fileName: string, fromUrl: string): URL {
  const candidates = [new URL(`./${fileName}`, fromUrl), new URL(`../${fileName}`, fromUrl)];
  const found = candidates.find((candidate) => candidate.protocol === 'file:' && existsSync(candidate));
  if (found) return found;
  const near = fromUrl.startsWith('file:') ? fileURLToPath(new URL('.', fromUrl)) : fromUrl;
  throw new CivichainError(
    'WORKER_SCRIPT_MISSING',
    `The worker script ${fileName} was not found near ${near}. Build the node with "npx electron-vite build" ` +
      '(it writes out/main/), or pass the script location in the options.',
    { fileName, near },
  );
}

/** The message of an unknown thrown value, for error details. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Niceness of the worker threads: proof-of-work and bulk verification are background work, and on a
 * two-core machine the main thread (consensus timers, the API) must win the CPU when it wants it.
 */
export const DEFAULT_WORKER_NICENESS = 5;

/**
 * Lowers the scheduling priority of the calling thread only. Linux keeps a nice value per thread
 * (setpriority(2), "Bugs"), and /proc/thread-self names the thread's id. Elsewhere this does nothing.
 * Returns whether it took effect.
 */
export function lowerThreadPriority(niceness: number): boolean {
  if (process.platform !== 'linux' || niceness <= 0) return false;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isSafeInteger(threadId) || threadId <= 0) return false;
    setPriority(threadId, Math.min(19, Math.floor(niceness)));
    return true;
  } catch {
    return false;
  }
}
