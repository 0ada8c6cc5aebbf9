/**
 * The booth's side of casting a ballot (docs/ELECTIONS.md), in the browser, with WebCrypto and
 * @cloudflare/blindrsa-ts only: nothing of it is sent to a node except the blinded ballot key and, later,
 * the signed ballot.
 *
 *   1. a fresh Ed25519 ballot key, made here and never stored;
 *   2. Blind(pk, ballot key, info = the election) — the node sees a random-looking number;
 *   3. Finalize: the node's blind signature times the inverse of the blinding factor (mod n) is the
 *      credential; the factor is dropped with this object;
 *   4. the ballot transaction, signed with the ballot key; its hash is the voter's tracking code.
 *
 * The node checks the credential when the ballot arrives (browsers' WebCrypto refuses the per-election
 * public exponent of partially-blind RSA, so the booth cannot verify it itself).
 */
import { RSAPBSSA } from '@cloudflare/blindrsa-ts';

export interface BoothElection {
  readonly id: string;
  readonly credentialKey: { readonly n: string; readonly e: string };
}

export interface SignedBallot {
  readonly transaction: {
    readonly type: 'election.ballot';
    readonly chainId: string;
    readonly signer: string;
    readonly nonce: string;
    readonly payload: { readonly election: string; readonly choices: readonly string[]; readonly credential: string };
    readonly signature: string;
  };
  /** The transaction hash: the voter's tracking code. */
  readonly hash: string;
}

/** WebCrypto's key type, named without the DOM library (this module also runs in Node, in the tests). */
type WebKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
interface WebKeyPair {
  readonly publicKey: WebKey;
  readonly privateKey: WebKey;
}

const suite = RSAPBSSA.SHA384.PSS.Deterministic();
const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${hex(bytes)}`);
}

function toBytes(value: bigint, length: number): Uint8Array {
  const digits = value.toString(16).padStart(length * 2, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The credential's public metadata: the same bytes the ledger uses (main/core/elections/credential.ts). */
export function credentialInfo(chainId: string, electionId: string): Uint8Array {
  return encoder.encode(`civichain/v1/ballot-credential/${chainId}/${electionId}`);
}

/**
 * RFC 8785 canonical JSON of the values a ballot holds (strings, arrays, objects): object members sorted
 * by UTF-16 code units, strings escaped as JSON.stringify does. docs/PROTOCOL.md "Canonical JSON".
 */
function canonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  throw new TypeError('A ballot holds only strings, arrays and objects.');
}

export class BallotSession {
  private constructor(
    private readonly chainId: string,
    private readonly election: BoothElection,
    private readonly keyPair: WebKeyPair,
    readonly publicKeyHex: string,
    private readonly blinding: { readonly inv: Uint8Array; readonly info: Uint8Array; readonly publicKey: WebKey },
    /** What the booth sends to the node for signing (base64url). */
    readonly blindedMessage: string,
  ) {}

  /** Makes a fresh ballot key and blinds it for the election's credential key. */
  static async start(chainId: string, election: BoothElection): Promise<BallotSession> {
    const keyPair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as unknown as WebKeyPair;
    const publicKeyBytes = new Uint8Array(await crypto.subtle.exportKey('raw', keyPair.publicKey));
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      { kty: 'RSA', n: election.credentialKey.n, e: election.credentialKey.e, alg: 'PS384', ext: true },
      { name: 'RSA-PSS', hash: 'SHA-384' },
      true,
      ['verify'],
    );
    const info = credentialInfo(chainId, election.id);
    const { blindedMsg, inv } = await suite.blind(publicKey, publicKeyBytes, info);
    return new BallotSession(chainId, election, keyPair, hex(publicKeyBytes), { inv, info, publicKey }, base64url(blindedMsg));
  }

  /** Finalize: the credential is the blind signature times the inverse of the blinding factor, mod n. */
  credentialFrom(blindSignature: string): string {
    const n = toBigInt(fromBase64url(this.election.credentialKey.n));
    const length = fromBase64url(this.election.credentialKey.n).length;
    const z = fromBase64url(blindSignature);
    if (z.length !== length) throw new TypeError('The node answered a blind signature of the wrong size.');
    const s = (toBigInt(z) * toBigInt(this.blinding.inv)) % n;
    return base64url(toBytes(s, length));
  }

  /** The ballot transaction, signed with the ballot key. */
  async sign(choices: readonly string[], credential: string): Promise<SignedBallot> {
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(12)));
    const body = {
      type: 'election.ballot' as const,
      chainId: this.chainId,
      signer: this.publicKeyHex,
      nonce,
      payload: { election: this.election.id, choices: [...choices], credential },
    };
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonical(body))));
    const domain = encoder.encode('civichain/v1/tx');
    const message = new Uint8Array(domain.length + 1 + hash.length);
    message.set(domain, 0);
    message.set(hash, domain.length + 1);
    const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, this.keyPair.privateKey, message));
    return { transaction: { ...body, signature: hex(signature) }, hash: hex(hash) };
  }
}

/** "3f9a12bc77e0…" → "3F9A-12BC-77E0-4D21": the short tracking code printed on the receipt. */
export function shortTrackingCode(hash: string): string {
  return hash.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1-');
}
