/**
 * The whole credential path into the ledger: the booth blinds its ballot key with @cloudflare/blindrsa-ts,
 * the officials' node signs the blinded message (credentialIssuer.blindSign), the booth finalizes, and the
 * ballot carrying that credential goes through the election rules (core/rules/elections.ts) via the state
 * transition. The key is the demo election's fixed credential key.
 */
import { webcrypto } from 'node:crypto';
import { RSAPBSSA } from '@cloudflare/blindrsa-ts';
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../../core/errors';
import { credentialInfo } from '../../core/elections/credential';
import { rollTree } from '../../core/elections/roll';
import { HOUR_MS, TestLedger, credentialTx, testElectionDefinition, testRoll, testTx } from '../../core/elections/testElection';
import { testGenesis, testKey, type TestKey } from '../../core/ledger/testFixtures';
import type { Transaction } from '../../core/ledger/transaction';
import { readElectionStatus } from '../../core/rules/elections';
import { DEMO_CREDENTIAL_KEY } from '../workspace/demoElection';
import { blindSign, credentialPublicKey, deriveSigningKey } from './credentialIssuer';

const suite = RSAPBSSA.SHA384.PSS.Deterministic();
const { genesis, authority } = testGenesis();
const chainId = genesis.chainId;
const DURING = genesis.genesisTimeMs + HOUR_MS + 60_000;
const official = testKey('official-1');
const roll = testRoll(4);

function election(id: string) {
  return testElectionDefinition({ genesis, id, roll: rollTree(id, roll), officials: [official], credentialKey: credentialPublicKey(DEMO_CREDENTIAL_KEY) });
}

/** The booth and the officials' node: blind, BlindSign, finalize. */
async function blindCredential(electionId: string, ballotKey: TestKey): Promise<string> {
  const { n, e } = DEMO_CREDENTIAL_KEY;
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty: 'RSA', n, e, alg: 'PS384', ext: true }, { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['verify']);
  const info = credentialInfo(chainId, electionId);
  const message = Buffer.from(ballotKey.publicKey, 'hex');
  const { blindedMsg, inv } = await suite.blind(publicKey, message, info);
  const blindSignature = blindSign(deriveSigningKey(DEMO_CREDENTIAL_KEY, info), blindedMsg);
  return Buffer.from(await suite.finalize(publicKey, message, info, new Uint8Array(blindSignature), inv)).toString('base64url');
}

const ballot = (electionId: string, ballotKey: TestKey, credential: string, choices: string[], nonce?: string): Transaction =>
  testTx(chainId, ballotKey, 'election.ballot', { election: electionId, choices, credential }, nonce);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof CivichainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('a blind credential from the officials node, in a ballot on the ledger', () => {
  it('is accepted once, counted, and refused in another election or for another ballot key', { timeout: 30_000 }, async () => {
    const ledger = new TestLedger(genesis);
    ledger.apply([testTx(chainId, authority, 'election.create', election('city-2026')), testTx(chainId, authority, 'election.create', election('town-2026'))], genesis.genesisTimeMs + 1000);
    const cityTree = rollTree('city-2026', roll);
    const townTree = rollTree('town-2026', roll);
    ledger.apply([credentialTx(chainId, official, 'city-2026', roll, cityTree, 0), credentialTx(chainId, official, 'city-2026', roll, cityTree, 1), credentialTx(chainId, official, 'town-2026', roll, townTree, 0)], DURING);

    const voter = testKey('booth-ballot-1');
    const credential = await blindCredential('city-2026', voter);
    ledger.apply([ballot('city-2026', voter, credential, ['soc'])], DURING + 1000);
    expect(readElectionStatus(ledger.reader, 'city-2026')).toMatchObject({ ballots: 1, tally: { soc: 1 } });

    // The same credential again, with another choice: one ballot per credential.
    expect(code(() => ledger.check(ballot('city-2026', voter, credential, ['dem']), DURING + 2000))).toBe('TX_BALLOT_CREDENTIAL_USED');
    // The same credential in another election with the same credential key.
    expect(code(() => ledger.check(ballot('town-2026', voter, credential, ['dem']), DURING + 2000))).toBe('TX_BALLOT_BAD_CREDENTIAL');
    // The same credential under another ballot key (someone who copied it from the block).
    expect(code(() => ledger.check(ballot('city-2026', testKey('booth-ballot-2'), credential, ['dem']), DURING + 2000))).toBe('TX_BALLOT_BAD_CREDENTIAL');

    // A second voter's fresh credential is accepted.
    const second = testKey('booth-ballot-2');
    ledger.apply([ballot('city-2026', second, await blindCredential('city-2026', second), ['dem'])], DURING + 2000);
    expect(readElectionStatus(ledger.reader, 'city-2026')).toMatchObject({ ballots: 2, credentials: 2, tally: { soc: 1, dem: 1 } });
  });
});
