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

/** Where a value sits, kept as links to its parent and spelled out only for an error message. */
interface Path {
  readonly parent: Path | null;
  readonly key: string | number;
}

function spell(path: Path | null): string {
  if (path === null) return '';
  const parent = spell(path.parent);
  if (typeof path.key === 'number') return `${parent}[${path.key}]`;
  return parent ? `${parent}.${path.key}` : path.key;
}

function fail(at: Path | null, problem: string): never {
  const path = spell(at);
  throw new CivichainError('NOT_CANONICALIZABLE', `Cannot encode ${path || 'the value'}: ${problem}.`, { path });
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Member names repeat in every transaction ("type", "chainId", …): each is quoted once. */
const quotedNames = new Map<string, string>();

function quotedName(key: string): string {
  let quoted = quotedNames.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    // Bounded, as names come from untrusted input too.
    if (key.length <= 64 && quotedNames.size < 4096) quotedNames.set(key, quoted);
  }
  return quoted;
}

function encode(value: unknown, path: Path | null): string {
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
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + encode(value[i], { parent: path, key: i });
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // RFC 8785 §3.2.3: members sorted by their names as arrays of UTF-16 code units.
      const keys = Object.keys(record).sort(byCodeUnits);
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        out += `${first ? '' : ','}${quotedName(key)}:${encode(item, { parent: path, key })}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return fail(path, `values of type ${typeof value} have no JSON form`);
  }
}

/** The RFC 8785 canonical form of `value`, as a string. */
export function canonicalize(value: unknown): string {
  return encode(value, null);
}

const UTF8 = new TextEncoder();

/** The RFC 8785 canonical form of `value`, as UTF-8 bytes. */
export function canonicalBytes(value: unknown): Uint8Array {
  return UTF8.encode(canonicalize(value));
}
