import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/tempDir';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex, identityId, openKey, openKeystore, sealKey } from './keystore';

const FAST_N = 2 ** 10;

describe('keystore sealing (scrypt + AES-256-GCM)', () => {
  it('derives the RFC 8032 §7.1 TEST 1 public key from its seed', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
    expect(ed25519PublicKeyHex(ed25519PrivateKeyFromSeed(seed))).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });

  it('opens with the right passphrase to the same key', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = await sealKey({ id: 'k', label: 'K', role: 'resident', privateKey, passphrase: 'correct horse', scryptN: FAST_N });
    expect(file.ciphertext).not.toContain(ed25519PublicKeyHex(privateKey));
    const opened = await openKey(file, 'correct horse');
    const signature = sign(null, Buffer.from('m'), opened);
    expect(verify(null, Buffer.from('m'), privateKey, signature)).toBe(true);
  });

  it('WRONG_PASSPHRASE for a wrong passphrase or a tampered file', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = await sealKey({ id: 'k', label: 'K', role: 'resident', privateKey, passphrase: 'p', scryptN: FAST_N });
    await expect(openKey(file, 'q')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const other = generateKeyPairSync('ed25519').privateKey;
    // A header swapped onto another key's ciphertext fails authentication (the public key is associated data).
    await expect(openKey({ ...file, publicKey: ed25519PublicKeyHex(other) }, 'p')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const flipped = Buffer.from(file.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await expect(openKey({ ...file, ciphertext: flipped.toString('base64') }, 'p')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });
});

describe('creating identities', () => {
  it('ids come from the label and stay unique', () => {
    const taken = new Set(['resident-chan-tai-man']);
    expect(identityId('resident', 'Chan Tai Man', (id) => taken.has(id))).toBe('resident-chan-tai-man-2');
    expect(identityId('resident', '  Lee Ka-Yan!! ', () => false)).toBe('resident-lee-ka-yan');
    expect(identityId('resident', '陳大文', () => false)).toBe('resident');
  });

  it('two identities created at once with one label get two ids; both open with their passphrase and persist', async () => {
    const temp = makeTempDir();
    try {
      const keystore = openKeystore(temp.path);
      const [a, b] = await Promise.all([
        keystore.create({ label: 'Chan Tai Man', role: 'resident', passphrase: 'first passphrase', scryptN: FAST_N }),
        keystore.create({ label: 'Chan Tai Man', role: 'resident', passphrase: 'second passphrase', scryptN: FAST_N }),
      ]);
      expect(new Set([a.id, b.id])).toEqual(new Set(['resident-chan-tai-man', 'resident-chan-tai-man-2']));
      expect(a.publicKey).not.toBe(b.publicKey);
      const reopened = openKeystore(temp.path);
      expect(reopened.list('resident').map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
      expect(ed25519PublicKeyHex(await reopened.unlock(a.id, 'first passphrase'))).toBe(a.publicKey);
      await expect(reopened.unlock(b.id, 'first passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    } finally {
      temp.remove();
    }
  });
});
