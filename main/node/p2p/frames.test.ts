import { describe, expect, it } from 'vitest';
import { PenaliseSender } from './errors';
import { PENALTIES, advertisedAddress, normalisePeerAddress, parseFrame } from './frames';

const hello = {
  type: 'hello',
  protocolVersion: 1,
  chainId: 'civichain-test',
  genesisHash: 'ab'.repeat(32),
  nodeKey: 'cd'.repeat(32),
  challenge: 'ef'.repeat(32),
  listenPort: 7070,
  height: 3,
};

function refusal(text: string): PenaliseSender {
  try {
    parseFrame(text);
  } catch (error) {
    if (error instanceof PenaliseSender) return error;
    throw error;
  }
  throw new RangeError(`parsed: ${text}`);
}

describe('parseFrame', () => {
  it('parses each frame type', () => {
    expect(parseFrame(JSON.stringify(hello))).toEqual(hello);
    expect(parseFrame('{"type":"ping","nonce":4}')).toEqual({ type: 'ping', nonce: 4 });
    expect(parseFrame('{"type":"goodbye","code":"PEER_SELF","reason":"x"}')).toEqual({ type: 'goodbye', code: 'PEER_SELF', reason: 'x' });
    expect(parseFrame('{"type":"peers","addresses":["ws://127.0.0.1:1"]}')).toEqual({ type: 'peers', addresses: ['ws://127.0.0.1:1'] });
    expect(parseFrame('{"type":"consensus","message":{"type":"sync-request","fromHeight":2}}')).toEqual({
      type: 'consensus',
      message: { type: 'sync-request', fromHeight: 2 },
    });
    expect(parseFrame('{"type":"consensus","message":{"type":"sync-request","fromHeight":2,"toHeight":51}}')).toEqual({
      type: 'consensus',
      message: { type: 'sync-request', fromHeight: 2, toHeight: 51 },
    });
    expect(parseFrame('{"type":"consensus","message":{"type":"sync-end","fromHeight":2,"lastHeight":40}}')).toEqual({
      type: 'consensus',
      message: { type: 'sync-end', fromHeight: 2, lastHeight: 40 },
    });
  });

  it('FRAME_NOT_JSON for text that is not JSON', () => {
    for (const text of ['', '{', 'hello', '{"type":"ping",}', '\u0000']) expect(refusal(text).code).toBe('FRAME_NOT_JSON');
  });

  it('FRAME_INVALID for JSON that is not an object', () => {
    for (const text of ['null', '1', '"ping"', '[]', '[{"type":"ping","nonce":1}]']) expect(refusal(text).code).toBe('FRAME_INVALID');
  });

  it('FRAME_UNKNOWN_TYPE for unknown or missing types, including prototype names', () => {
    for (const text of ['{}', '{"type":"blocks"}', '{"type":"__proto__"}', '{"type":"constructor"}', '{"type":1}']) {
      const error = refusal(text);
      expect(error.code).toBe('FRAME_UNKNOWN_TYPE');
      expect(error.penalty).toBe(PENALTIES.unknownType);
    }
  });

  it('FRAME_INVALID for junk fields, extra fields and out-of-range values', () => {
    const cases = [
      { ...hello, challenge: 'zz' },
      { ...hello, listenPort: 0 },
      { ...hello, height: -1 },
      { ...hello, extra: true },
      { type: 'ping', nonce: 1.5 },
      { type: 'ping', nonce: 2 ** 60 },
      { type: 'peers', addresses: Array.from({ length: 101 }, () => 'ws://a:1') },
      { type: 'goodbye', code: '', reason: '' },
      { type: 'challenge-response', signature: 'ab' },
    ];
    for (const value of cases) expect(refusal(JSON.stringify(value)).code).toBe('FRAME_INVALID');
  });

  it('CONSENSUS_INVALID for a consensus frame whose message fails its schema (FRAME_INVALID when it has none)', () => {
    expect(refusal('{"type":"consensus","message":{"type":"sync-request","fromHeight":-1}}').code).toBe('CONSENSUS_INVALID');
    expect(refusal('{"type":"consensus","message":{"type":"vote"}}').code).toBe('CONSENSUS_INVALID');
    expect(refusal('{"type":"consensus","message":{"type":"sync-request","fromHeight":1,"toHeight":"9"}}').code).toBe('CONSENSUS_INVALID');
    expect(refusal('{"type":"consensus","message":{"type":"sync-end","fromHeight":1}}').code).toBe('CONSENSUS_INVALID');
    expect(refusal('{"type":"consensus","message":{"type":"sync-end","fromHeight":1,"lastHeight":-1}}').code).toBe('CONSENSUS_INVALID');
    expect(refusal('{"type":"consensus"}').code).toBe('FRAME_INVALID');
  });
});

describe('peer addresses', () => {
  it('normalises ws and wss URLs with a port', () => {
    expect(normalisePeerAddress('ws://127.0.0.1:7070')).toBe('ws://127.0.0.1:7070');
    expect(normalisePeerAddress('ws://127.0.0.1:7070/')).toBe('ws://127.0.0.1:7070');
    expect(normalisePeerAddress('WSS://Node.Example:8443/p2p')).toBe('wss://node.example:8443/p2p');
    expect(normalisePeerAddress('wss://node.example:443')).toBe('wss://node.example');
    expect(normalisePeerAddress('ws://[::1]:7070')).toBe('ws://[::1]:7070');
  });

  it('refuses other schemes, missing ports, credentials and junk', () => {
    for (const bad of ['http://a:1', 'ws://u:p@a:1', 'ws://a:1/?q=1', 'nonsense', 'file:///etc/passwd', `ws://${'a'.repeat(400)}:1`]) {
      expect(() => normalisePeerAddress(bad)).toThrow(TypeError);
    }
  });

  it('builds the address of an inbound peer from its host and advertised port', () => {
    expect(advertisedAddress('127.0.0.1', 7070)).toBe('ws://127.0.0.1:7070');
    expect(advertisedAddress('::ffff:10.0.0.2', 7070)).toBe('ws://10.0.0.2:7070');
    expect(advertisedAddress('::1', 7070)).toBe('ws://[::1]:7070');
  });
});
