/**
 * Canonical JSON, RFC 8785 (JSON Canonicalization Scheme), for the values this ledger uses: objects,
 * arrays, strings, booleans, null and safe integers. Floats are refused on purpose: DESIGN.md §4 keeps every
 * number an integer (money in cents, times in ms), which also sidesteps RFC 8785 §3.2.2.3 number formatting.
 */
import { CivichainError } from '../errors';

export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue };

function fail(path: string, problem: string): never {
  throw new CivichainError('NOT_CANONICALIZABLE', `Cannot encode ${path || 'the value'}: ${problem}.`, { path });
}

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) fail(path, `${value} is not a safe integer`);
      // RFC 8785 §3.2.2.3: integers in the safe range serialise as ECMAScript does.
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      // RFC 8785 §3.2.2.2: JSON.stringify's escaping is the one the RFC prescribes (ES2019 well-formed).
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, i) => encode(item, `${path}[${i}]`)).join(',')}]`;
      const record = value as Record<string, unknown>;
      // RFC 8785 §3.2.3: members sorted by their names as arrays of UTF-16 code units.
      const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const members: string[] = [];
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        members.push(`${JSON.stringify(key)}:${encode(item, path ? `${path}.${key}` : key)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return fail(path, `values of type ${typeof value} have no JSON form`);
  }
}

/** The RFC 8785 canonical form of `value`, as a string. */
export function canonicalize(value: unknown): string {
  return encode(value, '');
}

/** The RFC 8785 canonical form of `value`, as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}
