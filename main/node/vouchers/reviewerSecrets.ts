/**
 * What only government nodes hold (DESIGN.md §6): the reviewers' X25519 private key that opens sealed
 * applications, and the secret of the identity hash. Kept in the data folder (mode 0600), never on the
 * ledger. The demo workspace writes its deterministic pair on first start; another node may hold none.
 *
 *   <data>/voucher-reviewers.json   {"sealingPrivateKey": base64url, "identitySecret": base64url}
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CivichainError } from '../../core/errors';
import { x25519KeyPair, type X25519KeyPair } from '../../core/vouchers/seal';
import { writeFileAtomic } from '../workspace/files';

export interface ReviewerSecrets {
  readonly sealing: X25519KeyPair;
  /** The same private key's 32 bytes, for the worker threads that open applications. */
  readonly sealingPrivateKey: Buffer;
  readonly identitySecret: Buffer;
}

export const reviewerSecretsPath = (dataDir: string): string => join(dataDir, 'voucher-reviewers.json');

export function loadReviewerSecrets(dataDir: string, demo: { sealingPrivateKey: Buffer; identitySecret: Buffer } | null): ReviewerSecrets | null {
  const path = reviewerSecretsPath(dataDir);
  if (!existsSync(path)) {
    if (!demo) return null;
    const json = { sealingPrivateKey: demo.sealingPrivateKey.toString('base64url'), identitySecret: demo.identitySecret.toString('base64url') };
    writeFileAtomic(path, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
  }
  let parsed: { sealingPrivateKey?: unknown; identitySecret?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch {
    throw new CivichainError('INVALID_REVIEWER_SECRETS', `${path} is not valid JSON. Restore it from the government's backup.`, { path });
  }
  const sealing = Buffer.from(String(parsed.sealingPrivateKey ?? ''), 'base64url');
  const identitySecret = Buffer.from(String(parsed.identitySecret ?? ''), 'base64url');
  if (sealing.length !== 32 || identitySecret.length < 32) {
    throw new CivichainError('INVALID_REVIEWER_SECRETS', `${path} must hold a 32-byte sealingPrivateKey and an identitySecret of at least 32 bytes, in base64url.`, { path });
  }
  return { sealing: x25519KeyPair(sealing), sealingPrivateKey: sealing, identitySecret };
}
