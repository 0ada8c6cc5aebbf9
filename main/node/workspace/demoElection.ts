/**
 * The demo workspace's election (DESIGN.md §10, the origin's election): three parties, voters VOID001–VOID015
 * with deterministic card codes that the Election desk shows for the demo, and a fixed credential key.
 * Like every demo key, the credential key is public by construction: never use it for a real election.
 */
import { createHash } from 'node:crypto';
import { cardCodeFromBytes, type RollEntry } from '../../core/elections/roll';
import type { CredentialPrivateKey } from '../elections/credentialIssuer';

export const DEMO_ELECTION_ID = 'demo-general-2026';
export const DEMO_ELECTION_TITLE = 'Demo General Election 2026';
export const DEMO_CANDIDATES = [
  { id: 'democratic', name: 'Democratic Party' },
  { id: 'republican', name: 'Republican Party' },
  { id: 'socialist', name: 'Socialist party' },
] as const;
/** Open from the demo genesis time until the end of 2030, results shown live (it is a demo). */
export const DEMO_ELECTION_OPENS_AT_MS = 1_767_225_600_000;
export const DEMO_ELECTION_CLOSES_AT_MS = 1_924_992_000_000;

const DEMO_NAMES = [
  'Ada Lam', 'Ben Cheung', 'Carmen Ho', 'David Ng', 'Emily Tse', 'Frank Yip', 'Grace Lau', 'Henry Kwok',
  'Iris Fung', 'Jacky Mak', 'Karen Chow', 'Leo Szeto', 'Mandy Leung', 'Nathan Pang', 'Olivia Tang',
];

export function demoCardCode(voterId: string): string {
  return cardCodeFromBytes(createHash('sha256').update(`civichain-demo-v1/card/${voterId}`).digest());
}

export const DEMO_VOTERS: readonly RollEntry[] = DEMO_NAMES.map((name, i) => {
  const voterId = `VOID${String(i + 1).padStart(3, '0')}`;
  return { voterId, name, cardCode: demoCardCode(voterId) };
});

/** 2048 bits, safe primes, generated once for the demo. */
export const DEMO_CREDENTIAL_KEY: CredentialPrivateKey = {
  n: 'w_S2ORb0TLJ3UdQhEYUnOlYs36rv_MNkwPMa7-Y0-rOgdMaDjDomTXVAM1BDgaz1M3XcQUiKUXIqaeP39flFdQHtOXPVfwxoRe2q_BNZHqiDx_5W10KrvOJUYoIVcfPLiBoOehzOFcQBUwfMuBDX1-v-HNqfZGgRNPmk8ePcJLX_-c6UgMobuTJehOCzCOyMh3669xmSloc-7FH4jwvkn3i3Xlbrso9dzVVlOa24_ap4AooiFLaN9MpT51LH-ZUbltgeIdH21YciyhcWqdM9SGRI17WtYIFzrkJBIlQmmVJsqwJC46wyO_XDR_hDkEJ8Rbvl7BuydPxqmDCh7zXchQ',
  e: 'AQAB',
  d: 'HJNSA29CfvDDj65EiD6Hou0wLAnMZ2rDBZQuCG_kp-6L5puQUWGldkQz8Yex4HYtZ6y3StneOdRRNRHmdfs80rxOMMOgjZ9skU4AUjQsGdlvJjoDxe5WBvxmW9smb3Ci7J0IIWyT7P6hRs9rXiguobErZF_JQKYgZD5HfHLDBqM2KYBpv6M7ghrzNjsMG1PA9vwNhFg-jjvB4aVfU3h7WLJ2s0v_PkYBwGc-AcSTGWa5PgFZQNJaKIfpGC0vQ5m1kzklXajn2Xi5oEJyE_fBoWQRS61AkHLmYyqOf7e6LOdwJZkU376t1opvxT6j7yqXV5bjEhLTPThTbuqdd09_nQ',
  p: 'y2xCbqIQfKhaT_kO-DS1L91jl80RpLeCB4I79rsVOanmdoHBy2T6lsnMUgVmiH4m-LOzbiP2XOmB0QsUOkbxKs-2kmwoMA5Z-mEhhVWkTpYcG9KPSjKvt-snAk8vel0mneFWTxR0hi9HHdfJIRS7GTLtD9pJSWZvZHkCyw5CNSM',
  q: '9ppjvzjjswNHFDhYWbejfenpTP6JLWxPwriQZWXt3CJ_Yon0LXKzZNRq-40j_s88R_lYvsH3DRl6c5bwl7Hq-Vn0xPwT-M4t2ghdW16Uu4DQqYgDzKVh51DBdy0xo_DpNvyj--4x3tug5XeDPW9hY9GTiihFnINFnrgFusE15jc',
};
