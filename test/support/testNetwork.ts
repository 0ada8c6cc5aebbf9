/**
 * A private test network of N validators (each also a proposer), one data folder per node, each holding
 * only its own validator key — for peering tests that need more validators than the demo's three.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_FORMAT, defaultQuorum } from '../../main/core/genesis';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex, sealKey, SCRYPT_N_DEMO } from '../../main/node/keystore/keystore';
import { makeTempDir } from './tempDir';

export const TEST_NETWORK_PASSPHRASE = 'test-network-passphrase';

export async function createTestNetwork(count: number, options: { roundTimeoutMs?: number } = {}): Promise<{ dirs: string[]; remove: () => void }> {
  const keys = Array.from({ length: count }, (_, i) => ed25519PrivateKeyFromSeed(createHash('sha256').update(`test-network/${i}`).digest()));
  const members = keys.map((key, i) => ({ name: `Validator ${i + 1}`, publicKey: ed25519PublicKeyHex(key) }));
  const genesis = {
    format: GENESIS_FORMAT,
    networkName: `Test network of ${count}`,
    chainId: 'civichain-testnet',
    genesisTimeMs: 1_767_225_600_000,
    demo: false,
    authorities: [members[0]],
    validators: members,
    quorum: defaultQuorum(count),
    proposers: members,
    powDifficultyBits: 0,
    roundTimeoutMs: options.roundTimeoutMs ?? 1_000,
  };
  const temps = keys.map(() => makeTempDir('civichain-net-'));
  for (const [i, temp] of temps.entries()) {
    writeFileSync(join(temp.path, 'genesis.json'), JSON.stringify(genesis, null, 2));
    mkdirSync(join(temp.path, 'keystore'));
    const file = await sealKey({ id: `validator-${i + 1}`, label: `Validator ${i + 1}`, role: 'validator', privateKey: keys[i]!, passphrase: TEST_NETWORK_PASSPHRASE, scryptN: SCRYPT_N_DEMO });
    writeFileSync(join(temp.path, 'keystore', `validator-${i + 1}.json`), JSON.stringify(file));
  }
  return { dirs: temps.map((t) => t.path), remove: () => temps.forEach((t) => t.remove()) };
}
