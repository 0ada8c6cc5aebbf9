import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

describe('logger ring buffer', () => {
  it('keeps the newest `capacity` entries, oldest first, and numbers them from 1', () => {
    const log = createLogger({ capacity: 3, now: () => 0 });
    for (let n = 1; n <= 5; n += 1) log.info(`entry ${n}`);
    expect(log.recent().map((e) => e.message)).toEqual(['entry 3', 'entry 4', 'entry 5']);
    expect(log.recent().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(log.capacity).toBe(3);
  });

  it('latest() gives the newest entries at a level or above, newest first, at most `limit`', () => {
    const log = createLogger({ capacity: 4, now: () => 0 });
    log.error('old error');
    log.debug('a');
    log.warn('b');
    log.info('c');
    log.debug('d');
    expect(log.latest('debug', 10).map((e) => e.message)).toEqual(['d', 'c', 'b', 'a']);
    expect(log.latest('info', 10).map((e) => e.message)).toEqual(['c', 'b']);
    expect(log.latest('warn', 10).map((e) => e.message)).toEqual(['b']);
    expect(log.latest('error', 10)).toEqual([]);
    expect(log.latest('debug', 2).map((e) => e.message)).toEqual(['d', 'c']);
  });

  it('keeps entries below the sink threshold for the log view, but does not print them', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', sink: (line) => lines.push(line), now: () => 0 });
    log.debug('quiet');
    log.warn('loud');
    expect(lines).toHaveLength(1);
    expect(log.recent().map((e) => e.message)).toEqual(['quiet', 'loud']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createLogger({ capacity: 0 })).toThrow(RangeError);
    expect(() => createLogger({ capacity: 1.5 })).toThrow(RangeError);
  });
});
