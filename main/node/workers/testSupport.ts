/**
 * Test and benchmark helpers for the worker pools: signed `note` transactions, the location of the built
 * worker scripts, and in-process fake workers that speak the real protocol. Not used by the node.
 */
import type { KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CivichainError } from '../../core/errors';
import { signTransaction, type Transaction } from '../../core/ledger/transaction';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../keystore/keystore';
import type { WorkerLike } from './workerThreads';

export const TEST_CHAIN_ID = 'civichain-test';

export interface TestSigner {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

/** Deterministic signers: seed i is 32 bytes of the value i + 1. */
export function testSigners(count: number): TestSigner[] {
  return Array.from({ length: count }, (_, i) => {
    const privateKey = ed25519PrivateKeyFromSeed(Buffer.alloc(32, i + 1));
    return { publicKey: ed25519PublicKeyHex(privateKey), privateKey };
  });
}

/**
 * `count` signed `note` transactions, spread over `signers`, with distinct nonces (`${prefix}-${i}`)
 * so that two calls with different prefixes share no signature.
 */
export function signedNotes(count: number, options: { chainId?: string; signers?: readonly TestSigner[]; prefix?: string } = {}): Transaction[] {
  const signers = options.signers ?? testSigners(8);
  const chainId = options.chainId ?? TEST_CHAIN_ID;
  const prefix = options.prefix ?? 'n';
  return Array.from({ length: count }, (_, i) => {
    const signer = signers[i % signers.length] as TestSigner;
    return signTransaction(
      { type: 'note', chainId, signer: signer.publicKey, nonce: `${prefix}-${i}`, payload: { text: `note ${i}` } },
      signer.privateKey,
    );
  });
}

/** The same transaction with one hex digit of its signature changed. */
export function withBadSignature(tx: Transaction): Transaction {
  const first = tx.signature[0] === '0' ? '1' : '0';
  return { ...tx, signature: `${first}${tx.signature.slice(1)}` };
}

/** out/main/<fileName> as a URL; fails with what to do when the build has not been run. */
export function builtWorkerForTests(fileName: string): URL {
  const url = new URL(`../../../out/main/${fileName}`, import.meta.url);
  if (!existsSync(url)) {
    throw new CivichainError(
      'WORKER_SCRIPT_MISSING',
      `${fileURLToPath(url)} is missing: these tests run the real worker threads from the build. Run "npx electron-vite build" first.`,
    );
  }
  return url;
}

/**
 * An in-process stand-in for a worker thread: messages are handled on a later turn of the event loop by
 * `handle`, which answers through `post`. `crash()` behaves like an uncaught exception in the worker.
 */
export class FakeWorker extends EventEmitter implements WorkerLike {
  readonly posted: unknown[] = [];
  referenced = true;
  terminated = false;

  constructor(
    handle: (post: (message: unknown) => void) => (message: unknown) => void,
    options: { readonly failToStart?: string } = {},
  ) {
    super();
    const post = (message: unknown): void => {
      if (!this.terminated) this.emit('message', message);
    };
    this.onPosted = handle(post);
    setImmediate(() => {
      if (options.failToStart !== undefined) this.crash(options.failToStart);
      else post({ type: 'ready' });
    });
  }

  private readonly onPosted: (message: unknown) => void;

  postMessage(message: unknown): void {
    this.posted.push(message);
    setImmediate(() => {
      if (!this.terminated) this.onPosted(message);
    });
  }

  crash(reason: string): void {
    if (this.terminated) return;
    this.terminated = true;
    this.emit('error', new Error(reason));
    this.emit('exit', 1);
  }

  terminate(): Promise<number> {
    if (!this.terminated) {
      this.terminated = true;
      setImmediate(() => this.emit('exit', 1));
    }
    return Promise.resolve(1);
  }

  ref(): void {
    this.referenced = true;
  }

  unref(): void {
    this.referenced = false;
  }
}
