/**
 * Signed `note` transactions for the benchmarks, made before any timing starts: from SENDERS distinct
 * deterministic keys, with distinct nonces, about as long as a short real note.
 */
import { createHash } from 'node:crypto';
import { signTransaction, transactionHash, type Transaction } from '../../main/core/ledger/transaction';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../../main/node/keystore/keystore';

/** A signed note with its hash, made before timing starts. */
export interface PreparedTransaction {
  readonly tx: Transaction;
  readonly hash: string;
}

/**
 * `count` signed notes from `signers` distinct keys (round-robin), about as long as a short real note.
 * Reports progress every 20,000 since signing a few hundred thousand takes a while.
 */
export function presignNotes(chainId: string, count: number, signers: number, prefix: string): PreparedTransaction[] {
  const keys = Array.from({ length: signers }, (_, i) => {
    const privateKey = ed25519PrivateKeyFromSeed(createHash('sha256').update(`civichain-bench/sender-${i}`).digest());
    return { publicKey: ed25519PublicKeyHex(privateKey), privateKey };
  });
  const prepared: PreparedTransaction[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys[i % keys.length] as (typeof keys)[number];
    const tx = signTransaction(
      { type: 'note', chainId, signer: key.publicKey, nonce: `${prefix}-${i}`, payload: { text: `benchmark note ${i}: a payload of a typical short length` } },
      key.privateKey,
    );
    prepared.push({ tx, hash: transactionHash(tx) });
    if ((i + 1) % 20_000 === 0) process.stdout.write(`  signed ${(i + 1).toLocaleString('en-US')} of ${count.toLocaleString('en-US')}\r`);
  }
  if (count >= 20_000) process.stdout.write('\n');
  return prepared;
}
