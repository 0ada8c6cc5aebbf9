import { describe, expect, it } from 'vitest';
import { formatAge, formatBlockRate, formatBytes, formatDuration, formatEta, formatLatency, peerAddressProblem, syncPercent } from './networkFormat';

describe('peerAddressProblem', () => {
  it.each(['ws://127.0.0.1:7546', 'wss://node.example.org:443', 'ws://localhost:7546/', '  ws://10.0.0.2:9000  ', 'ws://[::1]:7546'])(
    'accepts %s',
    (address) => expect(peerAddressProblem(address)).toBeNull(),
  );

  it.each([
    ['', /Type the peer’s address/],
    ['   ', /Type the peer’s address/],
    ['127.0.0.1:7546', /starts with ws:\/\//],
    ['http://127.0.0.1:7546', /starts with ws:\/\//],
    ['ws://127.0.0.1', /ws:\/\/HOST:PORT/],
    ['ws://127.0.0.1:7546/p2p', /no path/],
    ['ws://two words:7546', /ws:\/\/HOST:PORT/],
    ['ws://127.0.0.1:port', /ws:\/\/HOST:PORT/],
    ['ws://127.0.0.1:0', /Port 0 does not exist/],
    ['ws://127.0.0.1:70000', /Port 70000 does not exist/],
  ])('refuses %j', (address, problem) => expect(peerAddressProblem(address)).toMatch(problem));
});

describe('formats', () => {
  it('bytes, 1,000-based', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(-5)).toBe('0 B');
  });

  it('durations to their two largest units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45.4)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(180)).toBe('3 min');
    expect(formatDuration(7_500)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400 + 4 * 3_600 + 59)).toBe('3 d 4 h');
  });

  it('age from connectedSinceMs, never negative', () => {
    expect(formatAge(1_000, 61_000)).toBe('1 min');
    expect(formatAge(5_000, 1_000)).toBe('0 s');
  });

  it('latency, rate, ETA and progress', () => {
    expect(formatLatency(null)).toBe('not measured yet');
    expect(formatLatency(12)).toBe('12 ms');
    expect(formatBlockRate(42.25)).toBe('42.3 blocks/s');
    expect(formatEta(null)).toBe('Estimating…');
    expect(formatEta(0)).toBe('Any moment now');
    expect(formatEta(95)).toBe('About 1 min 35 s');
    expect(syncPercent(50, 200)).toBe(25);
    expect(syncPercent(0, 0)).toBe(100);
    expect(syncPercent(300, 200)).toBe(100);
  });
});
