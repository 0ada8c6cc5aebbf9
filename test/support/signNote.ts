/**
 * Prints a signed `note` transaction as JSON, for end-to-end tests that need a real transaction in a block
 * (anyone with a key may sign a note; it grants nothing). A fresh random key each time.
 *
 *   npx vite-node test/support/signNote.ts -- <chainId> <text>
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signTransaction } from '../../main/core/ledger/transaction';
import { ed25519PublicKeyHex } from '../../main/node/keystore/keystore';

const [chainId, text] = process.argv.slice(2).filter((arg) => arg !== '--');
if (!chainId || text === undefined) throw new RangeError('usage: signNote.ts <chainId> <text>');
const { privateKey } = generateKeyPairSync('ed25519');
const tx = signTransaction({ type: 'note', chainId, signer: ed25519PublicKeyHex(privateKey), nonce: randomUUID(), payload: { text } }, privateKey);
process.stdout.write(`${JSON.stringify(tx)}\n`);
