/**
 * The transaction envelope (docs/PROTOCOL.md "Transactions"):
 *   { type, chainId, signer, nonce, payload, signature }
 * The hash is SHA-256 of the RFC 8785 form of everything but the signature; the signer signs the 32 hash
 * bytes under the domain "civichain/v1/tx". Replay protection: the chain id binds a transaction to one
 * network, and a hash is included at most once (the nonce lets a signer send two otherwise equal ones).
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CivichainError } from '../errors';
import { canonicalize, type CanonicalValue } from '../encoding/canonicalJson';
import { sha256Hex } from '../encoding/hash';
import { DOMAINS, HEX_32, HEX_64, signWithDomain, verifyWithDomain, type PublicKeyCache } from '../crypto/ed25519';

/** Largest canonical encoding of one transaction, signature included. */
export const MAX_TX_BYTES = 64 * 1024;

export interface TransactionBody {
  readonly type: string;
  readonly chainId: string;
  /** Ed25519 public key, hex. */
  readonly signer: string;
  /** Chosen by the signer so that two otherwise equal transactions differ. */
  readonly nonce: string;
  readonly payload: { readonly [key: string]: CanonicalValue };
}

export interface Transaction extends TransactionBody {
  readonly signature: string;
}

const TYPE_PATTERN = /^[a-z][a-z0-9.-]{0,47}$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_CHAIN_ID_LENGTH = 64;

const canonicalValue: z.ZodType<CanonicalValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number().int().refine(Number.isSafeInteger), z.string(), z.array(canonicalValue), z.record(z.string(), canonicalValue)]),
);

export const transactionSchema = z
  .object({
    type: z.string().regex(TYPE_PATTERN),
    chainId: z.string().min(1).max(MAX_CHAIN_ID_LENGTH),
    signer: z.string().regex(HEX_32, 'must be an Ed25519 public key in hex'),
    nonce: z.string().regex(NONCE_PATTERN),
    payload: z.record(z.string(), canonicalValue),
    signature: z.string().regex(HEX_64, 'must be a 64-byte signature in hex'),
  })
  .strict();

export function transactionBody(tx: TransactionBody): TransactionBody {
  return { type: tx.type, chainId: tx.chainId, signer: tx.signer, nonce: tx.nonce, payload: tx.payload };
}

/**
 * The hashes of the transactions made by signTransaction and createTransactionFromJSON, which are frozen
 * to the last nested value, so a hash cannot go stale. A transaction is hashed by the mempool, the
 * proposer, the Merkle root, the block check and the state transition: once is enough.
 */
const knownHashes = new WeakMap<TransactionBody, string>();
/** …and their canonical unsigned bodies, the text that hash is of: the store keeps that text. */
const knownBodies = new WeakMap<TransactionBody, string>();

/** The transaction hash (its id and the voter's tracking code): SHA-256 of the canonical unsigned body. */
export function transactionHash(tx: TransactionBody): string {
  return knownHashes.get(tx) ?? sha256Hex(canonicalize(transactionBody(tx)));
}

/**
 * The hash of a transaction made here (signed or parsed, so frozen), without hashing anything; undefined
 * for any other object. The verifier pool sends such a transaction to its workers as its hash alone.
 */
export function rememberedTransactionHash(tx: TransactionBody): string | undefined {
  return knownHashes.get(tx);
}

/** The canonical unsigned body of a transaction made here (the text its hash is of); undefined for any other object. */
export function rememberedCanonicalBody(tx: TransactionBody): string | undefined {
  return knownBodies.get(tx);
}

/** Freezes a payload value and everything in it. */
function deepFreeze(value: CanonicalValue): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const member of Array.isArray(value) ? value : Object.values(value)) deepFreeze(member);
}

function sealed(tx: Transaction, body: string): Transaction {
  deepFreeze(tx.payload);
  Object.freeze(tx);
  knownHashes.set(tx, sha256Hex(body));
  knownBodies.set(tx, body);
  return tx;
}

/** Signs a body. The transaction returned is frozen, its payload too (the body's own payload object). */
export function signTransaction(body: TransactionBody, privateKey: KeyObject): Transaction {
  const text = canonicalize(transactionBody(body));
  return sealed({ ...transactionBody(body), signature: signWithDomain(DOMAINS.tx, Buffer.from(sha256Hex(text), 'hex'), privateKey) }, text);
}

/**
 * What the signature adds to the canonical body: the member `"signature":"<128 hex digits>",` (a hex
 * string needs no escapes, and another member always follows it: "signer" sorts after "signature").
 */
const SIGNATURE_MEMBER_BYTES = '"signature":"",'.length + 128;

const ENVELOPE_MEMBERS = Object.keys(transactionSchema.shape).length;
/** Deeper payloads are left to the schema (which accepts them too): the quick path does not recurse far. */
const QUICK_MAX_DEPTH = 32;

/** An object literal or JSON object: not an array, null, or an instance of a class. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A copy of a canonical value, or undefined when it is not one (or is too deep for this quick check). */
function copyCanonical(value: unknown, depth: number): CanonicalValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? value : undefined;
    case 'object': {
      if (value === null) return null;
      if (depth >= QUICK_MAX_DEPTH) return undefined;
      if (Array.isArray(value)) {
        const items: CanonicalValue[] = new Array<CanonicalValue>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = copyCanonical(value[i], depth + 1);
          if (item === undefined) return undefined;
          items[i] = item;
        }
        return items;
      }
      return copyRecord(value, depth);
    }
    default:
      return undefined;
  }
}

function copyRecord(value: unknown, depth: number): { [key: string]: CanonicalValue } | undefined {
  if (!isPlainObject(value)) return undefined;
  const copy: { [key: string]: CanonicalValue } = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return undefined;
    const member = copyCanonical(value[key], depth + 1);
    if (member === undefined) return undefined;
    copy[key] = member;
  }
  return copy;
}

/**
 * The quick path of createTransactionFromJSON: the same checks as `transactionSchema`, written out, for
 * input that passes them all (nearly every submission). Anything it does not accept goes through the
 * schema, which then names what is wrong; a test holds the two to the same answers.
 */
export function quickParseTransaction(json: unknown): Transaction | undefined {
  if (!isPlainObject(json) || Object.keys(json).length !== ENVELOPE_MEMBERS) return undefined;
  const { type, chainId, signer, nonce, payload, signature } = json;
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) return undefined;
  if (typeof chainId !== 'string' || chainId.length < 1 || chainId.length > MAX_CHAIN_ID_LENGTH) return undefined;
  if (typeof signer !== 'string' || !HEX_32.test(signer)) return undefined;
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) return undefined;
  if (typeof signature !== 'string' || !HEX_64.test(signature)) return undefined;
  const copied = copyRecord(payload, 0);
  if (copied === undefined) return undefined;
  return { type, chainId, signer, nonce, payload: copied, signature };
}

/** Parses untrusted JSON into a transaction; TX_MALFORMED names the field, TX_TOO_LARGE the size. */
export function createTransactionFromJSON(json: unknown): Transaction {
  const quick = quickParseTransaction(json);
  const parsed = quick ? { success: true as const, data: quick } : transactionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(transaction)';
    throw new CivichainError('TX_MALFORMED', `The transaction is malformed: ${field}: ${issue?.message ?? 'invalid'}.`, { field });
  }
  const body = canonicalize(transactionBody(parsed.data));
  const size = Buffer.byteLength(body) + SIGNATURE_MEMBER_BYTES;
  if (size > MAX_TX_BYTES) {
    throw new CivichainError('TX_TOO_LARGE', `The transaction is ${size} bytes; the limit is ${MAX_TX_BYTES}.`, { size, limit: MAX_TX_BYTES });
  }
  return sealed(parsed.data, body);
}

/**
 * The signature check of checkTransactionEnvelope for a transaction whose hash is already known (and whose
 * chain id was checked): whether `signature` by `signer` signs `hash` as a transaction.
 */
export function verifyTransactionHash(hash: string, signer: string, signature: string, keys: PublicKeyCache): boolean {
  return verifyWithDomain(DOMAINS.tx, Buffer.from(hash, 'hex'), signature, signer, keys);
}

/** Checks what needs no state: the chain id and the signature. Returns the hash. */
export function checkTransactionEnvelope(tx: Transaction, chainId: string, keys: PublicKeyCache): string {
  // A transaction made for another network must never be replayed here.
  if (tx.chainId !== chainId) {
    throw new CivichainError('TX_WRONG_CHAIN', `The transaction is for chain "${tx.chainId}", not "${chainId}".`, { chainId: tx.chainId });
  }
  const hash = transactionHash(tx);
  if (!verifyTransactionHash(hash, tx.signer, tx.signature, keys)) {
    throw new CivichainError('TX_BAD_SIGNATURE', 'The transaction signature does not verify against its signer.', { hash });
  }
  return hash;
}
