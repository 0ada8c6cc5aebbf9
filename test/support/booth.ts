/** Casting a ballot as the booth window does (renderer/windows/booth/ballotClient.ts), over the test API. */
import { BallotSession, type SignedBallot } from '../../renderer/windows/booth/ballotClient';
import type { TestApiClient } from './apiClient';

export interface ElectionForBooth {
  readonly id: string;
  readonly credentialKey: { readonly n: string; readonly e: string };
}

/** Obtains a blind credential with a booth pass; the session can then sign ballots with its ballot key. */
export async function obtainCredential(
  api: TestApiClient,
  chainId: string,
  election: ElectionForBooth,
  pass: string,
): Promise<{ session: BallotSession; credential: string; blindSignature: string }> {
  const session = await BallotSession.start(chainId, election);
  const { blindSignature } = await api.call<{ blindSignature: string }>('election.credential', { election: election.id, pass, blindedMessage: session.blindedMessage });
  return { session, credential: session.credentialFrom(blindSignature), blindSignature };
}

/** A ballot as the booth makes it (not submitted). */
export async function prepareBallot(api: TestApiClient, chainId: string, election: ElectionForBooth, pass: string, choices: readonly string[]): Promise<SignedBallot> {
  const { session, credential } = await obtainCredential(api, chainId, election, pass);
  return session.sign(choices, credential);
}
