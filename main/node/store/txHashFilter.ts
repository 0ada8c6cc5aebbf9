/**
 * A Bloom filter over the hashes of the transactions on the chain, kept by the ledger store so that the
 * replay check ("is this transaction already on the chain?") — asked of every transaction by the mempool,
 * the proposer and every validator — is answered without SQLite when the answer is no, as it nearly
 * always is. A "maybe" is confirmed by the store's index: the filter can only make a lookup unnecessary,
 * never change its answer. Bits are taken straight from the SHA-256 hash (already uniform), so nothing is
 * hashed again. When the chain outgrows the filter it is rebuilt twice as large from the store.
 */

/** Bits per hash: with 7 probes, about 0.8 % of absent hashes still go to SQLite. */
const BITS_PER_ENTRY = 10;
const PROBES = 7;
const MIN_CAPACITY = 1 << 16;
const HEX_HASH = /^[0-9a-f]{64}$/;

export class TxHashFilter {
  private bits: Uint32Array;
  private size: number;
  private capacity: number;
  private count = 0;

  /** `chain` counts and yields the hashes on the chain now (read again whenever the filter grows). */
  constructor(private readonly chain: { count(): number; all(): Iterable<string> }) {
    this.capacity = MIN_CAPACITY;
    this.size = MIN_CAPACITY * BITS_PER_ENTRY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
    this.rebuild();
  }

  /** False: the hash is certainly not on the chain. True: it may be (ask the store). */
  mayContain(hash: string): boolean {
    if (!HEX_HASH.test(hash)) return true;
    for (let i = 0; i < PROBES; i++) {
      const bit = this.position(hash, i);
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Notes hashes about to be written (noting one that is then not written only costs a lookup). */
  add(hashes: readonly string[]): void {
    if (this.count + hashes.length > this.capacity) {
      // Rebuilt from the store (which does not hold these yet), then these added.
      while (this.count + hashes.length > this.capacity) this.capacity *= 2;
      this.rebuild();
    }
    for (const hash of hashes) this.set(hash);
  }

  private rebuild(): void {
    const count = this.chain.count();
    while (count > this.capacity) this.capacity *= 2;
    this.size = this.capacity * BITS_PER_ENTRY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
    this.count = 0;
    for (const hash of this.chain.all()) this.set(hash);
  }

  private set(hash: string): void {
    this.count++;
    if (!HEX_HASH.test(hash)) return;
    for (let i = 0; i < PROBES; i++) {
      const bit = this.position(hash, i);
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** Probe i: 32 bits of the hash (eight hex digits), modulo the filter's size. */
  private position(hash: string, i: number): number {
    return parseInt(hash.slice(i * 8, i * 8 + 8), 16) % this.size;
  }
}
