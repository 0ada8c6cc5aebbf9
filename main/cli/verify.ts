/**
 * `civichain verify [--data DIR | --record FILE]` and `civichain export (--election ID | --programme ID) --out FILE`.
 *
 * verify replays the chain from its genesis with the ChainAuditor (main/core/elections/audit.ts): every hash
 * link, proof-of-work, proposer signature, commit certificate, transaction signature, roll proof and ballot
 * credential, then recounts each election from its ballots. Signatures and credentials are checked in
 * worker threads, a batch of blocks ahead of the auditor, which then finds the verdicts in its memo.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CivichainError } from '../core/errors';
import { PublicKeyCache } from '../core/crypto/ed25519';
import { ChainAuditor, type AuditBlock, type AuditReport } from '../core/elections/audit';
import { CredentialVerifier, type CredentialClaim } from '../core/elections/credential';
import type { Genesis } from '../core/genesis';
import { ballotCredentialClaims, readElection, type ElectionDefinition } from '../core/rules/elections';
import { readProgramme } from '../core/rules/vouchers';
import { parseRecord, PROGRAMME_RECORD_FORMAT, RECORD_FORMAT, recordBlock } from '../node/elections/record';
import type { Logger } from '../node/log';
import { openStore } from '../node/store/database';
import { createVerifyPool, type BatchVerifier } from '../node/workers/verifyPool';
import { openWorkspace } from '../node/workspace/workspace';

/** Blocks, and transactions, checked in one round trip to the workers. */
const BATCH_BLOCKS = 256;
const BATCH_TXS = 4_096;

export interface VerifyProgress {
  (line: string): void;
}

/**
 * Feeds blocks to an auditor, verifying each batch's transaction signatures and ballot credentials in the
 * worker pool first. The key cache is shared with the auditor: what the workers verified, it remembers.
 */
export class ParallelAuditor {
  private readonly keys = new PublicKeyCache(200_000);
  private readonly credentials = new CredentialVerifier(2_000_000);
  readonly auditor: ChainAuditor;
  private batch: AuditBlock[] = [];
  private batchTxs = 0;

  constructor(
    private readonly genesis: Genesis,
    private readonly verifier: BatchVerifier,
  ) {
    this.auditor = new ChainAuditor(genesis, { keys: this.keys, credentials: this.credentials });
  }

  async add(block: AuditBlock): Promise<void> {
    this.batch.push(block);
    this.batchTxs += block.block.transactions.length;
    if (this.batch.length >= BATCH_BLOCKS || this.batchTxs >= BATCH_TXS) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batchTxs = 0;
    if (batch.length === 0) return;
    const txs = batch.flatMap((b) => b.block.transactions);
    const state = this.auditor.stateReader();
    // Elections created in this very batch are not in the replayed state yet: their keys come from here.
    const created = new Map<string, ElectionDefinition>();
    for (const tx of txs) {
      if (tx.type === 'election.create' && typeof tx.payload['id'] === 'string') created.set(tx.payload['id'], tx.payload as unknown as ElectionDefinition);
    }
    const claims = ballotCredentialClaims(txs, this.genesis.chainId, (id) => readElection(state, id) ?? created.get(id));
    const [hashes, verdicts] = await Promise.all([this.verifier.verifyTransactions(txs, this.genesis.chainId), this.verifier.verifyCredentials(claims)]);
    verdicts.forEach((ok, i) => ok && this.credentials.remember(claims[i] as CredentialClaim));
    let k = 0;
    for (const entry of batch) {
      const allValid = entry.block.transactions.every((_, i) => hashes[k + i] !== null);
      k += entry.block.transactions.length;
      // A block with a bad signature is checked again by the auditor, which names the transaction.
      this.auditor.add(entry, { signaturesChecked: allValid });
    }
  }
}

function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}HK$${String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(abs % 100).padStart(2, '0')}`;
}

function formatReport(report: AuditReport): string[] {
  const lines = [`Checked ${report.blocks} blocks and ${report.transactions} transactions, ${report.ballots} ballots.`];
  for (const e of report.elections) {
    lines.push('', `${e.title} (${e.id})${e.published ? ' — result published' : ''}`);
    const width = Math.max(...e.candidates.map((c) => c.name.length));
    for (const c of e.candidates) lines.push(`  ${c.name.padEnd(width)}  ${String(c.votes).padStart(8)}`);
    lines.push(`  ballots ${e.ballots} of ${e.credentials} credentials issued, ${e.rollSize} voters on the roll`);
  }
  for (const p of report.programmes) {
    const { pending, approved, denied } = p.applicants;
    lines.push('', `${p.title} (${p.id}) — vouchers`);
    lines.push(`  applicants  ${approved} approved, ${pending} pending, ${denied} denied`);
    lines.push(`  issued      ${money(p.issuedCents)}`, `  redeemed    ${money(p.redeemedCents)}`, `  outstanding ${money(p.outstandingCents)}`);
  }
  return lines;
}

export async function verifyChain(
  source: { dataDir: string } | { recordFile: string },
  deps: { log: Logger; print: (line: string) => void; workerScript?: string | URL },
): Promise<AuditReport> {
  const verifier = createVerifyPool({ workerScript: deps.workerScript, memoize: false, workerNiceness: 0 }, { log: deps.log });
  try {
    if ('recordFile' in source) {
      if (!existsSync(source.recordFile)) throw new CivichainError('RECORD_NOT_FOUND', `There is no file ${source.recordFile}.`);
      const record = await readRecord(source.recordFile);
      const parsed = parseRecord(record);
      if (parsed.blocks.length !== parsed.height) {
        throw new CivichainError('AUDIT_MISSING_BLOCK', `The record says it holds ${parsed.height} blocks but holds ${parsed.blocks.length}: blocks were removed or added.`);
      }
      const audit = new ParallelAuditor(parsed.genesis, verifier);
      for (const block of parsed.blocks) await audit.add(block);
      await audit.flush();
      const report = audit.auditor.report();
      for (const line of formatReport(report)) deps.print(line);
      return report;
    }
    const workspace = await openWorkspace({ dataDir: source.dataDir, demo: false }, { log: deps.log });
    const store = openStore({ path: workspace.paths.chainDb, genesis: workspace.genesis, genesisHash: workspace.genesisHash });
    try {
      const audit = new ParallelAuditor(workspace.genesis, verifier);
      const height = store.head().height;
      for (let h = 1; h <= height; h++) {
        const stored = store.committed(h);
        if (!stored) throw new CivichainError('AUDIT_MISSING_BLOCK', `Block ${h} is missing from the store.`, { height: h });
        await audit.add({ block: stored.block, certificate: stored.certificate });
        if (h % 10_000 === 0) deps.print(`  … ${h} of ${height} blocks`);
      }
      await audit.flush();
      const report = audit.auditor.report();
      for (const line of formatReport(report)) deps.print(line);
      return report;
    } finally {
      store.close();
    }
  } finally {
    await verifier.close();
  }
}

/** Reads a record written by `export`: JSON, possibly large (one block per line). */
async function readRecord(path: string): Promise<unknown> {
  const parts: string[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) parts.push(line);
  try {
    return JSON.parse(parts.join('\n'));
  } catch (error) {
    throw new CivichainError('RECORD_INVALID', `${path} is not a JSON record: ${(error as Error).message}.`, { path });
  }
}

/**
 * Writes the record of an election or a voucher programme from a data folder's chain, one block per line,
 * without holding it in memory.
 */
export async function exportRecord(
  options: { dataDir: string; subject: { kind: 'election' | 'programme'; id: string }; outFile: string },
  deps: { log: Logger },
): Promise<{ blocks: number }> {
  const { kind, id } = options.subject;
  const workspace = await openWorkspace({ dataDir: options.dataDir, demo: false }, { log: deps.log });
  const store = openStore({ path: workspace.paths.chainDb, genesis: workspace.genesis, genesisHash: workspace.genesisHash });
  try {
    if (kind === 'election' && !readElection(store.state(), id)) {
      throw new CivichainError('ELECTION_UNKNOWN', `There is no election "${id}" on this node's chain.`, { election: id });
    }
    if (kind === 'programme' && !readProgramme(store.state(), id)) {
      throw new CivichainError('VOUCHER_PROGRAMME_UNKNOWN', `There is no voucher programme "${id}" on this node's chain.`, { programme: id });
    }
    const out = createWriteStream(options.outFile);
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    const height = store.head().height;
    const format = kind === 'election' ? RECORD_FORMAT : PROGRAMME_RECORD_FORMAT;
    await write(`{"format":${JSON.stringify(format)},${JSON.stringify(kind)}:${JSON.stringify(id)},"height":${height},\n"genesis":${JSON.stringify(workspace.genesis)},\n"blocks":[\n`);
    for (let h = 1; h <= height; h++) {
      const stored = store.committed(h);
      if (!stored) throw new CivichainError('STORE_GAP', `Block ${h} is missing from the store; repair it first.`, { height: h });
      await write(`${JSON.stringify(recordBlock(stored.block, stored.certificate))}${h < height ? ',' : ''}\n`);
    }
    await write(']}\n');
    out.end();
    await once(out, 'finish');
    return { blocks: height };
  } finally {
    store.close();
  }
}
