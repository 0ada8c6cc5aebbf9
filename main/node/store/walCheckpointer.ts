/**
 * Checkpoints the ledger store's write-ahead log from a worker thread with its own SQLite connection, so
 * that copying committed pages from the WAL into the database file (and that file's fsync) is not done on
 * the main thread inside a block's commit, as SQLite's automatic checkpoint does. Durability does not
 * change: a commit is on disk once its WAL frames are synced (synchronous=FULL), checkpointed or not.
 *
 * The store asks for a checkpoint after it writes (`request`, coalesced: one at a time); the worker runs a
 * PASSIVE checkpoint, which never blocks the main connection's readers or writer. While the worker runs,
 * the main connection's automatic checkpoint is off; if the worker fails or exits, it is turned back on
 * and the failure logged, so the WAL never grows without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from '../log';

/** SQLite's default wal_autocheckpoint, restored when the worker stops. */
const AUTOCHECKPOINT_PAGES = 1000;

/** The worker: one connection to the same file, one PASSIVE checkpoint per request. Plain CommonJS. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.nativeBinding ? { fileMustExist: true, nativeBinding: workerData.nativeBinding } : { fileMustExist: true });
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpointed', busy: result.busy, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String((error && error.message) || error) });
  }
});
parentPort.postMessage({ type: 'ready' });
`;

/** What one checkpoint did: WAL frames in the log and frames copied into the database file. */
export interface CheckpointResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

type WorkerMessage = { type: 'ready' } | ({ type: 'checkpointed' } & CheckpointResult) | { type: 'failed'; message: string };

export interface WalCheckpointerOptions {
  /** A better-sqlite3 binary built for this runtime's ABI (Electron), when not the one in node_modules. */
  readonly nativeBinding?: string | undefined;
  readonly log?: Logger | undefined;
  /** Told of each checkpoint the worker made (tests, diagnostics). */
  readonly onCheckpoint?: ((result: CheckpointResult) => void) | undefined;
}

export class WalCheckpointer {
  private inFlight = false;
  private pending = false;
  private stopped = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly worker: Worker,
    private readonly options: WalCheckpointerOptions,
  ) {}

  /** Starts the worker; resolves once it is connected and the main connection's automatic checkpoint is off. */
  static start(db: Database.Database, options: WalCheckpointerOptions = {}): Promise<WalCheckpointer> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: db.name, module: createRequire(import.meta.url).resolve('better-sqlite3'), nativeBinding: options.nativeBinding ?? null },
    });
    worker.unref();
    return new Promise((resolve, reject) => {
      const onEarlyExit = (code: number) => reject(new RangeError(`The WAL checkpoint worker exited (code ${code}) before it was ready.`));
      worker.once('error', reject);
      worker.once('exit', onEarlyExit);
      worker.once('message', (message: WorkerMessage) => {
        worker.off('error', reject);
        worker.off('exit', onEarlyExit);
        if (message.type !== 'ready' || !db.open) {
          worker.postMessage('close');
          const reason = !db.open ? 'the store was closed meanwhile' : message.type === 'failed' ? message.message : message.type;
          reject(new RangeError(`The WAL checkpoint worker did not start: ${reason}.`));
          return;
        }
        const checkpointer = new WalCheckpointer(db, worker, options);
        checkpointer.listen();
        db.pragma('wal_autocheckpoint = 0');
        resolve(checkpointer);
      });
    });
  }

  /** Asks for a checkpoint after a write; one runs at a time, and one more follows if asked meanwhile. */
  request(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    this.worker.postMessage('checkpoint');
  }

  /** Stops the worker (it closes its connection); the main connection checkpoints by itself again. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('close');
    this.restoreAutocheckpoint();
  }

  private listen(): void {
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'failed') this.options.log?.warn('a WAL checkpoint failed', { error: message.message });
      if (message.type === 'checkpointed') this.options.onCheckpoint?.({ busy: message.busy, log: message.log, checkpointed: message.checkpointed });
      this.inFlight = false;
      if (this.pending) {
        this.pending = false;
        this.request();
      }
    });
    this.worker.on('error', (error) => this.fail(`failed: ${error.message}`));
    this.worker.on('exit', (code) => {
      if (!this.stopped) this.fail(`exited with code ${code}`);
    });
  }

  private fail(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.restoreAutocheckpoint();
    this.options.log?.warn('the WAL checkpoint worker stopped; the ledger store checkpoints on the main thread again', { reason });
  }

  private restoreAutocheckpoint(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
