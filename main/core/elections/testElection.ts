/**
 * Fixtures for election tests in main/core: two fixed 2048-bit credential keys (safe primes, made once
 * with node:crypto generatePrime({ safe: true }) for these tests; not the demo's key), a credential issuer,
 * a voter roll, an election definition, and a ledger that applies blocks to a map.
 *
 * The issuer signs the ballot key directly with the per-election derived key (draft-amjad-cfrg-partially-
 * blind-rsa-02 §4.2 DerivePublicKey, then RSASSA-PSS with SHA-384 and a 48-byte salt over
 * msg' = "msg" || len(info) || info || msg). The ledger cannot tell this from a blinded-then-finalized
 * signature; the blinding itself is tested against @cloudflare/blindrsa-ts in main/node/elections.
 */
import { constants, createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Genesis } from '../genesis';
import { signTransaction, transactionHash, type Transaction } from '../ledger/transaction';
import { canonicalBytes, type CanonicalValue } from '../encoding/canonicalJson';
import type { TestKey } from '../ledger/testFixtures';
import { createDefaultRegistry } from '../rules/index';
import type { ElectionDefinition } from '../rules/elections';
import type { StateReader } from '../rules/types';
import { applyTransactions, checkTransaction, type StateChanges } from '../stateTransition';
import { CREDENTIAL_SUITE, credentialInfo, derivedExponent, type CredentialKey } from './credential';
import { cardCodeFromBytes, rollLeaf, type RollEntry } from './roll';
import type { MerkleTree } from '../ledger/merkle';

export interface TestCredentialPrivateKey {
  readonly n: string;
  readonly e: string;
  readonly p: string;
  readonly q: string;
}

export const TEST_CREDENTIAL_KEY: TestCredentialPrivateKey = {
  n: '2QaIJiqjzb-bLEgG6OQaOnULus9rqhiDjo8zXPtylKLhiRMJqlSEQm_KyN9koiK1RChOijIFzzlcecTaRiwVwYigj7y3Y7dvtMS24uwyAcjSmmI4zHotdcs_lMQQRO_Adg9VXrVQ78fSsP0oQtsi7jpREFrR_CqabggFWbOdKFhee4gdRVu679cUDNBrRfhcNWMRznw-cWO1Tkj60JVIIc7Tru9aw9aQNLKBvPPtFQcTBwRB_FjOARkSGYSh_qQF4qIQ97GuAj2RQO20zD1BvgF_hi7qHaRKJe1x-T8ztKP9O2Tok8891GwgzIZIdZlMDpQUdKAndMIFklKtH7pupQ',
  e: 'AQAB',
  p: '4xIg8ZbzQrdsz06kX2pbzIQq6Eq5dP8BI2v75pPStZNNxwT1UsR76bvCgi4vT8HIwG8tnLMThfQRSUR42iEAjLQBmILiycnw7xEwL01x4vV_aQtKyRHykggdRNClI1UXe0RnkJNX8vUb5UiaZokGQF599eaVDMFlWPN3waASW7c',
  q: '9KzHEIt3TuDQkMaF8KbcCGuiVK9JSXF72-JsuCovKwWQGd_SW043q6f_hEiUuK5q4ir8Eky6AgqUlGgMdhFdAlbtQ-hpxBtFC484gbMXvKkkDCQTzMhhhFEhxwt7YnE8e7vhHXXtKMH3ki6GfcXOFjgm53gVtk2iXqSoH49WgIM',
};
export const OTHER_CREDENTIAL_KEY: TestCredentialPrivateKey = {
  n: '5uM5ATE0ohFbXqBQWP4quLdySEsoLICfzMt8kqQPPV6z6ZFjAuWCE-Vto2oampr6W1oNcMYIgPFHle4dcUArKGpErITpLvXZlSrw_59v6XQZ9edjN_ePK4uMWUqsToXeArZJ1G0CUCkErI9hHyZY-XfwLLSpSygWImCRICsTNVodw3uXsSGwPgBeI7Woxp6HSmAD07cPevq5bMyo73rmnvAhAVb382Z_Mo549J0hMDRwEDbG6FYrJKpGMwdoRR0JEoQhL-WY0I9Mw_fby1aJJqCRbAjsYE8HpH7iarbn3iW83lhr4EACgHB59yIBrRCDLXN7v2t2o9qQlZVtV-jiGQ',
  e: 'AQAB',
  p: '6I6xEIIq_vRbR_l4QjSXSNpiguwexYKunM0Muq4u-8cT1jfVRsJo_h9gXftMs9gcOMdIraO_6BJIgIFO-qbo-vBB48jL0yYFEiH-9V20lMwj_9lRSunUU6c2caqCysd9JoDan6mi-TVLvNoff32gosozSb5Nlx8FOpRBmnZg6ms',
  q: '_ilwzMeBxJKp-qNoIzK7IqGyc8as9-Xy2A9aMd86NvDlRnGFjfn3xZn44VhOsjkyWa4N9Y6gYKkc6dswaT1-_M3jGLtSqMxrCQIeP9fIWxjfMUu-gVFmNH7IYOgRvytjZCX6yFZNI7hbt_LXAT1uhcgyS7MMe6CnAA01KH7XTos',
};

const toBig = (b64: string): bigint => BigInt(`0x${Buffer.from(b64, 'base64url').toString('hex')}`);
function toB64(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('No inverse: the exponent shares a factor with the group order.');
  return ((oldS % m) + m) % m;
}

export function publicCredentialKey(key: TestCredentialPrivateKey): CredentialKey {
  return { suite: CREDENTIAL_SUITE, n: key.n, e: key.e };
}

/** Signs credentials as the officials' node would (without the blinding); one derived key per election. */
export class TestCredentialIssuer {
  private readonly derived = new Map<string, KeyObject>();
  constructor(readonly key: TestCredentialPrivateKey = TEST_CREDENTIAL_KEY) {}

  get publicKey(): CredentialKey {
    return publicCredentialKey(this.key);
  }

  private derivedKey(info: Buffer): KeyObject {
    const id = info.toString('base64url');
    const known = this.derived.get(id);
    if (known) return known;
    const [p, q] = [toBig(this.key.p), toBig(this.key.q)];
    const ePrime = derivedExponent(this.publicKey, info);
    const d = modInverse(toBig(ePrime.toString('base64url')), (p - 1n) * (q - 1n));
    const jwk = {
      kty: 'RSA',
      n: this.key.n,
      e: ePrime.toString('base64url'),
      d: toB64(d),
      p: this.key.p,
      q: this.key.q,
      dp: toB64(d % (p - 1n)),
      dq: toB64(d % (q - 1n)),
      qi: toB64(modInverse(q, p)),
    };
    const privateKey = createPrivateKey({ format: 'jwk', key: jwk });
    this.derived.set(id, privateKey);
    return privateKey;
  }

  /** The credential (base64url) for a ballot key of an election of a chain. */
  issue(chainId: string, electionId: string, ballotPublicKey: string): string {
    const info = credentialInfo(chainId, electionId);
    const message = Buffer.from(ballotPublicKey, 'hex');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(info.length);
    const messagePrime = Buffer.concat([Buffer.from('msg'), length, info, message]);
    return sign('sha384', messagePrime, { key: this.derivedKey(info), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }).toString('base64url');
  }
}

/** A roll of `size` voters VOID001…, each with a fixed card code. */
export function testRoll(size: number): RollEntry[] {
  return Array.from({ length: size }, (_, i) => ({
    voterId: `VOID${String(i + 1).padStart(3, '0')}`,
    name: `Voter ${i + 1}`,
    cardCode: cardCodeFromBytes(createHash('sha256').update(`card-${i}`).digest()),
  }));
}

export const HOUR_MS = 3_600_000;

/** An election of the three parties of the origin, open from one hour after genesis to ten hours after. */
export function testElectionDefinition(options: {
  genesis: Genesis;
  id: string;
  roll: MerkleTree;
  officials: readonly TestKey[];
  credentialKey?: CredentialKey;
  choose?: number;
}): ElectionDefinition {
  return {
    id: options.id,
    title: `Election ${options.id}`,
    candidates: [
      { id: 'dem', name: 'Democratic Party' },
      { id: 'rep', name: 'Republican Party' },
      { id: 'soc', name: 'Socialist party' },
    ],
    choose: options.choose ?? 1,
    opensAtMs: options.genesis.genesisTimeMs + HOUR_MS,
    closesAtMs: options.genesis.genesisTimeMs + 10 * HOUR_MS,
    liveResults: false,
    roll: { root: options.roll.root, size: options.roll.size },
    officials: options.officials.map((o) => o.publicKey),
    credentialKey: options.credentialKey ?? publicCredentialKey(TEST_CREDENTIAL_KEY),
  };
}

/** A signed transaction; the nonce defaults to a digest of the type and payload (override to repeat one). */
export function testTx(chainId: string, signer: TestKey, type: string, payload: Record<string, CanonicalValue>, nonce?: string): Transaction {
  const defaultNonce = createHash('sha256').update(type).update(canonicalBytes(payload)).digest('hex').slice(0, 16);
  return signTransaction({ type, chainId, signer: signer.publicKey, nonce: nonce ?? defaultNonce, payload }, signer.privateKey);
}

/** The credential transaction that checks in roll entry `index`. */
export function credentialTx(chainId: string, official: TestKey, electionId: string, roll: readonly RollEntry[], tree: MerkleTree, index: number, nonce?: string): Transaction {
  const entry = roll[index] as RollEntry;
  return testTx(chainId, official, 'election.credential', { election: electionId, leaf: rollLeaf(electionId, entry.voterId, entry.cardCode), index, proof: tree.proof(index) }, nonce);
}

/** A ballot cast with a fresh ballot key and a credential from `issuer` for (chain, election). */
export function ballotTx(options: {
  chainId: string;
  electionId: string;
  ballotKey: TestKey;
  choices: readonly string[];
  issuer: TestCredentialIssuer;
  /** The election the credential was issued for, when not the one voted in. */
  credentialFor?: { chainId?: string; electionId?: string; ballotPublicKey?: string };
  nonce?: string;
}): Transaction {
  const credential = options.issuer.issue(
    options.credentialFor?.chainId ?? options.chainId,
    options.credentialFor?.electionId ?? options.electionId,
    options.credentialFor?.ballotPublicKey ?? options.ballotKey.publicKey,
  );
  return testTx(options.chainId, options.ballotKey, 'election.ballot', { election: options.electionId, choices: [...options.choices], credential }, options.nonce);
}

/** Ledger state in a map: blocks are applied through the real state transition. */
export class TestLedger {
  readonly state = new Map<string, string>();
  readonly included = new Set<string>();
  readonly registry = createDefaultRegistry();
  height = 0;
  readonly reader: StateReader = {
    get: (key) => this.state.get(key) ?? null,
    hasTransaction: (hash) => this.included.has(hash),
  };
  constructor(readonly genesis: Genesis) {}

  /** Applies a block of transactions at `timeMs`; a refused transaction throws and changes nothing. */
  apply(transactions: readonly Transaction[], timeMs: number): StateChanges {
    const changes = applyTransactions(transactions, { genesis: this.genesis, height: this.height + 1, blockTimeMs: timeMs, state: this.reader }, this.registry);
    for (const [key, value] of changes.writes) {
      if (value === null) this.state.delete(key);
      else this.state.set(key, value);
    }
    for (const hash of changes.txHashes) this.included.add(hash);
    this.height++;
    return changes;
  }

  /** Checks one transaction as the mempool would, at `timeMs`, without applying it. */
  check(tx: Transaction, timeMs: number): unknown {
    return checkTransaction(tx, transactionHash(tx), { genesis: this.genesis, height: this.height + 1, blockTimeMs: timeMs, state: this.reader }, this.registry);
  }

  json<T>(key: string): T | null {
    const value = this.state.get(key);
    return value === undefined ? null : (JSON.parse(value) as T);
  }
}
