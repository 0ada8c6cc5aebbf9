/**
 * The Explorer's window on the chain: block summaries fetched a page at a time (`chain.blocks` with
 * `before` and `limit`) for the rows on screen, a bounded number of pages kept, at most a few requests in
 * flight, and only the newest wanted range fetched when scrolling outruns the node. The window never holds
 * the whole chain. Plain TypeScript: the list component redraws when `onChange` is called.
 */
import type { BlockSummary } from '../../../preload/contract';

export const PAGE_SIZE = 100;
/** Pages kept (oldest fetched dropped first): 60 pages are 6,000 rows, many screens either side. */
export const MAX_PAGES = 60;
const MAX_IN_FLIGHT = 3;

export type FetchPage = (before: number, limit: number) => Promise<readonly BlockSummary[]>;

/** Heights `page * PAGE_SIZE + 1` to `(page + 1) * PAGE_SIZE`. */
export function pageOf(height: number): number {
  return Math.floor((height - 1) / PAGE_SIZE);
}

export class BlockPages {
  private readonly pages = new Map<number, ReadonlyMap<number, BlockSummary>>();
  private readonly inFlight = new Set<number>();
  private wanted: { from: number; to: number } | null = null;
  /** Bumped by reset(): answers to requests made before it are dropped. */
  private generation = 0;
  failure: unknown = null;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onChange: () => void,
    private readonly maxPages = MAX_PAGES,
  ) {}

  get(height: number): BlockSummary | undefined {
    return this.pages.get(pageOf(height))?.get(height);
  }

  /** How many pages are held (for tests: it never grows past the bound). */
  get size(): number {
    return this.pages.size;
  }

  /** Asks for the blocks from height `from` down to `to` (inclusive); replaces any earlier wish. */
  want(from: number, to: number): void {
    if (from < 1 || to > from) {
      this.wanted = null;
      return;
    }
    this.wanted = { from, to: Math.max(1, to) };
    this.pump();
  }

  /** A block became final: the page holding it must be fetched again when it is next wanted. */
  invalidate(height: number): void {
    const page = pageOf(height);
    if (this.pages.delete(page)) this.pump();
  }

  /** Forgets everything (e.g. after a reconnect). */
  reset(): void {
    this.pages.clear();
    this.inFlight.clear();
    this.generation += 1;
    this.failure = null;
    this.pump();
  }

  private nextMissing(): number | null {
    if (!this.wanted) return null;
    // Nearest the top of the view first: that is where the eye is.
    for (let page = pageOf(this.wanted.from); page >= pageOf(this.wanted.to); page--) {
      if (!this.pages.has(page) && !this.inFlight.has(page)) return page;
    }
    return null;
  }

  private pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT) {
      const page = this.nextMissing();
      if (page === null) return;
      this.load(page);
    }
  }

  private load(page: number): void {
    const generation = this.generation;
    this.inFlight.add(page);
    const before = (page + 1) * PAGE_SIZE;
    this.fetchPage(before, PAGE_SIZE).then(
      (blocks) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(page);
        const rows = new Map<number, BlockSummary>();
        for (const block of blocks) if (pageOf(block.height) === page) rows.set(block.height, block);
        this.pages.set(page, rows);
        this.evict();
        this.failure = null;
        this.onChange();
        this.pump();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(page);
        this.failure = error;
        this.onChange();
      },
    );
  }

  /** Drops the oldest fetched pages that are not wanted now, down to the bound. */
  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const keep = this.wanted ? { high: pageOf(this.wanted.from), low: pageOf(this.wanted.to) } : null;
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) return;
      if (keep && page <= keep.high && page >= keep.low) continue;
      this.pages.delete(page);
    }
  }
}
