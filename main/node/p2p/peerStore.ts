/**
 * Remembered peers: the addresses a node re-dials after a restart. `FilePeerStore` keeps them in
 * `<data>/peers.json`, written atomically; a missing or unreadable file is an empty list (it is a cache of
 * addresses, never a reason not to start), and bad entries are skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../workspace/files';
import type { Logger } from '../log';
import { normalisePeerAddress } from './frames';

export const MAX_REMEMBERED_PEERS = 200;

export interface PeerStore {
  load(): string[];
  save(addresses: readonly string[]): void;
}

export class MemoryPeerStore implements PeerStore {
  private addresses: string[];
  constructor(initial: readonly string[] = []) {
    this.addresses = [...initial];
  }
  load(): string[] {
    return [...this.addresses];
  }
  save(addresses: readonly string[]): void {
    this.addresses = [...addresses];
  }
}

export class FilePeerStore implements PeerStore {
  readonly path: string;

  constructor(dataDir: string, private readonly log: Logger) {
    this.path = join(dataDir, 'peers.json');
  }

  load(): string[] {
    if (!existsSync(this.path)) return [];
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      this.log.warn('peers.json is unreadable; starting with no remembered peers', { path: this.path, error: String(error) });
      return [];
    }
    const list = (value as { peers?: unknown } | null)?.peers;
    if (!Array.isArray(list)) {
      this.log.warn('peers.json holds no "peers" list; starting with no remembered peers', { path: this.path });
      return [];
    }
    const out = new Set<string>();
    for (const item of list) {
      if (typeof item !== 'string') continue;
      try {
        out.add(normalisePeerAddress(item));
      } catch {
        this.log.warn('skipping a bad address in peers.json', { address: item.slice(0, 100) });
      }
      if (out.size >= MAX_REMEMBERED_PEERS) break;
    }
    return [...out];
  }

  save(addresses: readonly string[]): void {
    writeFileAtomic(this.path, `${JSON.stringify({ peers: addresses.slice(0, MAX_REMEMBERED_PEERS) }, null, 2)}\n`);
  }
}
