/**
 * The election record (docs/PROTOCOL.md "Election record"): what `civichain export` writes and
 * `civichain verify --record` checks; exported for a voucher programme, the same record names the programme
 * instead. It holds the genesis and every block from 1 to the height of the export with its commit
 * certificate and all its transactions, so that each hash link can be checked and nothing can be left out of
 * the recount (a block given by its transactions' hashes alone could hide ballots).
 */
import { z } from 'zod';
import { CivichainError } from '../../core/errors';
import { createGenesisFromJSON, type Genesis } from '../../core/genesis';
import type { AuditBlock } from '../../core/elections/audit';
import { blockHeaderSchema, type Block } from '../../core/ledger/block';
import { transactionSchema, type Transaction } from '../../core/ledger/transaction';
import { certificateSchema, type CommitCertificate } from '../../core/ledger/votes';

export const RECORD_FORMAT = 'civichain/election-record/v1';
/** The same record exported for a voucher programme: `programme` instead of `election`. */
export const PROGRAMME_RECORD_FORMAT = 'civichain/programme-record/v1';

export interface RecordBlock {
  readonly header: Block['header'];
  readonly signature: string;
  readonly certificate: CommitCertificate;
  readonly transactions: readonly Transaction[];
}

export interface ElectionRecord {
  readonly format: typeof RECORD_FORMAT;
  /** The election the record was exported for; every election in it is recounted all the same. */
  readonly election: string;
  readonly genesis: Genesis;
  readonly height: number;
  readonly blocks: readonly RecordBlock[];
}

export interface RecordSource {
  head(): number;
  committed(height: number): { block: Block; certificate: CommitCertificate } | null;
}

/** A block as the record holds it. */
export function recordBlock(block: Block, certificate: CommitCertificate): RecordBlock {
  return { header: block.header, signature: block.signature, certificate, transactions: block.transactions };
}

export interface ProgrammeRecord {
  readonly format: typeof PROGRAMME_RECORD_FORMAT;
  readonly programme: string;
  readonly genesis: Genesis;
  readonly height: number;
  readonly blocks: readonly RecordBlock[];
}

export function buildElectionRecord(source: RecordSource, genesis: Genesis, election: string): ElectionRecord {
  return { format: RECORD_FORMAT, election, genesis, ...recordBlocks(source) };
}

export function buildProgrammeRecord(source: RecordSource, genesis: Genesis, programme: string): ProgrammeRecord {
  return { format: PROGRAMME_RECORD_FORMAT, programme, genesis, ...recordBlocks(source) };
}

/** Every block from 1 to the head, with its certificate and all its transactions. */
function recordBlocks(source: RecordSource): { height: number; blocks: RecordBlock[] } {
  const height = source.head();
  const blocks: RecordBlock[] = [];
  for (let h = 1; h <= height; h++) {
    const stored = source.committed(h);
    if (!stored) throw new CivichainError('STORE_GAP', `Block ${h} is missing from this node's store; repair the store before exporting.`, { height: h });
    blocks.push(recordBlock(stored.block, stored.certificate));
  }
  return { height, blocks };
}

const recordBody = {
  genesis: z.unknown(),
  height: z.number().int().nonnegative(),
  blocks: z.array(
    z
      .object({
        header: blockHeaderSchema,
        signature: z.string(),
        certificate: certificateSchema,
        transactions: z.array(transactionSchema),
      })
      .strict(),
  ),
};

const recordSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal(RECORD_FORMAT), election: z.string().min(1).max(64), ...recordBody }).strict(),
  z.object({ format: z.literal(PROGRAMME_RECORD_FORMAT), programme: z.string().min(1).max(64), ...recordBody }).strict(),
]);

export interface ParsedRecord {
  /** What it was exported for; every election and programme in it is checked all the same. */
  readonly subject: { readonly kind: 'election' | 'programme'; readonly id: string };
  readonly genesis: Genesis;
  readonly height: number;
  readonly blocks: AuditBlock[];
}

/** Parses an untrusted election or programme record: RECORD_INVALID names the first field that is wrong. */
export function parseRecord(json: unknown): ParsedRecord {
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(record)';
    throw new CivichainError('RECORD_INVALID', `The record is malformed: ${field}: ${issue?.message ?? 'invalid'}.`, { field });
  }
  const record = parsed.data;
  const genesis = createGenesisFromJSON(record.genesis);
  const blocks = record.blocks.map((b): AuditBlock => ({ block: { header: b.header, signature: b.signature, transactions: b.transactions }, certificate: b.certificate }));
  const subject = record.format === RECORD_FORMAT ? { kind: 'election' as const, id: record.election } : { kind: 'programme' as const, id: record.programme };
  return { subject, genesis, height: record.height, blocks };
}
