/**
 * The newest state values read or written, in memory, in front of the ledger store's `state` table. The
 * rules read the same few keys again and again (a programme's record for each of its applications, an
 * election for each of its ballots) from the mempool, the proposer and every validator; each read was an
 * SQLite lookup. The store is the only writer of the table and tells the cache every value it commits,
 * after the commit, so a cached value is always the stored one. Absent keys are cached too (as null):
 * "has this HKID been approved?" is nearly always no. Bounded: the oldest entry goes first.
 */
export class StateCache {
  private readonly entries = new Map<string, string | null>();

  constructor(
    private readonly read: (key: string) => string | null,
    private readonly capacity = 100_000,
  ) {}

  get(key: string): string | null {
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const value = this.read(key);
    this.remember(key, value);
    return value;
  }

  /** Values just committed (null: deleted). Call only once they are durably written. */
  committed(writes: Iterable<readonly [string, string | null]>): void {
    for (const [key, value] of writes) {
      this.entries.delete(key);
      this.remember(key, value);
    }
  }

  private remember(key: string, value: string | null): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }
}
