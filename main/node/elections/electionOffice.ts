/**
 * The election office of a node (DESIGN.md §5): creating elections from a voter roll, checking voters in,
 * issuing blind credentials to booths, closing, publishing results, and the read side (summaries, "check my
 * card", "check my ballot", the election record). Everything it writes to the ledger goes through the
 * mempool as a signed transaction like any other; what must stay off the ledger (the roll, the credential
 * key) lives in the ElectionOfficeStore.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import type { BallotLookup, ElectionSummary, RollVoter, TransactionStatus } from '../../../preload/contract';
import { CivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import { credentialInfo } from '../../core/elections/credential';
import { cardCodeFromBytes, formatCardCode, normalizeCardCode, parseRollCsv, rollLeaf, type RollEntry } from '../../core/elections/roll';
import { MerkleTree } from '../../core/ledger/merkle';
import { signTransaction, transactionHash, type Transaction } from '../../core/ledger/transaction';
import {
  electionLeafKey,
  electionPhase,
  listElectionIds,
  readElection,
  readElectionStatus,
  type ElectionDefinition,
} from '../../core/rules/elections';
import type { StateReader } from '../../core/rules/types';
import { blindSign, credentialPublicKey, deriveSigningKey, generateCredentialKey, type CredentialPrivateKey, type DerivedSigningKey } from './credentialIssuer';
import { buildElectionRecord, type ElectionRecord, type RecordSource } from './record';
import type { ElectionOfficeStore, RollRow } from './officeStore';

export interface RoleKey {
  readonly id: string;
  readonly role: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

export interface ElectionOfficeDependencies {
  readonly genesis: Genesis;
  readonly office: ElectionOfficeStore;
  readonly state: () => StateReader;
  readonly submit: (tx: Transaction) => Promise<{ hash: string }>;
  /** Where a transaction stands: final in a block, waiting in the mempool (or proposed), or unknown. */
  readonly txStatus: (hash: string) => TransactionStatus | null;
  /** Transaction hashes on the chain or waiting that start with a prefix (a short tracking code). */
  readonly findTransactions: (prefix: string) => { hash: string; tx: Transaction }[];
  /** Votes and ballots of an election counted from the stored ballots themselves (not the state's tally). */
  readonly recount: (election: string) => { votes: Record<string, number>; ballots: number };
  /** Resolves with the height once the transaction is final; TX_DROPPED or NOT_FINAL_YET otherwise (main/node/finality.ts). */
  readonly waitFinal: (hash: string, timeoutMs: number) => Promise<number>;
  readonly recordSource: RecordSource;
  readonly keys: readonly RoleKey[];
  readonly now: () => number;
  /** How long a check-in waits for its credential to become final. */
  readonly finalityTimeoutMs?: number;
  /** Makes a credential key (tests pass a fixed one: safe primes take seconds). */
  readonly generateKey?: () => Promise<CredentialPrivateKey>;
}

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new CivichainError(code, message, details);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 36);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A booth pass: 10 characters of base32 shown as "ABCDE-FGHJK". */
function newBoothPass(): string {
  return cardCodeFromBytes(randomBytes(16)).slice(0, 10);
}

export function normalizePass(pass: string): string {
  return normalizeCardCode(pass);
}

export class ElectionOffice {
  private readonly signers = new Map<string, DerivedSigningKey>();
  private readonly trees = new Map<string, MerkleTree>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: ElectionOfficeDependencies) {}

  private election(id: string): ElectionDefinition {
    return readElection(this.deps.state(), id) ?? fail('ELECTION_UNKNOWN', `There is no election "${id}" on this chain.`, { election: id });
  }

  private keyOf(roles: readonly string[], allowed?: readonly string[]): RoleKey | null {
    return this.deps.keys.find((k) => roles.includes(k.role) && (!allowed || allowed.includes(k.publicKey))) ?? null;
  }

  private authority(): RoleKey | null {
    const authorities = this.deps.genesis.authorities.map((a) => a.publicKey);
    return this.deps.keys.find((k) => authorities.includes(k.publicKey)) ?? null;
  }

  private sign(key: RoleKey, type: string, payload: Transaction['payload'], nonce = randomBytes(12).toString('base64url')): Transaction {
    return signTransaction({ type, chainId: this.deps.genesis.chainId, signer: key.publicKey, nonce, payload }, key.privateKey);
  }

  summary(id: string): ElectionSummary {
    const state = this.deps.state();
    const election = this.election(id);
    const status = readElectionStatus(state, id);
    const phase = electionPhase(election, status, this.deps.now());
    const official = this.keyOf(['official', 'authority'], election.officials);
    const holdsRoll = this.deps.office.hasRoll(id);
    return {
      id,
      title: election.title,
      candidates: election.candidates,
      choose: election.choose,
      opensAtMs: election.opensAtMs,
      closesAtMs: election.closesAtMs,
      liveResults: election.liveResults,
      phase,
      closedAtMs: status.closedAtMs,
      roll: election.roll,
      credentials: status.credentials,
      ballots: status.ballots,
      tally: phase === 'closed' || election.liveResults ? Object.fromEntries(election.candidates.map((c) => [c.id, status.tally[c.id] ?? 0])) : null,
      resultTx: status.resultTx,
      credentialKey: election.credentialKey,
      office: {
        holdsRoll,
        canCheckIn: holdsRoll && this.keyOf(['official'], election.officials) !== null,
        canIssue: this.deps.office.privateKey(id) !== null,
        canClose: official !== null || this.authority() !== null,
      },
    };
  }

  list(): ElectionSummary[] {
    return listElectionIds(this.deps.state())
      .reverse()
      .map((id) => this.summary(id));
  }

  /** Creates an election: parses the roll, completes card codes, makes the credential key, submits election.create. */
  async create(input: {
    id?: string | undefined;
    title: string;
    candidates: readonly string[];
    choose: number;
    opensAtMs?: number | undefined;
    closesAtMs: number;
    liveResults: boolean;
    rollCsv: Uint8Array;
  }): Promise<{ election: string; txHash: string; roll: { root: string; size: number; generatedCodes: number } }> {
    const authority = this.authority() ?? fail('NOT_AN_AUTHORITY', 'This node holds no authority key, so it cannot create elections. Create it on the authority’s node.');
    const now = this.deps.now();
    const opensAtMs = input.opensAtMs ?? now;
    if (input.closesAtMs <= opensAtMs) fail('ELECTION_TIMES', 'The election must close after it opens.', { field: 'closesAtMs' });
    if (input.closesAtMs <= now) fail('ELECTION_TIMES', 'The closing time is in the past.', { field: 'closesAtMs' });
    const id = input.id ?? `${slug(input.title) || 'election'}-${randomBytes(3).toString('hex')}`;
    if (readElection(this.deps.state(), id) || this.deps.office.hasRoll(id)) {
      fail('ELECTION_EXISTS', `An election with the id "${id}" already exists; choose another id.`, { election: id });
    }
    const candidates = input.candidates.map((name, i) => ({ id: slug(name) || `candidate-${i + 1}`, name }));
    const ids = new Set<string>();
    for (const c of candidates) {
      if (ids.has(c.id)) fail('ELECTION_CANDIDATES', `Two candidates would share the id "${c.id}": give them distinct names.`, { field: 'candidates' });
      ids.add(c.id);
    }
    if (input.choose > candidates.length) fail('ELECTION_CANDIDATES', `A ballot cannot choose ${input.choose} of ${candidates.length} candidates.`, { field: 'choose' });
    const parsed = parseRollCsv(input.rollCsv);
    let generatedCodes = 0;
    const entries: RollEntry[] = parsed.map((row) => {
      if (row.cardCode) return { voterId: row.voterId, name: row.name, cardCode: row.cardCode };
      generatedCodes++;
      return { voterId: row.voterId, name: row.name, cardCode: cardCodeFromBytes(randomBytes(16)) };
    });
    const officials = this.deps.keys.filter((k) => k.role === 'official').map((k) => k.publicKey);
    if (officials.length === 0) officials.push(authority.publicKey);
    const key = await (this.deps.generateKey ?? generateCredentialKey)();
    return this.register({ id, title: input.title, candidates, choose: input.choose, opensAtMs, closesAtMs: input.closesAtMs, liveResults: input.liveResults, officials }, entries, key, authority, generatedCodes);
  }

  /** Records the roll and key, then submits election.create; forgets them again if the ledger refuses it. */
  async register(
    definition: Omit<ElectionDefinition, 'roll' | 'credentialKey'>,
    entries: readonly RollEntry[],
    key: CredentialPrivateKey,
    authority: RoleKey | null = this.authority(),
    generatedCodes = 0,
    nonce?: string,
  ): Promise<{ election: string; txHash: string; roll: { root: string; size: number; generatedCodes: number } }> {
    if (!authority) fail('NOT_AN_AUTHORITY', 'This node holds no authority key, so it cannot create elections.');
    const rows: RollRow[] = entries.map((e, index) => ({ ...e, index, leaf: rollLeaf(definition.id, e.voterId, e.cardCode) }));
    const tree = new MerkleTree(rows.map((r) => r.leaf));
    const payload: ElectionDefinition = { ...definition, roll: { root: tree.root, size: rows.length }, credentialKey: credentialPublicKey(key) };
    const tx = this.sign(authority, 'election.create', payload as unknown as Transaction['payload'], nonce);
    this.deps.office.saveElection(definition.id, key, rows, this.deps.now());
    try {
      const { hash } = await this.deps.submit(tx);
      this.trees.set(definition.id, tree);
      return { election: definition.id, txHash: hash, roll: { root: tree.root, size: rows.length, generatedCodes } };
    } catch (error) {
      this.deps.office.forgetElection(definition.id);
      throw error;
    }
  }

  roll(id: string, options: { offset: number; limit: number; query?: string | undefined }): { total: number; voters: RollVoter[] } {
    if (!this.deps.office.hasRoll(id)) {
      this.election(id);
      fail('NO_ROLL_HERE', `This node does not hold the voter roll of election "${id}". Open the Election desk on a polling station's node.`, { election: id });
    }
    const page = this.deps.office.rollPage(id, { offset: options.offset, limit: options.limit, query: options.query });
    return {
      total: page.total,
      voters: page.rows.map((r) => ({
        index: r.index,
        voterId: r.voterId,
        name: r.name,
        cardCode: formatCardCode(r.cardCode),
        checkin: r.checkin ? { state: r.checkin.state, credentialTx: r.checkin.credentialTx, atMs: r.checkin.atMs } : null,
      })),
    };
  }

  private tree(id: string): MerkleTree {
    let tree = this.trees.get(id);
    if (!tree) {
      tree = new MerkleTree(this.deps.office.leaves(id));
      this.trees.set(id, tree);
    }
    return tree;
  }

  /** Resolves once the transaction is final; fails when it left the mempool without a block, or on timeout. */
  private async waitFinal(hash: string): Promise<number> {
    const timeoutMs = this.deps.finalityTimeoutMs ?? 60_000;
    try {
      return await this.deps.waitFinal(hash, timeoutMs);
    } catch (error) {
      if (error instanceof CivichainError && error.code === 'NOT_FINAL_YET') {
        throw new CivichainError('NOT_FINAL_YET', `The check-in was submitted but is not final after ${timeoutMs / 1000} s (are the validators running and approving?). Try the check-in again: it will wait for the same transaction.`, { hash });
      }
      throw error;
    }
  }


  async checkIn(id: string, voterIdInput: string, cardCode: string): Promise<{ pass: string; credentialTx: string; height: number }> {
    const election = this.election(id);
    const state = this.deps.state();
    const status = readElectionStatus(state, id);
    const phase = electionPhase(election, status, this.deps.now());
    if (phase !== 'open') fail(phase === 'closed' ? 'ELECTION_CLOSED' : 'ELECTION_NOT_OPEN', `Election "${election.title}" is ${phase === 'closed' ? 'closed' : 'not open yet'}: no check-in is possible.`, { election: id });
    const official = this.keyOf(['official'], election.officials) ?? fail('NOT_AN_OFFICIAL', `This node holds no official key of election "${election.title}". Check voters in at a polling station's node.`);
    const voterId = voterIdInput.trim();
    const voter = this.deps.office.voter(id, voterId) ?? fail('VOTER_UNKNOWN', `There is no voter "${voterId}" on the roll of this election. Check the voter ID on the card.`, { voterId });
    if (normalizeCardCode(cardCode) !== voter.cardCode) {
      fail('CARD_CODE_WRONG', `The card code does not match the card of voter ${voterId}. Check the code on the card and type it again.`, { voterId });
    }
    const used = state.get(electionLeafKey(id, voter.leaf));
    if (used) {
      fail('ALREADY_CHECKED_IN', `Voter ${voterId} has already been checked in: a credential was issued for this card (transaction ${(JSON.parse(used) as string).slice(0, 12)}…).`, { voterId });
    }
    const lockKey = `${id}/${voterId}`;
    if (this.inFlight.has(lockKey)) fail('CHECK_IN_IN_PROGRESS', `Voter ${voterId} is being checked in right now; wait for it to finish.`, { voterId });
    this.inFlight.add(lockKey);
    try {
      const previous = this.deps.office.checkin(id, voterId);
      let hash: string;
      if (previous?.state === 'submitted' && this.deps.txStatus(previous.credentialTx) !== null) {
        // A check-in that was submitted and is still on its way: wait for the same transaction.
        hash = previous.credentialTx;
      } else {
        const tx = this.sign(official, 'election.credential', { election: id, leaf: voter.leaf, index: voter.index, proof: this.tree(id).proof(voter.index) });
        hash = transactionHash(tx);
        // Recorded before it is submitted: a crash in between leaves a check-in the desk can retry.
        this.deps.office.recordCheckin(id, voterId, hash, this.deps.now());
        await this.deps.submit(tx);
      }
      let height: number;
      try {
        height = await this.waitFinal(hash);
      } catch (error) {
        if (error instanceof CivichainError && error.code === 'TX_DROPPED') {
          this.deps.office.setCheckinState(id, voterId, 'refused');
          if (this.deps.state().get(electionLeafKey(id, voter.leaf))) {
            fail('ALREADY_CHECKED_IN', `Voter ${voterId} was checked in at another polling station at the same moment; that check-in counts, and no second credential is issued.`, { voterId });
          }
        }
        throw error;
      }
      this.deps.office.setCheckinState(id, voterId, 'final');
      const pass = newBoothPass();
      this.deps.office.addPass(sha256(pass), id);
      return { pass: formatCardCode(pass), credentialTx: hash, height };
    } finally {
      this.inFlight.delete(lockKey);
    }
  }

  /** The booth's exchange: a booth pass and a blinded ballot key for a blind signature, once per pass. */
  issueCredential(id: string, pass: string, blindedMessage: string): { blindSignature: string } {
    const election = this.election(id);
    const status = readElectionStatus(this.deps.state(), id);
    if (electionPhase(election, status, this.deps.now()) !== 'open') fail('ELECTION_CLOSED', `Election "${election.title}" is not open: no credential can be issued.`, { election: id });
    const key = this.deps.office.privateKey(id) ?? fail('NOT_THE_ISSUER', `This node does not hold the credential key of election "${election.title}". Use a booth of the polling station that checked the voter in.`);
    let signer = this.signers.get(id);
    if (!signer) {
      signer = deriveSigningKey(key, credentialInfo(this.deps.genesis.chainId, id));
      this.signers.set(id, signer);
    }
    const signature = blindSign(signer, Buffer.from(blindedMessage, 'base64url'));
    // Used up durably before the signature leaves: a pass buys exactly one credential.
    if (!this.deps.office.usePass(sha256(normalizePass(pass)), id)) {
      fail('PASS_INVALID', 'This booth pass is not valid: it is unknown, for another election, or already used. Ask the official at the desk.');
    }
    return { blindSignature: signature.toString('base64url') };
  }

  checkCard(id: string, voterId: string, cardCode: string): { onChain: boolean; credentialTx: string | null } {
    this.election(id);
    const used = this.deps.state().get(electionLeafKey(id, rollLeaf(id, voterId.trim(), cardCode)));
    return { onChain: used !== null, credentialTx: used ? (JSON.parse(used) as string) : null };
  }

  private officialOrAuthority(election: ElectionDefinition): RoleKey {
    return (
      this.keyOf(['official', 'authority'], election.officials) ??
      this.authority() ??
      fail('NOT_AN_OFFICIAL', `This node holds no official or authority key of election "${election.title}".`)
    );
  }

  async close(id: string): Promise<{ txHash: string }> {
    const election = this.election(id);
    const { hash } = await this.deps.submit(this.sign(this.officialOrAuthority(election), 'election.close', { election: id }));
    return { txHash: hash };
  }

  async publish(id: string): Promise<{ txHash: string }> {
    const election = this.election(id);
    const status = readElectionStatus(this.deps.state(), id);
    const tally = Object.fromEntries(election.candidates.map((c) => [c.id, status.tally[c.id] ?? 0]));
    // Before signing a result, count again from the ballots themselves: a store whose state disagrees with
    // its own ballots is damaged, and its tally must not be published.
    const recount = this.deps.recount(id);
    const differs = recount.ballots !== status.ballots || election.candidates.some((c) => (recount.votes[c.id] ?? 0) !== (tally[c.id] ?? 0));
    if (differs) {
      fail('ELECTION_COUNT_MISMATCH', `This node's stored ballots (${recount.ballots}) count differently from its tally (${status.ballots}); nothing was published. Run civichain verify, and repair the store from peers.`, { election: id });
    }
    const tx = this.sign(this.officialOrAuthority(election), 'election.result', { election: id, tally, ballots: status.ballots, credentials: status.credentials });
    const { hash } = await this.deps.submit(tx);
    return { txHash: hash };
  }

  exportRecord(id: string): ElectionRecord {
    this.election(id);
    return buildElectionRecord(this.deps.recordSource, this.deps.genesis, id);
  }

  lookupBallot(code: string): BallotLookup {
    const prefix = code.toLowerCase().replace(/[^0-9a-f]/g, '');
    if (prefix.length < 12) fail('TRACKING_CODE_SHORT', 'A tracking code has at least 12 hexadecimal characters (0–9, a–f). Check the receipt.');
    const found = this.deps.findTransactions(prefix).filter((f) => f.tx.type === 'election.ballot');
    if (found.length > 1) fail('TRACKING_CODE_AMBIGUOUS', 'Several ballots start with this code; type more of the tracking code.');
    const ballot = found[0];
    if (!ballot) return { found: false, hash: null, election: null, status: null };
    return { found: true, hash: ballot.hash, election: String(ballot.tx.payload['election']), status: this.deps.txStatus(ballot.hash) };
  }
}
