/**
 * Elections (DESIGN.md §5): create, credential, ballot, close, result. One rule per type; the state they
 * keep, by election id:
 *   election/<id>             the election as created (immutable)
 *   election/<id>/status      counts, tally and closing: ElectionStatus
 *   election/<id>/leaf/<leaf> the credential transaction that used this roll leaf ("check my card")
 *   election/<id>/ballot/<k>  the ballot cast with ballot key k
 *   elections                 the ids, in order of creation
 * Nothing here names a voter: the ledger sees a roll leaf (a hash with the card's secret code) at check-in
 * and, unlinkably, a ballot key with a blind credential at the booth.
 */
import { z } from 'zod';
import { CivichainError } from '../errors';
import { HEX_32 } from '../crypto/ed25519';
import { credentialInfo, credentialKeySchema, CredentialVerifier, type CredentialClaim, type CredentialKey } from '../elections/credential';
import { verifyMerkleProof } from '../ledger/merkle';
import type { Transaction } from '../ledger/transaction';
import type { RuleContext, StateReader, TxRule } from './types';

export const ELECTION_ID = /^[a-z0-9][a-z0-9-]{2,47}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
const CANDIDATE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

const candidate = z.object({ id: z.string().regex(CANDIDATE_ID, 'must be 1–40 characters of a–z, 0–9 and -'), name: z.string().min(1).max(120) }).strict();

const createSchema = z
  .object({
    id: z.string().regex(ELECTION_ID, 'must be 3–48 characters of a–z, 0–9 and -'),
    title: z.string().min(1).max(200),
    candidates: z.array(candidate).min(2).max(100),
    /** How many candidates a ballot may choose (choose-k-of-n). */
    choose: z.number().int().min(1).max(100),
    opensAtMs: z.number().int().nonnegative(),
    closesAtMs: z.number().int().positive(),
    /** Whether counts may be shown while the election is open. */
    liveResults: z.boolean(),
    roll: z.object({ root: z.string().regex(HEX_HASH), size: z.number().int().min(1).max(100_000_000) }).strict(),
    /** The officials' keys that may check voters in (credential transactions). */
    officials: z.array(z.string().regex(HEX_32)).min(1).max(1000),
    credentialKey: credentialKeySchema,
  })
  .strict();
export type ElectionDefinition = z.infer<typeof createSchema>;

const credentialSchema = z
  .object({
    election: z.string().regex(ELECTION_ID),
    leaf: z.string().regex(HEX_HASH),
    index: z.number().int().nonnegative(),
    proof: z.array(z.string().regex(HEX_HASH)).max(64),
  })
  .strict();

const ballotSchema = z
  .object({
    election: z.string().regex(ELECTION_ID),
    choices: z.array(z.string().regex(CANDIDATE_ID)).min(1).max(100),
    /** The unblinded credential over the signer's 32 key bytes, base64url. */
    credential: z.string().regex(/^[A-Za-z0-9_-]{300,700}$/, 'must be an RSA signature in base64url'),
  })
  .strict();

const closeSchema = z.object({ election: z.string().regex(ELECTION_ID) }).strict();

const resultSchema = z
  .object({
    election: z.string().regex(ELECTION_ID),
    tally: z.record(z.string().regex(CANDIDATE_ID), z.number().int().nonnegative()),
    ballots: z.number().int().nonnegative(),
    credentials: z.number().int().nonnegative(),
  })
  .strict();

export interface ElectionStatus {
  readonly credentials: number;
  readonly ballots: number;
  /** Votes per candidate id (a choose-k ballot counts once for each candidate it names). */
  readonly tally: Readonly<Record<string, number>>;
  /** When an election.close transaction closed it early, its block time. */
  readonly closedAtMs: number | null;
  /** The hash of the published result, once published. */
  readonly resultTx: string | null;
}

export const ELECTION_INDEX_KEY = 'elections';
export const electionKey = (id: string): string => `election/${id}`;
export const electionStatusKey = (id: string): string => `election/${id}/status`;
export const electionLeafKey = (id: string, leaf: string): string => `election/${id}/leaf/${leaf}`;
export const electionBallotKey = (id: string, ballotKey: string): string => `election/${id}/ballot/${ballotKey}`;

export function readElection(state: StateReader, id: string): ElectionDefinition | null {
  const stored = state.get(electionKey(id));
  return stored ? (JSON.parse(stored) as ElectionDefinition) : null;
}

/**
 * A tally as an object without a prototype: candidate ids are chosen by the authority, and one such as
 * "constructor" must read as its votes, not as Object.prototype's member of that name.
 */
function tallyOf(votes: Readonly<Record<string, number>>): Record<string, number> {
  return Object.assign(Object.create(null) as Record<string, number>, votes);
}

export function readElectionStatus(state: StateReader, id: string): ElectionStatus {
  const stored = state.get(electionStatusKey(id));
  if (!stored) return { credentials: 0, ballots: 0, tally: tallyOf({}), closedAtMs: null, resultTx: null };
  const status = JSON.parse(stored) as ElectionStatus;
  return { ...status, tally: tallyOf(status.tally) };
}

export function listElectionIds(state: StateReader): string[] {
  const stored = state.get(ELECTION_INDEX_KEY);
  return stored ? (JSON.parse(stored) as string[]) : [];
}

export type ElectionPhase = 'scheduled' | 'open' | 'closed';

/** Where an election stands at a time: closed by its closing time or by an election.close transaction. */
export function electionPhase(election: ElectionDefinition, status: ElectionStatus, timeMs: number): ElectionPhase {
  if (status.closedAtMs !== null || timeMs >= election.closesAtMs) return 'closed';
  return timeMs < election.opensAtMs ? 'scheduled' : 'open';
}

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new CivichainError(code, message, details);
}

function existing(context: RuleContext, id: string): { election: ElectionDefinition; status: ElectionStatus } {
  const election = readElection(context.state, id);
  if (!election) fail('TX_ELECTION_UNKNOWN', `There is no election "${id}" on this chain.`, { election: id });
  return { election, status: readElectionStatus(context.state, id) };
}

function isAuthority(context: RuleContext, signer: string): boolean {
  return context.genesis.authorities.some((a) => a.publicKey === signer);
}

function requireOfficial(context: RuleContext, election: ElectionDefinition, tx: Transaction, what: string): void {
  if (!election.officials.includes(tx.signer) && !isAuthority(context, tx.signer)) {
    fail('TX_UNAUTHORIZED', `Only an official of election "${election.id}" may ${what}.`, { signer: tx.signer });
  }
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function requireOpen(context: RuleContext, election: ElectionDefinition, status: ElectionStatus, what: string): void {
  const phase = electionPhase(election, status, context.blockTimeMs);
  if (phase === 'scheduled') {
    fail('TX_ELECTION_NOT_OPEN', `Election "${election.id}" opens at ${time(election.opensAtMs)}; ${what} is not possible before then.`, {
      election: election.id,
      opensAtMs: election.opensAtMs,
    });
  }
  if (phase === 'closed') {
    fail('TX_ELECTION_CLOSED', `Election "${election.id}" is closed; ${what} is no longer possible.`, { election: election.id });
  }
}

function writeStatus(write: (key: string, value: string | null) => void, id: string, status: ElectionStatus): void {
  write(electionStatusKey(id), JSON.stringify(status));
}

export const electionCreateRule: TxRule<ElectionDefinition> = {
  type: 'election.create',
  payload: createSchema,
  check(context, tx, payload) {
    if (!isAuthority(context, tx.signer)) fail('TX_UNAUTHORIZED', 'Only an authority may create an election.', { signer: tx.signer });
    if (readElection(context.state, payload.id)) {
      fail('TX_ELECTION_EXISTS', `An election with the id "${payload.id}" already exists; choose another id.`, { election: payload.id });
    }
    if (payload.closesAtMs <= payload.opensAtMs) {
      fail('TX_INVALID_PAYLOAD', 'The election must close after it opens.', { field: 'payload.closesAtMs' });
    }
    if (payload.closesAtMs <= context.blockTimeMs) {
      fail('TX_INVALID_PAYLOAD', 'The closing time of the election is already past.', { field: 'payload.closesAtMs' });
    }
    const ids = new Set(payload.candidates.map((c) => c.id));
    if (ids.size !== payload.candidates.length) fail('TX_INVALID_PAYLOAD', 'Two candidates share an id.', { field: 'payload.candidates' });
    if (payload.choose > payload.candidates.length) {
      fail('TX_INVALID_PAYLOAD', `A ballot cannot choose ${payload.choose} of ${payload.candidates.length} candidates.`, { field: 'payload.choose' });
    }
    if (new Set(payload.officials).size !== payload.officials.length) {
      fail('TX_INVALID_PAYLOAD', 'An official is listed twice.', { field: 'payload.officials' });
    }
    const modulus = Buffer.from(payload.credentialKey.n, 'base64url');
    if (modulus.length < 256 || modulus.length % 2 !== 0 || ((modulus[0] ?? 0) & 0x80) === 0) {
      fail('TX_INVALID_PAYLOAD', 'The credential key must be an RSA key of at least 2048 bits.', { field: 'payload.credentialKey.n' });
    }
  },
  apply(context, _tx, payload, write) {
    write(electionKey(payload.id), JSON.stringify(payload));
    write(ELECTION_INDEX_KEY, JSON.stringify([...listElectionIds(context.state), payload.id]));
    writeStatus(write, payload.id, readElectionStatus(context.state, payload.id));
  },
};

export const electionCredentialRule: TxRule<z.infer<typeof credentialSchema>> = {
  type: 'election.credential',
  payload: credentialSchema,
  check(context, tx, payload) {
    const { election, status } = existing(context, payload.election);
    if (!election.officials.includes(tx.signer)) {
      fail('TX_UNAUTHORIZED', `Only an official of election "${election.id}" may check voters in.`, { signer: tx.signer });
    }
    requireOpen(context, election, status, 'checking in');
    const used = context.state.get(electionLeafKey(election.id, payload.leaf));
    if (used) {
      fail('TX_ELECTION_ALREADY_ISSUED', 'This voter has already been checked in: a credential was issued for this card.', {
        election: election.id,
        leaf: payload.leaf,
        credentialTx: JSON.parse(used) as string,
      });
    }
    if (!verifyMerkleProof(election.roll.root, election.roll.size, payload.index, payload.leaf, payload.proof)) {
      fail('TX_ELECTION_NOT_ON_ROLL', 'The voter is not on the roll of this election (the roll proof does not check).', { election: election.id });
    }
  },
  apply(context, tx, payload, write) {
    const status = readElectionStatus(context.state, payload.election);
    write(electionLeafKey(payload.election, payload.leaf), JSON.stringify(context.txHash));
    writeStatus(write, payload.election, { ...status, credentials: status.credentials + 1 });
  },
};

/** Credential verification when the caller passed no verifier (tests, the CLI): one per call. */
function verifierOf(context: RuleContext): CredentialVerifier {
  return context.credentials ?? new CredentialVerifier(1);
}

export function credentialClaim(chainId: string, election: { id: string; credentialKey: CredentialKey }, tx: Transaction, credential: string): CredentialClaim {
  return { key: election.credentialKey, info: credentialInfo(chainId, election.id), message: Buffer.from(tx.signer, 'hex'), signature: credential };
}

/**
 * The credential claims of the ballots among `txs` whose election `electionOf` knows: what the node's worker
 * threads verify ahead of the rules (the mempool, the block verifier, `civichain verify`).
 */
export function ballotCredentialClaims(
  txs: readonly Transaction[],
  chainId: string,
  electionOf: (id: string) => Pick<ElectionDefinition, 'id' | 'credentialKey'> | null | undefined,
): CredentialClaim[] {
  const claims: CredentialClaim[] = [];
  for (const tx of txs) {
    if (tx.type !== 'election.ballot') continue;
    const { election: id, credential } = tx.payload;
    if (typeof id !== 'string' || typeof credential !== 'string') continue;
    const election = electionOf(id);
    if (election?.credentialKey) claims.push(credentialClaim(chainId, election, tx, credential));
  }
  return claims;
}

export const electionBallotRule: TxRule<z.infer<typeof ballotSchema>> = {
  type: 'election.ballot',
  payload: ballotSchema,
  check(context, tx, payload) {
    const { election, status } = existing(context, payload.election);
    requireOpen(context, election, status, 'voting');
    if (payload.choices.length > election.choose) {
      fail('TX_BALLOT_TOO_MANY_CHOICES', `This ballot chooses ${payload.choices.length} candidates; election "${election.id}" allows ${election.choose}.`, {
        election: election.id,
        choose: election.choose,
      });
    }
    if (new Set(payload.choices).size !== payload.choices.length) {
      fail('TX_BALLOT_INVALID_CHOICE', 'This ballot names the same candidate twice.', { election: election.id });
    }
    for (const choice of payload.choices) {
      if (!election.candidates.some((c) => c.id === choice)) {
        fail('TX_BALLOT_UNKNOWN_CANDIDATE', `"${choice}" is not a candidate in election "${election.id}".`, { election: election.id, choice });
      }
    }
    if (context.state.get(electionBallotKey(election.id, tx.signer))) {
      fail('TX_BALLOT_CREDENTIAL_USED', 'A ballot with this credential has already been cast; each credential votes once.', { election: election.id });
    }
    // Ballots can never exceed credentials issued (which the roll bounds).
    if (status.ballots >= status.credentials) {
      fail('TX_BALLOT_NO_CREDENTIAL_LEFT', `Every credential issued in election "${election.id}" has already voted.`, { election: election.id });
    }
    if (!verifierOf(context).verify(credentialClaim(context.genesis.chainId, election, tx, payload.credential))) {
      fail('TX_BALLOT_BAD_CREDENTIAL', `The ballot's credential was not issued for election "${election.id}" (it does not verify against its credential key).`, {
        election: election.id,
      });
    }
  },
  apply(context, tx, payload, write) {
    const status = readElectionStatus(context.state, payload.election);
    const tally = tallyOf(status.tally);
    for (const choice of payload.choices) tally[choice] = (tally[choice] ?? 0) + 1;
    write(electionBallotKey(payload.election, tx.signer), JSON.stringify(context.txHash));
    writeStatus(write, payload.election, { ...status, ballots: status.ballots + 1, tally });
  },
};

export const electionCloseRule: TxRule<z.infer<typeof closeSchema>> = {
  type: 'election.close',
  payload: closeSchema,
  check(context, tx, payload) {
    const { election, status } = existing(context, payload.election);
    requireOfficial(context, election, tx, 'close it');
    if (status.closedAtMs !== null) fail('TX_ELECTION_CLOSED', `Election "${election.id}" is already closed.`, { election: election.id });
    if (context.blockTimeMs < election.opensAtMs) {
      fail('TX_ELECTION_NOT_OPEN', `Election "${election.id}" has not opened yet; it cannot be closed before ${time(election.opensAtMs)}.`, {
        election: election.id,
      });
    }
  },
  apply(context, _tx, payload, write) {
    const status = readElectionStatus(context.state, payload.election);
    writeStatus(write, payload.election, { ...status, closedAtMs: context.blockTimeMs });
  },
};

export const electionResultRule: TxRule<z.infer<typeof resultSchema>> = {
  type: 'election.result',
  payload: resultSchema,
  check(context, tx, payload) {
    const { election, status } = existing(context, payload.election);
    requireOfficial(context, election, tx, 'publish its result');
    if (electionPhase(election, status, context.blockTimeMs) !== 'closed') {
      fail('TX_ELECTION_NOT_CLOSED', `Election "${election.id}" is still open; close it before publishing the result.`, { election: election.id });
    }
    if (status.resultTx !== null) fail('TX_ELECTION_RESULT_EXISTS', `The result of election "${election.id}" is already published.`, { election: election.id });
    const differences: string[] = [];
    for (const c of election.candidates) {
      const ours = status.tally[c.id] ?? 0;
      const theirs = Object.hasOwn(payload.tally, c.id) ? (payload.tally[c.id] as number) : 0;
      if (ours !== theirs) differences.push(`${c.name} ${ours} here, ${theirs} published`);
    }
    for (const id of Object.keys(payload.tally)) {
      if (!election.candidates.some((c) => c.id === id)) differences.push(`"${id}" is not a candidate`);
    }
    if (payload.ballots !== status.ballots) differences.push(`ballots ${status.ballots} here, ${payload.ballots} published`);
    if (payload.credentials !== status.credentials) differences.push(`credentials ${status.credentials} here, ${payload.credentials} published`);
    if (differences.length > 0) {
      fail('TX_ELECTION_RESULT_MISMATCH', `The published result differs from this node's count: ${differences.join('; ')}.`, {
        election: election.id,
        differences,
      });
    }
  },
  apply(context, _tx, payload, write) {
    const status = readElectionStatus(context.state, payload.election);
    writeStatus(write, payload.election, { ...status, resultTx: context.txHash });
  },
};

export const ELECTION_RULES = [electionCreateRule, electionCredentialRule, electionBallotRule, electionCloseRule, electionResultRule] as const;
