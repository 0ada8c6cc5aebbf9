/**
 * Prints signed `voucher.apply` transactions as one JSON array, for end-to-end tests that need many
 * applications on a demo node: each from a fresh random key, its details sealed to the demo programme's
 * reviewers as the node's voucher.apply seals them (main/node/vouchers/voucherOffice.ts), without the
 * keystore's scrypt that a resident made through the API costs twice. Names "<base> 001", "<base> 002"…;
 * HKIDs <letter>100001(c), <letter>100002(c)… with their check digits.
 *
 *   npx vite-node test/support/signApplications.ts -- <chainId> <count> <name base> <HKID letter>
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signTransaction } from '../../main/core/ledger/transaction';
import { sealApplication, sealRandomness, x25519KeyPair } from '../../main/core/vouchers/seal';
import { ed25519PublicKeyHex } from '../../main/node/keystore/keystore';
import { hkidCheckDigit } from '../../main/node/vouchers/eligibility';
import { DEMO_PROGRAMME_ID, demoReviewerSecrets } from '../../main/node/workspace/demoVouchers';

const [chainId, countText, base, letter] = process.argv.slice(2).filter((arg) => arg !== '--');
const count = Number(countText);
if (!chainId || !Number.isInteger(count) || count < 1 || !base || !letter || !/^[A-Z]$/.test(letter)) {
  throw new RangeError('usage: signApplications.ts <chainId> <count> <name base> <HKID letter>');
}

const reviewers = x25519KeyPair(demoReviewerSecrets().sealingPrivateKey).publicKey;
const txs = Array.from({ length: count }, (_, i) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const applicant = ed25519PublicKeyHex(privateKey);
  const digits = String(100_001 + i);
  const details = { hkid: `${letter}${digits}${hkidCheckDigit(letter, digits)}`, name: `${base} ${String(i + 1).padStart(3, '0')}`, dateOfBirth: '1980-01-01', residency: 'permanent' };
  const sealed = sealApplication(details, reviewers, sealRandomness(), { programme: DEMO_PROGRAMME_ID, applicant });
  return signTransaction({ type: 'voucher.apply', chainId, signer: applicant, nonce: randomUUID(), payload: { programme: DEMO_PROGRAMME_ID, sealed: { ...sealed } } }, privateKey);
});
process.stdout.write(`${JSON.stringify(txs)}\n`);
