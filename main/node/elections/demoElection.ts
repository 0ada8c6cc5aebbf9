/**
 * Puts the demo election (DESIGN.md §10) on a demo chain: the first demo node with the authority key
 * submits its election.create (the same signed transaction on every demo node, so a demo network includes
 * it once), and every demo node keeps the roll and the credential key, so each can act as a polling station.
 */
import { rollLeaf } from '../../core/elections/roll';
import { readElection } from '../../core/rules/elections';
import type { StateReader } from '../../core/rules/types';
import {
  DEMO_CANDIDATES,
  DEMO_CREDENTIAL_KEY,
  DEMO_ELECTION_CLOSES_AT_MS,
  DEMO_ELECTION_ID,
  DEMO_ELECTION_OPENS_AT_MS,
  DEMO_ELECTION_TITLE,
  DEMO_VOTERS,
} from '../workspace/demoElection';
import { demoPublicKey } from '../workspace/demo';
import type { ElectionOffice } from './electionOffice';
import type { ElectionOfficeStore } from './officeStore';

export async function seedDemoElection(office: ElectionOffice, officeStore: ElectionOfficeStore, state: StateReader): Promise<void> {
  if (officeStore.hasRoll(DEMO_ELECTION_ID)) return;
  if (readElection(state, DEMO_ELECTION_ID)) {
    const rows = DEMO_VOTERS.map((v, index) => ({ ...v, index, leaf: rollLeaf(DEMO_ELECTION_ID, v.voterId, v.cardCode) }));
    officeStore.saveElection(DEMO_ELECTION_ID, DEMO_CREDENTIAL_KEY, rows, Date.now());
    return;
  }
  await office.register(
    {
      id: DEMO_ELECTION_ID,
      title: DEMO_ELECTION_TITLE,
      candidates: DEMO_CANDIDATES.map((c) => ({ ...c })),
      choose: 1,
      opensAtMs: DEMO_ELECTION_OPENS_AT_MS,
      closesAtMs: DEMO_ELECTION_CLOSES_AT_MS,
      liveResults: true,
      officials: [demoPublicKey('official-1')],
    },
    DEMO_VOTERS,
    DEMO_CREDENTIAL_KEY,
    undefined,
    0,
    'demo-election',
  );
}
