/** How the Network window writes what it shows and checks what a person types: pure, tested in networkFormat.test.ts. */
import { formatCount } from '../../app/format';

/** The shape `peers.add` accepts (preload/contract.ts), checked here too so that a typo is caught as it is typed. */
const PEER_ADDRESS = /^wss?:\/\/([^\s/:]+|\[[0-9a-fA-F:.]+\]):(\d+)\/?$/;

/** Why an address typed into "Add a peer" will not do, or null when it will. */
export function peerAddressProblem(input: string): string | null {
  const address = input.trim();
  if (address === '') return 'Type the peer’s address, such as ws://127.0.0.1:7546.';
  if (!/^wss?:\/\//.test(address)) return 'A peer’s address starts with ws:// (or wss://), such as ws://127.0.0.1:7546.';
  const match = PEER_ADDRESS.exec(address);
  if (!match) return 'Write the address as ws://HOST:PORT, such as ws://127.0.0.1:7546 — with a port and no path.';
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return `Port ${match[2]} does not exist: a port is a number from 1 to 65535.`;
  return null;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;
const byteFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** 1,000-based, as network counters are: "512 B", "1.5 kB", "12.3 MB". */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? formatCount(value) : byteFormat.format(value)} ${BYTE_UNITS[unit] ?? 'B'}`;
}

/** A span of time, to the two largest units: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const secs = total % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return secs > 0 ? `${minutes} min ${secs} s` : `${minutes} min`;
  return `${secs} s`;
}

/** How long a peer has been connected, from its `connectedSinceMs` and the time now. */
export function formatAge(sinceMs: number, nowMs: number): string {
  return formatDuration(Math.max(0, nowMs - sinceMs) / 1000);
}

export function formatLatency(latencyMs: number | null): string {
  return latencyMs === null ? 'not measured yet' : `${formatCount(latencyMs)} ms`;
}

const rateFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

export function formatBlockRate(blocksPerSecond: number): string {
  return `${rateFormat.format(blocksPerSecond)} blocks/s`;
}

/** Catch-up's estimate, said plainly: a rate of nothing yet gives no estimate rather than "Infinity". */
export function formatEta(etaSeconds: number | null): string {
  if (etaSeconds === null) return 'Estimating…';
  if (etaSeconds <= 0) return 'Any moment now';
  return `About ${formatDuration(etaSeconds)}`;
}

/** How far catch-up has come, 0–100, for the progress bar; from where the node stands now to the target. */
export function syncPercent(height: number, target: number): number {
  if (target <= 0) return 100;
  return Math.min(100, Math.max(0, Math.round((height / target) * 1000) / 10));
}
