/**
 * Elections through a real headless demo node (a process, real SQLite stores, the WebSocket API): check-in,
 * a blind credential for a booth pass, a ballot cast as the booth casts it, its receipt, the count; and
 * every refusal of issue 5 with its message, each changing nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ElectionSummary } from '../../preload/contract';
import type { TestApiClient } from '../support/apiClient';
import { BallotSession } from '../../renderer/windows/booth/ballotClient';
import { obtainCredential, prepareBallot } from '../support/booth';
import { startNodeProcess, testResources } from '../support/cli';
import { makeTempDir } from '../support/tempDir';
import { demoCardCode, DEMO_ELECTION_ID } from '../../main/node/workspace/demoElection';

const CHAIN_ID = 'civichain-demo-1';
const { processes, clients, temps, release } = testResources();

afterEach(release);

async function demoNode(): Promise<TestApiClient> {
  const temp = makeTempDir();
  temps.push(temp);
  const { proc, api } = await startNodeProcess(['--data', temp.path, '--api-port', '0', '--p2p-port', '0', '--demo']);
  processes.push(proc);
  clients.push(api);
  return api;
}

async function demoElection(api: TestApiClient): Promise<ElectionSummary> {
  let election: ElectionSummary | undefined;
  await expect
    .poll(async () => (election = (await api.call<{ elections: ElectionSummary[] }>('election.list')).elections.find((e) => e.id === DEMO_ELECTION_ID)), { timeout: 20_000 })
    .toBeTruthy();
  return election!;
}

async function finalState(api: TestApiClient, hash: string): Promise<void> {
  await expect.poll(async () => (await api.call<{ status: { state: string } | null }>('tx.get', { hash })).status?.state, { timeout: 20_000 }).toBe('final');
}

describe('an election through the API', () => {
  it('checks a voter in, issues a blind credential, accepts the ballot and counts it', async () => {
    const api = await demoNode();
    const election = await demoElection(api);
    expect(election.phase).toBe('open');
    expect(election.roll.size).toBe(15);
    expect(election.office).toMatchObject({ holdsRoll: true, canCheckIn: true, canIssue: true });

    const checkIn = await api.call<{ pass: string; credentialTx: string; height: number }>('election.checkIn', {
      election: DEMO_ELECTION_ID,
      voterId: 'VOID001',
      cardCode: demoCardCode('VOID001').toLowerCase(),
    });
    expect(checkIn.pass).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
    expect(await api.call('election.checkCard', { election: DEMO_ELECTION_ID, voterId: 'VOID001', cardCode: demoCardCode('VOID001') })).toEqual({
      onChain: true,
      credentialTx: checkIn.credentialTx,
    });
    expect(await api.call('election.checkCard', { election: DEMO_ELECTION_ID, voterId: 'VOID002', cardCode: demoCardCode('VOID002') })).toEqual({
      onChain: false,
      credentialTx: null,
    });

    const ballot = await prepareBallot(api, CHAIN_ID, election, checkIn.pass, ['socialist']);
    const submitted = await api.call<{ hash: string }>('tx.submit', { transaction: ballot.transaction });
    expect(submitted.hash).toBe(ballot.hash);
    await finalState(api, ballot.hash);

    const after = await api.call<ElectionSummary>('election.get', { election: DEMO_ELECTION_ID });
    expect(after).toMatchObject({ credentials: 1, ballots: 1, tally: { democratic: 0, republican: 0, socialist: 1 } });
    const lookup = await api.call<{ found: boolean; hash: string; status: { state: string } }>('ballot.lookup', { code: ballot.hash.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1-') });
    expect(lookup).toMatchObject({ found: true, hash: ballot.hash, status: { state: 'final' } });

    // The pass bought one credential: a second exchange is refused.
    const second = await BallotSession.start(CHAIN_ID, election);
    const again = await api.callError('election.credential', { election: DEMO_ELECTION_ID, pass: checkIn.pass, blindedMessage: second.blindedMessage });
    expect(again.data).toMatchObject({ code: 'PASS_INVALID', message: expect.stringContaining('already used') });
  });

  it('refuses an unknown voter, a wrong card code and a second check-in, and changes nothing', async () => {
    const api = await demoNode();
    await demoElection(api);
    const unknown = await api.callError('election.checkIn', { election: DEMO_ELECTION_ID, voterId: 'VOID999', cardCode: 'x' });
    expect(unknown.data).toMatchObject({ code: 'VOTER_UNKNOWN', message: expect.stringContaining('VOID999') });
    const wrong = await api.callError('election.checkIn', { election: DEMO_ELECTION_ID, voterId: 'VOID002', cardCode: demoCardCode('VOID003') });
    expect(wrong.data).toMatchObject({ code: 'CARD_CODE_WRONG', message: expect.stringContaining('does not match') });
    expect((await api.call<ElectionSummary>('election.get', { election: DEMO_ELECTION_ID })).credentials).toBe(0);

    await api.call('election.checkIn', { election: DEMO_ELECTION_ID, voterId: 'VOID002', cardCode: demoCardCode('VOID002') });
    const second = await api.callError('election.checkIn', { election: DEMO_ELECTION_ID, voterId: 'VOID002', cardCode: demoCardCode('VOID002') });
    expect(second.data).toMatchObject({ code: 'ALREADY_CHECKED_IN', message: expect.stringContaining('already been checked in') });
    expect((await api.call<ElectionSummary>('election.get', { election: DEMO_ELECTION_ID })).credentials).toBe(1);
  });

  it('refuses a second ballot with the same credential, an unknown booth pass, and a forged credential', async () => {
    const api = await demoNode();
    const election = await demoElection(api);
    const { pass } = await api.call<{ pass: string }>('election.checkIn', { election: DEMO_ELECTION_ID, voterId: 'VOID004', cardCode: demoCardCode('VOID004') });
    const { session, credential } = await obtainCredential(api, CHAIN_ID, election, pass);
    const first = await session.sign(['democratic'], credential);
    await api.call('tx.submit', { transaction: first.transaction });
    await finalState(api, first.hash);

    // A voter who kept the ballot key signs a second ballot with the same credential.
    const secondBallot = await session.sign(['republican'], credential);
    const secondError = await api.callError('tx.submit', { transaction: secondBallot.transaction });
    expect(secondError.data).toMatchObject({ code: 'TX_BALLOT_CREDENTIAL_USED', message: expect.stringContaining('already been cast') });

    const fresh = await BallotSession.start(CHAIN_ID, election);
    const badPass = await api.callError('election.credential', { election: DEMO_ELECTION_ID, pass: 'ZZZZ-ZZZZ-ZZ', blindedMessage: fresh.blindedMessage });
    expect(badPass.data).toMatchObject({ code: 'PASS_INVALID', message: expect.stringContaining('Ask the official') });

    // A credential made for another ballot key does not verify for this signer.
    const { pass: pass2 } = await api.call<{ pass: string }>('election.checkIn', { election: DEMO_ELECTION_ID, voterId: 'VOID005', cardCode: demoCardCode('VOID005') });
    const honest = await prepareBallot(api, CHAIN_ID, election, pass2, ['democratic']);
    const forged = await fresh.sign(['democratic'], honest.transaction.payload.credential);
    const forgedError = await api.callError('tx.submit', { transaction: forged.transaction });
    expect(forgedError.data).toMatchObject({ code: 'TX_BALLOT_BAD_CREDENTIAL', message: expect.stringContaining('does not verify') });
    expect((await api.call<ElectionSummary>('election.get', { election: DEMO_ELECTION_ID })).ballots).toBe(1);
  });

  it('creates an election from a roll CSV, generating missing card codes; a bad roll is refused naming the line', async () => {
    const api = await demoNode();
    await demoElection(api);
    const csv = (text: string | Buffer) => Buffer.from(text).toString('base64');
    const closesAtMs = Date.now() + 86_400_000;
    const base = { title: 'Residents’ Committee 2026', candidates: ['Ada Lam', 'Ben Cheung', 'Carmen Ho'], choose: 2, closesAtMs, liveResults: false };

    const duplicate = await api.callError('election.create', { ...base, rollCsv: csv('voter ID,name\nR001,Ann\nR002,Bo\nR001,Cy\n') });
    expect(duplicate.data).toMatchObject({ code: 'ROLL_INVALID', message: 'Voter roll, line 4: voter ID R001 appears again (first on line 2).' });
    const missing = await api.callError('election.create', { ...base, rollCsv: csv('voter ID,card code\nR001,\n') });
    expect(missing.data.message).toMatch(/^Voter roll, line 1: .*"name" is missing/);
    const latin1 = await api.callError('election.create', { ...base, rollCsv: csv(Buffer.from('voter ID,name\nR001,Ann\nR002,Jos\xe9\n', 'latin1')) });
    expect(latin1.data.message).toMatch(/^Voter roll, line 3: the file is not UTF-8/);
    expect((await api.call<{ elections: ElectionSummary[] }>('election.list')).elections).toHaveLength(1);

    const created = await api.call<{ election: string; roll: { size: number; generatedCodes: number } }>('election.create', {
      ...base,
      rollCsv: csv('voter ID,name,card code\nR001,Ann,\nR002,"Bo, Junior",ABCD-EFGH-JKMN-PQRS\nR003,Cy,\n'),
    });
    expect(created.roll).toMatchObject({ size: 3, generatedCodes: 2 });
    await expect.poll(async () => (await api.call<{ elections: ElectionSummary[] }>('election.list')).elections.length, { timeout: 20_000 }).toBe(2);
    const summary = await api.call<ElectionSummary>('election.get', { election: created.election });
    expect(summary).toMatchObject({ title: base.title, choose: 2, phase: 'open', roll: { size: 3 }, tally: null, office: { holdsRoll: true, canCheckIn: true } });
    const roll = await api.call<{ total: number; voters: { voterId: string; name: string; cardCode: string }[] }>('election.roll', { election: created.election, query: 'Bo' });
    expect(roll).toMatchObject({ total: 1, voters: [{ voterId: 'R002', name: 'Bo, Junior', cardCode: 'ABCD-EFGH-JKMN-PQRS' }] });
  }, 90_000);
});
