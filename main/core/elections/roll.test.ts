/**
 * The voter roll: card codes (Crockford base32), roll leaves, and the CSV an official imports. Every
 * refusal is a ROLL_INVALID naming the line, because the official fixes the file in a spreadsheet.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import { verifyMerkleProof } from '../ledger/merkle';
import { CARD_CODE_LENGTH, cardCodeFromBytes, formatCardCode, isCardCode, normalizeCardCode, parseRollCsv, rollLeaf, rollTree, type ParsedRollRow } from './roll';

const CODE = 'ABCDEFGHJKMNPQRS';
const CODE_2 = '0123456789VWXYZT';

const parse = (csv: string): ParsedRollRow[] => parseRollCsv(Buffer.from(csv, 'utf8'));

/** The ROLL_INVALID error a roll is refused with. */
function refusal(input: string | Uint8Array): CivichainError {
  try {
    parseRollCsv(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  } catch (error) {
    expect(error).toBeInstanceOf(CivichainError);
    const refused = error as CivichainError;
    expect(refused.code).toBe('ROLL_INVALID');
    return refused;
  }
  return expect.unreachable('the roll was accepted');
}

/** Asserts a refusal names `line`, in the message and in the details. */
function expectRefusedAt(input: string | Uint8Array, line: number, message: RegExp): void {
  const error = refusal(input);
  expect(error.details).toEqual({ line });
  expect(error.message).toMatch(new RegExp(`^Voter roll, line ${line}: `));
  expect(error.message).toMatch(message);
}

describe('card codes', () => {
  it('normalisation: upper case, no spaces or dashes, Crockford look-alikes I, L → 1 and O → 0', () => {
    expect(normalizeCardCode('abcd-efgh-jkmn-pqrs')).toBe(CODE);
    expect(normalizeCardCode(' ABCD EFGH\tJKMN-PQRS ')).toBe(CODE);
    expect(normalizeCardCode('oOiIlL')).toBe('001111');
    expect(isCardCode('abcd-efgh-jkmn-pqrs')).toBe(true);
    expect(isCardCode('O123-4567-89IL-VWXY')).toBe(true);
    expect(normalizeCardCode('O123-4567-89IL-VWXY')).toBe('012345678911VWXY');
  });

  it('a card code is 16 characters of the alphabet, after normalisation', () => {
    expect(CARD_CODE_LENGTH).toBe(16);
    expect(isCardCode(CODE.slice(0, 15))).toBe(false);
    expect(isCardCode(`${CODE}A`)).toBe(false);
    // U is not in Crockford's alphabet and, unlike I, L and O, is not mapped to anything.
    expect(isCardCode(`${CODE.slice(0, 15)}U`)).toBe(false);
    expect(isCardCode(`${CODE.slice(0, 15)}*`)).toBe(false);
    expect(isCardCode(`${CODE.slice(0, 15)}é`)).toBe(false);
    expect(isCardCode('')).toBe(false);
  });

  it('formatCardCode prints groups of four', () => {
    expect(formatCardCode('abcdefghjkmnpqrs')).toBe('ABCD-EFGH-JKMN-PQRS');
    expect(formatCardCode('ABCD-EFGH-JKMN-PQRS')).toBe('ABCD-EFGH-JKMN-PQRS');
  });

  it('cardCodeFromBytes uses the low 5 bits of each of the first 16 bytes', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 2 + 0xe0);
    expect(cardCodeFromBytes(bytes)).toBe('02468ACEGJMPRTWY');
    expect(cardCodeFromBytes(new Uint8Array(32).fill(31))).toBe('Z'.repeat(16));
    expect(isCardCode(cardCodeFromBytes(new Uint8Array(16).fill(0xff)))).toBe(true);
    expect(() => cardCodeFromBytes(new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('roll leaves', () => {
  it('SHA-256("civichain/v1/roll-leaf" || 0x00 || JCS([election, voter ID, normalised code]))', () => {
    const expected = createHash('sha256').update('civichain/v1/roll-leaf\u0000["city-2026","VOID001","ABCDEFGHJKMNPQRS"]').digest('hex');
    expect(rollLeaf('city-2026', 'VOID001', CODE)).toBe(expected);
    // The code as typed from the card gives the same leaf.
    expect(rollLeaf('city-2026', 'VOID001', 'abcd-efgh-jkmn-pqrs')).toBe(expected);
  });

  it('the election, the voter and the code each change the leaf', () => {
    const leaf = rollLeaf('city-2026', 'VOID001', CODE);
    expect(rollLeaf('city-2027', 'VOID001', CODE)).not.toBe(leaf);
    expect(rollLeaf('city-2026', 'VOID002', CODE)).not.toBe(leaf);
    expect(rollLeaf('city-2026', 'VOID001', CODE_2)).not.toBe(leaf);
    expect(rollLeaf('city-2026', 'void001', CODE)).not.toBe(leaf);
  });

  it('rollTree: one leaf per voter in roll order, each with a path to the root', () => {
    const entries = Array.from({ length: 15 }, (_, i) => ({ voterId: `VOID${String(i + 1).padStart(3, '0')}`, name: `Voter ${i + 1}`, cardCode: cardCodeFromBytes(new Uint8Array(16).fill(i)) }));
    const tree = rollTree('city-2026', entries);
    expect(tree.size).toBe(15);
    entries.forEach((e, i) => {
      const leaf = rollLeaf('city-2026', e.voterId, e.cardCode);
      expect(verifyMerkleProof(tree.root, 15, i, leaf, tree.proof(i))).toBe(true);
      expect(verifyMerkleProof(tree.root, 15, i, rollLeaf('city-2027', e.voterId, e.cardCode), tree.proof(i))).toBe(false);
    });
  });
});

describe('parseRollCsv: what it accepts', () => {
  it('a header and one voter per line, with the line of each', () => {
    expect(parse(`voter ID,name,card code\nVOID001,Ada Lovelace,${CODE}\nVOID002,Alan Turing,${CODE_2}\n`)).toEqual([
      { line: 2, voterId: 'VOID001', name: 'Ada Lovelace', cardCode: CODE },
      { line: 3, voterId: 'VOID002', name: 'Alan Turing', cardCode: CODE_2 },
    ]);
  });

  it('header variants, in any case and any column order', () => {
    const variants = [
      ['voter id', 'name', 'card code'],
      ['Voter_ID', 'Full Name', 'Card_Code'],
      ['VOTERID', 'VOTER NAME', 'CARDCODE'],
      ['id', 'Name', 'code'],
      [' Voter ID ', ' Name ', ' Card Code '],
    ];
    for (const [id, name, code] of variants) {
      expect(parse(`${code},${name},${id}\n${CODE},Ada,VOID001\n`)).toEqual([{ line: 2, voterId: 'VOID001', name: 'Ada', cardCode: CODE }]);
    }
    // Extra columns are ignored.
    expect(parse(`ward,id,name,phone\n7,VOID001,Ada,555\n`)).toEqual([{ line: 2, voterId: 'VOID001', name: 'Ada', cardCode: null }]);
  });

  it('rows without a card code (no column, or an empty cell) get cardCode null: the desk generates one', () => {
    expect(parse('voter id,name\nVOID001,Ada\n')).toEqual([{ line: 2, voterId: 'VOID001', name: 'Ada', cardCode: null }]);
    expect(parse(`voter id,name,card code\nVOID001,Ada,\nVOID002,Alan,${CODE}\nVOID003,Grace,""\n`).map((r) => r.cardCode)).toEqual([null, CODE, null]);
  });

  it('card codes are stored normalised', () => {
    expect(parse('id,name,code\nVOID001,Ada,abcd-efgh-jkmn-pqrs\nVOID002,Alan,o123 4567 89il vwxy\n').map((r) => r.cardCode)).toEqual([CODE, '012345678911VWXY']);
  });

  it('RFC 4180 quoted fields: commas and doubled quotes inside, spaces around trimmed', () => {
    expect(parse('"voter id","name","card code"\n"VOID001","Lovelace, Ada ""The Countess""",""\n VOID002 ,"  Turing, Alan  " ,\n')).toEqual([
      { line: 2, voterId: 'VOID001', name: 'Lovelace, Ada "The Countess"', cardCode: null },
      { line: 3, voterId: 'VOID002', name: 'Turing, Alan', cardCode: null },
    ]);
  });

  it('a UTF-8 byte order mark, CRLF line ends, blank lines and non-ASCII names', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Voter ID,Name\r\nVOID001,Zoë Ñúñez\r\n\r\n  \r\nVOID002,Łukasz 李\r\n', 'utf8')]);
    expect(parseRollCsv(bytes)).toEqual([
      { line: 2, voterId: 'VOID001', name: 'Zoë Ñúñez', cardCode: null },
      { line: 5, voterId: 'VOID002', name: 'Łukasz 李', cardCode: null },
    ]);
  });

  it('the last line needs no line end', () => {
    expect(parse('id,name\nVOID001,Ada').map((r) => r.voterId)).toEqual(['VOID001']);
  });

  it('voter IDs of 1 to 64 letters, digits and . _ / -', () => {
    const ids = ['A', '7', 'a.b_c/d-e', `X${'9'.repeat(63)}`];
    expect(parse(`id,name\n${ids.map((id) => `${id},Someone`).join('\n')}\n`).map((r) => r.voterId)).toEqual(ids);
  });
});

describe('parseRollCsv: every refusal names the line', () => {
  it('a duplicate voter ID names both lines', () => {
    expectRefusedAt('id,name\nVOID001,Ada\nVOID002,Alan\n\nVOID001,Grace\n', 5, /voter ID VOID001 appears again \(first on line 2\)/);
    // After trimming and unquoting, the same ID is the same voter.
    expectRefusedAt('id,name\nVOID001,Ada\n" VOID001 ",Ada again\n', 3, /VOID001 appears again \(first on line 2\)/);
  });

  it('a header without the voter ID or name column says which is missing', () => {
    expectRefusedAt('name,card code\nAda,\n', 1, /"voter ID" is missing/);
    expectRefusedAt('voter id,card code\nVOID001,\n', 1, /"name" is missing/);
    expectRefusedAt('voter,person\nVOID001,Ada\n', 1, /"voter ID" and "name" is missing/);
    // A roll whose first line is a voter, not a header.
    expectRefusedAt('VOID001,Ada\nVOID002,Alan\n', 1, /header must name the columns/);
  });

  it('a row with fewer cells than the header', () => {
    expectRefusedAt('id,name,card code\nVOID001,Ada,\nVOID002,Alan\n', 3, /expected 3 columns, found 2/);
    expectRefusedAt('id,name\nVOID001\n', 2, /expected 2 columns, found 1/);
  });

  it('bad UTF-8 names the line of the bad byte', () => {
    const latin1 = Buffer.concat([Buffer.from('id,name\nVOID001,Ada\nVOID002,Zo'), Buffer.from([0xeb]), Buffer.from('\nVOID003,Alan\n')]);
    expectRefusedAt(latin1, 3, /not UTF-8 text\. Save it as "CSV UTF-8"/);
    // In the header.
    expectRefusedAt(Buffer.concat([Buffer.from('id,n'), Buffer.from([0xe4]), Buffer.from('me\nVOID001,Ada\n')]), 1, /not UTF-8/);
    // A sequence cut short by the line end belongs to the line it started on.
    expectRefusedAt(Buffer.concat([Buffer.from('id,name\nVOID001,Ada\nVOID002,Zo'), Buffer.from([0xc3]), Buffer.from('\nVOID003,Alan\n')]), 3, /not UTF-8/);
    // A sequence cut short by the end of the file.
    expectRefusedAt(Buffer.concat([Buffer.from('id,name\nVOID001,Ada\nVOID002,Zo'), Buffer.from([0xe2, 0x82])]), 3, /not UTF-8/);
    // An overlong encoding of "/" and a UTF-16 surrogate are not UTF-8 either.
    expectRefusedAt(Buffer.concat([Buffer.from('id,name\nVOID001,Ada\n\nVOID'), Buffer.from([0xc0, 0xaf]), Buffer.from('1,Alan\n')]), 4, /not UTF-8/);
    expectRefusedAt(Buffer.concat([Buffer.from('id,name\nVOID'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(',Ada\n')]), 2, /not UTF-8/);
    // UTF-16, as some spreadsheets save "Unicode text".
    expectRefusedAt(Buffer.from('\ufeffid,name\nVOID001,Ada\n', 'utf16le'), 1, /not UTF-8/);
  });

  it('a bad byte at the end of a roll of 5,000 voters is found in one pass, not one decoding per byte', () => {
    // Decoding every prefix of the file is quadratic: about 20 s for this roll, 6 minutes for 20,000 voters.
    const body = Array.from({ length: 5_000 }, (_, i) => `V${i},Voter number ${i}`).join('\n');
    const bytes = Buffer.concat([Buffer.from(`id,name\n${body}\nV-last,Ren`), Buffer.from([0xe9]), Buffer.from('e\n')]);
    expectRefusedAt(bytes, 5_002, /not UTF-8/);
  });

  it('a malformed voter ID', () => {
    expectRefusedAt('id,name\nVOID001,Ada\n,Nobody\n', 3, /"" is not a valid voter ID/);
    expectRefusedAt('id,name\nVOID 001,Ada\n', 2, /"VOID 001" is not a valid voter ID/);
    expectRefusedAt('id,name\n-VOID001,Ada\n', 2, /not a valid voter ID/);
    expectRefusedAt('id,name\nVOÏD001,Ada\n', 2, /not a valid voter ID/);
    expectRefusedAt(`id,name\nX${'9'.repeat(64)},Ada\n`, 2, /not a valid voter ID \(1–64/);
  });

  it('a voter without a name', () => {
    expectRefusedAt('id,name\nVOID001,Ada\nVOID002,  \n', 3, /voter VOID002 has no name/);
  });

  it('a bad card code', () => {
    expectRefusedAt(`id,name,code\nVOID001,Ada,${CODE}\nVOID002,Alan,${CODE.slice(0, 15)}\n`, 3, /the card code of VOID002 is not 16 characters of base32/);
    expectRefusedAt(`id,name,code\nVOID001,Ada,${CODE.slice(0, 15)}U\n`, 2, /card code of VOID001/);
    expectRefusedAt(`id,name,code\nVOID001,Ada,${CODE}Z\n`, 2, /card code of VOID001/);
  });

  it('an unclosed quote', () => {
    expectRefusedAt('id,name\nVOID001,"Ada\nVOID002,Alan\n', 2, /a quoted field is not closed/);
    expectRefusedAt('"id,name\nVOID001,Ada\n', 1, /a quoted field is not closed/);
  });

  it('an empty roll: no voters after the header, or no file at all', () => {
    expectRefusedAt('voter id,name,card code\n', 2, /the roll lists no voters/);
    expectRefusedAt('voter id,name,card code\n\n \r\n', 2, /the roll lists no voters/);
    expectRefusedAt('', 1, /"voter ID" and "name" is missing/);
    expectRefusedAt(Buffer.from([0xef, 0xbb, 0xbf]), 1, /header must name/);
  });
});
