/**
 * The proof-of-work search in bounded slices (docs/PROTOCOL.md "Blocks": the block hash must have
 * `difficulty` leading zero bits), shared by the worker thread (powWorker.ts), the in-process solver and
 * the unit tests' fake workers, and the messages between the solver and its worker.
 *
 *   main → worker   { type: 'solve', id, header, sliceAttempts, maxAttempts }
 *                   { type: 'cancel', id }
 *   worker → main   { type: 'ready' } once, when its modules have loaded
 *                   { type: 'progress', id, attempts, hashesPerSecond } after each slice without a solution
 *                   { type: 'solved', id, header, attempts, hashesPerSecond }
 *                   { type: 'exhausted', id, attempts } after `maxAttempts` without a solution
 *                   { type: 'failed', id, error: { code, message } }
 *
 * The worker runs one slice at a time and yields between slices, so a cancel arrives within one slice,
 * and several searches share the thread in turn.
 */
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../../core/encoding/canonicalJson';
import { CivichainError } from '../../core/errors';
import { blockHash, meetsDifficulty, type BlockHeader } from '../../core/ledger/block';
import { describeError } from './workerThreads';

/** The largest difficulty a header may claim (a SHA-256 hash has 256 bits). */
export const MAX_DIFFICULTY_BITS = 256;

export interface PowProgress {
  readonly height: number;
  readonly difficulty: number;
  /** Nonces tried so far for this header. */
  readonly attempts: number;
  /** Over the time spent hashing this header. */
  readonly hashesPerSecond: number;
}

/** SHA-256 digest of the header with a given nonce. */
export type NonceHasher = (nonce: number) => Buffer;

/**
 * Hashes `header` with any nonce 3–4 times faster than `blockHash`: the canonical header (RFC 8785,
 * keys sorted) is the same bytes around the nonce's decimal digits, so SHA-256 runs once over what comes
 * before the nonce and each attempt continues from a copy of that state. The template is trusted only if
 * it reproduces `blockHash`; otherwise this returns the plain computation.
 */
export function createNonceHasher(header: BlockHeader): NonceHasher {
  const plain: NonceHasher = (nonce) => Buffer.from(blockHash({ ...header, nonce }), 'hex');
  const sentinel = Number.MAX_SAFE_INTEGER;
  const text = Buffer.from(canonicalBytes({ ...header, nonce: sentinel })).toString('utf8');
  const key = '"nonce":';
  const at = text.indexOf(`${key}${sentinel}`);
  if (at < 0 || text.indexOf(`${key}${sentinel}`, at + 1) >= 0) return plain;
  const before = createHash('sha256').update(text.slice(0, at + key.length), 'utf8');
  const after = Buffer.from(text.slice(at + key.length + String(sentinel).length), 'utf8');
  const fast: NonceHasher = (nonce) => before.copy().update(String(nonce), 'latin1').update(after).digest();
  const probes = [header.nonce, 0, 1, 987_654_321];
  return probes.every((nonce) => fast(nonce).equals(plain(nonce))) ? fast : plain;
}

/** Leading zero bits of a digest. */
export function leadingZeroBitsOfDigest(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

export interface PowSearch {
  readonly header: BlockHeader;
  /** At most this many nonces are tried, from `header.nonce` up. */
  readonly maxAttempts: number;
  readonly hash: NonceHasher;
  nextNonce: number;
  attempts: number;
  elapsedMs: number;
}

export type PowStep = { readonly kind: 'solved'; readonly header: BlockHeader } | { readonly kind: 'searching' } | { readonly kind: 'exhausted' };

/** A search from `header.nonce`; without `maxAttempts`, until the nonce leaves the safe integers. */
export function startPowSearch(header: BlockHeader, maxAttempts?: number): PowSearch {
  const nonceSpace = Number.MAX_SAFE_INTEGER - header.nonce + 1;
  return {
    header,
    maxAttempts: Math.min(maxAttempts ?? nonceSpace, nonceSpace),
    hash: createNonceHasher(header),
    nextNonce: header.nonce,
    attempts: 0,
    elapsedMs: 0,
  };
}

/**
 * Tries at most `sliceAttempts` more nonces, in order, so the solution is the first nonce from
 * `header.nonce` that meets the difficulty (the same one `searchProofOfWork` finds).
 */
export function stepPowSearch(search: PowSearch, sliceAttempts: number, now: () => number): PowStep {
  const attempts = Math.min(sliceAttempts, search.maxAttempts - search.attempts);
  if (attempts <= 0) return { kind: 'exhausted' };
  const { difficulty } = search.header;
  const startedMs = now();
  const first = search.nextNonce;
  let found = -1;
  for (let nonce = first; nonce < first + attempts; nonce++) {
    if (leadingZeroBitsOfDigest(search.hash(nonce)) >= difficulty) {
      found = nonce;
      break;
    }
  }
  search.elapsedMs += now() - startedMs;
  if (found >= 0) {
    search.attempts += found - first + 1;
    search.nextNonce = found + 1;
    const header = { ...search.header, nonce: found };
    // The block carries what blockHash says, whatever the shortcut computed.
    if (!meetsDifficulty(blockHash(header), difficulty)) {
      throw new CivichainError('POW_FAILED', `The nonce search disagreed with the block hash at nonce ${found}.`, { nonce: found });
    }
    return { kind: 'solved', header };
  }
  search.attempts += attempts;
  search.nextNonce += attempts;
  return search.attempts >= search.maxAttempts ? { kind: 'exhausted' } : { kind: 'searching' };
}

export function powProgress(search: PowSearch): PowProgress {
  return {
    height: search.header.height,
    difficulty: search.header.difficulty,
    attempts: search.attempts,
    hashesPerSecond: search.elapsedMs > 0 ? Math.round((search.attempts * 1000) / search.elapsedMs) : 0,
  };
}

/** What the proof-of-work worker is started with. */
export interface PowWorkerData {
  /** Lowers the worker thread's priority by this much (Linux); 0 leaves it alone. */
  readonly niceness?: number;
}

export interface PowSolveRequest {
  readonly type: 'solve';
  readonly id: number;
  readonly header: BlockHeader;
  readonly sliceAttempts: number;
  readonly maxAttempts?: number;
}

export type PowRequest = PowSolveRequest | { readonly type: 'cancel'; readonly id: number };

export type PowWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly id: number; readonly attempts: number; readonly hashesPerSecond: number }
  | { readonly type: 'solved'; readonly id: number; readonly header: BlockHeader; readonly attempts: number; readonly hashesPerSecond: number }
  | { readonly type: 'exhausted'; readonly id: number; readonly attempts: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly code: string; readonly message: string } };

function isPowRequest(value: unknown): value is PowRequest {
  if (typeof value !== 'object' || value === null) return false;
  const request = value as { readonly type?: unknown; readonly id?: unknown; readonly header?: unknown; readonly sliceAttempts?: unknown };
  if (!Number.isSafeInteger(request.id)) return false;
  if (request.type === 'cancel') return true;
  return request.type === 'solve' && typeof request.header === 'object' && request.header !== null && Number.isSafeInteger(request.sliceAttempts);
}

export interface PowWorkerLoopDependencies {
  readonly post: (message: PowWorkerMessage) => void;
  /** Runs `fn` after pending messages have been handled (the worker uses setImmediate). */
  readonly yieldThen: (fn: () => void) => void;
  readonly now: () => number;
}

/** The worker's side of the protocol: returns the handler for incoming messages. */
export function createPowWorkerLoop(deps: PowWorkerLoopDependencies): (message: unknown) => void {
  const jobs = new Map<number, { readonly search: PowSearch; readonly sliceAttempts: number }>();
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled || jobs.size === 0) return;
    scheduled = true;
    deps.yieldThen(step);
  };

  const step = (): void => {
    scheduled = false;
    const next = jobs.entries().next();
    if (next.done) return;
    const [id, job] = next.value;
    // Round robin: the job goes to the back of the line while it runs.
    jobs.delete(id);
    try {
      const result = stepPowSearch(job.search, job.sliceAttempts, deps.now);
      const progress = powProgress(job.search);
      if (result.kind === 'solved') {
        deps.post({ type: 'solved', id, header: result.header, attempts: progress.attempts, hashesPerSecond: progress.hashesPerSecond });
      } else if (result.kind === 'exhausted') {
        deps.post({ type: 'exhausted', id, attempts: progress.attempts });
      } else {
        jobs.set(id, job);
        deps.post({ type: 'progress', id, attempts: progress.attempts, hashesPerSecond: progress.hashesPerSecond });
      }
    } catch (error) {
      deps.post({ type: 'failed', id, error: { code: 'POW_FAILED', message: describeError(error) } });
    }
    schedule();
  };

  return (message) => {
    if (!isPowRequest(message)) {
      deps.post({ type: 'failed', id: -1, error: { code: 'POW_BAD_REQUEST', message: 'The proof-of-work worker received a request it does not understand.' } });
      return;
    }
    if (message.type === 'cancel') {
      jobs.delete(message.id);
      return;
    }
    jobs.set(message.id, { search: startPowSearch(message.header, message.maxAttempts), sliceAttempts: message.sliceAttempts });
    schedule();
  };
}
