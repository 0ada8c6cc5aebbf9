/**
 * The verification work itself, shared by the worker threads (verifyWorker.ts), the in-process verifier
 * (createInlineVerifier) and the unit tests' fake workers, and the messages that carry it.
 *
 *   main → worker   { type: 'verify', id, tasks: VerifyTask[] }
 *   worker → main   { type: 'ready' } once, when its modules have loaded
 *                   { type: 'verified', id, results: VerifyResult[] } in the order of the tasks
 *                   { type: 'failed', id, error: { code, message } } when a request is not understood
 */
import { PublicKeyCache, verifyWithDomain, type Domain } from '../../core/crypto/ed25519';
import { CredentialVerifier, type CredentialClaim } from '../../core/elections/credential';
import { CivichainError } from '../../core/errors';
import { checkTransactionEnvelope, rememberedTransactionHash, verifyTransactionHash, type Transaction } from '../../core/ledger/transaction';
import { openApplication, x25519KeyPair, type ApplicationDetails, type SealBinding, type SealedApplication } from '../../core/vouchers/seal';

/** A signed thing other than a transaction (a vote, a proposal…): its domain, message and signature. */
export interface SignedMessage {
  readonly domain: Domain;
  readonly message: Uint8Array;
  /** Ed25519 signature, hex. */
  readonly signature: string;
  /** Ed25519 public key, hex. */
  readonly publicKey: string;
}

/** A sealed application to open with the reviewers' X25519 private key (32 bytes): a Government desk's work. */
export interface OpenTask {
  readonly sealed: SealedApplication;
  readonly binding: SealBinding;
  readonly reviewersKey: Uint8Array;
}

/** The opened details, or why they cannot be opened (VOUCHER_SEAL_INVALID's message). */
export type OpenResult = { readonly details: ApplicationDetails } | { readonly error: string };

/**
 * A transaction made on the main thread, whose hash it remembers: only what its signature check needs.
 * Its own kind rather than a 'signature' task with the hash as bytes: a 64-character string crosses to a
 * worker cheaper than a typed array does (measured: ~8,300 against ~7,700 API ingest tx/s).
 */
export interface HashedTransaction {
  readonly hash: string;
  readonly signer: string;
  readonly signature: string;
}

export type VerifyTask =
  | { readonly kind: 'tx'; readonly tx: Transaction; readonly chainId: string }
  | ({ readonly kind: 'hashed-tx' } & HashedTransaction)
  | { readonly kind: 'signature'; readonly signed: SignedMessage }
  | { readonly kind: 'credential'; readonly claim: CredentialClaim }
  | ({ readonly kind: 'open' } & OpenTask);

/** A transaction's hash or null; true or false for a signed message; an opened application. */
export type VerifyResult = string | boolean | null | OpenResult;

export interface VerifyRequest {
  readonly type: 'verify';
  readonly id: number;
  readonly tasks: readonly VerifyTask[];
}

export type VerifyWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'verified'; readonly id: number; readonly results: readonly VerifyResult[] }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly code: string; readonly message: string } };

export interface VerifierCacheOptions {
  /** Public key objects kept per cache (the verified-signature memo keeps four times as many). */
  readonly keyCacheCapacity?: number;
  /**
   * Remember verified signatures so that a repeated one (gossip, a block of mempool transactions) is not
   * verified twice. On by default; benchmarks turn it off to measure real verification.
   */
  readonly memoize?: boolean;
}

export const DEFAULT_KEY_CACHE_CAPACITY = 10_000;

/** What a verification worker is started with. */
export interface VerifyWorkerData extends VerifierCacheOptions {
  /** Lowers the worker thread's priority by this much (Linux); 0 leaves it alone. */
  readonly niceness?: number;
}

/** A key cache that never remembers a verified signature. */
class UnmemoizedKeyCache extends PublicKeyCache {
  override wasVerified(): boolean {
    return false;
  }
  override rememberVerified(): void {}
}

export function createKeyCache(options: VerifierCacheOptions = {}): PublicKeyCache {
  const capacity = options.keyCacheCapacity ?? DEFAULT_KEY_CACHE_CAPACITY;
  return options.memoize === false ? new UnmemoizedKeyCache(capacity) : new PublicKeyCache(capacity);
}

/** The reviewers' key objects by their bytes: a worker makes each once. */
const openingKeys = new Map<string, ReturnType<typeof x25519KeyPair>['privateKey']>();

export function runOpenTask(task: OpenTask): OpenResult {
  try {
    const id = Buffer.from(task.reviewersKey).toString('base64');
    let key = openingKeys.get(id);
    if (!key) openingKeys.set(id, (key = x25519KeyPair(task.reviewersKey).privateKey));
    return { details: openApplication(task.sealed, key, task.binding) };
  } catch (error) {
    return { error: error instanceof CivichainError ? error.message : 'The sealed application cannot be opened.' };
  }
}

/**
 * The task for one transaction: a transaction made here (its hash remembered) and for this chain travels
 * as its hash, signer and signature, so that neither side copies nor encodes its payload again; any other
 * goes whole and is hashed where it is checked.
 */
export function transactionTask(tx: Transaction, chainId: string): VerifyTask {
  const hash = rememberedTransactionHash(tx);
  if (hash === undefined || tx.chainId !== chainId) return { kind: 'tx', tx, chainId };
  return { kind: 'hashed-tx', hash, signer: tx.signer, signature: tx.signature };
}

/** Runs one task. Anything that throws (a wrong chain id, a bad signature, a malformed payload) is invalid. */
export function runVerifyTask(task: VerifyTask, keys: PublicKeyCache, credentials?: CredentialVerifier): VerifyResult {
  if (task.kind === 'open') return runOpenTask(task);
  try {
    if (task.kind === 'tx') return checkTransactionEnvelope(task.tx, task.chainId, keys);
    if (task.kind === 'hashed-tx') return verifyTransactionHash(task.hash, task.signer, task.signature, keys) ? task.hash : null;
    if (task.kind === 'credential') return (credentials ?? new CredentialVerifier(1)).verifyNow(task.claim);
    const { domain, message, signature, publicKey } = task.signed;
    return verifyWithDomain(domain, message, signature, publicKey, keys);
  } catch {
    return task.kind === 'tx' || task.kind === 'hashed-tx' ? null : false;
  }
}

function isVerifyRequest(value: unknown): value is VerifyRequest {
  if (typeof value !== 'object' || value === null) return false;
  const request = value as Partial<VerifyRequest>;
  return request.type === 'verify' && Number.isSafeInteger(request.id) && Array.isArray(request.tasks);
}

/** The worker's side of the protocol: a request in, the response out. */
export function createVerifyRequestHandler(keys: PublicKeyCache): (request: unknown) => VerifyWorkerMessage {
  // One per worker: it keeps each election's derived public key.
  const credentials = new CredentialVerifier();
  return (request) => {
    if (!isVerifyRequest(request)) {
      const id = typeof request === 'object' && request !== null && 'id' in request && typeof request.id === 'number' ? request.id : -1;
      return { type: 'failed', id, error: { code: 'VERIFIER_BAD_REQUEST', message: 'The verifier worker received a request it does not understand.' } };
    }
    return { type: 'verified', id: request.id, results: request.tasks.map((task) => runVerifyTask(task, keys, credentials)) };
  };
}
