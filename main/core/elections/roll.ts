/**
 * The voter roll (DESIGN.md §5): one leaf per voter, H(election, voter id, card code), where the card code
 * is a random secret printed on the voter's card. The ledger holds the Merkle root of the leaves and their
 * number; the roll itself stays with the officials. Knowing a leaf does not reveal the voter: without the
 * card code it cannot be recomputed from a voter id.
 */
import { createHash } from 'node:crypto';
import { CivichainError } from '../errors';
import { canonicalBytes } from '../encoding/canonicalJson';
import { MerkleTree } from '../ledger/merkle';

const LEAF_DOMAIN = 'civichain/v1/roll-leaf';
/** Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed is not misread. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 16 characters of base32: 80 bits, beyond guessing a voter's code from their id. */
export const CARD_CODE_LENGTH = 16;
export const VOTER_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

/** Upper-cases and drops spaces and dashes; maps the look-alikes I, L → 1 and O → 0 as Crockford does. */
export function normalizeCardCode(code: string): string {
  return code
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
}

/** "ABCD-EFGH-JKMN-PQRS": how a card code is printed. */
export function formatCardCode(code: string): string {
  return normalizeCardCode(code).replace(/(.{4})(?=.)/g, '$1-');
}

export function isCardCode(code: string): boolean {
  const normalized = normalizeCardCode(code);
  return normalized.length === CARD_CODE_LENGTH && [...normalized].every((c) => CODE_ALPHABET.includes(c));
}

/** A card code from 16 random bytes (the caller supplies the randomness: this module reads no entropy). */
export function cardCodeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < CARD_CODE_LENGTH) throw new RangeError(`A card code needs ${CARD_CODE_LENGTH} random bytes.`);
  let code = '';
  for (let i = 0; i < CARD_CODE_LENGTH; i++) code += CODE_ALPHABET[(bytes[i] as number) & 31];
  return code;
}

/** The roll leaf of a voter: SHA-256("civichain/v1/roll-leaf" || 0x00 || JCS([election, voterId, code])). */
export function rollLeaf(electionId: string, voterId: string, cardCode: string): string {
  return createHash('sha256')
    .update(LEAF_DOMAIN)
    .update(Buffer.from([0]))
    .update(canonicalBytes([electionId, voterId, normalizeCardCode(cardCode)]))
    .digest('hex');
}

export interface RollEntry {
  readonly voterId: string;
  readonly name: string;
  readonly cardCode: string;
}

/** The roll's tree: leaves in roll order. */
export function rollTree(electionId: string, entries: readonly RollEntry[]): MerkleTree {
  return new MerkleTree(entries.map((e) => rollLeaf(electionId, e.voterId, e.cardCode)));
}

export interface ParsedRollRow {
  readonly line: number;
  readonly voterId: string;
  readonly name: string;
  /** Null when the CSV leaves the card code empty: the desk generates one. */
  readonly cardCode: string | null;
}

function rollError(line: number, message: string): never {
  throw new CivichainError('ROLL_INVALID', `Voter roll, line ${line}: ${message}`, { line });
}

/** Splits one CSV line (RFC 4180 quoting). */
function splitCsvLine(text: string, line: number): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) rollError(line, 'a quoted field is not closed.');
  fields.push(field);
  return fields.map((f) => f.trim());
}

const HEADERS = {
  voterId: ['voter id', 'voter_id', 'voterid', 'id'],
  name: ['name', 'voter name', 'full name'],
  cardCode: ['card code', 'card_code', 'cardcode', 'code'],
} as const;

/**
 * The line of the first byte sequence that is not UTF-8: one streaming decoder fed a line at a time, each
 * chunk ending with its 0x0a (never part of a multi-byte sequence, so a sequence cut short by a line end
 * fails on its own line). One pass: decoding every prefix instead took minutes on a roll of 20,000 voters.
 */
function firstNonUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  try {
    for (;;) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline + 1;
      decoder.decode(bytes.subarray(start, end), { stream: true });
      if (newline < 0) break;
      line++;
      start = end;
    }
    // A sequence cut short by the end of the file.
    decoder.decode();
  } catch {
    return line;
  }
  return line;
}

/**
 * Parses a voter roll CSV: a header naming the columns "voter ID", "name" and, optionally, "card code",
 * then one voter per line. Refuses, naming the line: bad encoding, a missing column, an empty or
 * malformed voter ID, a duplicate voter ID, a malformed card code.
 */
export function parseRollCsv(bytes: Uint8Array): ParsedRollRow[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return rollError(firstNonUtf8Line(bytes), 'the file is not UTF-8 text. Save it as "CSV UTF-8" and import it again.');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', 1).map((h) => h.toLowerCase());
  const column = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const idColumn = column(HEADERS.voterId);
  const nameColumn = column(HEADERS.name);
  const codeColumn = column(HEADERS.cardCode);
  if (idColumn < 0 || nameColumn < 0) {
    const missing = [idColumn < 0 ? '"voter ID"' : null, nameColumn < 0 ? '"name"' : null].filter(Boolean).join(' and ');
    rollError(1, `the header must name the columns "voter ID", "name" and optionally "card code"; ${missing} is missing.`);
  }
  const rows: ParsedRollRow[] = [];
  const seen = new Map<string, number>();
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    if (raw.trim() === '') return;
    const fields = splitCsvLine(raw, line);
    // More cells than the header is refused too: an unquoted comma in a name would otherwise cut it silently.
    if (fields.length !== header.length) {
      rollError(line, `expected ${header.length} columns, found ${fields.length}${fields.length > header.length ? ' (quote a name that holds a comma: "Chan, Tai Man")' : ''}.`);
    }
    const voterId = fields[idColumn] as string;
    const name = fields[nameColumn] as string;
    const code = codeColumn >= 0 ? (fields[codeColumn] as string) : '';
    if (!VOTER_ID.test(voterId)) rollError(line, `"${voterId}" is not a valid voter ID (1–64 letters, digits, . _ / -).`);
    if (name === '') rollError(line, `voter ${voterId} has no name.`);
    const first = seen.get(voterId);
    if (first !== undefined) rollError(line, `voter ID ${voterId} appears again (first on line ${first}).`);
    seen.set(voterId, line);
    if (code !== '' && !isCardCode(code)) rollError(line, `the card code of ${voterId} is not ${CARD_CODE_LENGTH} characters of base32.`);
    rows.push({ line, voterId, name, cardCode: code === '' ? null : normalizeCardCode(code) });
  });
  if (rows.length === 0) rollError(2, 'the roll lists no voters.');
  return rows;
}
