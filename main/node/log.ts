/**
 * A small structured logger. Lines go to a sink (stderr for the CLI) and into a bounded ring buffer that the
 * Network window's log view reads later. No module-level state: each node gets its own logger.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

export interface LogEntry {
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
  const now = options.now ?? Date.now;
  const entries: LogEntry[] = [];
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    const entry: LogEntry = { timeMs: now(), level, message, fields };
    entries.push(entry);
    if (entries.length > capacity) entries.shift();
    if (LOG_LEVELS.indexOf(level) >= threshold) options.sink?.(formatLogEntry(entry));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    recent: () => entries.slice(),
  };
}
