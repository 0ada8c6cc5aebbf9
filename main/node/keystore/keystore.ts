/**
 * The encrypted keystore (DESIGN.md §7): one JSON file per Ed25519 key in `<data>/keystore/`, the private
 * key sealed with AES-256-GCM under a key derived from a passphrase with scrypt (RFC 7914). Public parts are
 * readable without the passphrase. scrypt runs on libuv's thread pool, never on the main thread.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { IdentityRole, IdentitySummary } from '../../../preload/contract';
import { IDENTITY_ROLES } from '../../../preload/contract';
import { CivichainError } from '../../core/errors';
import { writeFileAtomic } from '../workspace/files';

export const KEY_FILE_FORMAT = 'civichain/key/v1';

/** scrypt cost for real keys; demo keys use a lower cost so the demo starts quickly (they are not secrets). */
export const SCRYPT_N_DEFAULT = 2 ** 17;
export const SCRYPT_N_DEMO = 2 ** 12;
const SCRYPT_R = 8;
const SCRYPT_P = 1;

/** RFC 8410 §7: PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** RFC 8410 §4: SPKI DER prefix of an Ed25519 public key; the 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const keyFileSchema = z
  .object({
    format: z.literal(KEY_FILE_FORMAT),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    label: z.string().min(1).max(120),
    role: z.enum(IDENTITY_ROLES),
    publicKey: z.string().regex(/^[0-9a-f]{64}$/),
    kdf: z.object({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int(), salt: z.string() }),
    cipher: z.object({ name: z.literal('aes-256-gcm'), iv: z.string(), tag: z.string() }),
    ciphertext: z.string(),
  })
  .strict();
export type KeyFile = z.infer<typeof keyFileSchema>;

export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new CivichainError('INVALID_KEY', 'An Ed25519 seed is 32 bytes.', { length: seed.length });
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519Seed(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8_PREFIX.length);
}

export function ed25519PublicKeyHex(privateKey: KeyObject): string {
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return spki.subarray(ED25519_SPKI_PREFIX.length).toString('hex');
}

function deriveKey(passphrase: string, salt: Buffer, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, 32, { N, r: SCRYPT_R, p: SCRYPT_P, maxmem: 256 * N * SCRYPT_R }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function sealKey(options: {
  id: string;
  label: string;
  role: IdentityRole;
  privateKey: KeyObject;
  passphrase: string;
  scryptN?: number;
}): Promise<KeyFile> {
  const N = options.scryptN ?? SCRYPT_N_DEFAULT;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(options.passphrase, salt, N);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The public key and id are bound to the ciphertext as associated data: a swapped header fails to open.
  const publicKey = ed25519PublicKeyHex(options.privateKey);
  cipher.setAAD(Buffer.from(`${KEY_FILE_FORMAT}|${options.id}|${publicKey}`));
  const ciphertext = Buffer.concat([cipher.update(ed25519Seed(options.privateKey)), cipher.final()]);
  return {
    format: KEY_FILE_FORMAT,
    id: options.id,
    label: options.label,
    role: options.role,
    publicKey,
    kdf: { name: 'scrypt', N, r: SCRYPT_R, p: SCRYPT_P, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  };
}

export async function openKey(file: KeyFile, passphrase: string): Promise<KeyObject> {
  const key = await deriveKey(passphrase, Buffer.from(file.kdf.salt, 'base64'), file.kdf.N);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.cipher.iv, 'base64'));
  decipher.setAAD(Buffer.from(`${KEY_FILE_FORMAT}|${file.id}|${file.publicKey}`));
  decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
  let seed: Buffer;
  try {
    seed = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw new CivichainError(
      'WRONG_PASSPHRASE',
      `The passphrase does not open the key "${file.label}". Check the passphrase and try again.`,
      { id: file.id },
    );
  }
  const privateKey = ed25519PrivateKeyFromSeed(seed);
  if (ed25519PublicKeyHex(privateKey) !== file.publicKey) {
    throw new CivichainError('KEYSTORE_CORRUPT', `The key file "${file.id}" does not match its public key.`, { id: file.id });
  }
  return privateKey;
}

export function parseKeyFile(text: string, where: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CivichainError('KEYSTORE_CORRUPT', `The key file ${where} is not valid JSON. Restore it from a backup.`, { where });
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new CivichainError('KEYSTORE_CORRUPT', `The key file ${where} is not a Civichain key file. Restore it from a backup.`, {
      where,
    });
  }
  return parsed.data;
}

export interface Keystore {
  list(role?: IdentityRole): IdentitySummary[];
  get(id: string): IdentitySummary;
  unlock(id: string, passphrase: string): Promise<KeyObject>;
  add(file: KeyFile): void;
  /** A new key of this role, sealed with the passphrase; its id is made from the label and is unique. */
  create(options: { label: string; role: IdentityRole; passphrase: string; scryptN?: number }): Promise<IdentitySummary>;
}

/** "Chan Tai Man" → "resident-chan-tai-man"; a number is added when the id is taken. */
export function identityId(role: IdentityRole, label: string, taken: (id: string) => boolean): string {
  const slug = label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const base = slug ? `${role}-${slug}` : role;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
}

/** Opens the keystore folder, reading every key file's public part once. */
export function openKeystore(dir: string): Keystore {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, KeyFile>();
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = parseKeyFile(readFileSync(join(dir, name), 'utf8'), join(dir, name));
    files.set(file.id, file);
  }
  const summary = (file: KeyFile): IdentitySummary => ({
    id: file.id,
    label: file.label,
    role: file.role,
    publicKey: file.publicKey,
  });
  const find = (id: string): KeyFile => {
    const file = files.get(id);
    if (!file) throw new CivichainError('UNKNOWN_IDENTITY', `There is no key "${id}" in this node's keystore.`, { id });
    return file;
  };
  const reserved = new Set<string>();
  const add = (file: KeyFile): void => {
    writeFileAtomic(join(dir, `${file.id}.json`), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    files.set(file.id, file);
  };
  return {
    list: (role) => [...files.values()].filter((f) => !role || f.role === role).map(summary),
    get: (id) => summary(find(id)),
    unlock: (id, passphrase) => openKey(find(id), passphrase),
    add,
    async create({ label, role, passphrase, scryptN }) {
      // The id is reserved before scrypt runs, so two creations at once cannot pick the same one.
      const id = identityId(role, label, (candidate) => files.has(candidate) || reserved.has(candidate));
      reserved.add(id);
      try {
        const sealed = await sealKey({ id, label, role, privateKey: generateKeyPairSync('ed25519').privateKey, passphrase, ...(scryptN ? { scryptN } : {}) });
        add(sealed);
        return summary(sealed);
      } finally {
        reserved.delete(id);
      }
    },
  };
}
