import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonicalJson';
import { sha256Hex } from './hash';

describe('canonicalize (RFC 8785)', () => {
  it('sorts members by UTF-16 code units, recursively, without whitespace', () => {
    // RFC 8785 §3.2.3 sorting example, integers only: "\u20ac" (€) sorts after "\r" and "1", and
    // "\ud83d\ude00" (a surrogate pair) before "\ufb33" because code units, not code points, are compared.
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalize(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalize({ b: [3, { d: 1, c: null }], a: true })).toBe('{"a":true,"b":[3,{"c":null,"d":1}]}');
  });

  it('escapes strings as RFC 8785 §3.2.2.2 prescribes', () => {
    expect(canonicalize('\u0000\b\t\n\f\r"\\/\u001f\u007f')).toBe('"\\u0000\\b\\t\\n\\f\\r\\"\\\\/\\u001f\u007f"');
  });

  it('escapes member names the same on every use (names are quoted once and remembered)', () => {
    const value = JSON.parse('{"a\\"b":1,"__proto__":2,"\\u00e9\\n":3}') as unknown;
    const once = canonicalize(value);
    expect(once).toBe('{"__proto__":2,"a\\"b":1,"é\\n":3}');
    expect(canonicalize(value)).toBe(once);
  });

  it('omits undefined members and writes -0 as 0', () => {
    expect(canonicalize({ a: undefined, b: -0 })).toBe('{"b":0}');
  });

  it('NOT_CANONICALIZABLE for floats, unsafe integers, NaN and functions, naming the path', () => {
    for (const bad of [{ amount: 1.5 }, { n: 2 ** 53 }, { x: [Number.NaN] }, { f: () => 1 }]) {
      expect(() => canonicalize(bad)).toThrowError(expect.objectContaining({ code: 'NOT_CANONICALIZABLE' }));
    }
    expect(() => canonicalize({ a: { b: [0, 0.1] } })).toThrowError(/a\.b\[1\]/);
  });

  it('hashes the canonical form with SHA-256 (FIPS 180-4 test vector "abc")', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // The empty string, and a string hashed as its UTF-8 bytes, as bytes give.
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('héllo ✓ 😀')).toBe(sha256Hex(new TextEncoder().encode('héllo ✓ 😀')));
  });
});
