/**
 * A small structured logger. Lines go to a sink (stderr for the CLI) and into a bounded ring buffer that the
 * Network window's log view reads later. No module-level state: each node gets its own logger.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

export interface LogEntry {
  /** Counts up from 1 for each logger: tells entries with the same time apart. */
  readonly seq: number;
  readonly timeMs: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The most recent entries, oldest first. */
  recent(): readonly LogEntry[];
  /** The newest entries at `minLevel` or above, newest first, at most `limit` of them. */
  latest(minLevel: LogLevel, limit: number): readonly LogEntry[];
  /** How many entries the buffer keeps: the oldest give way to new ones beyond it. */
  readonly capacity: number;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly sink?: (line: string) => void;
  readonly now?: () => number;
  readonly capacity?: number;
}

export function formatLogEntry(entry: LogEntry): string {
  const fields = Object.entries(entry.fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${new Date(entry.timeMs).toISOString()} ${entry.level.padEnd(5)} ${entry.message}${fields ? ` ${fields}` : ''}`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const capacity = options.capacity ?? 1000;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log capacity must be a positive integer, not ${capacity}`);
  const now = options.now ?? Date.now;
  // A ring buffer: `ring[(start + i) % capacity]` is the i-th oldest entry; a full buffer overwrites its oldest.
  const ring: LogEntry[] = [];
  let start = 0;
  let seq = 0;
  const at = (index: number): LogEntry => ring[(start + index) % capacity] as LogEntry;
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    seq += 1;
    const entry: LogEntry = { seq, timeMs: now(), level, message, fields };
    if (ring.length < capacity) ring.push(entry);
    else {
      ring[start] = entry;
      start = (start + 1) % capacity;
    }
    if (LOG_LEVELS.indexOf(level) >= threshold) options.sink?.(formatLogEntry(entry));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    recent: () => ring.map((_, index) => at(index)),
    latest(minLevel, limit) {
      const least = LOG_LEVELS.indexOf(minLevel);
      const found: LogEntry[] = [];
      for (let index = ring.length - 1; index >= 0 && found.length < limit; index -= 1) {
        const entry = at(index);
        if (LOG_LEVELS.indexOf(entry.level) >= least) found.push(entry);
      }
      return found;
    },
    capacity,
  };
}
