/**
 * Ballot credentials cost about a millisecond each to verify (partially-blind RSA), too much for the main
 * thread in bulk. Before the rules run, the mempool and the block verifier send the credentials of the
 * ballots they are about to check to the worker threads; the rules then find each verdict in the node's
 * CredentialVerifier memo. A ballot whose election is not on the chain yet is left to the rules.
 */
import type { CredentialClaim, CredentialVerifier } from '../../core/elections/credential';
import type { Transaction } from '../../core/ledger/transaction';
import { ballotCredentialClaims, readElection } from '../../core/rules/elections';
import type { StateReader } from '../../core/rules/types';

export function createCredentialPrecheck(deps: {
  chainId: string;
  state: () => StateReader;
  credentials: CredentialVerifier;
  verifyCredentials: (claims: readonly CredentialClaim[], options?: { urgent?: boolean }) => Promise<boolean[]>;
}): (txs: readonly Transaction[], options?: { urgent?: boolean }) => Promise<void> {
  return async (txs, options) => {
    const state = deps.state();
    const claims = ballotCredentialClaims(txs, deps.chainId, (id) => readElection(state, id));
    if (claims.length === 0) return;
    const verdicts = await deps.verifyCredentials(claims, options);
    verdicts.forEach((ok, i) => {
      if (ok) deps.credentials.remember(claims[i] as CredentialClaim);
    });
  };
}
