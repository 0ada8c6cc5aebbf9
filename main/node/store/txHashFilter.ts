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
const HASH_LENGTH = 64;

/** Lower-case hex digit values by character code; -1 for every other character. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) NIBBLE['0123456789abcdef'.charCodeAt(c)] = c;

export class TxHashFilter {
  private bits: Uint32Array;
  private size: number;
  private capacity: number;
  private count = 0;
  /** The probes' 32-bit words of the hash being looked at (reused: asked of every transaction). */
  private readonly words = new Uint32Array(PROBES);

  /** `chain` counts and yields the hashes on the chain now (read again whenever the filter grows). */
  constructor(private readonly chain: { count(): number; all(): Iterable<string> }) {
    this.capacity = MIN_CAPACITY;
    this.size = MIN_CAPACITY * BITS_PER_ENTRY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
    this.rebuild();
  }

  /** False: the hash is certainly not on the chain. True: it may be (ask the store). */
  mayContain(hash: string): boolean {
    if (!this.decode(hash)) return true;
    for (let i = 0; i < PROBES; i++) {
      const bit = this.words[i]! % this.size;
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
    if (!this.decode(hash)) return;
    for (let i = 0; i < PROBES; i++) {
      const bit = this.words[i]! % this.size;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /**
   * Reads the hash into `words` (probe i is hex digits 8i to 8i + 7, as a 32-bit number; its bit is that
   * number modulo the filter's size). False, leaving them unusable, when it is not 64 lower-case hex digits.
   */
  private decode(hash: string): boolean {
    if (hash.length !== HASH_LENGTH) return false;
    let word = 0;
    for (let i = 0; i < HASH_LENGTH; i++) {
      const code = hash.charCodeAt(i);
      const nibble = code < 128 ? NIBBLE[code]! : -1;
      if (nibble < 0) return false;
      word = (word << 4) | nibble;
      if ((i & 7) === 7) {
        if (i >>> 3 < PROBES) this.words[i >>> 3] = word;
        word = 0;
      }
    }
    return true;
  }
}
